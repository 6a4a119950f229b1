//! Pathways and funding (plan 三(二), 五(二)): the agreements register and the students checked
//! against it, transfer results checked against the scheme, a crafted cohort's funnel counted
//! exactly (a student who changed school, one who left the class, one exempt, one who passed but
//! enrolled elsewhere), the admission list, and per-student funding with a what-if that changes
//! exactly the schools teaching the category changed. Through the binary, on both backends.

use crate::common::*;

const S1: &str = "4401000001";
const S2: &str = "4401000002";
const H1: &str = "4401000101";
const H2: &str = "4401000102";

fn person(n: u32) -> String {
    let first = format!("44010620050101{:03}", n * 2 + 1);
    format!("{first}{}", vetis::domain::ids::id_check_char(first.as_bytes()))
}

const STUDENT: &str = "student_no,id_type,id_number,name,gender,school_code,year,program_code,study_mode,entry_year,pathway,status,prior_school_code,origin_code,poverty,disability,ethnicity";

/// One student row: who, where, when, on which pathway.
fn student(
    no: &str,
    p: u32,
    (school, year, program): (&str, i32, &str),
    entry: i32,
    pathway: &str,
    prior: &str,
) -> String {
    format!(
        "{no},,{},学生{p},男,{school},{year},{program},全日制,{entry},{pathway},在籍,{prior},440106,否,否,汉族\n",
        person(p)
    )
}

fn import(db: &TestDb, name: &str, content: &str) -> std::process::Output {
    let path = db.write(name, content).display().to_string();
    db.vetis(&["import", &path])
}

fn setup(db: &TestDb) {
    let school = format!(
        "school_code,name,level,sponsor,district_code,founded\n{S1},广州市第一职业技术学校,中职,市属,440106,1958\n{S2},广州市第二职业技术学校,中职,区属,440104,1960\n{H1},广州第一职业技术学院,高职,市属,440111,1990\n{H2},广州第二职业技术学院,高职,市属,440112,1992\n"
    );
    let mut offering = String::from("school_code,year,program_code,program_name,program_group,first_year\n");
    for y in 2020..=2025 {
        for (s, p) in [(S1, "700206"), (S1, "710204"), (S2, "700206"), (H1, "460702"), (H2, "460702")] {
            offering.push_str(&format!("{s},{y},{p},,,2015\n"));
        }
    }
    assert!(import(db, "school.csv", &school).status.success());
    assert!(import(db, "offering.csv", &offering).status.success());
}

const AGREEMENTS: &str = "agreement_code,pathway,lower_school_code,lower_program_code,upper_school_code,upper_program_code,first_intake_year,last_intake_year,quota\n";

/// The crafted cohort of agreement A1 (S1 700206 → H1 460702), intake 2020:
/// p1 through to graduation; p2 changed school in year 2; p3 left the 3+2 class in year 2 (same
/// school, regular pathway); p4 exempt (skills competition), admitted; p5 passed, enrolled at H2;
/// p6 failed.
fn cohort(db: &TestDb) {
    let mut rows = String::from(STUDENT);
    rows.push('\n');
    for p in 1..=6 {
        rows.push_str(&student(&format!("S{p}"), p, (S1, 2020, "700206"), 2020, "三二分段", ""));
    }
    for p in [1, 4, 5, 6] {
        for y in [2021, 2022] {
            rows.push_str(&student(&format!("S{p}"), p, (S1, y, "700206"), 2020, "三二分段", ""));
        }
    }
    rows.push_str(&student("S3", 3, (S1, 2021, "700206"), 2020, "普通", ""));
    rows.push_str(&student("T2", 2, (S2, 2021, "700206"), 2020, "普通", ""));
    for (p, school, pathway) in [(1, H1, "三二分段"), (4, H1, "三二分段"), (5, H2, "普通")] {
        rows.push_str(&student(&format!("H{p}"), p, (school, 2023, "460702"), 2023, pathway, S1));
    }
    rows.push_str(&student("H1", 1, (H1, 2024, "460702"), 2023, "三二分段", S1));
    let out = import(db, "student.csv", &rows);
    assert!(out.status.success(), "{}", stderr(&out));
    let transfer = format!(
        "id_type,id_number,name,school_code,agreement_code,intake_year,score,exemption,result\n,{},学生1,{S1},A1,2020,72.5,,通过\n,{},学生4,{S1},A1,2020,,技能竞赛获奖,通过\n,{},学生5,{S1},A1,2020,55,,通过\n,{},学生6,{S1},A1,2020,30,,未通过\n",
        person(1),
        person(4),
        person(5),
        person(6)
    );
    let out = import(db, "transfer.csv", &transfer);
    assert!(out.status.success(), "{}", stderr(&out));
    let graduate = format!(
        "student_no,id_type,id_number,name,gender,school_code,program_code,graduation_year,destination,employer_credit_code,employer_name,industry_code,in_field\nH1,,{},学生1,男,{H1},460702,2025,升入本科,,,,\n",
        person(1)
    );
    let out = import(db, "graduate.csv", &graduate);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_crafted_cohort_is_counted_exactly_through_every_stage_on_both_backends() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        setup(&db);
        let reg =
            db.write("agreements.csv", &format!("{AGREEMENTS}A1,三二分段,{S1},700206,{H1},460702,2019,2025,40\n"));
        db.ok(&["pathway", "agreements", "load", &reg.display().to_string()]);
        cohort(&db);
        let raw = db.ok(&["pathway", "funnel", "--agreement", "A1", "--intake", "2020", "--format", "json"]);
        // The keys in the issue's order: scripts (and people) read them so.
        let at = |k: &str| raw.find(k).unwrap();
        assert!(at("\"stages\"") < at("\"transfer_rate\"") && at("\"stage\"") < at("\"count\""), "{raw}");
        let json: serde_json::Value = serde_json::from_str(&raw).unwrap();
        let stages: Vec<(String, i64)> = json["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["stage"].as_str().unwrap().to_string(), s["count"].as_i64().unwrap()))
            .collect();
        let expected = [
            ("entered", 6),
            ("enrolled_year_2", 4),
            ("enrolled_year_3", 4),
            ("assessed", 4),
            ("passed", 3),
            ("admitted", 2),
            ("graduated", 1),
        ];
        assert_eq!(stages, expected.map(|(s, n)| (s.to_string(), n)).to_vec(), "{backend:?}");
        let rate = json["transfer_rate"].as_f64().unwrap();
        assert!((rate - 200.0 / 6.0).abs() < 1e-9, "{rate}");
        // The city's roll-up is the same cohort; the admission list names the three who passed,
        // masked, each traceable to its submitted row.
        let city = db.ok(&["pathway", "figures", "--intake", "2020", "--format", "json"]);
        assert!(city.contains("\"transfer_rate\": 33.33"), "{city}");
        let list: serde_json::Value = serde_json::from_str(&db.ok(&[
            "pathway",
            "admissions",
            "--school",
            H1,
            "--year",
            "2023",
            "--format",
            "json",
        ]))
        .unwrap();
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), 3);
        assert!(list.iter().all(|a| a["id_number"].as_str().unwrap().contains('*') && a["row_no"].as_i64().is_some()));
        let xlsx = db.dir.path().join("admissions.xlsx");
        db.ok(&["pathway", "admissions", "--school", H1, "--year", "2023", "--out", &xlsx.display().to_string()]);
        assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    }
}

#[test]
fn students_and_results_outside_the_register_and_the_scheme_are_refused_with_their_place() {
    let db = TestDb::new(Backend::Sqlite);
    setup(&db);
    // A register with problems is refused whole, every line named.
    let bad = db.write(
        "bad.csv",
        &format!("{AGREEMENTS}A1,三二分段,{S1},700206,{S2},700206,2019,2025,40\nA2,某模式,{S1},700206,{H1},999999,2025,2019,x\n"),
    );
    let out = db.vetis(&["pathway", "agreements", "load", &bad.display().to_string()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    for part in ["line 2, upper_school_code", "line 3, pathway", "line 3, upper_program_code", "line 3, quota"] {
        assert!(err.contains(part), "{part}: {err}");
    }
    assert_eq!(db.query_i64("SELECT COUNT(*) FROM pathway_agreement"), 0);
    let reg =
        db.write("agreements.csv", &format!("{AGREEMENTS}A1,three_plus_two,{S1},700206,{H1},460702,2019,2025,40\n"));
    db.ok(&["pathway", "agreements", "load", &reg.display().to_string()]);
    // A 3+2 student of a program with no agreement: an error at the pathway column; before the
    // register's first intake, a warning.
    let rows = format!(
        "{STUDENT}\n{}{}",
        student("S1", 1, (S2, 2021, "700206"), 2021, "三二分段", ""),
        student("S2", 2, (S2, 2021, "700206"), 2017, "三二分段", "")
    );
    let out = import(&db, "student-2021.csv", &rows);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("student-2021.csv:2:培养模式"), "{err}");
    assert!(err.contains("贯通培养协议名册中没有"), "{err}");
    assert!(!err.contains("student-2021.csv:3:培养模式: 错误"), "{err}");
    assert_eq!(db.query_i64("SELECT COUNT(*) FROM rec_student"), 0, "a refused file writes nothing");
    // Results: an unknown agreement, a pass below the threshold, an exemption in place of a score.
    let transfer = format!(
        "id_type,id_number,name,school_code,agreement_code,intake_year,score,exemption,result\n,{},学生1,{S1},A9,2020,60,,通过\n,{},学生2,{S1},A1,2020,30,,通过\n,{},学生3,{S1},A1,2020,101,,未通过\n",
        person(1),
        person(2),
        person(3)
    );
    let out = import(&db, "transfer.csv", &transfer);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("transfer.csv:2:贯通培养协议编号"), "{err}");
    assert!(err.contains("transfer.csv:3:考核结果"), "{err}");
    assert!(err.contains("transfer.csv:4:考核成绩"), "{err}");
    assert_eq!(db.query_i64("SELECT COUNT(*) FROM rec_transfer"), 0);
}

const FUNDING: &str = r#"
id = "test-funding"
version = "1"
name_zh = "测试标准"

[[floor]]
level = "higher"
per_student = 12000
source = "财教〔2014〕352号"

[[table]]
from_year = 2020
source = "测试"
base_rates = { secondary = 5000, higher = 10000 }

[table.coefficients]
"70" = 1.2
"71" = 1.1
"#;

fn funding_students(db: &TestDb) {
    let mut rows = String::from(STUDENT);
    rows.push('\n');
    let mut n = 100;
    // S1: 3 in 700206 and 2 in 710204 in 2021 (4 and 2 in 2020); S2: 2 in 700206; H1: 1.
    for (school, program, year, count) in [
        (S1, "700206", 2020, 4),
        (S1, "710204", 2020, 2),
        (S1, "700206", 2021, 3),
        (S1, "710204", 2021, 2),
        (S2, "700206", 2021, 2),
        (H1, "460702", 2021, 1),
    ] {
        for _ in 0..count {
            n += 1;
            rows.push_str(&student(&format!("F{n}"), n, (school, year, program), year, "普通", ""));
        }
    }
    let out = import(db, "student.csv", &rows);
    assert!(out.status.success(), "{}", stderr(&out));
}

fn allocations(db: &TestDb, extra: &[&str]) -> (Vec<(String, i64, f64)>, f64) {
    let mut args = vec!["funding", "allocate", "--year", "2021", "--format", "json"];
    args.extend(extra);
    let raw = db.ok(&args);
    let at = |k: &str| raw.find(k).unwrap();
    assert!(at("\"school_code\"") < at("\"students\"") && at("\"students\"") < at("\"allocation\""), "{raw}");
    let v: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let schools = v["schools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["school_code"].as_str().unwrap().to_string(),
                s["students"].as_i64().unwrap(),
                s["allocation"].as_f64().unwrap(),
            )
        })
        .collect();
    (schools, v["total"].as_f64().unwrap())
}

#[test]
fn changing_one_coefficient_changes_exactly_the_schools_that_teach_its_category_on_both_backends() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        setup(&db);
        funding_students(&db);
        let file = db.write("funding.toml", FUNDING);
        db.ok(&["funding", "load", &file.display().to_string()]);
        let (before, total) = allocations(&db, &[]);
        assert_eq!(
            before,
            vec![
                (S1.to_string(), 5, 5000.0 * (3.0 * 1.2 + 2.0 * 1.1)),
                (S2.to_string(), 2, 5000.0 * 2.0 * 1.2),
                (H1.to_string(), 1, 10000.0),
            ],
            "{backend:?}"
        );
        assert!((total - (29000.0 + 12000.0 + 10000.0)).abs() < 0.01);
        // The coefficients as `show` prints them, with 电子与信息大类 (71) raised from 1.1 to 1.5.
        let shown = db.ok(&["funding", "show", "--year", "2021", "--format", "csv"]);
        assert!(shown.starts_with("level,category_code,category_name,base_rate,coefficient\n"), "{shown}");
        assert!(shown.contains("secondary,71,电子与信息大类,5000,1.1\n"), "{shown}");
        let changed = db.write(
            "k.csv",
            &shown.replace("secondary,71,电子与信息大类,5000,1.1", "secondary,71,电子与信息大类,5000,1.5"),
        );
        let (after, total_after) = allocations(&db, &["--coefficients", &changed.display().to_string()]);
        assert_eq!(after[0].2 - before[0].2, 5000.0 * 0.4 * 2.0);
        assert_eq!(after[1..], before[1..]);
        assert!((total_after - total - 4000.0).abs() < 0.01);
        // The checks: H1 is below the 高职 floor; S1's total fell from 2020 (6 students).
        let table = db.ok(&["funding", "allocate", "--year", "2021", "--format", "csv"]);
        let line = |code: &str| table.lines().find(|l| l.starts_with(code)).unwrap().to_string();
        assert!(line(H1).contains("below_floor_12000"), "{table}");
        assert!(line(S1).contains("total_fell"), "{table}");
        assert!(!line(S2).contains("fell"), "{table}");
        // The statements behind the figures, one line per school and program class, as a workbook.
        let xlsx = db.dir.path().join("allocation.xlsx");
        db.ok(&["funding", "allocate", "--year", "2021", "--out", xlsx.to_str().unwrap()]);
        assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
        // Kept as a new version, it is the one in use; the old one stays readable.
        db.ok(&[
            "funding",
            "save",
            "--year",
            "2021",
            "--coefficients",
            &changed.display().to_string(),
            "--version",
            "2",
        ]);
        let (saved, _) = allocations(&db, &[]);
        assert_eq!(saved, after);
        let versions = db.ok(&["funding", "versions"]);
        assert!(versions.contains("* test-funding 2") && versions.contains("  test-funding 1"), "{versions}");
        // 2020 keeps its table.
        let y2020 = db.ok(&["funding", "show", "--year", "2020", "--format", "csv"]);
        assert!(y2020.contains("secondary,71,电子与信息大类,5000,1.1\n"), "{y2020}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_show_a_scopes_funnels_and_allocations_and_the_bureau_runs_and_keeps_a_what_if() {
    use crate::common::web::*;
    use axum::http::StatusCode;
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        setup(&db);
        let reg =
            db.write("agreements.csv", &format!("{AGREEMENTS}A1,三二分段,{S1},700206,{H1},460702,2019,2025,40\n"));
        db.ok(&["pathway", "agreements", "load", &reg.display().to_string()]);
        cohort(&db);
        // 2025: S1 has two students in 710204 (电子与信息, 71), S2 two in 700206 (交通运输, 70).
        let mut rows = format!("{STUDENT}\n");
        for (n, school, program) in [(201, S1, "710204"), (202, S1, "710204"), (203, S2, "700206"), (204, S2, "700206")]
        {
            rows.push_str(&student(&format!("F{n}"), n, (school, 2025, program), 2025, "普通", ""));
        }
        assert!(import(&db, "student-2025.csv", &rows).status.success());
        let file = db.write("funding.toml", FUNDING);
        db.ok(&["funding", "load", &file.display().to_string()]);
        add_user(&db, "boss", "admin", &[]);
        add_user(&db, "school2", "school", &["--school", S2]);
        let app = App::new(&db).await;
        let (_, boss) = app.sign_in_page("boss", PASSWORD).await;
        let (_, s2) = app.sign_in_page("school2", PASSWORD).await;
        let (boss, s2) = (boss.unwrap(), s2.unwrap());
        let (status, page) = app.get("/pathways?intake=2020", Some(&boss)).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        assert!(page.contains("<svg class=\"funnel\"") && page.contains("A1") && page.contains("33.3"), "{page}");
        // The upper school's admission list of 2023, from the page's link.
        assert!(page.contains(&format!("admissions.xlsx?school={H1}&amp;year=2023")), "{page}");
        let link = format!("/pathways/admissions.xlsx?school={H1}&year=2023");
        let (status, xlsx) = app.get(&link, Some(&boss)).await;
        assert!(status == StatusCode::OK && xlsx.starts_with("PK"), "{status}");
        // A school that is no side of the agreement sees none of it, nor another school's list.
        let (_, page) = app.get("/pathways?intake=2020", Some(&s2)).await;
        assert!(!page.contains("A1"), "{page}");
        let (status, _) = app.get(&link, Some(&s2)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // Funding: the school sees its own allocation and no city total; the bureau sees all.
        let (_, page) = app.get("/funding?year=2025", Some(&s2)).await;
        assert!(page.contains(S2) && !page.contains(S1) && !page.contains("全市合计"), "{page}");
        let (_, page) = app.get("/funding?year=2025", Some(&boss)).await;
        assert!(page.contains("全市合计") && page.contains("23,000"), "{page}");
        let csrf = csrf_of(&page);
        let changed = form(&[("csrf", &csrf), ("year", "2025"), ("k_secondary_71", "1.5")]);
        let (status, _, page) = app.post_form("/funding/whatif", &boss, changed).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("23,000 → 27,000") && page.contains("+4,000"), "{page}");
        let keep = form(&[("csrf", &csrf), ("year", "2025"), ("k_secondary_71", "1.5"), ("version", "2")]);
        let (status, _, _) = app.post_form("/funding/save", &boss, keep).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, page) = app.get("/funding?year=2025", Some(&boss)).await;
        assert!(page.contains("test-funding 2") && page.contains("27,000"), "{page}");
        // A school may not run or keep one.
        let (_, page) = app.get("/funding?year=2025", Some(&s2)).await;
        let csrf = csrf_of(&page);
        let (status, _, _) = app.post_form("/funding/whatif", &s2, form(&[("csrf", &csrf), ("year", "2025")])).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}
