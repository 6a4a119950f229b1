//! The demo city: deterministic, continuous from year to year, imported without a single error,
//! calibrated to the plan's 2020 column, with a mix of outcomes by 2025.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::common::*;

fn read(dir: &Path, table: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(dir.join(format!("{table}.csv"))).unwrap().records().map(|r| r.unwrap()).collect()
}

fn figures(db: &TestDb, year: &str) -> serde_json::Value {
    serde_json::from_str(&db.ok(&["indicators", "--year", year, "--format", "json"])).unwrap()
}

/// The value as the plan shows it: to the indicator's decimals.
fn shown(j: &serde_json::Value, i: usize) -> String {
    let d = j[i]["decimals"].as_u64().unwrap() as usize;
    format!("{:.*}", d, j[i]["value"].as_f64().unwrap())
}

#[test]
fn the_same_seed_writes_the_same_bytes_and_another_seed_does_not() {
    let db = TestDb::new(Backend::Sqlite);
    let (a, b, c) = (db.dir.path().join("a"), db.dir.path().join("b"), db.dir.path().join("c"));
    for (dir, seed) in [(&a, "7"), (&b, "7"), (&c, "8")] {
        db.ok(&["demo", "--out", dir.to_str().unwrap(), "--seed", seed, "--years", "2020-2020"]);
    }
    for t in vetis::domain::standard::Table::ALL.map(vetis::domain::standard::Table::key) {
        // A table without rows (a studio's outputs in its first year) has no file.
        let f = format!("{t}.csv");
        assert_eq!(std::fs::read(a.join(&f)).ok(), std::fs::read(b.join(&f)).ok(), "{t}");
    }
    assert!(a.join("member.csv").exists() && !a.join("output.csv").exists());
    let pool = |d: &std::path::Path| std::fs::read(d.join("pool").join("experts.csv")).unwrap();
    assert_eq!(pool(&a), pool(&b), "the part-time pool");
    assert_ne!(std::fs::read(a.join("student.csv")).unwrap(), std::fs::read(c.join("student.csv")).unwrap());
}

#[test]
fn people_continue_from_year_to_year() {
    let db = TestDb::new(Backend::Sqlite);
    let dir = db.dir.path().join("city");
    db.ok(&["demo", "--out", dir.to_str().unwrap(), "--years", "2020-2022"]);
    // (school, student_no) → (year → (id, entry year, status)).
    let mut students: HashMap<(String, String), HashMap<i32, (String, i32)>> = HashMap::new();
    for r in read(&dir, "student") {
        students
            .entry((r[5].to_string(), r[0].to_string()))
            .or_default()
            .insert(r[6].parse().unwrap(), (r[2].to_string(), r[9].parse().unwrap()));
    }
    // A student who entered before a year and is there the year after was there that year too.
    let mut gaps = 0;
    for years in students.values() {
        for y in [2021] {
            if years.contains_key(&(y - 1)) && years.contains_key(&(y + 1)) && !years.contains_key(&y) {
                gaps += 1;
            }
        }
        let ids: HashSet<&String> = years.values().map(|v| &v.0).collect();
        assert_eq!(ids.len(), 1, "one person keeps one ID number");
    }
    assert_eq!(gaps, 0);
    // Most of 2020's first-years are still there in 2021 (some leave).
    let entered_2020: Vec<_> = students.values().filter(|y| y.get(&2020).is_some_and(|v| v.1 == 2020)).collect();
    let stayed = entered_2020.iter().filter(|y| y.contains_key(&2021)).count();
    let rate = stayed as f64 / entered_2020.len() as f64;
    assert!(rate > 0.95 && rate < 1.0, "retention {rate}");
    // Graduates of 2021 were final-year students in 2020, with the same number and ID.
    let grads: Vec<_> = read(&dir, "graduate").into_iter().filter(|r| &r[7] == "2021").collect();
    assert!(grads.len() > 10_000);
    for g in &grads {
        let st = students.get(&(g[5].to_string(), g[0].to_string())).expect("a graduate was a student");
        assert_eq!(st.get(&2020).map(|v| &v.0), Some(&g[2].to_string()), "graduate {} was there in 2020", &g[0]);
        assert!(!st.contains_key(&2021), "and left when graduating");
    }
    // Teachers persist with some turnover.
    let teachers = |y: &str| -> HashSet<(String, String)> {
        read(&dir, "teacher").into_iter().filter(|r| &r[6] == y).map(|r| (r[5].to_string(), r[0].to_string())).collect()
    };
    let (t20, t21) = (teachers("2020"), teachers("2021"));
    let kept = t20.intersection(&t21).count() as f64 / t20.len() as f64;
    assert!(kept > 0.9 && kept < 1.0, "teachers kept {kept}");
    // Every district has a school; the partner provinces send students.
    let districts: HashSet<String> = read(&dir, "school").iter().map(|r| r[4].to_string()).collect();
    assert_eq!(districts.len(), 11);
    let from_guizhou = read(&dir, "student").iter().filter(|r| r[13].starts_with("52")).count();
    assert!(from_guizhou > 1000, "east–west cooperation: {from_guizhou} students from Guizhou");
}

#[test]
fn the_demo_imports_without_a_single_error_and_its_2020_equals_the_plan() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let out = db.vetis(&["demo", "--years", "2020-2020"]);
        let err = stderr(&out);
        assert!(out.status.success(), "{backend:?}: {err}");
        assert!(
            !err.contains("提示") && !err.contains("已拒绝"),
            "{backend:?}: warnings or refusals:\n{}",
            &err[..err.len().min(3000)]
        );
        let j = figures(&db, "2020");
        let plan = ["9.74", "33.5", "0", "0", "6.40", "78.2", "69.1", "79.0", "13.9", "16.00"];
        for (i, expected) in plan.iter().enumerate() {
            assert_eq!(shown(&j, i), *expected, "{backend:?}: indicator {}", i + 1);
        }
        // Plan §一: municipal and district secondary schools ran 133 programs in 18 categories.
        let programs = db.query_i64(
            "SELECT COUNT(DISTINCT o.program_code) FROM rec_offering o JOIN rec_school s ON s.school_code = o.school_code AND s.is_current = 1 \
             WHERE o.is_current = 1 AND o.year = 2020 AND s.level = 'secondary' AND s.sponsor IN ('municipal', 'district')",
        );
        let categories = db.query_i64(
            "SELECT COUNT(DISTINCT SUBSTR(o.program_code, 1, 2)) FROM rec_offering o JOIN rec_school s ON s.school_code = o.school_code AND s.is_current = 1 \
             WHERE o.is_current = 1 AND o.year = 2020 AND s.level = 'secondary' AND s.sponsor IN ('municipal', 'district')",
        );
        assert_eq!((programs, categories), (133, 18), "{backend:?}");
        let order_classes = db.query_i64(
            "SELECT COUNT(*) FROM rec_cooperation WHERE is_current = 1 AND year = 2020 AND form = 'order_class'",
        );
        assert_eq!(order_classes, 178);
    }
}

#[test]
fn by_2025_the_plan_shows_a_mix_of_outcomes() {
    let db = TestDb::new(Backend::Sqlite);
    let out = db.ok(&["demo"]);
    assert!(out.contains("2023 状态") && out.contains("2025 状态"), "{out}");
    // The pathways (agreements, transfers, funnels) and the funding tables ran with it.
    assert!(out.contains("贯通培养：106 个协议") && out.contains("生均拨款测算（示例标准）：2020"), "{out}");
    let f: serde_json::Value =
        serde_json::from_str(&db.ok(&["pathway", "figures", "--intake", "2021", "--format", "json"])).unwrap();
    let rate = f[0]["transfer_rate"].as_f64().unwrap();
    assert!((75.0..95.0).contains(&rate), "the city's 2021 transfer rate {rate}");
    let status = |j: &serde_json::Value| -> Vec<String> {
        (0..10).map(|i| j[i]["status"].as_str().unwrap().to_string()).collect()
    };
    let y2025 = status(&figures(&db, "2025"));
    // In the target year a figure is met or not: six are, four (three of them binding) are not.
    assert_eq!(y2025, ["met", "not_met", "met", "not_met", "met", "met", "not_met", "met", "not_met", "met"]);
    let y2023 = status(&figures(&db, "2023"));
    // The mid-term review judges the mid-term targets where the plan sets them: progression (2,
    // ≥ 50 % by 2023) and dual-qualified teachers (7, ≥ 70 %) are not met.
    assert_eq!(y2023[6], "not_met");
    assert_eq!(y2023[1], "not_met");
    assert!(y2023.iter().any(|s| s == "met") && y2023.iter().any(|s| s == "on_track"));

    // The quality report's tables (Quality reports issue): on the demo city every row of a
    // school's and of the city's report has a value or says why it has none, in the last year and
    // the first plan year.
    let school = |level: &str| {
        db.query_i64(&format!(
            "SELECT MIN(CAST(school_code AS BIGINT)) FROM rec_school WHERE is_current = 1 AND level = '{level}'"
        ))
        .to_string()
    };
    let (secondary, higher) = (school("secondary"), school("higher"));
    for year in ["2021", "2024"] {
        for whose in [["--city", ""], ["--school", &secondary], ["--school", &higher]] {
            let mut args = vec!["quality-report", "tables", "--year", year, whose[0]];
            args.extend(whose[1..].iter().filter(|s| !s.is_empty()));
            args.extend(["--format", "json"]);
            let t: serde_json::Value = serde_json::from_str(&db.ok(&args)).unwrap();
            let mut rows = 0;
            for table in t["tables"].as_array().unwrap() {
                for r in table["rows"].as_array().unwrap() {
                    rows += 1;
                    let explained =
                        r["note"].as_str().is_some_and(|n| n.starts_with("无数据") || n.starts_with("不公布"));
                    assert!(r["value"].is_number() || explained, "{year} {whose:?}: {r}");
                }
            }
            assert!(rows >= 35, "{year} {whose:?}: {rows} rows");
        }
    }
}

#[test]
fn written_files_imported_by_hand_give_the_same_indicators_as_the_demo() {
    // One year: the PostgreSQL import of the written files is the slowest part of the suite.
    let direct = TestDb::new(Backend::Sqlite);
    direct.ok(&["demo", "--years", "2020-2020"]);
    let by_hand = TestDb::new(Backend::Postgres);
    let dir = by_hand.dir.path().join("files");
    by_hand.ok(&["demo", "--out", dir.to_str().unwrap(), "--years", "2020-2020"]);
    // As the bureau would: the registry, then the pathway agreements (students on a 3+2 pathway
    // are checked against them), then the standard's files; the part-time pool's list
    // (pool/experts.csv) is for `vetis pool import`.
    by_hand.ok(&["import", dir.join("school.csv").to_str().unwrap()]);
    by_hand.ok(&["pathway", "agreements", "load", dir.join("pathway").join("agreements.csv").to_str().unwrap()]);
    let files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.ends_with("school.csv"))
        .map(|p| p.display().to_string())
        .collect();
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    by_hand.ok(&args);
    for year in ["2020"] {
        let (a, b) = (figures(&direct, year), figures(&by_hand, year));
        for i in 0..10 {
            assert_eq!(a[i]["value"], b[i]["value"], "{year} indicator {}", i + 1);
        }
    }
}

#[test]
fn the_national_scale_streams_valid_files_of_the_right_proportions() {
    let db = TestDb::new(Backend::Sqlite);
    let dir = db.dir.path().join("national");
    let out = db.ok(&["demo", "--scale", "national", "--out", dir.to_str().unwrap(), "--fraction", "0.001"]);
    assert!(out.contains("student\t在校生\t30000"), "{out}");
    let students = read(&dir, "student");
    let ids: HashSet<&str> = students.iter().map(|r| &r[2]).collect();
    assert_eq!(ids.len(), students.len(), "every ID is unique");
    for r in students.iter().take(500) {
        assert!(vetis::domain::ids::IdNumber::parse(&r[2], None).is_ok(), "{}", &r[2]);
    }
    let provinces: HashSet<String> = read(&dir, "school").iter().map(|r| r[0][2..4].to_string()).collect();
    assert_eq!(provinces.len(), 10, "ten schools, ten provinces at this fraction");
}
