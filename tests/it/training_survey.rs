//! Trainees' evaluations (the Integrity issue, item 3) through the binary on both backends: a
//! `training_survey` sheet checked against the school's approved training projects, and a
//! project's ratings published only above the response rules, with Wilson's interval computed
//! here independently.

use crate::common::*;

pub const S1: &str = "4401000001";

fn json(db: &TestDb, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_str(&db.ok(&all)).unwrap()
}

/// Wilson's score interval, written out from the formula (not the product's code).
pub fn wilson(yes: f64, n: f64, z: f64) -> (f64, f64) {
    let p = yes / n;
    let centre = p + z * z / (2.0 * n);
    let half = z * ((p * (1.0 - p) + z * z / (4.0 * n)) / n).sqrt();
    let d = 1.0 + z * z / n;
    ((centre - half) / d, (centre + half) / d)
}

/// A school with two projects of 2025: PX1 (60 completed) and PX2 (50 completed).
pub fn school_with_projects(db: &TestDb) {
    let school = db.write(
        "school.csv",
        &format!(
            "school_code,name,level,sponsor,district_code,founded\n{S1},广州市第一职业技术学校,中职,市属,440106,1958\n"
        ),
    );
    db.ok(&["import", school.to_str().unwrap()]);
    let training = db.write(
        "training.csv",
        &format!(
            "project_code,school_code,year,name,category,start_date,end_date,hours,person_times,completed,certified,revenue\n\
             PX1,{S1},2025,粤菜师傅培训（第1期）,粤菜师傅,2025-03-01,2025-03-31,40,80,60,40,\n\
             PX2,{S1},2025,南粤家政培训（第2期）,南粤家政,2025-04-01,2025-04-20,24,50,50,30,\n"
        ),
    );
    db.ok(&["import", training.to_str().unwrap()]);
}

/// Answers: PX1 40 completion (30 satisfied) and 35 outcome (25 employed); PX2 10 completion.
pub fn survey_rows() -> String {
    let mut csv = String::from(
        "school_code,year,project_code,survey,respondent,response_date,content,teaching,facilities,overall,employed,certified,promoted\n",
    );
    for k in 0..40 {
        let overall = if k < 30 { 4 + k % 2 } else { 1 + k % 3 };
        csv.push_str(&format!("{S1},2025,PX1,结业评价,C{k:03},2025-03-31,4,{},3,{overall},,,\n", 3 + k % 3));
    }
    for k in 0..35 {
        let employed = if k < 25 { "是" } else { "否" };
        csv.push_str(&format!("{S1},2025,PX1,跟踪调查,O{k:03},2025-11-02,,,,,{employed},否,否\n"));
    }
    for k in 0..10 {
        csv.push_str(&format!("{S1},2025,PX2,completion,D{k:03},2025-04-20,5,5,5,5,,,\n"));
    }
    csv
}

#[test]
fn survey_answers_are_checked_and_ratings_show_only_above_the_response_rules_on_both_backends() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        school_with_projects(&db);
        // A sheet with every kind of mistake is refused whole, each at its row and column.
        let bad = db.write(
            "training_survey.csv",
            &format!(
                "school_code,year,project_code,survey,respondent,response_date,content,teaching,facilities,overall,employed,certified,promoted\n\
                 {S1},2025,PX1,结业评价,A1,2025-03-31,4,6,3,4,,,\n\
                 {S1},2025,PX1,跟踪调查,A2,2025-05-01,,,,,是,否,否\n\
                 {S1},2025,PX9,结业评价,A3,2025-03-31,4,4,4,4,,,\n\
                 {S1},2025,PX1,结业评价,A4,2025-03-31,4,4,,4,是,,\n"
            ),
        );
        let before = db.state();
        let out = db.vetis(&["import", bad.to_str().unwrap()]);
        let err = stderr(&out);
        assert!(!out.status.success(), "{err}");
        assert!(err.contains(":2:教学水平") && err.contains("1—5"), "{err}");
        assert!(err.contains(":3:填写日期") && err.contains("183"), "{err}");
        assert!(err.contains(":4:项目编号") && err.contains("PX9"), "{err}");
        assert!(err.contains(":5:场地设备") && err.contains(":5:就业或在岗"), "{err}");
        assert_eq!(db.state(), before, "{backend:?}: a refused sheet leaves nothing");
        // More answers than trainees who completed: the one past them is an error.
        let mut over = String::from(
            "school_code,year,project_code,survey,respondent,response_date,content,teaching,facilities,overall,employed,certified,promoted\n",
        );
        for k in 0..51 {
            over.push_str(&format!("{S1},2025,PX2,completion,R{k},2025-04-20,5,5,5,5,,,\n"));
        }
        let out = db.vetis(&["import", db.write("training_survey.csv", &over).to_str().unwrap()]);
        assert!(!out.status.success() && stderr(&out).contains(":52:答卷编号"), "{}", stderr(&out));

        db.ok(&["import", db.write("training_survey.csv", &survey_rows()).to_str().unwrap()]);
        let projects = json(&db, &["integrity", "ratings", "--school", S1, "--year", "2025"]);
        let px1 = projects.as_array().unwrap().iter().find(|p| p["project_code"] == "PX1").unwrap();
        let px2 = projects.as_array().unwrap().iter().find(|p| p["project_code"] == "PX2").unwrap();
        let completion = &px1["ratings"][0];
        assert_eq!(
            (completion["survey"].as_str(), completion["verdict"].as_str()),
            (Some("completion"), Some("published"))
        );
        assert_eq!((completion["responses"].as_i64(), completion["base"].as_i64()), (Some(40), Some(60)));
        let satisfied = completion["shares"].as_array().unwrap().iter().find(|s| s["item"] == "satisfied").unwrap();
        assert_eq!((satisfied["yes"].as_i64(), satisfied["n"].as_i64()), (Some(30), Some(40)));
        let (lo, hi) = wilson(30.0, 40.0, 1.96);
        assert!((satisfied["low"].as_f64().unwrap() - lo).abs() < 1e-9, "{satisfied} vs {lo}");
        assert!((satisfied["high"].as_f64().unwrap() - hi).abs() < 1e-9, "{satisfied} vs {hi}");
        let outcome = &px1["ratings"][1];
        let employed = outcome["shares"].as_array().unwrap().iter().find(|s| s["item"] == "employed").unwrap();
        let (lo, hi) = wilson(25.0, 35.0, 1.96);
        assert!(
            (employed["low"].as_f64().unwrap() - lo).abs() < 1e-9
                && (employed["high"].as_f64().unwrap() - hi).abs() < 1e-9
        );
        // Ten answers: no rating, with the reason; the count is still shown.
        let few = &px2["ratings"][0];
        assert_eq!((few["verdict"].as_str(), few["responses"].as_i64()), (Some("too_few"), Some(10)));
        assert!(few["items"].as_array().unwrap().is_empty() && few["shares"].as_array().unwrap().is_empty());
        // A mean score is pulled towards the city mean (here the city is PX1 and PX2 together).
        let overall = completion["items"].as_array().unwrap().iter().find(|i| i["item"] == "overall").unwrap();
        let (mean, est) = (overall["mean"].as_f64().unwrap(), overall["estimate"].as_f64().unwrap());
        let city = (overall["mean"].as_f64().unwrap() * 40.0 + 5.0 * 10.0) / 50.0;
        assert!((est - (40.0 * mean + 20.0 * city) / 60.0).abs() < 1e-9, "{overall}");
    }
}

#[test]
fn a_one_time_code_answers_once_and_its_answer_counts() {
    let db = TestDb::new(Backend::Sqlite);
    school_with_projects(&db);
    let out = db.dir.path().join("codes.csv");
    let args = ["integrity", "codes", "--school", S1, "--year", "2025", "--project", "PX2", "--survey", "completion"];
    let mut with = args.to_vec();
    with.extend(["--count", "2", "--out", out.to_str().unwrap()]);
    db.ok(&with);
    let text = std::fs::read_to_string(&out).unwrap();
    let codes: Vec<&str> = text.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(codes.len(), 2);
    assert_eq!(db.query_i64("SELECT COUNT(*) FROM survey_code WHERE used_at IS NULL"), 2);
    // Only digests are kept: no code appears in the database.
    assert!(db.query_strings("SELECT code_hash FROM survey_code").iter().all(|h| !h.contains(codes[0])));
    // More codes than the project trained are refused, and nothing is issued.
    let mut many = args.to_vec();
    many.extend(["--count", "49", "--out", out.to_str().unwrap()]);
    let refused = db.vetis(&many);
    assert!(!refused.status.success() && stderr(&refused).contains("50"), "{}", stderr(&refused));
    assert_eq!(db.query_i64("SELECT COUNT(*) FROM survey_code"), 2);
}
