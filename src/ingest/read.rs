//! Reading a submitted file into sheets of text cells: CSV in UTF-8 (with or without BOM) or
//! GBK/GB18030, and XLSX (the first sheet, or every sheet named after a table).

use std::path::Path;

use calamine::{Data, Reader};

use crate::messages::Problem;
use crate::domain::standard::Table;

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
    /// Decoded CSV text (header included); rows are parsed again on each pass.
    Csv(String),
    Grid(Vec<Vec<String>>),
}

/// A data row (its spreadsheet row number, header = 1, and its cells), or what is wrong with it.
pub type RowResult = Result<(usize, Vec<String>), (usize, Problem)>;

impl Sheet {
    /// Every data row, in order. CSV rows are parsed lazily so that a pass holds one row at a time.
    pub fn rows(&self) -> Box<dyn Iterator<Item = RowResult> + Send + '_> {
        match &self.body {
            Body::Csv(text) => {
                let mut rdr = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
                let mut record = csv::StringRecord::new();
                let mut n = 1usize;
                Box::new(std::iter::from_fn(move || {
                    n += 1;
                    match rdr.read_record(&mut record) {
                        Ok(false) => None,
                        Ok(true) => Some(Ok((n, record.iter().map(str::to_string).collect()))),
                        Err(e) => Some(Err((n, Problem::MalformedCsv { reason: e.to_string() }))),
                    }
                }))
            }
            Body::Grid(rows) => Box::new(rows.iter().enumerate().map(|(i, r)| Ok((i + 2, r.clone())))),
        }
    }

    /// Rows that are entirely empty (a spreadsheet's trailing blank lines) are not data.
    pub fn is_blank(cells: &[String]) -> bool {
        cells.iter().all(|c| c.trim().is_empty())
    }
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

fn csv_header(text: &str) -> Result<Vec<String>, Problem> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rec = csv::StringRecord::new();
    match rdr.read_record(&mut rec) {
        Ok(true) => Ok(rec.iter().map(|s| s.trim().to_string()).collect()),
        Ok(false) => Err(Problem::EmptyFile),
        Err(e) => Err(Problem::MalformedCsv { reason: e.to_string() }),
    }
}

/// Reads a file into its sheets. `display` is how the file is named in messages.
pub fn read_file(path: &Path, display: &str) -> Result<Vec<Sheet>, Problem> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "csv" | "txt" => {
            let bytes = std::fs::read(path).map_err(|e| Problem::FileUnreadable { reason: e.to_string() })?;
            read_csv_bytes(&bytes, display).map(|s| vec![s])
        }
        "xlsx" | "xlsm" | "xls" | "ods" => read_workbook(path, display),
        other => Err(Problem::UnsupportedFormat { extension: other.to_string() }),
    }
}

pub fn read_csv_bytes(bytes: &[u8], display: &str) -> Result<Sheet, Problem> {
    let text = decode_text(bytes)?;
    let header = csv_header(&text)?;
    if header.iter().all(|h| h.is_empty()) {
        return Err(Problem::EmptyFile);
    }
    Ok(Sheet { label: display.to_string(), named_table: None, header, body: Body::Csv(text) })
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

fn read_workbook(path: &Path, display: &str) -> Result<Vec<Sheet>, Problem> {
    let mut wb = calamine::open_workbook_auto(path).map_err(|e| Problem::FileUnreadable { reason: e.to_string() })?;
    let names = wb.sheet_names();
    let named: Vec<String> = names.iter().filter(|n| Table::from_name(n).is_some()).cloned().collect();
    // Every sheet named after a table; otherwise the first sheet. Instruction sheets are skipped.
    let chosen = if named.is_empty() { names.iter().take(1).cloned().collect() } else { named };
    let mut sheets = Vec::new();
    for name in chosen {
        let range = wb.worksheet_range(&name).map_err(|e| Problem::FileUnreadable { reason: e.to_string() })?;
        let mut rows = range.rows().map(|r| r.iter().map(cell_text).collect::<Vec<String>>());
        let header: Vec<String> = match rows.next() {
            Some(h) => h.into_iter().map(|s| s.trim().to_string()).collect(),
            None => return Err(Problem::EmptyFile),
        };
        // Trailing empty header cells (formatted but unused columns) are not columns.
        let width = header.iter().rposition(|h| !h.is_empty()).map_or(0, |p| p + 1);
        if width == 0 {
            return Err(Problem::EmptyFile);
        }
        let header = header[..width].to_vec();
        let body: Vec<Vec<String>> = rows
            .map(|mut r| {
                while r.len() > width && r.last().is_some_and(|c| c.trim().is_empty()) {
                    r.pop();
                }
                r
            })
            .collect();
        let label = if names.len() > 1 { format!("{display}[{name}]") } else { display.to_string() };
        sheets.push(Sheet { label, named_table: Table::from_name(&name), header, body: Body::Grid(body) });
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
