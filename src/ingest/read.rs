//! Reading a submitted file into sheets of text cells: CSV in UTF-8 (with or without BOM) or
//! GBK/GB18030, and XLSX (the first sheet, or every sheet named after a table).

use std::path::Path;

use calamine::{Data, Reader};

use super::limits::Limits;
use crate::domain::standard::Table;
use crate::messages::Problem;

/// One table's worth of rows from a file: a CSV file or one sheet of a workbook.
pub struct Sheet {
    /// How the sheet is named in messages: the file name, plus `[sheet]` for workbooks.
    pub label: String,
    /// The table the sheet's name says it is, if it says.
    pub named_table: Option<Table>,
    pub header: Vec<String>,
    body: Body,
}

enum Body {
    /// A CSV file read again from disk on each pass, decoded as it streams: memory holds one row,
    /// whatever the file's size.
    CsvFile { path: std::path::PathBuf, encoding: Encoding, limits: Limits },
    /// A workbook's rows that hold anything, with their spreadsheet row numbers, or what is wrong
    /// with them (a cell over the length limit).
    Grid(Vec<RowResult>),
}

/// A data row (its spreadsheet row number, header = 1, and its cells), or what is wrong with it.
pub type RowResult = Result<(usize, Vec<String>), (usize, Problem)>;

impl Sheet {
    /// Every data row, in order. CSV rows are parsed lazily so that a pass holds one row at a time.
    /// A row over the limits is an error of its own; past the row limit, reading stops.
    pub fn rows(&self) -> Box<dyn Iterator<Item = RowResult> + Send + '_> {
        match &self.body {
            Body::CsvFile { path, encoding, limits } => match open_decoded(path, *encoding) {
                Ok(reader) => csv_rows(reader, *limits, &self.header),
                // The file went away between passes: its first row says so.
                Err(p) => Box::new(std::iter::once(Err((1, p)))),
            },
            Body::Grid(rows) => Box::new(rows.iter().cloned()),
        }
    }

    /// Rows that are entirely empty (a spreadsheet's trailing blank lines) are not data.
    pub fn is_blank(cells: &[String]) -> bool {
        cells.iter().all(|c| c.trim().is_empty())
    }
}

/// Every data row of CSV text read from `source`, parsed lazily so that a pass holds one row.
fn csv_rows<'a>(
    source: impl std::io::Read + Send + 'a,
    limits: Limits,
    header: &'a [String],
) -> Box<dyn Iterator<Item = RowResult> + Send + 'a> {
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(true).flexible(true).buffer_capacity(1 << 16).from_reader(source);
    let mut record = csv::StringRecord::new();
    let mut n = 1usize;
    let mut stopped = false;
    Box::new(std::iter::from_fn(move || {
        if stopped {
            return None;
        }
        n += 1;
        match rdr.read_record(&mut record) {
            Ok(false) => None,
            Ok(true) if n - 1 > limits.max_rows => {
                stopped = true;
                Some(Err((n, Problem::TooManyRows { limit: limits.max_rows })))
            }
            Ok(true) => Some(check_row(n, record.iter(), header, &limits)),
            // Bytes that are not the encoding the whole file was found to be in: it
            // changed since it was first read.
            Err(e) if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) => Some(Err((n, Problem::Encoding))),
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::InvalidData) => {
                stopped = true;
                Some(Err((n, Problem::Encoding)))
            }
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                stopped = true;
                Some(Err((n, Problem::FileUnreadable { reason: e.to_string() })))
            }
            Err(e) => Some(Err((n, Problem::MalformedCsv { reason: e.to_string() }))),
        }
    }))
}

/// A row's cells, or the first limit it breaks.
fn check_row<'a>(n: usize, cells: impl Iterator<Item = &'a str>, header: &[String], limits: &Limits) -> RowResult {
    let mut out = Vec::new();
    for (i, c) in cells.enumerate() {
        if i >= limits.max_columns {
            return Err((
                n,
                Problem::TooManyColumns { found: format!("第 {n} 行 / row {n}"), limit: limits.max_columns },
            ));
        }
        let chars = c.chars().count();
        if chars > limits.max_cell_chars {
            let column = header.get(i).filter(|h| !h.is_empty()).cloned().unwrap_or_else(|| format!("#{}", i + 1));
            return Err((n, Problem::CellTooLong { column, found: chars, limit: limits.max_cell_chars }));
        }
        out.push(c.to_string());
    }
    Ok((n, out))
}

/// Decodes CSV bytes: UTF-8 (BOM stripped) when valid, else GB18030 (a superset of GBK) when that
/// decodes without a single replacement; otherwise refuses, so mojibake never gets stored.
pub fn decode_text(bytes: &[u8]) -> Result<String, Problem> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(_) => {
            let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            if had_errors { Err(Problem::Encoding) } else { Ok(text.into_owned()) }
        }
    }
}

fn csv_header_from<R: std::io::Read>(rdr: &mut csv::Reader<R>, limits: &Limits) -> Result<Vec<String>, Problem> {
    let mut rec = csv::StringRecord::new();
    match rdr.read_record(&mut rec) {
        Ok(true) => match check_row(1, rec.iter(), &[], limits) {
            Ok((_, cells)) => Ok(cells.into_iter().map(|s| s.trim().to_string()).collect()),
            Err((_, p)) => Err(p),
        },
        Ok(false) => Err(Problem::EmptyFile),
        Err(e) if matches!(e.kind(), csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::Io(_)) => Err(Problem::Encoding),
        Err(e) => Err(Problem::MalformedCsv { reason: e.to_string() }),
    }
}

/// Reads a file into its sheets. `display` is how the file is named in messages.
pub fn read_file(path: &Path, display: &str) -> Result<Vec<Sheet>, Problem> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "csv" | "txt" => read_csv_file(path, display).map(|s| vec![s]),
        "xlsx" | "xlsm" => read_xlsx(path, display, &Limits::current()),
        "xls" => read_xls(path, display, &Limits::current()),
        other => Err(Problem::UnsupportedFormat { extension: other.to_string() }),
    }
}

/// Opens a CSV file for streaming: its encoding is decided over the whole file first, by the same
/// rule as [`decode_text`] (UTF-8 when every byte is, else GB18030 when every byte decodes), reading
/// it in blocks; the rows are then read again from disk on each pass.
pub fn read_csv_file(path: &Path, display: &str) -> Result<Sheet, Problem> {
    let limits = Limits::current();
    let unreadable = |e: std::io::Error| Problem::FileUnreadable { reason: e.to_string() };
    let encoding = detect_encoding(path).map_err(unreadable)?;
    let encoding = encoding.ok_or(Problem::Encoding)?;
    let mut first =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(open_decoded(path, encoding)?);
    let header = csv_header_from(&mut first, &limits)?;
    if header.iter().all(std::string::String::is_empty) {
        return Err(Problem::EmptyFile);
    }
    Ok(Sheet {
        label: display.to_string(),
        named_table: None,
        header,
        body: Body::CsvFile { path: path.to_path_buf(), encoding, limits },
    })
}

/// How a CSV file's bytes are text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gb18030,
}

/// The encoding every byte of the file is valid in (UTF-8 preferred), or None: read in blocks of
/// 1 MiB, never whole; GB18030 is tried only when UTF-8 fails.
fn detect_encoding(path: &Path) -> std::io::Result<Option<Encoding>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let mut carry = 0usize;
    let mut utf8 = true;
    loop {
        let n = file.read(&mut buf[carry..])?;
        let end = carry + n;
        match std::str::from_utf8(&buf[..end]) {
            Ok(_) => carry = 0,
            // A character cut at the block's end is completed by the next block.
            Err(e) if e.error_len().is_none() && n > 0 => {
                let valid = e.valid_up_to();
                buf.copy_within(valid..end, 0);
                carry = end - valid;
            }
            Err(_) => {
                utf8 = false;
                break;
            }
        }
        if n == 0 {
            break;
        }
    }
    if utf8 {
        return Ok(Some(Encoding::Utf8));
    }
    let mut file = std::fs::File::open(path)?;
    let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let mut scratch = vec![0u8; 4 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if !gb_decodes(&mut decoder, &buf[..n], &mut scratch, n == 0) {
            return Ok(None);
        }
        if n == 0 {
            return Ok(Some(Encoding::Gb18030));
        }
    }
}

/// Whether a block decodes as GB18030 without a replacement.
fn gb_decodes(decoder: &mut encoding_rs::Decoder, mut bytes: &[u8], scratch: &mut [u8], last: bool) -> bool {
    loop {
        let (result, read, _) = decoder.decode_to_utf8_without_replacement(bytes, scratch, last);
        bytes = &bytes[read..];
        match result {
            encoding_rs::DecoderResult::InputEmpty => return true,
            encoding_rs::DecoderResult::OutputFull => {}
            encoding_rs::DecoderResult::Malformed(..) => return false,
        }
    }
}

/// The file's text as a stream of UTF-8 bytes (BOM skipped; GB18030 decoded as it is read).
fn open_decoded(path: &Path, encoding: Encoding) -> Result<Box<dyn std::io::Read + Send>, Problem> {
    use std::io::{BufRead, BufReader};
    let file = std::fs::File::open(path).map_err(|e| Problem::FileUnreadable { reason: e.to_string() })?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    if encoding == Encoding::Utf8 {
        let bom = reader
            .fill_buf()
            .map_err(|e| Problem::FileUnreadable { reason: e.to_string() })?
            .starts_with(b"\xEF\xBB\xBF");
        if bom {
            reader.consume(3);
        }
        return Ok(Box::new(reader));
    }
    Ok(Box::new(Gb18030Reader {
        inner: reader,
        decoder: encoding_rs::GB18030.new_decoder_without_bom_handling(),
        out: vec![0u8; 1 << 16],
        start: 0,
        end: 0,
        done: false,
    }))
}

/// GB18030 bytes in, UTF-8 bytes out, a block at a time.
struct Gb18030Reader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    out: Vec<u8>,
    start: usize,
    end: usize,
    done: bool,
}

impl<R: std::io::BufRead> std::io::Read for Gb18030Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.start == self.end && !self.done {
            let input = self.inner.fill_buf()?;
            let last = input.is_empty();
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(input, &mut self.out, last);
            self.inner.consume(read);
            self.start = 0;
            self.end = written;
            if let encoding_rs::DecoderResult::Malformed(..) = result {
                return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "not GB18030"));
            }
            if last && result == encoding_rs::DecoderResult::InputEmpty {
                self.done = true;
            }
        }
        let n = buf.len().min(self.end - self.start);
        buf[..n].copy_from_slice(&self.out[self.start..self.start + n]);
        self.start += n;
        Ok(n)
    }
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // Whole numbers typed into Excel arrive as floats: 2024.0 must read as 2024.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => {
            if *b {
                "是".into()
            } else {
                "否".into()
            }
        }
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().format("%Y-%m-%d").to_string(),
            Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => dt.as_f64().to_string(),
        },
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Checks every part of a workbook by inflating it into nothing, counting: a part larger than the
/// limits, or inflating more than the ratio allows, refuses the file before anything reads it.
fn check_zip(path: &Path, limits: &Limits) -> Result<(), Problem> {
    let file = std::fs::File::open(path).map_err(|e| Problem::FileUnreadable { reason: e.to_string() })?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| Problem::FileUnreadable { reason: e.to_string() })?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| Problem::FileUnreadable { reason: e.to_string() })?;
        let name: String = entry.name().map_or_else(|_| format!("#{i}"), |n| n.chars().take(100).collect());
        let compressed = entry.compressed_size().max(1);
        let too_large = |reason: String| Problem::WorkbookTooLarge { entry: name.clone(), reason };
        if entry.size() > limits.max_entry_bytes {
            return Err(too_large(format!("{} MiB > {} MiB", entry.size() >> 20, limits.max_entry_bytes >> 20)));
        }
        // Sizes in the header can lie: inflate, counting, and stop at the first limit passed.
        // The ratio is judged on parts of some size: a few kilobytes of repeated markup may
        // deflate far better than a sheet of data does.
        let by_ratio = compressed.saturating_mul(limits.max_ratio).max(1 << 20);
        let cap =
            limits.max_entry_bytes.min(by_ratio).min(limits.max_unzipped_bytes - total.min(limits.max_unzipped_bytes));
        let mut counted = std::io::Read::take(&mut entry, cap + 1);
        let n = std::io::copy(&mut counted, &mut std::io::sink())
            .map_err(|e| Problem::FileUnreadable { reason: format!("{name}: {e}") })?;
        if n > cap {
            return Err(if n > by_ratio {
                too_large(format!("{}× > {}×", n / compressed, limits.max_ratio))
            } else if total + n > limits.max_unzipped_bytes {
                too_large(format!("> {} MiB", limits.max_unzipped_bytes >> 20))
            } else {
                too_large(format!("> {} MiB", limits.max_entry_bytes >> 20))
            });
        }
        total += n;
    }
    Ok(())
}

/// `A1`-style name of a cell (0-based row and column), for messages.
fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        letters.push(b'A' + ((c - 1) % 26) as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

/// The sheets to read: every sheet named after a table; otherwise the first sheet. Instruction
/// sheets are skipped.
fn chosen_sheets(names: &[String]) -> Vec<String> {
    let named: Vec<String> = names.iter().filter(|n| Table::from_name(n).is_some()).cloned().collect();
    if named.is_empty() { names.iter().take(1).cloned().collect() } else { named }
}

/// Builds a sheet from its non-empty cells (absolute 0-based row and column), as a spreadsheet
/// shows them: the first row holding anything is the header, columns start at the leftmost used.
fn sheet_from_cells(label: String, named_table: Option<Table>, cells: CellMap) -> Result<Sheet, Problem> {
    let left = cells.values().flatten().map(|(c, _)| *c).min().unwrap_or(0);
    let mut rows = cells.into_iter();
    let Some((_, header_cells)) = rows.next() else { return Err(Problem::EmptyFile) };
    let mut header: Vec<String> = Vec::new();
    for (c, v) in header_cells {
        let i = (c - left) as usize;
        if header.len() <= i {
            header.resize(i + 1, String::new());
        }
        header[i] = v
            .map_err(|found| Problem::CellTooLong {
                column: format!("#{}", i + 1),
                found,
                limit: Limits::current().max_cell_chars,
            })?
            .trim()
            .to_string();
    }
    // Trailing empty header cells (formatted but unused columns) are not columns.
    let width = header.iter().rposition(|h| !h.is_empty()).map_or(0, |p| p + 1);
    if width == 0 {
        return Err(Problem::EmptyFile);
    }
    header.truncate(width);
    let mut body = Vec::new();
    for (r, list) in rows {
        let n = r as usize + 1;
        let mut out: Vec<String> = Vec::new();
        let mut bad = None;
        for (c, v) in list {
            let i = (c - left) as usize;
            match v {
                Ok(text) => {
                    if out.len() <= i {
                        out.resize(i + 1, String::new());
                    }
                    out[i] = text;
                }
                Err(found) => {
                    let column = header.get(i).cloned().unwrap_or_else(|| format!("#{}", i + 1));
                    bad.get_or_insert(Problem::CellTooLong { column, found, limit: Limits::current().max_cell_chars });
                }
            }
        }
        while out.len() > width && out.last().is_some_and(|c| c.trim().is_empty()) {
            out.pop();
        }
        body.push(match bad {
            Some(p) => Err((n, p)),
            None => Ok((n, out)),
        });
    }
    Ok(Sheet { label, named_table, header, body: Body::Grid(body) })
}

type CellMap = std::collections::BTreeMap<u32, Vec<(u32, Result<String, usize>)>>;

/// Keeps a cell's text unless it breaks a limit: too far right or down refuses the file, too long
/// marks its row.
fn keep_cell(
    cells: &mut CellMap,
    rows_seen: &mut usize,
    row: u32,
    col: u32,
    text: String,
    limits: &Limits,
) -> Result<(), Problem> {
    if text.is_empty() {
        return Ok(());
    }
    if col as usize >= limits.max_columns {
        return Err(Problem::TooManyColumns { found: cell_name(row, col), limit: limits.max_columns });
    }
    let chars = text.chars().count();
    let value = if chars > limits.max_cell_chars { Err(chars) } else { Ok(text) };
    let entry = cells.entry(row).or_insert_with(|| {
        *rows_seen += 1;
        Vec::new()
    });
    entry.push((col, value));
    if *rows_seen > limits.max_rows + 1 {
        return Err(Problem::TooManyRows { limit: limits.max_rows });
    }
    Ok(())
}

/// Reads an XLSX workbook cell by cell: no grid is ever allocated from the sheet's claimed size,
/// so a cell at XFD1048576 costs one cell, not sixteen thousand columns of a million rows.
fn read_xlsx(path: &Path, display: &str, limits: &Limits) -> Result<Vec<Sheet>, Problem> {
    check_zip(path, limits)?;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path)
        .map_err(|e: calamine::XlsxError| Problem::FileUnreadable { reason: e.to_string() })?;
    let names = wb.sheet_names();
    let mut sheets = Vec::new();
    for name in chosen_sheets(&names) {
        let mut cells: CellMap = Default::default();
        let mut rows_seen = 0usize;
        let mut reader =
            wb.worksheet_cells_reader(&name).map_err(|e| Problem::FileUnreadable { reason: e.to_string() })?;
        while let Some(cell) = reader.next_cell().map_err(|e| Problem::FileUnreadable { reason: e.to_string() })? {
            let (row, col) = cell.get_position();
            let text = cell_text(&Data::from(cell.get_value().clone()));
            keep_cell(&mut cells, &mut rows_seen, row, col, text, limits)?;
        }
        let label = if names.len() > 1 { format!("{display}[{name}]") } else { display.to_string() };
        sheets.push(sheet_from_cells(label, Table::from_name(&name), cells)?);
    }
    Ok(sheets)
}

/// Reads a legacy XLS workbook (at most 65,536 rows of 256 columns by its format).
fn read_xls(path: &Path, display: &str, limits: &Limits) -> Result<Vec<Sheet>, Problem> {
    let mut wb: calamine::Xls<_> = calamine::open_workbook(path)
        .map_err(|e: calamine::XlsError| Problem::FileUnreadable { reason: e.to_string() })?;
    let names = wb.sheet_names();
    let mut sheets = Vec::new();
    for name in chosen_sheets(&names) {
        let range = wb.worksheet_range(&name).map_err(|e| Problem::FileUnreadable { reason: e.to_string() })?;
        let mut cells: CellMap = Default::default();
        let mut rows_seen = 0usize;
        for (row, col, v) in range.used_cells() {
            let (r, c) = (range.start().map_or(0, |s| s.0) + row as u32, range.start().map_or(0, |s| s.1) + col as u32);
            keep_cell(&mut cells, &mut rows_seen, r, c, cell_text(v), limits)?;
        }
        let label = if names.len() > 1 { format!("{display}[{name}]") } else { display.to_string() };
        sheets.push(sheet_from_cells(label, Table::from_name(&name), cells)?);
    }
    Ok(sheets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_csv_is_decoded_and_utf8_bom_is_stripped() {
        let (gbk, _, _) = encoding_rs::GBK.encode("学号,姓名\n1,张三\n");
        assert_eq!(decode_text(&gbk).unwrap(), "学号,姓名\n1,张三\n");
        assert_eq!(decode_text("\u{FEFF}a,b".as_bytes()).unwrap(), "a,b");
    }

    #[test]
    fn bytes_that_are_neither_utf8_nor_gbk_are_refused() {
        assert_eq!(decode_text(&[0x61, 0xFF, 0xFF, 0x80, 0x20]), Err(Problem::Encoding));
    }
}
