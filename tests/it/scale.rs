//! The bounded import-speed smoke test: CI imports a 20,000-student file on both backends through
//! the binary and prints the rows per second (`cargo test --test it scale -- --nocapture`). It
//! asserts what was written, never a time; the full benchmark is `benches/scale.sh`.

use std::time::Instant;

use crate::common::*;
use vetis::testdata::{Spec, write_city};

const ROWS: usize = 20_000;

#[test]
fn a_bounded_import_speed_smoke_test_prints_its_figure() {
    let data = tempfile::tempdir().unwrap();
    let files =
        write_city(data.path(), &Spec { schools: 20, first_year: 2024, last_year: 2025, students: ROWS }).unwrap();
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.ok(&["import", files[0].to_str().unwrap(), files[1].to_str().unwrap()]);
        let started = Instant::now();
        let out = db.ok(&["import", files[2].to_str().unwrap()]);
        let seconds = started.elapsed().as_secs_f64();
        assert!(out.contains(&format!("写入 {ROWS} 行")), "{out}");
        println!(
            "import speed smoke test ({backend:?}, test profile): {ROWS} students in {seconds:.2} s, {:.0} rows/s",
            ROWS as f64 / seconds
        );
    }
}
