//! Submissions as versions with a review step: staged data counts only once approved, a returned
//! one never, and a replaced version can be restored (data standard §2), on both backends.

use crate::common::*;

fn enrolment(db: &TestDb, year: &str) -> f64 {
    let j: serde_json::Value =
        serde_json::from_str(&db.ok(&["indicators", "--year", year, "--format", "json"])).unwrap();
    j[0]["value"].as_f64().unwrap()
}

fn last_submission(db: &TestDb) -> String {
    db.query_i64("SELECT MAX(id) FROM submission").to_string()
}

#[test]
fn staged_data_counts_once_approved_and_a_replaced_version_can_be_restored() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let original = db.query_i64(
            "SELECT id FROM submission WHERE table_name = 'student' AND school_code = '4401000003' AND year = 2021",
        );
        let text = std::fs::read_to_string(fixture_dir().join("student.csv")).unwrap();
        let header = text.lines().next().unwrap();
        let row = text.lines().find(|l| l.contains(",4401000003,2021,")).unwrap();
        let path = db.write("student.csv", &format!("{header}\n{row}\n"));

        db.ok(&["import", "--review", path.to_str().unwrap()]);
        let staged = last_submission(&db);
        assert!((enrolment(&db, "2021") - 0.0012).abs() < 1e-12, "{backend:?}: pending data does not count");
        let list = db.ok(&["submissions", "list", "--status", "submitted"]);
        assert!(list.contains("待审核") && list.contains("4401000003"), "{list}");

        db.ok(&["submissions", "approve", &staged]);
        assert!((enrolment(&db, "2021") - 0.0010).abs() < 1e-12, "{backend:?}: approved data counts");
        let status = db.query_strings(&format!("SELECT status FROM submission WHERE id = {original}"));
        assert_eq!(status, vec!["superseded"]);

        db.ok(&["submissions", "restore", &original.to_string()]);
        assert!((enrolment(&db, "2021") - 0.0012).abs() < 1e-12, "{backend:?}: the restored version counts again");
        let status = db.query_strings(&format!("SELECT status FROM submission WHERE id = {staged}"));
        assert_eq!(status, vec!["superseded"]);
        let audit = db.ok(&["audit"]);
        assert!(audit.contains("submission_approve") && audit.contains("submission_restore"), "{audit}");
    }
}

#[test]
fn a_returned_submission_never_counts_and_cannot_be_approved_later() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    let h = "project_code,school_code,year,name,category,start_date,end_date,hours,person_times,completed,certified,revenue";
    let path = db.write(
        "training.csv",
        &format!("{h}\nP1,4401000001,2020,汽车维修技能提升,企业职工,2020-03-01,2020-06-30,40,90000,1100,900,\n"),
    );
    let before: serde_json::Value =
        serde_json::from_str(&db.ok(&["indicators", "--year", "2020", "--format", "json"])).unwrap();
    db.ok(&["import", "--review", path.to_str().unwrap()]);
    let id = last_submission(&db);
    db.ok(&["submissions", "return", &id, "--comment", "培训人次明显有误，请核实"]);
    let after: serde_json::Value =
        serde_json::from_str(&db.ok(&["indicators", "--year", "2020", "--format", "json"])).unwrap();
    assert_eq!(before[9]["value"], after[9]["value"]);
    let shown = db.ok(&["submissions", "show", &id]);
    assert!(shown.contains("培训人次明显有误") && shown.contains("\"returned\""), "{shown}");
    let out = db.vetis(&["submissions", "approve", &id]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot become approved"), "{}", stderr(&out));
}

#[test]
fn a_natural_key_version_can_be_restored_row_for_row() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let original = db.query_i64("SELECT submission_id FROM rec_designation WHERE designation_code = 'D1'");
        let h = "designation_code,kind,level,school_code,subject,program_code,approved_year,status,accepted_year";
        let path = db.write("designation.csv", &format!("{h}\nD1,省高水平中等职业学校,省级,4401000001,,,2019,撤销,\n"));
        db.ok(&["import", path.to_str().unwrap()]);
        let j: serde_json::Value =
            serde_json::from_str(&db.ok(&["indicators", "--year", "2021", "--format", "json"])).unwrap();
        assert_eq!(j[2]["value"].as_f64(), Some(0.0), "{backend:?}: D1 revoked");
        db.ok(&["submissions", "restore", &original.to_string()]);
        let j: serde_json::Value =
            serde_json::from_str(&db.ok(&["indicators", "--year", "2021", "--format", "json"])).unwrap();
        assert_eq!(j[2]["value"].as_f64(), Some(1.0), "{backend:?}: D1 accepted again");
        // Only the restored submission's keys changed: the other designations still count.
        assert_eq!(db.query_i64("SELECT COUNT(*) FROM rec_designation WHERE is_current = 1"), 6);
    }
}
