//! Exporting a table in the data standard's columns (Chinese headers and code-list labels, so the
//! file reads like the template and re-imports as it is). Personal data is masked unless unmasked
//! explicitly, which is audited. Text a spreadsheet would execute is escaped in CSV.

use std::io::Write;
use std::path::Path;

use crate::domain::standard::Kind;
use crate::store::audit::{self, Entry};
pub use crate::store::record_rows::{Cell, RowFilter, RowRequest, for_each_row};
use crate::store::{Db, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Xlsx,
}

/// What to export: the rows, and the file format.
pub struct ExportRequest {
    pub rows: RowRequest,
    pub format: Format,
}

/// Writes CSV to standard output, for pipes: `vetis export --table student | wc -l`.
pub async fn export_to_stdout(db: &Db, req: &ExportRequest, actor: &str, source: &str) -> Result<usize, StoreError> {
    let stdout = std::io::stdout();
    let n = write_csv(db, req, std::io::BufWriter::new(stdout.lock()), "标准输出 / standard output").await?;
    audit_export(db, req, "stdout", n, actor, source).await?;
    Ok(n)
}

/// The rows as CSV in the standard's columns, Chinese headers first; `place` names the output in
/// messages.
async fn write_csv(db: &Db, req: &ExportRequest, out: impl Write, place: &str) -> Result<usize, StoreError> {
    let table = req.rows.table;
    let header: Vec<&str> = table.spec().columns.iter().map(|c| c.zh).collect();
    let escape: Vec<bool> = table.spec().columns.iter().map(|c| c.kind == Kind::Text).collect();
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(&header).map_err(|e| StoreError::refused(e.to_string()))?;
    let n = for_each_row(db, &req.rows, |cells| {
        let rec: Vec<String> = cells.iter().zip(&escape).map(|(c, e)| c.csv(*e)).collect();
        w.write_record(&rec).map_err(|e| StoreError::refused(e.to_string()))
    })
    .await?;
    w.flush().map_err(|e| StoreError::refused(format!("{place}: {e}")))?;
    Ok(n)
}

async fn audit_export(
    db: &Db,
    req: &ExportRequest,
    object: &str,
    n: usize,
    actor: &str,
    source: &str,
) -> Result<(), StoreError> {
    let detail = format!(
        "table {}, year {:?}, school {:?}, {n} rows, {}",
        req.rows.table.key(),
        req.rows.year,
        req.rows.school,
        if req.rows.unmask { "UNMASKED personal data" } else { "masked" }
    );
    let action = if req.rows.unmask { "export_unmasked" } else { "export" };
    audit::record(&db.pool, &Entry { actor, action, object, detail: &detail, source }).await
}

/// Writes the export to `out` through a temporary file, so a failed export leaves no half file.
pub async fn export(db: &Db, req: &ExportRequest, out: &Path, actor: &str, source: &str) -> Result<usize, StoreError> {
    let table = req.rows.table;
    let header: Vec<&str> = table.spec().columns.iter().map(|c| c.zh).collect();
    let dir = out.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| StoreError::refused(format!("{}: {e}", out.display())))?;
    let io = |e: std::io::Error| StoreError::refused(format!("{}: {e}", out.display()));
    let n = match req.format {
        Format::Csv => {
            let mut file = std::io::BufWriter::new(tmp.reopen().map_err(io)?);
            // A BOM, so that Excel opens the UTF-8 file with its Chinese intact.
            file.write_all(b"\xEF\xBB\xBF").map_err(io)?;
            write_csv(db, req, file, &out.display().to_string()).await?
        }
        Format::Xlsx => {
            use rust_xlsxwriter::{Format as XFormat, Workbook};
            let mut wb = Workbook::new();
            let bold = XFormat::new().set_bold();
            let xerr = |e: rust_xlsxwriter::XlsxError| StoreError::refused(e.to_string());
            let sheet = wb.add_worksheet_with_constant_memory().map_err(xerr)?;
            sheet.set_name(table.key()).map_err(xerr)?;
            for (i, h) in header.iter().enumerate() {
                sheet.write_string_with_format(0, i as u16, *h, &bold).map_err(xerr)?;
                sheet.set_column_width(i as u16, 14).map_err(xerr)?;
            }
            let mut r = 0u32;
            let n = for_each_row(db, &req.rows, |cells| {
                r += 1;
                if r > 1_048_575 {
                    return Err(StoreError::refused(
                        "more rows than an Excel sheet holds (1,048,576): export as CSV or by year/school",
                    ));
                }
                for (i, c) in cells.iter().enumerate() {
                    // Strings are written as strings: Excel never evaluates them as formulas.
                    match c {
                        Cell::Text(s) => sheet.write_string(r, i as u16, s).map(|_| ()),
                        Cell::Number(v) => sheet.write_number(r, i as u16, *v).map(|_| ()),
                        Cell::Empty => Ok(()),
                    }
                    .map_err(xerr)?;
                }
                Ok(())
            })
            .await?;
            wb.save(tmp.path()).map_err(xerr)?;
            n
        }
    };
    tmp.persist(out).map_err(|e| StoreError::refused(format!("{}: {}", out.display(), e.error)))?;
    audit_export(db, req, &out.display().to_string(), n, actor, source).await?;
    Ok(n)
}
