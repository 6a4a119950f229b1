//! The credit bank's figures (the Credit bank issue, item 7) and a learner's own look-up: graduates
//! holding 1+X certificates per program and school, credits requested, granted, rejected and
//! refused with their reasons, conversions across schools; kept as blocks that agree with the
//! records after every change, shown in `vetis credit figures`, `vetis targets` and the pages.
//! Through the binary and the router, on both backends.

use crate::common::web::*;
use crate::common::*;
use crate::credit::{CURRICULUM_H, ISSUER, LEARNER, apply, credit_city};
use axum::http::StatusCode;

/// The fixture's two certificate holders graduate from 4401000001 in 2021, with two classmates
/// without one (one in another program).
fn graduates_2021(db: &TestDb) {
    let csv = "student_no,id_type,id_number,name,gender,school_code,program_code,graduation_year,destination,employer_credit_code,employer_name,industry_code,in_field\n\
        S100070,,440106200501100053,学生10,男,4401000001,700206,2021,升入高职专科,,,,\n\
        S100170,,440106200502110181,学生11,女,4401000001,700206,2021,升入高职专科,,,,\n\
        S100270,,440113200203154014,学生12,男,4401000001,700206,2021,升入本科,,,,\n\
        S100370,,440113200203154145,学生13,女,4401000001,710201,2021,升入本科,,,,\n";
    let path = db.write("graduate-2021.csv", csv);
    db.ok(&["import", path.to_str().unwrap()]);
}

fn figures(db: &TestDb, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["credit", "figures", "--format", "json"];
    all.extend(args);
    serde_json::from_str(&db.ok(&all)).unwrap()
}

fn review(db: &TestDb, id: &serde_json::Value, args: &[&str]) {
    let id = id.to_string();
    let mut all = vec!["credit", "review", id.as_str()];
    all.extend(args);
    db.ok(&all);
}

#[test]
fn graduates_1x_certificates_and_credits_granted_are_counted_by_school_and_program_on_both_backends() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        credit_city(&db);
        graduates_2021(&db);
        // 2021: two of the four graduates hold 1+X certificates issued by then: 学生10 X2021060001
        // and one of 2015, 学生11 X2021060002 and E1 (both valid to 2024); the competition prize
        // and the later certificates do not count.
        let f = figures(&db, &["--year", "2021", "--school", "4401000001"]);
        assert_eq!((f["graduates"].as_i64(), f["holders"].as_i64()), (Some(4), Some(2)), "{backend:?}: {f}");
        assert_eq!(f["certificates"], 4, "{backend:?}: {f}");
        assert_eq!(f["holder_share"], 50.0);
        let programs = f["programs"].as_array().unwrap();
        let of = |code: &str| programs.iter().find(|p| p["program_code"] == code).unwrap().clone();
        assert_eq!((of("700206")["graduates"].as_i64(), of("700206")["holders"].as_i64()), (Some(3), Some(2)));
        assert_eq!(of("710201")["share"], 0.0, "{backend:?}: {f}");
        // The same in the district and the city (the other schools have no 2021 holders here).
        let city = figures(&db, &["--year", "2021"]);
        assert_eq!(city["holders"], 2, "{backend:?}: {city}");

        // Four applications on the 2021 curriculum: one granted, one rejected in review, one
        // refused by a rule, one still with the school.
        let (a, _) = apply(&db, "X1", "C01");
        review(&db, &a["id"], &["--approve"]);
        review(&db, &a["id"], &["--approve"]);
        let (b, _) = apply(&db, "X4", "C02");
        review(&db, &b["id"], &["--reject", "--reason", "课程内容不对应"]);
        let (refused, failed) = apply(&db, "X5", "G01");
        assert!(failed, "{refused}");
        let (_pending, _) = apply(&db, "X6", "F01");
        let f = figures(&db, &["--year", "2021", "--school", "4401000001"]);
        assert_eq!(f["applications"], 4, "{backend:?}: {f}");
        // Asked for: the courses' credits 4 + 10 + 8 + 4.
        assert_eq!(f["requested"], 26.0, "{backend:?}: {f}");
        assert_eq!((f["granted"].as_f64(), f["rejected"].as_f64()), (Some(4.0), Some(10.0)), "{f}");
        assert_eq!((f["refused"].as_f64(), f["pending"].as_f64()), (Some(8.0), Some(4.0)), "{f}");
        // Granted of decided: 4 of 4 + 10 + 8.
        let share = f["granted_share"].as_f64().unwrap();
        assert!((share - 400.0 / 22.0).abs() < 1e-9, "{share}");
        let reasons: Vec<String> =
            f["top_reasons"].as_array().unwrap().iter().map(|r| r["zh"].as_str().unwrap().to_string()).collect();
        assert!(reasons.iter().any(|r| r.contains("公共基础课")), "{backend:?}: {reasons:?}");
        assert!(reasons.iter().any(|r| r == "课程内容不对应"), "{backend:?}: {reasons:?}");

        // A conversion across schools: the learner moved to 4401000002, which converts the
        // outcome earned at 4401000001.
        let offering =
            "school_code,year,program_code,program_name,program_group,first_year\n4401000002,2023,730701,,,2015\n";
        let path = db.write("offering-2023.csv", offering);
        db.ok(&["import", path.to_str().unwrap()]);
        let student = std::fs::read_to_string(fixture_dir().join("student.csv")).unwrap();
        let header = student.lines().next().unwrap();
        let moved = format!(
            "{header}\nS200070,,{LEARNER},学生10,男,4401000002,2023,730701,全日制,2023,普通,在籍,,440106,否,否,汉族\n"
        );
        let path = db.write("student-2023.csv", &moved);
        db.ok(&["import", path.to_str().unwrap()]);
        let curriculum = format!(
            "{CURRICULUM_H}\n4401000002,2023,730701,G01,思想政治,公共基础课,8,144,18\n4401000002,2023,730701,C01,专业核心课一,专业核心课,4,72,\n"
        );
        let path = db.write("curriculum-2023.csv", &curriculum);
        db.ok(&["import", path.to_str().unwrap()]);
        let out = db.ok(&[
            "credit",
            "apply",
            "--certificate-no",
            "X7",
            "--issuer",
            ISSUER,
            "--school",
            "4401000002",
            "--year",
            "2023",
            "--program",
            "730701",
            "--course",
            "C01",
            "--format",
            "json",
        ]);
        let c: serde_json::Value = serde_json::from_str(&out).unwrap();
        review(&db, &c["id"], &["--approve"]);
        review(&db, &c["id"], &["--approve"]);
        let f = figures(&db, &["--year", "2023"]);
        assert_eq!((f["cross_school"].as_i64(), f["granted"].as_f64()), (Some(1), Some(4.0)), "{backend:?}: {f}");

        // Revoking a graduate's certificates takes them out of the holders.
        for no in ["X2021060002", "E1"] {
            db.ok(&["credit", "revoke", "--certificate-no", no, "--issuer", ISSUER, "--reason", "证书造假"]);
        }
        let f = figures(&db, &["--year", "2021", "--school", "4401000001"]);
        assert_eq!(f["holders"], 1, "{backend:?}: {f}");

        // The two rules appear among the plan's targets, with their figures.
        let targets: serde_json::Value =
            serde_json::from_str(&db.ok(&["targets", "--year", "2021", "--school", "4401000001", "--format", "json"]))
                .unwrap();
        let rule = |id: &str| targets.as_array().unwrap().iter().find(|t| t["id"] == id).unwrap().clone();
        assert_eq!(rule("x_certificate_share")["value"], 25.0, "{backend:?}: {}", rule("x_certificate_share"));
        let granted = rule("credit_granted_share")["value"].as_f64().unwrap();
        assert!((granted - 400.0 / 22.0).abs() < 1e-9, "{backend:?}: {granted}");
        let behind =
            db.ok(&["targets", "--year", "2021", "--school", "4401000001", "--failures", "x_certificate_share"]);
        assert!(behind.contains("710201") && behind.contains("无人持有1+X证书"), "{backend:?}: {behind}");
        // Kept through every change, the blocks agree with a computation from scratch.
        let checked = db.ok(&["figures", "check"]);
        assert!(checked.contains("一致"), "{backend:?}: {checked}");
        let table = db.ok(&["credit", "figures", "--year", "2021", "--school", "4401000001"]);
        assert!(table.contains("持1+X证书 1 人") && table.contains("主要不予转换原因"), "{backend:?}: {table}");
    }
}

#[tokio::test]
async fn a_learner_sees_their_own_account_by_id_and_name_every_look_up_audited_and_rate_limited() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let app = App::new(&db).await;
        let (status, page) = app.get("/account", None).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        assert!(page.contains("学习账户查询") && page.contains("证件号码"), "{page}");
        let look = |id: &'static str, name: &'static str| {
            let app = &app;
            async move {
                let req = axum::http::Request::post("/account")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(axum::body::Body::from(form(&[
                        ("id_type", "resident_id"),
                        ("id_number", id),
                        ("name", name),
                    ])))
                    .unwrap();
                app.call(req).await
            }
        };
        // A wrong name and an unknown ID get the same answer.
        let (_, _, wrong) = look(LEARNER, "学生99").await;
        let (_, _, unknown) = look("440106200501109999", "学生10").await;
        assert!(wrong.contains("没有与该证件号码和姓名相符") && unknown.contains("没有与该证件号码和姓名相符"));
        // The right pair shows the account masked, each outcome at its framework levels.
        let (status, headers, shown) = look(LEARNER, "学生10").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers.get("cache-control").unwrap(), "no-store");
        assert!(shown.contains("X2021060001") && shown.contains("J2021120007"), "{backend:?}: {shown}");
        assert!(!shown.contains(LEARNER) && !shown.contains("学生10"), "the ID number is masked, the name not echoed");
        assert!(shown.contains("国家学历层次") && shown.contains("未核实"), "{backend:?}: {shown}");
        assert!(shown.contains("香港资历架构学分 6"), "64 hours are 6 HKQF credits: {shown}");
        assert_eq!(db.query_i64("SELECT COUNT(*) FROM audit_log WHERE action = 'learner_lookup'"), 3, "{backend:?}");
        // Five look-ups an hour on one person are free; the sixth waits.
        for _ in 0..3 {
            look(LEARNER, "学生10").await;
        }
        let (_, _, waited) = look(LEARNER, "学生10").await;
        assert!(waited.contains("查询过于频繁"), "{backend:?}: {waited}");
        assert!(!waited.contains("X2021060001"));
    }
}

#[tokio::test]
async fn a_school_applies_in_the_browser_and_the_credit_bank_decides_the_last_step() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        credit_city(&db);
        add_user(&db, "school1", "school", &["--school", "4401000001"]);
        add_user(&db, "bank", "admin", &[]);
        add_user(&db, "school2", "school", &["--school", "4401000002"]);
        let app = App::new(&db).await;
        let (_, school) = app.sign_in_page("school1", PASSWORD).await;
        let school = school.unwrap();
        let (status, page) = app.get("/credit", Some(&school)).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {page}");
        assert!(page.contains("申请学分转换") && page.contains("持1+X证书的毕业生"), "{page}");
        let csrf = csrf_of(&page);
        // A refused application names its rule.
        let body = form(&[
            ("csrf", &csrf),
            ("certificate_no", "X5"),
            ("issuer", ISSUER),
            ("year", "2021"),
            ("program", "700206"),
            ("course", "G01"),
        ]);
        let (status, headers, _) = app.post_form("/credit/apply", &school, body).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        let to = headers.get("location").unwrap().to_str().unwrap().to_string();
        let (_, page) = app.get(&to, Some(&school)).await;
        assert!(page.contains("不符合规则") && page.contains("公共基础课"), "{backend:?}: {page}");
        // An eligible one: the school approves its step, then only the bank may decide.
        let body = form(&[
            ("csrf", &csrf),
            ("certificate_no", "X1"),
            ("issuer", ISSUER),
            ("year", "2021"),
            ("program", "700206"),
            ("course", "C01"),
        ]);
        let (_, headers, _) = app.post_form("/credit/apply", &school, body).await;
        let to = headers.get("location").unwrap().to_str().unwrap().to_string();
        let (_, page) = app.get(&to, Some(&school)).await;
        assert!(page.contains("学校教务审核"), "{page}");
        let review = format!("{to}/review");
        let (status, _, _) =
            app.post_form(&review, &school, form(&[("csrf", &csrf), ("decision", "approve"), ("reason", "")])).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, _) =
            app.post_form(&review, &school, form(&[("csrf", &csrf), ("decision", "approve"), ("reason", "")])).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}: the school does not decide the bank's step");
        // Another school does not see it at all.
        let (_, other) = app.sign_in_page("school2", PASSWORD).await;
        let (status, _) = app.get(&to, other.as_deref()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?}");
        let (_, bank) = app.sign_in_page("bank", PASSWORD).await;
        let bank = bank.unwrap();
        let (_, page) = app.get(&to, Some(&bank)).await;
        assert!(page.contains("学分银行认定"), "{page}");
        let bank_csrf = csrf_of(&page);
        app.post_form(&review, &bank, form(&[("csrf", &bank_csrf), ("decision", "approve"), ("reason", "")])).await;
        let (_, page) = app.get(&to, Some(&school)).await;
        assert!(page.contains("已认定"), "{backend:?}: {page}");
        // The API gives the same figures as `vetis credit figures --format json`; another
        // school's are not the school's to read.
        let (status, body) = app.get("/api/v1/credit/figures?year=2021&school=4401000001", Some(&school)).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
        let api: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!((api["applications"].as_i64(), api["granted"].as_f64()), (Some(2), Some(4.0)), "{api}");
        let (status, _) = app.get("/api/v1/credit/figures?year=2021&school=4401000002", Some(&school)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?}");
        // The dashboard shows the credit figures of the school.
        let (_, dash) = app.get("/dashboard", Some(&school)).await;
        assert!(dash.contains("学分银行与1+X证书") && dash.contains("认定学分"), "{backend:?}");
    }
}
