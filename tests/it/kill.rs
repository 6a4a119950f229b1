//! An import killed with SIGKILL half-way leaves the database exactly as it was, on SQLite and on
//! PostgreSQL, and the database takes the next import normally.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::*;
use vetis::testdata::{Spec, write_city};

/// An import of a test city's students caught in its writing phase.
struct Writing {
    students: std::path::PathBuf,
    /// The database before the import began.
    before: Vec<(String, i64)>,
    child: std::process::Child,
    /// The rest of its standard error.
    lines: std::io::Lines<BufReader<std::process::ChildStderr>>,
}

/// A test city of 60,000 students with its registry and offerings imported, and an import of its
/// students started and waited for until its writing phase has begun (the transaction is open and
/// rows are going in).
fn import_until_writing(db: &TestDb, data: &std::path::Path) -> Writing {
    let files = write_city(data, &Spec { schools: 12, first_year: 2021, last_year: 2022, students: 60_000 }).unwrap();
    db.ok(&["import", files[0].to_str().unwrap(), files[1].to_str().unwrap()]);
    let before = db.state();
    let mut child = db
        .command()
        .args(["import", files[2].to_str().unwrap()])
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let started = Instant::now();
    loop {
        let line = lines.next().expect("the import ended before writing").unwrap();
        if line.contains(": 写入") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(300), "no writing phase");
    }
    Writing { students: files[2].clone(), before, child, lines }
}

#[test]
fn an_import_killed_half_way_leaves_the_database_as_it_was() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let data = tempfile::tempdir().unwrap();
        // `_lines` keeps its standard error open: closed, the import would fail on its own.
        let Writing { students, before, mut child, lines: _lines } = import_until_writing(&db, data.path());
        std::thread::sleep(Duration::from_millis(400));
        assert!(child.try_wait().unwrap().is_none(), "{backend:?}: the import finished before it could be killed");
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();

        assert_eq!(db.state(), before, "{backend:?}: a killed import changed the database");
        // The database is whole: the same file now goes in completely.
        let out = db.ok(&["import", students.to_str().unwrap()]);
        assert!(out.contains("写入 60000 行"), "{out}");
    }
}

/// A workbook of three sheets (schools, offerings, students) made from the test city's CSV files.
pub fn three_sheet_workbook(dir: &std::path::Path, students: usize, bad_last_student: bool) -> std::path::PathBuf {
    let files = write_city(dir, &Spec { schools: 8, first_year: 2021, last_year: 2022, students }).unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, file) in [("school", &files[0]), ("offering", &files[1]), ("student", &files[2])] {
        let sheet = wb.add_worksheet_with_constant_memory().unwrap();
        sheet.set_name(name).unwrap();
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_path(file).unwrap();
        let records: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
        let last = records.len() - 1;
        for (r, rec) in records.iter().enumerate() {
            for (c, cell) in rec.iter().enumerate() {
                // The sixth column is the school code: a code of three digits breaks one row.
                let cell = if bad_last_student && name == "student" && r == last && c == 5 { "123" } else { cell };
                sheet.write_string(r as u32, c as u16, cell.trim_start_matches('\u{feff}')).unwrap();
            }
        }
    }
    let path = dir.join("city.xlsx");
    wb.save(&path).unwrap();
    path
}

/// A small random source for kill times, seeded from the clock and printed so a failure repeats
/// with VETIS_KILL_SEED.
fn kill_seed() -> u64 {
    std::env::var("VETIS_KILL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    })
}

fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn a_workbook_whose_last_sheet_has_one_bad_row_stores_none_of_its_sheets() {
    let data = tempfile::tempdir().unwrap();
    let book = three_sheet_workbook(data.path(), 500, true);
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.ok(&["init"]);
        let before = db.state();
        let out = db.vetis(&["import", book.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{backend:?}: {}", stdout(&out));
        assert!(stderr(&out).contains("[student]:501:学校标识码"), "{backend:?}: {}", stderr(&out));
        assert_eq!(db.state(), before, "{backend:?}: a refused workbook stored some of its sheets");
    }
}

#[test]
fn a_workbook_killed_at_any_point_is_in_the_database_whole_or_not_at_all() {
    let data = tempfile::tempdir().unwrap();
    let book = three_sheet_workbook(data.path(), 30_000, false);
    let book = book.to_str().unwrap().to_string();
    let mut seed = kill_seed() | 1;
    println!("VETIS_KILL_SEED={seed}");
    let kills: usize = std::env::var("VETIS_KILL_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    for backend in BACKENDS {
        // How long a whole import takes, and what the database holds after it.
        let fresh = || {
            let db = TestDb::new(backend);
            db.ok(&["init"]);
            db
        };
        let reference = fresh();
        let empty = reference.state();
        let started = Instant::now();
        let out = reference.ok(&["import", &book]);
        let full = started.elapsed();
        assert!(out.contains("写入 30000 行"), "{out}");
        let after = reference.state();
        assert_ne!(empty, after);

        let mut db = fresh();
        let (mut whole, mut none) = (0, 0);
        for round in 0..kills {
            let at = Duration::from_millis(next(&mut seed) % (full.as_millis() as u64 + 1).max(1));
            let mut child =
                db.command().args(["import", &book]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
            std::thread::sleep(at);
            let _ = child.kill(); // SIGKILL on Unix; the import may have finished already
            child.wait().unwrap();
            let state = db.state();
            if state == empty {
                none += 1;
            } else {
                assert_eq!(
                    state, after,
                    "{backend:?} round {round}: killed after {at:?}, the database holds part of the workbook"
                );
                whole += 1;
                db = fresh();
            }
        }
        println!("{backend:?}: {kills} kills within {full:?}: {none} left nothing, {whole} left the whole workbook");
        // The database is whole: the workbook now goes in completely.
        let out = db.ok(&["import", &book]);
        assert!(out.contains("写入 30000 行"), "{out}");
        assert_eq!(db.state(), after);
    }
}

#[test]
fn a_file_changed_between_checking_and_writing_is_refused_whole() {
    // The rows are read from disk again to be written (so that memory does not grow with the
    // file): if the file changes in between, nothing of it may go in.
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let data = tempfile::tempdir().unwrap();
        let Writing { students, before, child, lines } = import_until_writing(&db, data.path());
        // Another program saves the file again with its last student's name changed.
        let text = std::fs::read_to_string(&students).unwrap();
        let changed = text.replacen(",学生59999,", ",学生59998,", 1);
        assert_ne!(text, changed);
        std::fs::write(&students, changed).unwrap();
        let rest: Vec<String> = lines.map(Result::unwrap).collect();
        let out = child.wait_with_output().unwrap();
        assert!(!out.status.success(), "{backend:?}: a changed file was imported");
        let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), rest.join("\n"));
        assert!(said.contains("文件在导入过程中被修改"), "{backend:?}: {said}");
        assert_eq!(db.state(), before, "{backend:?}: a changed file wrote something");
        // Imported again as it now is, it goes in whole.
        let out = db.ok(&["import", students.to_str().unwrap()]);
        assert!(out.contains("写入 60000 行"), "{out}");
    }
}
