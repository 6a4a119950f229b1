//! Every target of the plan on crafted records: counted designations, and each rule's edge cases
//! (overlapping practice, a teacher who changed school, a school with no students, conditions
//! named with value and threshold); a plan change moves statuses without a code change.

use crate::common::web::*;
use crate::common::*;

/// A valid resident ID of a woman (an even 17th digit) for a person number.
fn id(n: u32) -> String {
    let first = format!("44010419850101{:03}", n * 2);
    format!("{first}{}", vetis::domain::ids::id_check_char(first.as_bytes()))
}

fn targets(db: &TestDb, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["targets", "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str::<serde_json::Value>(&db.ok(&all)).unwrap().as_array().unwrap().clone()
}

fn find<'a>(all: &'a [serde_json::Value], id: &str) -> &'a serde_json::Value {
    all.iter().find(|t| t["id"] == id).unwrap_or_else(|| panic!("no target {id}"))
}

/// Two secondary schools in Tianhe; teacher 1 moved from school 1 to school 2 in 2024.
fn crafted(db: &TestDb) {
    let dir = db.dir.path();
    let school = "学校标识码,学校名称,办学层次,举办者,所在区,建校年份\n\
                  4401000001,广州市第一职业技术学校,中职,市属,440106,1958\n\
                  4401000002,天河区职业高级中学,中职,区属,440106,1984\n\
                  4401000006,广东省岭南职业学院,高职,市属,440106,1985\n";
    let h = "teacher_no,id_type,id_number,name,gender,school_code,year,category,is_specialty,dual_qualified,dual_since,education,degree,title,hire_date,industry_years";
    let t = |no: &str, n: u32, school: &str, year: i32| {
        format!("{no},,{},教师{n},女,{school},{year},专任教师,是,否,,本科,学士,中级,2010-09-01,3", id(n))
    };
    let teacher = [
        h.to_string(),
        t("T1", 1, "4401000001", 2023),
        t("T4", 4, "4401000001", 2023),
        t("B1", 1, "4401000002", 2024), // person 1, now at school 2
        t("B2", 2, "4401000002", 2024),
        t("B3", 3, "4401000002", 2024),
        t("B4", 4, "4401000002", 2024), // person 4, now at school 2
    ]
    .join("\n");
    // Person 1: 100 days at each school, overlapping in time: 159 distinct days, short.
    // Person 2: 120 + 60 days = exactly 180. Person 3: a placement from October 2019: only the
    // 88 days from 1 January 2020 (a leap year) fall in 2020–2024. Person 4: 92 days at school 1
    // and 90 at school 2 = 182, compliant only if the practice at the first school counts.
    let practice = "teacher_no,school_code,credit_code,enterprise_name,start_date,end_date,days\n\
        T1,4401000001,91110000600037341L,广汽本田汽车有限公司,2021-01-01,2021-04-10,100\n\
        T4,4401000001,91110000600037341L,广汽本田汽车有限公司,2020-03-01,2020-05-31,92\n\
        B1,4401000002,91110000600037341L,广汽本田汽车有限公司,2021-03-01,2021-06-08,100\n\
        B2,4401000002,91110000600037341L,广汽本田汽车有限公司,2022-01-01,2022-04-30,120\n\
        B2,4401000002,91110000600037341L,广汽本田汽车有限公司,2023-01-01,2023-03-01,60\n\
        B3,4401000002,91110000600037341L,广汽本田汽车有限公司,2019-10-01,2020-03-28,180\n\
        B4,4401000002,91110000600037341L,广汽本田汽车有限公司,2023-01-01,2023-03-31,90\n";
    // Training hours: person 1 has 200 + 160 = 360 at two schools; person 2 359; person 3 400 but
    // in 2019, outside 2020–2024; person 4 none.
    let pd = "teacher_no,school_code,course,level,hours,start_date,end_date\n\
        T1,4401000001,国培计划,国家级,200,2021-07-01,2021-07-20\n\
        B1,4401000002,省培计划,省级,160,2024-07-01,2024-07-20\n\
        B2,4401000002,省培计划,省级,359,2022-07-01,2022-07-20\n\
        B3,4401000002,省培计划,省级,400,2019-07-01,2019-07-20\n";
    // School 1 has students and fails one building rule; school 2 has no students at all.
    let sh = "student_no,id_type,id_number,name,gender,school_code,year,program_code,study_mode,entry_year,pathway,status,prior_school_code,origin_code,poverty,disability,ethnicity";
    let mut student = vec![sh.to_string()];
    for i in 0..1500u32 {
        // Born in January 2005 (a day per fifty), men (an odd 17th digit).
        let first = format!("44010620050{}{:02}{:03}", 1, 1 + i / 50, 2 * (i % 50) + 101);
        let idn = format!("{first}{}", vetis::domain::ids::id_check_char(first.as_bytes()));
        student.push(format!("S{i},,{idn},学生{i},男,4401000001,2024,700206,全日制,2024,普通,在籍,,440106,否,否,汉族"));
    }
    let condition = "school_code,year,land_area,building_area,equipment_value,books,workstations\n\
        4401000001,2024,52000,25800,3200,60000,800\n\
        4401000002,2024,41000,25000,1800,40000,500\n";
    let designation = "designation_code,kind,level,school_code,subject,program_code,approved_year,status,accepted_year\n\
        D1,省高水平中等职业学校,省级,4401000001,,,2021,验收通过,2023\n\
        D2,省高水平中等职业学校,省级,4401000002,,,2022,立项建设,\n\
        D3,市级精品课程,市级,4401000001,汽车维修,,2022,立项建设,\n\
        D4,区重点建设中等职业学校,区级,4401000002,,,2022,立项建设,\n";
    let training = "project_code,school_code,year,name,category,start_date,end_date,hours,person_times,completed,certified,revenue\n\
        P1,4401000001,2024,汽修培训,企业职工,2024-03-01,2024-03-20,40,2900,2800,,\n";
    let offering = "school_code,year,program_code,program_name,program_group,first_year\n\
        4401000001,2024,700206,,,2015\n4401000002,2024,730701,,,2016\n";
    // 职业精神 hours: school 1's program exactly at 16 (10 + 6 over two courses), school 2's at 15.5.
    let curriculum = "school_code,year,program_code,course_code,course_name,course_type,credits,hours,ideals_hours\n\
        4401000001,2024,700206,G1,思想政治,公共基础课,8,144,10\n\
        4401000001,2024,700206,E1,职业素养,专业拓展课,2,36,6\n\
        4401000002,2024,730701,G1,思想政治,公共基础课,8,144,15.5\n";
    let files = [
        ("school.csv", school.to_string()),
        ("teacher.csv", teacher),
        ("practice.csv", practice.to_string()),
        ("pd.csv", pd.to_string()),
        ("student.csv", student.join("\n")),
        ("condition.csv", condition.to_string()),
        ("designation.csv", designation.to_string()),
        ("training.csv", training.to_string()),
        ("offering.csv", offering.to_string()),
        ("curriculum.csv", curriculum.to_string()),
    ];
    let mut paths = Vec::new();
    for (name, content) in files {
        paths.push(db.write(name, &(content + "\n")).display().to_string());
    }
    let mut args = vec!["import"];
    args.extend(paths.iter().map(String::as_str));
    let _ = dir;
    db.ok(&args);
}

#[test]
fn new_teachers_need_practice_days_since_their_hire_date_on_both_backends() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let school = "学校标识码,学校名称,办学层次,举办者,所在区,建校年份\n4401000001,广州市第一职业技术学校,中职,市属,440106,1958\n";
        let h = "teacher_no,id_type,id_number,name,gender,school_code,year,category,is_specialty,dual_qualified,dual_since,education,degree,title,hire_date,industry_years";
        let t = |no: &str, n: u32, hired: &str, industry: &str| {
            format!("{no},,{},教师{n},女,4401000001,2024,专任教师,否,否,,本科,学士,初级,{hired},{industry}", id(n))
        };
        // N1 and N2 are new without enterprise work (N2's years not given: none); E1 has five
        // years in industry; O1 was hired in 2015; U1 gives no hire date.
        let teacher = [
            h.to_string(),
            t("N1", 11, "2023-09-01", "0"),
            t("N2", 12, "2024-03-01", ""),
            t("E1", 13, "2023-09-01", "5"),
            t("O1", 14, "2015-09-01", "0"),
            t("U1", 15, "", "0"),
        ]
        .join("\n");
        // Data standard v1.2: the form of each placement and whether its host confirmed it.
        // N1: 30 days before the hire date (not counted) and 60 after; N2: 30 after.
        let practice = "teacher_no,school_code,credit_code,enterprise_name,start_date,end_date,days,form,host_confirmed\n\
            N1,4401000001,91110000600037341L,广汽本田汽车有限公司,2023-07-01,2023-07-30,30,考察观摩,是\n\
            N1,4401000001,91110000600037341L,广汽本田汽车有限公司,2024-01-02,2024-03-01,60,兼职或任职,是\n\
            N2,4401000001,91110000600037341L,广汽本田汽车有限公司,2024-07-01,2024-07-30,30,企业技能培训,否\n";
        let paths: Vec<String> =
            [("school.csv", school.to_string()), ("teacher.csv", teacher), ("practice.csv", practice.to_string())]
                .iter()
                .map(|(name, content)| db.write(name, &format!("{content}\n")).display().to_string())
                .collect();
        let mut args = vec!["import"];
        args.extend(paths.iter().map(String::as_str));
        db.ok(&args);
        let all = targets(&db, &["--year", "2024"]);
        let r = find(&all, "new_teacher_practice");
        assert_eq!((r["numerator"].as_f64(), r["denominator"].as_f64()), (Some(1.0), Some(2.0)), "{backend:?}: {r}");
        let shown = db.ok(&["targets", "--year", "2024", "--failures", "new_teacher_practice"]);
        assert!(
            shown.contains("N2") && shown.contains("2024-03-01 入职以来企业实践 30 天，差 30 天"),
            "{backend:?}: {shown}"
        );
        assert!(!shown.contains("N1") && !shown.contains("E1") && !shown.contains("U1"), "{shown}");
        // The blocks agree with the records, and the new columns come back out.
        assert!(db.ok(&["figures", "check"]).contains("一致"), "{backend:?}");
        let exported = db.ok(&["export", "--table", "practice"]);
        assert!(exported.contains("兼职或任职") && exported.contains("企业是否确认"), "{backend:?}: {exported}");
        // A form outside the code list is refused with its place and the list.
        let bad = db.write(
            "practice-bad.csv",
            "teacher_no,school_code,credit_code,enterprise_name,start_date,end_date,days,form\n\
             N2,4401000001,91110000600037341L,广汽本田汽车有限公司,2024-09-01,2024-09-10,10,参观\n",
        );
        let out = db.vetis(&["import", bad.to_str().unwrap()]);
        assert!(!out.status.success() && stderr(&out).contains(":2:实践形式"), "{backend:?}: {}", stderr(&out));
    }
}

#[test]
fn every_rule_is_computed_from_crafted_records_on_both_backends() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        crafted(&db);
        let all = targets(&db, &["--year", "2024"]);
        assert_eq!(all.iter().filter(|t| t["kind"] == "key").count(), 10);
        assert_eq!(all.iter().filter(|t| t["kind"] == "counted").count(), 24);
        assert_eq!(all.iter().filter(|t| t["kind"] == "rule").count(), 10);

        // Practice: persons 2 (180 days) and 4 (182 across two schools) pass; 1 (159 distinct
        // days of 200 reported) and 3 (88 days in the window) fail.
        let p = find(&all, "practice_compliance");
        assert_eq!((p["numerator"].as_f64(), p["denominator"].as_f64()), (Some(2.0), Some(4.0)), "{backend:?}: {p}");
        // Training cycle: only person 1, 200 + 160 hours at two schools.
        let c = find(&all, "training_cycle_compliance");
        assert_eq!((c["numerator"].as_f64(), c["denominator"].as_f64()), (Some(1.0), Some(4.0)), "{c}");
        // Conditions: school 1 has 25 800 m² for 1 500 students (17.2 m² each); school 2 has none.
        let k = find(&all, "condition_compliance");
        assert_eq!((k["numerator"].as_f64(), k["denominator"].as_f64()), (Some(0.0), Some(2.0)), "{k}");
        // Training to enrolment: school 1 is a quality school with 2 900 ÷ 1 500 < 2.
        let r = find(&all, "training_to_enrolment");
        assert_eq!((r["numerator"].as_f64(), r["denominator"].as_f64()), (Some(0.0), Some(1.0)), "{r}");
        // Counted: one accepted provincial high-level school (another still being built).
        let h = find(&all, "provincial_high_level_secondary_school");
        assert_eq!(h["value"].as_f64(), Some(1.0));
        assert!(h["note"].as_str().unwrap().contains("另有 1 个在建"), "{h}");
        assert_eq!(find(&all, "municipal_quality_course")["value"].as_f64(), Some(1.0), "in construction counts");
        let d = find(&all, "district_key_secondary_school");
        assert_eq!((d["value"].as_f64(), d["target"].as_f64()), (Some(1.0), Some(11.0)), "one district of eleven");
        // Coverage: auto service (700206) and e-commerce (730701) of the counted key industries.
        let i = find(&all, "industry_coverage");
        assert_eq!(i["numerator"].as_f64(), Some(2.0), "{i}");
        // 职业精神 hours (plan 三(六)): 16 passes, 15.5 does not; the failing program is named.
        let e = find(&all, "ideals_hours_compliance");
        assert_eq!((e["numerator"].as_f64(), e["denominator"].as_f64()), (Some(1.0), Some(2.0)), "{backend:?}: {e}");
        let shown = db.ok(&["targets", "--year", "2024", "--failures", "ideals_hours_compliance"]);
        assert!(shown.contains("730701") && shown.contains("15.5 学时，少于 16 学时"), "{backend:?}: {shown}");
        for t in &all {
            for field in ["id", "kind", "name", "status"] {
                assert!(t[field].is_string(), "{field} of {t}");
            }
        }
    }
}

#[test]
fn a_threshold_changed_in_the_plan_file_changes_the_status() {
    let db = TestDb::new(Backend::Sqlite);
    crafted(&db);
    let failures = |db: &TestDb| db.ok(&["targets", "--year", "2024", "--failures", "condition_compliance"]);
    let before = failures(&db);
    assert!(before.contains("生均校舍建筑面积 17.2 m² < 20 m²"), "{before}");
    assert!(before.contains("专任教师数 0 人 < 60 人"), "{before}");
    // The school with no students has no per-student values: named, not divided by zero.
    assert!(before.contains("4401000002") && before.contains("生均占地面积：无数据"), "{before}");
    let city = targets(&db, &["--year", "2024"]);
    assert_eq!(find(&city, "municipal_quality_course")["status"], "off_track");
    let plan = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/plans/guangzhou-2021-2025.toml")).unwrap();
    let relaxed = plan
        .replace("per = \"full_time_students\"\nmin = 20\n", "per = \"full_time_students\"\nmin = 17\n")
        .replace("min_days = 180", "min_days = 150")
        .replace("designation_kind = \"municipal_quality_course\"\nsection = \"三(七)\"\nlevels = [\"municipal\"]\nstatuses = [\"accepted\", \"in_progress\"]\ntarget = 80", "designation_kind = \"municipal_quality_course\"\nsection = \"三(七)\"\nlevels = [\"municipal\"]\nstatuses = [\"accepted\", \"in_progress\"]\ntarget = 1");
    assert_eq!(relaxed.matches("min = 17").count(), 1);
    let file = db.write("relaxed.toml", &relaxed);
    db.ok(&["plan", "load", file.to_str().unwrap()]);
    let after = failures(&db);
    assert!(!after.contains("生均校舍建筑面积 17.2") && after.contains("专任教师数 0 人"), "{after}");
    let city = targets(&db, &["--year", "2024"]);
    assert_eq!(find(&city, "municipal_quality_course")["status"], "met");
    assert_eq!(find(&city, "practice_compliance")["numerator"].as_f64(), Some(3.0), "159 days ≥ 150 now");
    // The failures name the teacher (masked) and how far short: the rows behind the figure.
    let out = db.ok(&["targets", "--year", "2024", "--failures", "practice_compliance"]);
    assert!(out.contains("B3") && out.contains("2020–2024 年累计 88 天，差 62 天"), "{out}");
    // A plan naming an unknown designation kind is refused with where the problem is.
    let broken = db.write(
        "broken.toml",
        &plan.replace("designation_kind = \"head_teacher_studio\"", "designation_kind = \"no_such_kind\""),
    );
    let out = db.vetis(&["plan", "load", broken.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("target 'no_such_kind': no [[designation_kind]] has this key"), "{}", stderr(&out));
}

#[test]
fn practice_counts_recorded_days_and_a_school_is_judged_by_its_own_ratio() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        crafted(&db);
        // Two more teachers at school 1 in 2024, each with one placement of 184 calendar days
        // (2022-03-01 to 2022-08-31): person 5 recorded 170 practice days, person 6 recorded 180.
        let h = "teacher_no,id_type,id_number,name,gender,school_code,year,category,is_specialty,dual_qualified,dual_since,education,degree,title,hire_date,industry_years";
        let t = |no: &str, n: u32| {
            format!("{no},,{},教师{n},女,4401000001,2024,专任教师,是,否,,本科,学士,中级,2010-09-01,3", id(n))
        };
        db.ok(&[
            "import",
            db.write("teacher_2024.csv", &format!("{h}\n{}\n{}\n", t("C5", 5), t("C6", 6))).to_str().unwrap(),
        ]);
        let p = "teacher_no,school_code,credit_code,enterprise_name,start_date,end_date,days\n\
            C5,4401000001,91110000600037341L,广汽本田汽车有限公司,2022-03-01,2022-08-31,170\n\
            C6,4401000001,91110000600037341L,广汽本田汽车有限公司,2022-03-01,2022-08-31,180\n";
        db.ok(&["import", "--table", "practice", db.write("practice_more.csv", p).to_str().unwrap()]);
        let school = targets(&db, &["--year", "2024", "--school", "4401000001"]);
        // At school 1 in 2024: C5 (170 < 180) fails, C6 (180) passes.
        let pr = find(&school, "practice_compliance");
        assert_eq!((pr["numerator"].as_f64(), pr["denominator"].as_f64()), (Some(1.0), Some(2.0)), "{backend:?}: {pr}");
        let out = db.ok(&["targets", "--year", "2024", "--school", "4401000001", "--failures", "practice_compliance"]);
        assert!(out.contains("C5") && out.contains("累计 170 天，差 10 天"), "{out}");
        assert!(!out.contains("C6"), "{out}");

        // Training to enrolment at school 1: 2 900 person-times ÷ 1 500 full-time students.
        let r = find(&school, "training_to_enrolment");
        assert!((r["value"].as_f64().unwrap() - 2900.0 / 1500.0).abs() < 1e-9, "{backend:?}: {r}");
        assert_eq!(r["target"].as_f64(), Some(2.0), "{r}");
        assert_eq!(r["status"], "off_track", "{r}");
        // No share is ever projected outside 0–100 %.
        for t in targets(&db, &["--year", "2024"]).iter().filter(|t| t["unit"] == "%") {
            if let Some(p) = t["projection"].as_f64() {
                assert!((0.0..=100.0).contains(&p), "{t}");
            }
        }
        // In the target year a figure is met or not met, with no projection beside it.
        let final_year = targets(&db, &["--year", "2025"]);
        let course = find(&final_year, "municipal_quality_course");
        assert_eq!(course["status"], "not_met", "{course}");
        assert!(course["projection"].is_null(), "{course}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_total_split_by_the_bureau_is_judged_in_each_district_and_otherwise_said_to_be_the_citys() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let district = |db: &TestDb| -> serde_json::Value {
            let all: serde_json::Value = serde_json::from_str(&db.ok(&[
                "indicators",
                "--year",
                "2020",
                "--district",
                "440106",
                "--format",
                "json",
            ]))
            .unwrap();
            all.as_array().unwrap().iter().find(|r| r["id"] == "secondary_enrolment").unwrap().clone()
        };
        // Without shares a district has no target of its own for a city total.
        let before = district(&db);
        assert_eq!(before["status"], "no_target", "{backend:?}: {before}");
        add_user(&db, "tianhe", "district", &["--district", "440106"]);
        let app = App::new(&db).await;
        let cookie = app.sign_in_page("tianhe", PASSWORD).await.1.unwrap();
        let (_, page) = app.get("/indicator/secondary_enrolment?year=2020", Some(&cookie)).await;
        assert!(page.contains("此项目标只适用于全市"), "{backend:?}: {page}");

        // A share of a ratio is refused, naming the share; nothing is loaded.
        let bad = db.write(
            "bad.toml",
            "id = \"s\"\nversion = \"1\"\nname_zh = \"分解\"\n[[share]]\nindicator = \"secondary_progression_rate\"\ndistrict = \"440106\"\npercent = 10\n",
        );
        let refused = db.vetis(&["plan", "shares", "load", bad.to_str().unwrap()]);
        assert!(!refused.status.success() && stderr(&refused).contains("[[share]] 1"), "{}", stderr(&refused));
        let good = db.write(
            "shares.toml",
            "id = \"s\"\nversion = \"1\"\nname_zh = \"分解\"\n[[share]]\nindicator = \"secondary_enrolment\"\ndistrict = \"440106\"\npercent = 30\n",
        );
        db.ok(&["plan", "shares", "load", good.to_str().unwrap()]);
        assert!(db.ok(&["plan", "shares", "show"]).contains("440106"));
        let after = district(&db);
        assert_eq!(after["target"].as_f64(), Some(3.0), "{backend:?}: 30 % of the city's 10 万: {after}");
        assert_eq!(after["target_share"].as_f64(), Some(30.0));
        assert_ne!(after["status"], "no_target", "{after}");
        let app = App::new(&db).await;
        let cookie = app.sign_in_page("tianhe", PASSWORD).await.1.unwrap();
        let (_, page) = app.get("/indicator/secondary_enrolment?year=2020", Some(&cookie)).await;
        assert!(page.contains("全市目标的 30%") && page.contains("≈30,000"), "{backend:?}: {page}");
        assert!(db.ok(&["audit"]).contains("target_shares_load"));
    }
}
