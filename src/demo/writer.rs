//! One CSV file per table of the data standard, header in the standard's keys, rows as a school's
//! spreadsheet would have them (Chinese code-list values).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::domain::standard::Table;

pub struct Tables {
    writers: BTreeMap<Table, csv::Writer<BufWriter<File>>>,
    paths: Vec<PathBuf>,
    pub rows: BTreeMap<Table, usize>,
}

impl Tables {
    pub fn create(dir: &Path, tables: &[Table]) -> std::io::Result<Tables> {
        std::fs::create_dir_all(dir)?;
        let mut writers = BTreeMap::new();
        let mut paths = Vec::new();
        for t in tables {
            let path = dir.join(format!("{}.csv", t.key()));
            let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, File::create(&path)?));
            w.write_record(t.spec().columns.iter().map(|c| c.key))?;
            writers.insert(*t, w);
            paths.push(path);
        }
        Ok(Tables { writers, paths, rows: BTreeMap::new() })
    }

    pub fn row(&mut self, t: Table, cells: &[&str]) -> std::io::Result<()> {
        debug_assert_eq!(cells.len(), t.spec().columns.len(), "{t:?}");
        self.writers.get_mut(&t).expect("a table opened for writing").write_record(cells)?;
        *self.rows.entry(t).or_default() += 1;
        Ok(())
    }

    /// Flushes and returns the files written. A table without rows (a studio's outputs in its
    /// first year) leaves no file: a header alone is an empty file, which an import refuses.
    pub fn finish(mut self) -> std::io::Result<Vec<PathBuf>> {
        for w in self.writers.values_mut() {
            w.flush()?;
        }
        let mut kept = Vec::new();
        for path in self.paths {
            let table = path.file_stem().and_then(|s| s.to_str()).and_then(Table::from_name);
            if table.is_some_and(|t| self.rows.get(&t).copied().unwrap_or(0) == 0) {
                std::fs::remove_file(&path)?;
            } else {
                kept.push(path);
            }
        }
        Ok(kept)
    }
}
