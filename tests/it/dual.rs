//! Dual-qualified recognition (the Teachers issue): the conditions of each level as data, and the
//! pre-check of a school's teachers on their records, every unmet condition named. Through the
//! binary, on both backends.

use crate::common::*;
use crate::credit::{CERTIFICATE_H, ISSUER};

/// A valid resident ID of a woman born in 1985 for a person number.
fn person(n: u32) -> String {
    let first = format!("44010419850101{:03}", n * 2);
    format!("{first}{}", vetis::domain::ids::id_check_char(first.as_bytes()))
}

/// One school's teachers of 2024: D1 intermediate title with 200 days of practice (120 of them
/// at another school, as D9 there), D2 junior title with 40 days and an intermediate skill
/// certificate, D3 junior with nothing.
fn teachers(db: &TestDb) {
    let school = "学校标识码,学校名称,办学层次,举办者,所在区,建校年份\n\
                  4401000001,广州市第一职业技术学校,中职,市属,440106,1958\n\
                  4401000002,天河区职业高级中学,中职,区属,440106,1984\n";
    let h = "teacher_no,id_type,id_number,name,gender,school_code,year,category,is_specialty,dual_qualified,dual_since,education,degree,title,hire_date,industry_years";
    let t = |no: &str, n: u32, school: &str, title: &str| {
        format!("{no},,{},教师{n},女,{school},2024,专任教师,是,否,,本科,学士,{title},2015-09-01,0", person(n))
    };
    let teacher = [
        h.to_string(),
        t("D1", 21, "4401000001", "中级"),
        t("D2", 22, "4401000001", "初级"),
        t("D3", 23, "4401000001", "初级"),
        t("D9", 21, "4401000002", "中级"),
    ]
    .join("\n");
    let practice = "teacher_no,school_code,credit_code,enterprise_name,start_date,end_date,days\n\
        D1,4401000001,91110000600037341L,广汽本田汽车有限公司,2023-07-01,2023-09-30,80\n\
        D9,4401000002,91110000600037341L,广汽本田汽车有限公司,2022-07-01,2022-11-30,120\n\
        D2,4401000001,91110000600037341L,广汽本田汽车有限公司,2024-07-01,2024-08-15,40\n";
    let certificate = format!(
        "{CERTIFICATE_H}\nS2024000022,,{},教师22,职业技能等级认定,汽车维修工,中级,广州市职业技能等级认定指导中心,{ISSUER},2023-06-30,,,,,\n",
        person(22)
    );
    let mut paths = Vec::new();
    for (name, content) in [
        ("school.csv", school.to_string()),
        ("teacher.csv", teacher),
        ("practice.csv", practice.to_string()),
        ("certificate.csv", certificate),
    ] {
        paths.push(db.write(name, &format!("{content}\n")).display().to_string());
    }
    let mut args = vec!["import"];
    args.extend(paths.iter().map(String::as_str));
    db.ok(&args);
}

#[test]
fn the_rules_show_each_levels_conditions_and_which_the_records_check() {
    let db = TestDb::new(Backend::Sqlite);
    let v: serde_json::Value = serde_json::from_str(&db.ok(&["dual", "rules", "show", "--format", "json"])).unwrap();
    let levels: Vec<&str> = v.as_array().unwrap().iter().map(|l| l["level"].as_str().unwrap()).collect();
    assert_eq!(levels, ["elementary", "intermediate", "advanced"]);
    let ethics = &v[0]["conditions"][0];
    assert_eq!((ethics["id"].as_str(), ethics["checked"].as_bool()), (Some("ethics"), Some(false)), "{v}");
    assert!(v[1]["conditions"].as_array().unwrap().iter().any(|c| c["id"] == "practice" && c["checked"] == true));
    assert!(db.ok(&["dual", "rules", "show"]).contains("专家评议"));
}

#[test]
fn a_batch_is_prechecked_on_the_records_with_every_unmet_condition_named_on_both_backends() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        teachers(&db);
        let run = |level: &str| -> (serde_json::Value, bool) {
            let out = db.vetis(&[
                "dual",
                "precheck",
                "--school",
                "4401000001",
                "--level",
                level,
                "--teacher",
                "D1",
                "D2",
                "D3",
                "D7",
                "--format",
                "json",
            ]);
            (
                serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out))),
                out.status.success(),
            )
        };
        let (v, ok) = run("intermediate");
        assert!(!ok, "a batch with an ineligible teacher exits 1");
        let of = |no: &str| v.as_array().unwrap().iter().find(|t| t["teacher_no"] == no).unwrap().clone();
        let unmet = |t: &serde_json::Value| -> Vec<String> {
            t["unmet"].as_array().unwrap().iter().map(|u| u["condition"].as_str().unwrap().to_string()).collect()
        };
        // D1: an intermediate title and 80 + 120 days, the 120 done as D9 at the other school.
        assert_eq!(
            (of("D1")["eligible"].as_bool(), of("D1")["level"].as_str()),
            (Some(true), Some("intermediate")),
            "{backend:?}: {v}"
        );
        // D2: the skill certificate stands for the title; 40 days are 140 short.
        assert_eq!(unmet(&of("D2")), ["practice"], "{backend:?}: {v}");
        assert!(of("D2")["unmet"][0]["message"].as_str().unwrap().contains("近 5 年企业实践 40 天，差 140 天"), "{v}");
        // D3: neither; D7 is no teacher of the school.
        assert_eq!(unmet(&of("D3")), ["title", "practice"], "{backend:?}: {v}");
        assert_eq!(unmet(&of("D7")), ["teacher"]);
        // Elementary: 30 days suffice for D1 and D2 (D3 has no practice and no enterprise year).
        let (v, _) = run("elementary");
        let of = |no: &str| v.as_array().unwrap().iter().find(|t| t["teacher_no"] == no).unwrap().clone();
        assert_eq!(
            (of("D1")["eligible"].as_bool(), of("D2")["eligible"].as_bool()),
            (Some(true), Some(true)),
            "{backend:?}: {v}"
        );
        assert_eq!(unmet(&of("D3")), ["enterprise_experience"], "{backend:?}: {v}");
        let shown = db.vetis(&["dual", "precheck", "--school", "4401000001", "--level", "advanced", "--teacher", "D1"]);
        assert!(stdout(&shown).contains("D1 高级: 不符合") && stdout(&shown).contains("730"), "{}", stdout(&shown));
    }
}
