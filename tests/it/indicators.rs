//! The ten key indicators computed from the fixture city equal the hand-computed values
//! (examples/city/README.md), on SQLite and on PostgreSQL.

use crate::common::*;

fn values(db: &TestDb, args: &[&str]) -> serde_json::Value {
    let mut a = vec!["indicators", "--format", "json"];
    a.extend_from_slice(args);
    serde_json::from_str(&db.ok(&a)).unwrap()
}

fn value_of(json: &serde_json::Value, id: &str) -> Option<f64> {
    json.as_array().unwrap().iter().find(|o| o["id"] == id).unwrap_or_else(|| panic!("no {id}"))["value"].as_f64()
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn the_ten_indicators_match_the_hand_computed_fixture_on_both_backends() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let j = values(&db, &["--year", "2020"]);
        let expected = [
            ("secondary_enrolment", 0.0011),
            ("secondary_progression_rate", 37.5),
            ("provincial_high_level_secondary_schools", 0.0),
            ("provincial_high_level_program_groups", 1.0),
            ("higher_enrolment", 0.0006),
            ("in_field_employment_rate", 80.0),
            ("secondary_dual_qualified_share", 60.0),
            ("higher_dual_qualified_share", 200.0 / 3.0),
            ("secondary_master_share", 50.0),
            ("annual_skills_training", 0.5),
        ];
        assert_eq!(j.as_array().unwrap().len(), 10);
        for (id, v) in expected {
            assert!(close(value_of(&j, id), v), "{backend:?} 2020 {id}: {:?} ≠ {v}", value_of(&j, id));
        }
        let j = values(&db, &["--year", "2021"]);
        assert!(close(value_of(&j, "secondary_enrolment"), 0.0012), "{backend:?}");
        assert!(close(value_of(&j, "higher_enrolment"), 0.0005), "{backend:?}");
        assert!(close(value_of(&j, "provincial_high_level_secondary_schools"), 1.0), "{backend:?}");
        assert!(close(value_of(&j, "provincial_high_level_program_groups"), 3.0), "{backend:?}");
        // No graduates were submitted for 2021: a share without a denominator has no value.
        assert_eq!(value_of(&j, "secondary_progression_rate"), None);
    }
}

#[test]
fn the_json_objects_carry_what_the_interface_promises() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    let j = values(&db, &["--year", "2020"]);
    let first = &j.as_array().unwrap()[1];
    for key in ["id", "name", "year", "value", "unit", "target", "attribute", "status", "projection_2025"] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    assert_eq!(first["id"], "secondary_progression_rate");
    assert_eq!(first["attribute"], "binding");
    assert_eq!(first["status"], "on_track");
    assert_eq!(first["target"], 50.0);
    let missing = values(&db, &["--year", "2021"]);
    assert!(missing.as_array().unwrap()[1]["value"].is_null());
    assert_eq!(missing.as_array().unwrap()[1]["status"], "no_data");
}

#[test]
fn a_school_and_a_district_get_their_own_figures() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let school = values(&db, &["--year", "2020", "--school", "4401000001"]);
        // School 1: graduates 4, of whom 2 progress; teachers: specialty FT 2, dual 1.
        assert!(close(value_of(&school, "secondary_progression_rate"), 50.0), "{backend:?}");
        assert!(close(value_of(&school, "secondary_dual_qualified_share"), 50.0), "{backend:?}");
        let enrol = school.as_array().unwrap().iter().find(|o| o["id"] == "secondary_enrolment").unwrap();
        assert_eq!(enrol["status"], "no_target", "a city total has no target for one school");
        // Tianhe (440106): schools 1 and 2 in scope (the provincial school 6 is not).
        let tianhe = values(&db, &["--year", "2020", "--district", "440106"]);
        assert!(close(value_of(&tianhe, "secondary_enrolment"), 0.0008), "{backend:?}");
        assert!(close(value_of(&tianhe, "secondary_progression_rate"), 50.0), "{backend:?}");
    }
}

#[test]
fn the_terminal_table_shows_chinese_names_targets_and_statuses() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    let out = db.ok(&["indicators", "--year", "2020"]);
    assert!(out.contains("中等职业学校毕业生升学比例"));
    assert!(out.contains("≥50"));
    assert!(out.contains("进度正常"));
    assert!(out.contains("约束性指标预警"), "binding indicators off track are flagged:\n{out}");
    let en = db.ok(&["indicators", "--year", "2020", "--lang", "en"]);
    assert!(en.contains("Progression rate of secondary graduates"));
    assert!(en.contains("off track"));
}

#[test]
fn indicators_break_down_by_district_school_category_and_pathway() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let j: serde_json::Value =
            serde_json::from_str(&db.ok(&["indicators", "--year", "2020", "--by", "district", "--format", "json"]))
                .unwrap();
        let progression = j.as_array().unwrap().iter().find(|o| o["id"] == "secondary_progression_rate").unwrap();
        let tianhe = progression["groups"].as_array().unwrap().iter().find(|g| g["key"] == "440106").unwrap();
        // Tianhe: schools 1 and 2 graduate 6, of whom 3 progress.
        assert_eq!(tianhe["value"].as_f64(), Some(50.0), "{backend:?}");
        assert_eq!(tianhe["label"], "天河区");

        let j: serde_json::Value =
            serde_json::from_str(&db.ok(&["indicators", "--year", "2020", "--by", "category", "--format", "json"]))
                .unwrap();
        let ids: Vec<&str> = j.as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
        // Only tables that carry programs: students, graduates, designations (program groups).
        assert_eq!(
            ids,
            [
                "secondary_enrolment",
                "secondary_progression_rate",
                "provincial_high_level_secondary_schools",
                "provincial_high_level_program_groups",
                "higher_enrolment",
                "in_field_employment_rate"
            ]
        );
        let transport = j[0]["groups"].as_array().unwrap().iter().find(|g| g["key"] == "70").unwrap();
        // 700206 at schools 1 (5) and 3 (3): 8 full-time enrolled.
        assert!((transport["value"].as_f64().unwrap() - 0.0008).abs() < 1e-12, "{backend:?}");
        assert_eq!(transport["label"], "交通运输大类");

        let j: serde_json::Value =
            serde_json::from_str(&db.ok(&["indicators", "--year", "2020", "--by", "pathway", "--format", "json"]))
                .unwrap();
        assert_eq!(j.as_array().unwrap().len(), 2, "student indicators only");
        let table = db.ok(&["indicators", "--year", "2020", "--by", "school"]);
        assert!(table.contains("4401000001 广州市第一职业技术学校"), "{table}");
    }
}
