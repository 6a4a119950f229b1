//! The register of dual-qualified recognitions (the Teachers issue): a batch filed, decided and
//! published with its objection period; a recognition that expires turns its teacher's claim into
//! a warning (an error where the plan says so) and, when the plan counts the indicator from the
//! register, moves it; suspension, revocation and locked years. Through the binary, on both backends.

use crate::common::*;

/// A valid resident ID of a man born in 1980 for a person number.
fn person(n: u32) -> String {
    let first = format!("44010619800101{:03}", n * 2 + 1);
    format!("{first}{}", vetis::domain::ids::id_check_char(first.as_bytes()))
}

const SCHOOL: &str = "4401000001";

fn school_file(db: &TestDb) -> String {
    let school = "学校标识码,学校名称,办学层次,举办者,所在区,建校年份\n4401000001,广州市第一职业技术学校,中职,市属,440106,1958\n";
    db.write("school.csv", school).display().to_string()
}

/// One year's teachers: R1 and R2 claim to be dual-qualified, R3 does not; all three are full-time
/// specialty teachers with an intermediate title and 40 practice days in 2023.
fn teacher_file(db: &TestDb, year: i32) -> String {
    let h = "teacher_no,id_type,id_number,name,gender,school_code,year,category,is_specialty,dual_qualified,dual_since,education,degree,title,hire_date,industry_years";
    let row = |no: &str, n: u32, dual: bool| {
        let (claim, since) = if dual { ("是", "2020-06-09") } else { ("否", "") };
        format!(
            "{no},,{},教师{n},男,{SCHOOL},{year},专任教师,是,{claim},{since},本科,学士,中级,2010-09-01,0",
            person(n)
        )
    };
    let rows = [h.to_string(), row("R1", 1, true), row("R2", 2, true), row("R3", 3, false)].join("\n");
    db.write(&format!("teacher-{year}.csv"), &format!("{rows}\n")).display().to_string()
}

fn practice_file(db: &TestDb) -> String {
    let mut rows = vec!["teacher_no,school_code,credit_code,enterprise_name,start_date,end_date,days".to_string()];
    for no in ["R1", "R2", "R3"] {
        rows.push(format!("{no},{SCHOOL},91110000600037341L,广汽本田汽车有限公司,2023-07-01,2023-08-15,40"));
    }
    db.write("practice.csv", &format!("{}\n", rows.join("\n"))).display().to_string()
}

fn json(db: &TestDb, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = db.vetis(&all);
    serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{args:?}: {e}: {}{}", stdout(&out), stderr(&out)))
}

/// Files, decides and publishes a batch for one teacher; returns the published batch.
fn recognise(db: &TestDb, teacher: &str, published: &str) -> serde_json::Value {
    let b = json(
        db,
        &["dual", "apply", "--school", SCHOOL, "--level", "elementary", "--teacher", teacher, "--year", "2024"],
    );
    assert_eq!(b["applications"][0]["eligible"], true, "{b}");
    let app = b["applications"][0]["id"].as_i64().unwrap().to_string();
    db.ok(&["dual", "decide", &app, "--recognise"]);
    let batch = b["batch"].as_i64().unwrap().to_string();
    json(db, &["dual", "publish", &batch, "--on", published])
}

/// The secondary dual-qualified share of the school in a year.
fn share(db: &TestDb, year: &str) -> f64 {
    let v = json(db, &["indicators", "--year", year, "--school", SCHOOL]);
    let ind = v.as_array().unwrap().iter().find(|i| i["id"] == "secondary_dual_qualified_share").unwrap();
    ind["value"].as_f64().unwrap_or_else(|| panic!("{ind}"))
}

fn plan_with(db: &TestDb, name: &str, settings: &str) {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("plans/guangzhou-2021-2025.toml"),
    )
    .unwrap();
    let path = db.write(name, &format!("{text}\n[dual_register]\n{settings}\n"));
    db.ok(&["plan", "load", path.to_str().unwrap()]);
}

#[test]
fn a_recognition_that_expires_turns_the_claim_into_a_warning_and_moves_the_register_indicator_on_both_backends() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let (s, t24, p) = (school_file(&db), teacher_file(&db, 2024), practice_file(&db));
        db.ok(&["import", &s, &t24, &p]);
        // R1 published 2020-06-01 (a Monday): objections for five working days, in force from
        // 2020-06-09 to 2025-06-08. R2 published a year later, in force until 2026-05-31.
        let b1 = recognise(&db, "R1", "2020-06-01");
        assert_eq!(
            (b1["status"].as_str(), b1["objection_until"].as_str()),
            (Some("published"), Some("2020-06-08")),
            "{b1}"
        );
        recognise(&db, "R2", "2021-06-01");
        let list = json(&db, &["dual", "list", "--school", SCHOOL]);
        let r1 = list.as_array().unwrap().iter().find(|r| r["teacher_no"] == "R1").unwrap();
        assert_eq!((r1["valid_from"].as_str(), r1["valid_until"].as_str()), (Some("2020-06-09"), Some("2025-06-08")));

        // 2025: R1's recognition expired before the statistical date (09-30), R2's is in force.
        let t25 = teacher_file(&db, 2025);
        let out = db.vetis(&["import", &t25]);
        assert!(out.status.success(), "{backend:?}: a warning does not refuse: {}", stderr(&out));
        let err = stderr(&out);
        let warned: Vec<&str> = err.lines().filter(|l| l.contains("认定名册中没有在 2025-09-30")).collect();
        assert_eq!(warned.len(), 1, "{backend:?}: only R1's claim is unbacked:\n{}", stderr(&out));
        assert!(warned[0].contains("teacher-2025.csv:2:是否“双师型”教师"), "{backend:?}: the row named: {}", warned[0]);
        // Counted from the claims nothing moves; the register is shown beside it.
        assert!((share(&db, "2025") - 200.0 / 3.0).abs() < 1e-6);
        let f = json(&db, &["dual", "figures", "--school", SCHOOL, "--year", "2025"]);
        let d = &f["dual"][0];
        assert_eq!(
            (d["source"].as_str(), d["claims"][1].as_f64(), d["register"][1].as_f64()),
            (Some("claims"), Some(2.0), Some(1.0)),
            "{backend:?}: {f}"
        );
        // Today (after May 2026) both have run out.
        assert_eq!(f["levels"][0]["expired"], 2, "{f}");

        // Counted from the register, the expiry moves the indicator in 2025 and not in 2024.
        plan_with(&db, "register.toml", "indicator_source = \"register\"");
        assert!((share(&db, "2024") - 200.0 / 3.0).abs() < 1e-6, "{backend:?}: both in force in 2024");
        assert!((share(&db, "2025") - 100.0 / 3.0).abs() < 1e-6, "{backend:?}: {}", share(&db, "2025"));
        db.ok(&["figures", "check"]);

        // A locked year's figures cannot move: revoking R2 back into 2024 is refused, from 2025 not.
        let r2 = list.as_array().unwrap().iter().find(|r| r["teacher_no"] == "R2").unwrap()["id"]
            .as_i64()
            .unwrap()
            .to_string();
        db.ok(&["year", "lock", "2024"]);
        let out = db.vetis(&["dual", "revoke", &r2, "--reason", "材料不实", "--on", "2024-01-01"]);
        assert!(!out.status.success() && stderr(&out).contains("2024"), "{backend:?}: {}", stderr(&out));
        db.ok(&["dual", "revoke", &r2, "--reason", "材料不实", "--on", "2025-01-01"]);
        assert_eq!(share(&db, "2025"), 0.0, "{backend:?}");
        assert!((share(&db, "2024") - 200.0 / 3.0).abs() < 1e-6);
        db.ok(&["figures", "check"]);

        // The plan can make an unbacked claim an error: the file is refused, naming row and column.
        plan_with(&db, "strict.toml", "indicator_source = \"register\"\nclaims_without_recognition = \"error\"");
        let again = db.write("teacher-2025b.csv", &std::fs::read_to_string(&t25).unwrap().replace("教师3", "教师三"));
        let out = db.vetis(&["import", again.to_str().unwrap()]);
        assert!(!out.status.success(), "{backend:?}");
        assert!(stderr(&out).contains("是否“双师型”教师"), "{backend:?}: {}", stderr(&out));
        let audit = db.ok(&["audit"]);
        for action in ["dual_apply", "dual_decide", "dual_publish", "dual_revoke"] {
            assert!(audit.contains(action), "{backend:?}: {action} audited");
        }
    }
}

#[test]
fn the_panel_cannot_recognise_what_the_records_do_not_support_and_publishes_only_a_decided_batch() {
    let db = TestDb::new(Backend::Sqlite);
    let (s, t24) = (school_file(&db), teacher_file(&db, 2024));
    db.ok(&["import", &s, &t24]);
    // No practice and no enterprise year: elementary's enterprise experience is unmet.
    let b = json(&db, &["dual", "apply", "--school", SCHOOL, "--level", "elementary", "--teacher", "R1", "R3"]);
    assert_eq!(b["applications"][0]["eligible"], false, "{b}");
    assert_eq!(b["applications"][0]["unmet"][0]["condition"], "enterprise_experience", "{b}");
    let (a1, a2) = (b["applications"][0]["id"].to_string(), b["applications"][1]["id"].to_string());
    let out = db.vetis(&["dual", "decide", &a1, "--recognise"]);
    assert!(!out.status.success() && stderr(&out).contains("企业实践"), "{}", stderr(&out));
    let out = db.vetis(&["dual", "decide", &a1, "--reject"]);
    assert!(!out.status.success() && stderr(&out).contains("--reason"), "{}", stderr(&out));
    let batch = b["batch"].to_string();
    let out = db.vetis(&["dual", "publish", &batch]);
    assert!(!out.status.success() && stderr(&out).contains("R1"), "{}", stderr(&out));
    db.ok(&["dual", "decide", &a1, &a2, "--reject", "--reason", "企业实践不足"]);
    // A second application while one waits is refused; evidence goes with a waiting one only.
    let pdf = db.write_bytes("证明.pdf", b"%PDF-1.4 evidence");
    let out = db.vetis(&["dual", "evidence", &a1, pdf.to_str().unwrap()]);
    assert!(!out.status.success(), "decided: no more evidence");
    let p = json(&db, &["dual", "publish", &batch, "--on", "2024-05-10"]);
    assert_eq!(p["applications"][1]["status"], "not_recognised", "{p}");
    assert_eq!(json(&db, &["dual", "list"]).as_array().unwrap().len(), 0, "nothing recognised");
    let out = db.vetis(&["dual", "publish", &batch]);
    assert!(!out.status.success(), "published once");
}

#[test]
fn a_suspension_stops_the_register_counting_until_it_is_lifted() {
    let db = TestDb::new(Backend::Postgres);
    let (s, t24, p) = (school_file(&db), teacher_file(&db, 2024), practice_file(&db));
    db.ok(&["import", &s, &t24, &p]);
    plan_with(&db, "register.toml", "indicator_source = \"register\"");
    recognise(&db, "R1", "2021-06-01");
    let id = json(&db, &["dual", "list"])[0]["id"].to_string();
    assert!((share(&db, "2024") - 100.0 / 3.0).abs() < 1e-6);
    let r = json(&db, &["dual", "suspend", &id, "--reason", "师德问题调查中", "--on", "2024-09-01"]);
    assert_eq!(r["suspensions"][0]["from"], "2024-09-01", "{r}");
    assert_eq!(share(&db, "2024"), 0.0);
    assert!(!db.vetis(&["dual", "suspend", &id, "--reason", "again", "--on", "2024-09-02"]).status.success());
    db.ok(&["dual", "suspend", &id, "--lift", "--reason", "调查结束", "--on", "2024-09-20"]);
    assert!((share(&db, "2024") - 100.0 / 3.0).abs() < 1e-6);
    db.ok(&["figures", "check"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_teacher_pages_show_a_scope_its_register_a_teachers_record_and_a_studio_with_members_and_outputs() {
    use crate::common::web::*;
    use axum::http::StatusCode;
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        // A studio with a host and an output (data standard v1.3); a member who is no teacher is refused.
        let designation = "designation_code,kind,level,school_code,subject,program_code,approved_year,status,accepted_year\n\
                           S1,名教师、名校长、教育专家工作室,市级,4401000001,汽修名师工作室,,2021,立项建设,\n";
        db.ok(&["import", db.write("designation.csv", designation).to_str().unwrap()]);
        let bad = db.write("member.csv", "designation_code,school_code,teacher_no,role,joined_date\nS1,4401000001,T999,主持人,\nS9,4401000001,T1,成员,\n");
        let out = db.vetis(&["import", bad.to_str().unwrap()]);
        let err = stderr(&out);
        assert!(!out.status.success() && err.contains("T999") && err.contains("S9"), "{backend:?}: {err}");
        let member = db.write(
            "member.csv",
            "designation_code,school_code,teacher_no,role,joined_date\nS1,4401000001,T1,主持人,2021-09-01\n",
        );
        let output = db.write("output.csv", "designation_code,school_code,year,kind,title,achieved_date,note\nS1,4401000001,2022,教材,校本教材《汽车电控》,2022-06-01,\n");
        db.ok(&["import", member.to_str().unwrap(), output.to_str().unwrap()]);
        db.ok(&["dual", "apply", "--school", "4401000001", "--level", "elementary", "--teacher", "T1"]);
        add_user(&db, "school1", "school", &["--school", "4401000001"]);
        add_user(&db, "school3", "school", &["--school", "4401000003"]);
        let app = App::new(&db).await;
        let (_, c1) = app.sign_in_page("school1", PASSWORD).await;
        let (_, c3) = app.sign_in_page("school3", PASSWORD).await;
        let (c1, c3) = (c1.unwrap(), c3.unwrap());
        let (status, page) = app.get("/teachers", Some(&c1)).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        assert!(
            page.contains("待评审的认定申请") && page.contains("/teachers/4401000001/T1"),
            "{backend:?}: the waiting application"
        );
        assert!(page.contains("兼职教师资源库") && page.contains("“双师型”认定名册"), "{backend:?}");
        let (status, page) = app.get("/teachers/4401000001/T1", Some(&c1)).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        assert!(page.contains("教师档案") && page.contains("教*"), "{backend:?}: masked");
        assert!(!page.contains("440104198501016027"), "{backend:?}: no ID number");
        // Another school's teacher is not there for this school.
        assert_eq!(app.get("/teachers/4401000001/T1", Some(&c3)).await.0, StatusCode::NOT_FOUND, "{backend:?}");
        let (status, page) = app.get("/designation/S1", Some(&c3)).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        assert!(
            page.contains("汽修名师工作室") && page.contains("主持人") && page.contains("校本教材《汽车电控》"),
            "{backend:?}"
        );
        assert!(!page.contains("href=\"/teachers/4401000001/T1\""), "{backend:?}: no link to a record out of scope");
        assert_eq!(app.get("/designation/NOPE", Some(&c1)).await.0, StatusCode::NOT_FOUND);
        assert!(db.ok(&["audit"]).contains("teacher_record_view"), "{backend:?}");
    }
}
