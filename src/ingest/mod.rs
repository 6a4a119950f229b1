//! Ingest: files to checked rows. Reads CSV/XLSX, maps headers, checks every rule of the data
//! standard and reports findings with file, row and column. Knows the domain; never SQL or HTTP.

pub mod cells;
pub mod check;
pub mod limits;

pub mod read;
pub mod rules;

use crate::domain::standard::Table;
use crate::messages::Problem;
use std::collections::HashSet;

use crate::domain::ids::{SchoolCode, normalise_code};
pub use crate::domain::reference::Scanned;
use check::ColumnMap;
use read::Sheet;

/// The table a sheet holds (§1): `--table`, else the sheet's name, else the file name, else the header.
pub fn resolve_table(explicit: Option<Table>, sheet: &Sheet, file_stem: &str) -> Result<Table, Problem> {
    explicit
        .or(sheet.named_table)
        .or_else(|| Table::from_file_name(file_stem))
        .or_else(|| Table::from_header(&sheet.header))
        .ok_or(Problem::NoTable)
}

/// The schools and years a sheet names, read from the raw cells before any checking, so that the
/// store loads only what the check needs.
pub fn scan(table: Table, sheet: &Sheet, map: &ColumnMap) -> Scanned {
    let col = |k: &str| table.spec().columns.iter().position(|c| c.key == k).and_then(|i| map[i]);
    let school_col = col("school_code");
    let year_col = table.year_column().and_then(col);
    let mut out = Scanned { schools: HashSet::new(), years: HashSet::new(), pairs: HashSet::new() };
    for (_, cells) in sheet.rows().flatten() {
        let school = school_col.and_then(|i| cells.get(i)).and_then(|s| SchoolCode::parse(s));
        let year = year_col.and_then(|i| cells.get(i)).and_then(|y| normalise_code(y).parse::<i64>().ok());
        if let Some(s) = &school
            && !out.schools.contains(s.as_str())
        {
            out.schools.insert(s.as_str().to_string());
        }
        if let Some(y) = year {
            out.years.insert(y);
            if let Some(s) = school
                && !out.pairs.contains(&(s.as_str().to_string(), y))
            {
                out.pairs.insert((s.as_str().to_string(), y));
            }
        }
    }
    out
}
