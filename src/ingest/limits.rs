//! How large a submitted file may be, checked before and while it is read, so that one small
//! hostile file (a zip bomb, a cell at XFD1048576, a 50 MB cell) cannot take the server's memory.
//! Each limit has a default and an environment variable; `Limits::from_env` validates them at
//! start-up and names the variable that is wrong.

use std::sync::OnceLock;

/// The limits in force for reading files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Characters in one cell.
    pub max_cell_chars: usize,
    /// Columns in a sheet (its header or any row).
    pub max_columns: usize,
    /// Data rows in one sheet or CSV file.
    pub max_rows: usize,
    /// Bytes one zip entry of a workbook may inflate to.
    pub max_entry_bytes: u64,
    /// Bytes all entries of a workbook may inflate to together.
    pub max_unzipped_bytes: u64,
    /// How many times larger than its compressed size an entry may inflate.
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_cell_chars: 2_000,
            max_columns: 200,
            max_rows: 2_000_000,
            max_entry_bytes: 1 << 30,
            max_unzipped_bytes: 2 << 30,
            max_ratio: 200,
        }
    }
}

/// The environment variables, with what each sets, for messages and the README.
pub const VARIABLES: [(&str, &str); 6] = [
    ("VETIS_MAX_CELL_CHARS", "characters in one cell (2000)"),
    ("VETIS_MAX_COLUMNS", "columns in a sheet (200)"),
    ("VETIS_MAX_ROWS", "data rows in a sheet or CSV file (2000000)"),
    ("VETIS_MAX_ENTRY_MB", "MiB one workbook part may inflate to (1024)"),
    ("VETIS_MAX_UNZIPPED_MB", "MiB a workbook may inflate to in all (2048)"),
    ("VETIS_MAX_ZIP_RATIO", "how many times its compressed size a part may inflate (200)"),
];

static CURRENT: OnceLock<Limits> = OnceLock::new();

impl Limits {
    /// The limits from the environment, defaults where a variable is not set; an error names the
    /// variable whose value is not a positive whole number.
    pub fn from_env() -> Result<Limits, String> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Limits, String> {
        let d = Limits::default();
        let read = |key: &str, default: u64| crate::settings::whole(&get, key, default);
        Ok(Limits {
            max_cell_chars: read("VETIS_MAX_CELL_CHARS", d.max_cell_chars as u64)? as usize,
            max_columns: read("VETIS_MAX_COLUMNS", d.max_columns as u64)? as usize,
            max_rows: read("VETIS_MAX_ROWS", d.max_rows as u64)? as usize,
            max_entry_bytes: read("VETIS_MAX_ENTRY_MB", d.max_entry_bytes >> 20)? << 20,
            max_unzipped_bytes: read("VETIS_MAX_UNZIPPED_MB", d.max_unzipped_bytes >> 20)? << 20,
            max_ratio: read("VETIS_MAX_ZIP_RATIO", d.max_ratio)?,
        })
    }

    /// Sets the limits for this process, once, at start-up.
    pub fn install(self) {
        let _ = CURRENT.set(self);
    }

    /// The limits in force: those installed at start-up, else the defaults.
    pub fn current() -> Limits {
        *CURRENT.get_or_init(Limits::default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_come_from_the_environment_and_a_bad_value_names_its_variable() {
        let l = Limits::from_lookup(|k| (k == "VETIS_MAX_CELL_CHARS").then(|| "50".to_string())).unwrap();
        assert_eq!(l.max_cell_chars, 50);
        assert_eq!(l.max_columns, 200);
        let e = Limits::from_lookup(|k| (k == "VETIS_MAX_ROWS").then(|| "lots".to_string())).unwrap_err();
        assert!(e.contains("VETIS_MAX_ROWS"), "{e}");
        assert!(Limits::from_lookup(|k| (k == "VETIS_MAX_ZIP_RATIO").then(|| "0".into())).is_err());
    }
}
