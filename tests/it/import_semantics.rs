//! How accepted files change the database (data standard §2): replacement by school and year with
//! the previous version kept, identical resubmissions changing nothing, bulk files with several
//! schools and years, every accepted encoding and format.

use crate::common::*;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_dir().join(name)).unwrap()
}

#[test]
fn an_identical_resubmission_changes_nothing() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let before = db.state();
        let out = db.ok(&["import", fixture_dir().join("student.csv").to_str().unwrap()]);
        assert!(out.contains("写入 0 行，11 组未变化"), "{out}");
        // Row order does not matter: the same records, shuffled, are the same submission.
        let text = fixture("student.csv");
        let mut lines: Vec<&str> = text.lines().collect();
        lines[1..].reverse();
        let path = db.write("student.csv", &(lines.join("\n") + "\n"));
        db.ok(&["import", path.to_str().unwrap()]);
        assert_eq!(db.state(), before, "{backend:?}");
    }
}

#[test]
fn a_new_version_replaces_the_schools_year_and_keeps_the_previous_one() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let text = fixture("student.csv");
        let header = text.lines().next().unwrap();
        // School 3's 2021 students: one of the three leaves.
        let rows: Vec<&str> = text.lines().filter(|l| l.contains(",4401000003,2021,")).collect();
        assert_eq!(rows.len(), 3);
        let path = db.write("student.csv", &format!("{header}\n{}\n{}\n", rows[0], rows[1]));
        let out = db.ok(&["import", path.to_str().unwrap()]);
        assert!(out.contains("写入 2 行") && out.contains("1 组替换旧版本"), "{out}");
        let current = db.query_i64(
            "SELECT COUNT(*) FROM rec_student WHERE school_code = '4401000003' AND year = 2021 AND is_current = 1",
        );
        let kept = db.query_i64(
            "SELECT COUNT(*) FROM rec_student WHERE school_code = '4401000003' AND year = 2021 AND is_current = 0",
        );
        assert_eq!((current, kept), (2, 3), "{backend:?}");
        let statuses = db.query_strings(
            "SELECT status FROM submission WHERE table_name = 'student' AND school_code = '4401000003' AND year = 2021 ORDER BY id",
        );
        assert_eq!(statuses, vec!["superseded", "approved"]);
        // The other schools and years are untouched, and the figures follow the new version.
        let j: serde_json::Value =
            serde_json::from_str(&db.ok(&["indicators", "--year", "2021", "--format", "json"])).unwrap();
        assert!((j[0]["value"].as_f64().unwrap() - 0.0011).abs() < 1e-12, "{backend:?}");
    }
}

#[test]
fn one_file_may_hold_several_schools_and_years() {
    let db = TestDb::new(Backend::Postgres);
    db.load_fixture();
    let n = db.query_i64("SELECT COUNT(*) FROM submission WHERE table_name = 'student'");
    assert_eq!(n, 11, "one submission per school and year");
    let years = db.query_i64("SELECT COUNT(DISTINCT year) FROM submission WHERE table_name = 'student'");
    assert_eq!(years, 2);
}

#[test]
fn gbk_and_bom_csv_and_xlsx_files_are_read_correctly() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let designation = "项目编号,项目类型,级别,学校标识码,建设对象名称,专业代码,立项年份,状态,验收年份\nD7,市级精品课程,市级,４４０１０００００２,汽车电子课程,,2021,立项建设,\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(designation);
        let path = db.write_bytes("designation.csv", &gbk);
        db.ok(&["import", path.to_str().unwrap()]);
        let subject = db.query_strings("SELECT subject FROM rec_designation WHERE designation_code = 'D7'");
        assert_eq!(subject, vec!["汽车电子课程"], "GBK decoded, never mojibake");
        let school = db.query_strings("SELECT school_code FROM rec_designation WHERE designation_code = 'D7'");
        assert_eq!(school, vec!["4401000002"], "full-width digits folded");

        let bom = format!("\u{FEFF}{}", designation.replace("D7", "D8"));
        let path = db.write("2021-designation-bulk.csv", &bom);
        db.ok(&["import", path.to_str().unwrap()]);
        assert_eq!(db.query_i64("SELECT COUNT(*) FROM rec_designation WHERE designation_code = 'D8'"), 1);

        // XLSX with real Excel types: a date cell, years as numbers, and an instructions sheet.
        let path = db.dir.path().join("工作簿.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let info = wb.add_worksheet();
        info.set_name("填写说明").unwrap();
        info.write_string(0, 0, "请勿修改表头").unwrap();
        let ws = wb.add_worksheet();
        ws.set_name("教师企业实践").unwrap();
        for (i, h) in
            ["工号", "学校标识码", "实践企业统一社会信用代码", "实践企业名称", "开始日期", "结束日期", "实践天数"]
                .iter()
                .enumerate()
        {
            ws.write_string(0, i as u16, *h).unwrap();
        }
        let date_format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        ws.write_string(1, 0, "T2").unwrap();
        ws.write_number(1, 1, 4401000001.0).unwrap();
        ws.write_string(1, 2, "91110000600037341L").unwrap();
        ws.write_string(1, 3, "广州数控设备有限公司").unwrap();
        let d = |y, m, day| rust_xlsxwriter::ExcelDateTime::from_ymd(y, m, day).unwrap();
        ws.write_datetime_with_format(1, 4, d(2021, 7, 1), &date_format).unwrap();
        ws.write_datetime_with_format(1, 5, d(2021, 8, 20), &date_format).unwrap();
        ws.write_number(1, 6, 51.0).unwrap();
        wb.save(&path).unwrap();
        let out = db.ok(&["import", path.to_str().unwrap()]);
        assert!(out.contains("写入 1 行"), "{out}");
        let start =
            db.query_strings("SELECT start_date FROM rec_practice WHERE teacher_no = 'T2' AND start_date LIKE '2021%'");
        assert_eq!(start, vec!["2021-07-01"], "{backend:?}");
    }
}

#[test]
fn natural_key_rows_replace_their_own_row_only() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    let h = "designation_code,kind,level,school_code,subject,program_code,approved_year,status,accepted_year";
    // D2 is accepted in 2022: it replaces D2 and nothing else.
    let path =
        db.write("designation.csv", &format!("{h}\nD2,省高水平中等职业学校,省级,4401000002,,,2020,验收通过,2022\n"));
    let out = db.ok(&["import", path.to_str().unwrap()]);
    assert!(out.contains("写入 1 行"), "{out}");
    assert_eq!(db.query_i64("SELECT COUNT(*) FROM rec_designation WHERE is_current = 1"), 6);
    assert_eq!(
        db.query_i64("SELECT COUNT(*) FROM rec_designation WHERE designation_code = 'D2' AND is_current = 0"),
        1
    );
    let j: serde_json::Value =
        serde_json::from_str(&db.ok(&["indicators", "--year", "2022", "--format", "json"])).unwrap();
    assert_eq!(j[2]["value"].as_f64(), Some(2.0));
}

/// SQLite's record inserts are `INSERT OR FAIL` (no statement journal, for speed): a statement
/// that fails part-way leaves its earlier rows in the transaction. The transaction, dropped on the
/// error, takes them with it; PostgreSQL's statements fail whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_a_failing_insert_left_behind_go_with_its_transaction() {
    use vetis::store::records::{SqlValue, insert_in_write};
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let store = vetis::store::Db::open(&db.url, Some(db.key_file())).await.unwrap();
        let row = |code: &str, name: &str| vec![SqlValue::text(code), SqlValue::text(name)];
        // Two new districts, then the first again: the key refuses the third row.
        let rows = vec![row("990001", "甲区"), row("990002", "乙区"), row("990001", "重复")];
        let mut w = store.begin_write().await.unwrap();
        let failed = insert_in_write(&mut w, "gz_district", &["code", "name"], rows).await;
        assert!(failed.is_err(), "{backend:?}");
        drop(w);
        assert_eq!(db.query_i64("SELECT COUNT(*) FROM gz_district WHERE code LIKE '9900%'"), 0, "{backend:?}");
        // The next write starts clean and commits.
        let mut w = store.begin_write().await.unwrap();
        insert_in_write(&mut w, "gz_district", &["code", "name"], vec![row("990003", "丙区")]).await.unwrap();
        w.commit().await.unwrap();
        assert_eq!(db.query_i64("SELECT COUNT(*) FROM gz_district WHERE code LIKE '9900%'"), 1, "{backend:?}");
    }
}
