//! Ingest: files to checked rows. Reads CSV/XLSX, maps headers, checks every rule of the data
//! standard and reports findings with file, row and column. Knows the domain; never SQL or HTTP.

pub mod cells;
pub mod check;
pub mod file_rules;
pub mod limits;
mod pathway_rules;
pub mod pool;
pub mod read;
pub mod rules;
mod spill;
mod survey_rules;

pub use crate::domain::reference::Scanned;
use crate::domain::standard::Table;
use crate::messages::Problem;
use read::Sheet;

/// The table a sheet holds (§1): `--table`, else the sheet's name, else the file name, else the header.
pub fn resolve_table(explicit: Option<Table>, sheet: &Sheet, file_stem: &str) -> Result<Table, Problem> {
    explicit
        .or(sheet.named_table)
        .or_else(|| Table::from_file_name(file_stem))
        .or_else(|| Table::from_header(&sheet.header))
        .ok_or(Problem::NoTable)
}
