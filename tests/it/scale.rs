//! The bounded import-speed smoke test: CI imports a 20,000-student file on both backends through
//! the binary and prints the rows per second (`cargo test --test it scale -- --nocapture`). It
//! asserts what was written, never a time; the full benchmark is `benches/scale.sh`.

use std::time::Instant;

use crate::common::*;
use vetis::testdata::{Spec, school_code, write_city};

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

/// Each indicator's id and value, as `indicators --format json` prints them.
fn values(json: &str) -> Vec<(String, Option<f64>)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v.as_array().unwrap().iter().map(|r| (r["id"].as_str().unwrap().to_string(), r["value"].as_f64())).collect()
}

#[test]
fn a_national_installation_gives_the_figures_of_the_nation_of_a_province_and_of_a_school() {
    let data = tempfile::tempdir().unwrap();
    let files = write_city(data.path(), &Spec { schools: 2, first_year: 2024, last_year: 2024, students: 40 }).unwrap();
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.ok(&["import", files[0].to_str().unwrap(), files[1].to_str().unwrap(), files[2].to_str().unwrap()]);
        // Guangzhou's list holds no Beijing district: a region outside it is refused, not zero.
        let out = db.vetis(&["indicators", "--region", "11", "--year", "2024"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("vetis districts list"), "{}", stderr(&out));
        let out = db.vetis(&["indicators", "--region", "4", "--year", "2024"]);
        assert!(stderr(&out).contains("不是地区代码"), "{}", stderr(&out));
        // A city-wide installation: the city, its province and the city as a region agree.
        let whole = values(&db.ok(&["indicators", "--year", "2024", "--format", "json"]));
        assert_eq!(values(&db.ok(&["indicators", "--region", "4401", "--year", "2024", "--format", "json"])), whole);

        // The nation's counties, and the second school moved to Beijing's Dongcheng district.
        move_second_school_to_beijing(&db);
        assert_eq!(values(&db.ok(&["indicators", "--year", "2024", "--format", "json"])), whole, "the nation is both");
        let beijing = values(&db.ok(&["indicators", "--region", "11", "--year", "2024", "--format", "json"]));
        let school = values(&db.ok(&["indicators", "--school", &school_code(1), "--year", "2024", "--format", "json"]));
        assert_eq!(beijing, school, "Beijing holds that one school");
        let guangdong = values(&db.ok(&["indicators", "--region", "44", "--year", "2024", "--format", "json"]));
        let first = values(&db.ok(&["indicators", "--school", &school_code(0), "--year", "2024", "--format", "json"]));
        assert_eq!(guangdong, first, "Guangdong holds the other");
        // Enrolment (indicator 1) splits by province, named from the division codes.
        let by = db.ok(&["indicators", "--by", "province", "--year", "2024", "--format", "csv"]);
        assert!(by.contains("北京市") && by.contains("广东省"), "{by}");
        let region = db.ok(&["targets", "--region", "11", "--year", "2024", "--format", "json"]);
        let city = db.ok(&["targets", "--year", "2024", "--format", "json"]);
        let count = |j: &str| serde_json::from_str::<serde_json::Value>(j).unwrap().as_array().unwrap().len();
        assert_eq!(count(&region), count(&city), "every target has a region's figure");
    }
}

#[test]
fn the_duckdb_script_reads_the_standard_files_and_asks_every_indicator_in_every_scope() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    let dir = fixture_dir();
    let out =
        db.ok(&["figures", "duckdb", "--csv", dir.to_str().unwrap(), "--region", "4401", "--school", "4401000001"]);
    let script: serde_json::Value = serde_json::from_str(&out).unwrap();
    let views: Vec<&str> = script["views"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    // The school file is headed in Chinese: its columns are found by their Chinese names.
    assert!(views.iter().any(|v| v.starts_with("CREATE VIEW rec_school ") && v.contains("\"办学层次\"")), "{views:?}");
    assert!(views.iter().any(|v| v.contains("WHEN '在籍' THEN 'enrolled'")), "labels are read as the keys");
    let queries = script["queries"].as_array().unwrap();
    assert_eq!(queries.len(), 30, "ten indicators in three scopes");
    assert!(queries.iter().all(|q| !q["sql"].as_str().unwrap().contains('$')), "every parameter is written in");
    let missing = db.vetis(&["figures", "duckdb", "--csv", "/nonexistent"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("school.csv"), "{}", stderr(&missing));
}
