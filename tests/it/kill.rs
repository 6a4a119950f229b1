//! An import killed with SIGKILL half-way leaves the database exactly as it was, on SQLite and on
//! PostgreSQL, and the database takes the next import normally.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::*;
use vetis::testdata::{Spec, write_city};

#[test]
fn an_import_killed_half_way_leaves_the_database_as_it_was() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let data = tempfile::tempdir().unwrap();
        let files = write_city(data.path(), &Spec { schools: 12, first_year: 2021, last_year: 2022, students: 60_000 })
            .unwrap();
        db.ok(&["import", files[0].to_str().unwrap(), files[1].to_str().unwrap()]);
        let before = db.state();

        let mut child = db
            .command()
            .args(["import", files[2].to_str().unwrap()])
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let started = Instant::now();
        // Wait until the writing phase has begun: the transaction is open and rows are going in.
        loop {
            let line = lines.next().expect("the import ended before writing").unwrap();
            if line.contains("写入 writing") {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(300), "no writing phase");
        }
        std::thread::sleep(Duration::from_millis(400));
        assert!(child.try_wait().unwrap().is_none(), "{backend:?}: the import finished before it could be killed");
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();

        assert_eq!(db.state(), before, "{backend:?}: a killed import changed the database");
        // The database is whole: the same file now goes in completely.
        let out = db.ok(&["import", files[2].to_str().unwrap()]);
        assert!(out.contains("写入 60000 行"), "{out}");
    }
}
