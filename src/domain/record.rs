//! Checked records: a cell's typed value, a row that passed every rule, and a sheet of such rows
//! grouped by school and year. Ingest produces them, the store writes them: the file is parsed once.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::standard::{Keying, Table};

/// A checked cell, in the form it is stored: codes as their English key, booleans as 0/1,
/// dates as ISO text.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
    pub fn as_real(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Real(r) => Some(*r),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    /// A canonical text form, for content hashes: the same data always gives the same bytes.
    pub fn canonical(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Int(i) => i.to_string(),
            Value::Real(r) => format!("{r:?}"),
            Value::Text(s) => s.clone(),
        }
    }
}

/// One row's values, one per column of its table in the order of the data standard.
#[derive(Debug, Clone)]
pub struct CheckedRow {
    /// The spreadsheet row it came from (header = 1), for messages.
    pub row: usize,
    pub values: Vec<Value>,
}

impl CheckedRow {
    /// The value of a column; Null for a column the table does not have, so that shared rules can
    /// ask about any column.
    pub fn get(&self, table: Table, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        match table.spec().columns.iter().position(|c| c.key == key) {
            Some(i) => &self.values[i],
            None => &NULL,
        }
    }
    pub fn text(&self, table: Table, key: &str) -> Option<&str> {
        self.get(table, key).as_str()
    }
    pub fn int(&self, table: Table, key: &str) -> Option<i64> {
        self.get(table, key).as_int()
    }
    /// The hash of the row's content, the same for the same data however it was written.
    pub fn content_hash(&self) -> [u8; 32] {
        use std::io::Write;
        let mut h = Sha256::new();
        // The same bytes as each value's `canonical()`, written without a String per cell.
        let mut buf = [0u8; 64];
        for v in &self.values {
            match v {
                Value::Null => {}
                Value::Text(s) => h.update(s.as_bytes()),
                Value::Int(i) => {
                    let mut c = std::io::Cursor::new(&mut buf[..]);
                    let _ = write!(c, "{i}");
                    let n = c.position() as usize;
                    h.update(&buf[..n]);
                }
                Value::Real(_) => h.update(v.canonical().as_bytes()),
            }
            h.update([0x1f]);
        }
        h.finalize().into()
    }
    /// The school and year the row belongs to (natural-key tables: the school only).
    pub fn group_key(&self, table: Table) -> GroupKey {
        let school = self.text(table, "school_code").unwrap_or("").to_string();
        let year = match table.spec().keying {
            Keying::SchoolYear { year_column } => self.int(table, year_column),
            Keying::Natural { .. } => None,
        };
        (school, year)
    }
    /// The values of the table's natural key (empty for school-and-year tables).
    pub fn natural_key(&self, table: Table) -> Vec<String> {
        match table.spec().keying {
            Keying::Natural { key } => key.iter().map(|k| self.get(table, k).canonical()).collect(),
            Keying::SchoolYear { .. } => Vec::new(),
        }
    }
}

/// A school and a year (None for tables keyed row by row).
pub type GroupKey = (String, Option<i64>);

/// The rows of one school and year (or one school, for tables keyed row by row).
#[derive(Debug, Clone, Default)]
pub struct Group {
    pub rows: i64,
    /// Hash of the sorted row hashes: independent of row order.
    pub content_hash: String,
    pub person_times: i64,
}

/// A sheet whose every row passed every rule: what it writes, school by school and year by year.
/// The rows themselves are not kept: they are read again from the file as they are written, so
/// that a file of any size takes the same memory.
#[derive(Debug, Clone)]
pub struct CheckedSheet {
    pub table: Table,
    /// How the sheet is named in messages.
    pub label: String,
    pub groups: BTreeMap<GroupKey, Group>,
    /// SHA-256 of every row's content hash in file order: the rows read again for writing must
    /// give the same, or the file changed in between.
    pub rows_digest: [u8; 32],
    /// The sheet's warnings as JSON, kept with each submission for its reviewer.
    pub warnings_json: String,
}

impl CheckedSheet {
    /// The years the sheet writes, for locks.
    pub fn years(&self) -> impl Iterator<Item = i64> + '_ {
        self.groups.keys().filter_map(|(_, y)| *y)
    }
}
