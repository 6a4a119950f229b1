//! The plan's tasks end to end: the bureau assigns a task with expected outputs, the school files
//! its yearly plan and progress report with evidence, completion and overdue items follow, and
//! evidence is refused when it is not what it claims and hidden from other schools.

use crate::common::web::*;
use crate::common::*;
use axum::http::{Request, StatusCode};

#[test]
fn a_task_is_assigned_reported_with_evidence_and_measured_on_both_backends() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        db.ok(&["task", "add", "T37", "--title", "市级精品课程建设", "--section", "三(七)"]);
        db.ok(&[
            "task",
            "assign",
            "T37",
            "--school",
            "4401000001",
            "--years",
            "2021-2025",
            "--output",
            "市级精品课程:门:4",
            "--output",
            "教学资源库:个:1",
        ]);
        let dup = db.vetis(&["task", "assign", "T37", "--school", "4401000001", "--output", "x:门:1"]);
        assert_eq!(dup.status.code(), Some(1), "assigned once per school");
        let bad = db.vetis(&["task", "assign", "T37", "--school", "4401000002", "--output", "精品课程"]);
        assert!(stderr(&bad).contains("名称:单位:目标"), "{}", stderr(&bad));

        let list: serde_json::Value = serde_json::from_str(&db.ok(&["task", "list", "--json"])).unwrap();
        let a = &list[0];
        let id = a["id"].as_i64().unwrap().to_string();
        let outputs: Vec<i64> = a["outputs"].as_array().unwrap().iter().map(|o| o["id"].as_i64().unwrap()).collect();
        assert!(a["overdue"].as_array().unwrap().iter().any(|o| o == "2021 年度实施方案"), "{a}");

        let pdf = db.write_bytes("课程建设方案.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n");
        let fake = db.write_bytes("fake.pdf", b"MZ\x90\x00\x03\x00\x00\x00");
        db.ok(&[
            "task",
            "report",
            &id,
            "--year",
            "2021",
            "--kind",
            "plan",
            "--text",
            "本年度建设两门市级精品课程的实施方案。",
            "--evidence",
            pdf.to_str().unwrap(),
        ]);
        let refused = db.vetis(&[
            "task",
            "report",
            &id,
            "--year",
            "2021",
            "--kind",
            "progress",
            "--text",
            "本年度建成两门课程，资源库在建。",
            "--evidence",
            fake.to_str().unwrap(),
        ]);
        assert_eq!(refused.status.code(), Some(1));
        assert!(stderr(&refused).contains("只接受 PDF"), "{}", stderr(&refused));
        db.ok(&[
            "task",
            "report",
            &id,
            "--year",
            "2021",
            "--kind",
            "progress",
            "--text",
            "本年度建成两门课程，资源库在建。",
            "--figure",
            &format!("{}=2", outputs[0]),
            "--figure",
            &format!("{}=0", outputs[1]),
        ]);

        let list: serde_json::Value =
            serde_json::from_str(&db.ok(&["task", "list", "--school", "4401000001", "--json"])).unwrap();
        let a = &list[0];
        assert_eq!(a["completion"].as_f64(), Some(25.0), "half of one output, none of the other: {a}");
        assert!(!a["overdue"].as_array().unwrap().iter().any(|o| o.as_str().unwrap().starts_with("2021")), "{a}");
        assert_eq!(a["reports"][0]["evidence"][0]["file_name"], "课程建设方案.pdf");
        let audit = db.ok(&["audit"]);
        assert!(audit.contains("task_assign") && audit.contains("task_report") && audit.contains("evidence_upload"));
        let table = db.ok(&["task", "list"]);
        assert!(table.contains("25%"), "{table}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_school_files_through_the_browser_and_only_its_scope_sees_the_evidence() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    add_user(&db, "admin1", "admin", &[]);
    add_user(&db, "school1", "school", &["--school", "4401000001"]);
    add_user(&db, "school3", "school", &["--school", "4401000003"]);
    add_user(&db, "tianhe", "district", &["--district", "440106"]);
    let app = App::new(&db).await;
    let mut c = std::collections::HashMap::new();
    for u in ["admin1", "school1", "school3", "tianhe"] {
        c.insert(u, app.sign_in_page(u, PASSWORD).await.1.unwrap());
    }
    // The bureau adds and assigns a task through the forms.
    let (_, page) = app.get("/tasks", Some(&c["admin1"])).await;
    let csrf = csrf_of(&page);
    let (status, _, _) = app
        .post_form(
            "/tasks",
            &c["admin1"],
            form(&[("csrf", &csrf), ("code", "T37"), ("title", "市级精品课程建设"), ("section", "三(七)")]),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, headers, _) = app
        .post_form(
            "/tasks/assign",
            &c["admin1"],
            form(&[
                ("csrf", &csrf),
                ("code", "T37"),
                ("school", "4401000001"),
                ("years", "2021-2025"),
                ("outputs", "市级精品课程:门:4\n教学资源库:个:1"),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers["location"].to_str().unwrap().contains("saved"), "{headers:?}");
    let (_, page) = app.get("/tasks", Some(&c["school1"])).await;
    assert!(page.contains("市级精品课程建设"), "the school sees its assignment");
    let id = page.split("href=\"/tasks/").nth(1).unwrap().split('"').next().unwrap().to_string();
    // Another school's officer sees neither the task nor its page.
    assert!(!app.get("/tasks", Some(&c["school3"])).await.1.contains("市级精品课程建设"));
    assert_eq!(app.get(&format!("/tasks/{id}"), Some(&c["school3"])).await.0, StatusCode::FORBIDDEN);

    let (_, page) = app.get(&format!("/tasks/{id}"), Some(&c["school1"])).await;
    let output = page.split("name=\"figure_").nth(1).unwrap().split('"').next().unwrap().to_string();
    let boundary = "vetis-test-boundary";
    let mut body = Vec::new();
    for (k, v) in [
        ("csrf", csrf_of(&page)),
        ("year", "2021".into()),
        ("kind", "progress".into()),
        ("body", "本年度建成两门市级精品课程。".into()),
        (format!("figure_{output}").leak(), "2".into()),
    ] {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").into_bytes(),
        );
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"验收证明.png\"\r\nContent-Type: image/png\r\n\r\n").into_bytes());
    body.extend(b"\x89PNG\r\n\x1a\n0000");
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let req = Request::post(format!("/tasks/{id}/report"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .header("cookie", &c["school1"])
        .body(axum::body::Body::from(body))
        .unwrap();
    let (status, headers, _) = app.call(req).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers["location"].to_str().unwrap().ends_with("saved=1"), "{headers:?}");
    let (_, page) = app.get(&format!("/tasks/{id}"), Some(&c["tianhe"])).await;
    assert!(page.contains("本年度建成两门市级精品课程") && page.contains("验收证明.png"), "{page}");
    let evidence = page.split("href=\"/evidence/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let uri = format!("/evidence/{evidence}");
    let (status, body) = app.get(&uri, Some(&c["tianhe"])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.starts_with("\u{FFFD}PNG"), "the file as uploaded");
    assert_eq!(app.get(&uri, Some(&c["school3"])).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&uri, None).await.0, StatusCode::SEE_OTHER, "signed out: to the sign-in page");
    let (_, page) = app.get("/tasks", Some(&c["admin1"])).await;
    assert!(page.contains("25%"), "completion by task and district: {page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plans_tasks_are_preloaded_and_assigned_by_school_name_with_outputs_in_fields() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    add_user(&db, "admin1", "admin", &[]);
    let app = App::new(&db).await;
    let admin = app.sign_in_page("admin1", PASSWORD).await.1.unwrap();
    // The plan's fourteen tasks are there on a new database, each with a link to assign it.
    let (_, page) = app.get("/tasks", Some(&admin)).await;
    assert_eq!(page.matches("href=\"/tasks/assign?code=").count(), 14, "{page}");
    assert!(page.contains("提升职业教育信息化水平"), "{page}");
    // The form starts from the task file's suggested outputs, in fields, and lists the schools by name.
    let (status, form_page) = app.get("/tasks/assign?code=3-8", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{form_page}");
    assert!(form_page.contains("value=\"市级精品课程\"") && form_page.contains("value=\"4\""), "{form_page}");
    assert!(form_page.contains("<option value=\"天河区职业高级中学（"), "{form_page}");
    let csrf = csrf_of(&form_page);
    // A part of a name that fits several schools is refused with the candidates.
    let (status, headers, _) = app
        .post_form(
            "/tasks/assign",
            &admin,
            form(&[
                ("csrf", &csrf),
                ("code", "3-8"),
                ("school", "职业"),
                ("first_year", "2024"),
                ("last_year", "2025"),
                ("output_name_1", "市级精品课程"),
                ("output_unit_1", "门"),
                ("output_target_1", "2"),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let back = headers["location"].to_str().unwrap().to_string();
    assert!(back.starts_with("/tasks/assign?code=3-8&problem="), "{back}");
    let (_, refused) = app.get(&back, Some(&admin)).await;
    assert!(refused.contains("不唯一") && refused.contains("天河区职业高级中学"), "{refused}");
    let (status, headers, _) = app
        .post_form(
            "/tasks/assign",
            &admin,
            form(&[
                ("csrf", &csrf),
                ("code", "3-8"),
                ("school", "天河区职业高级中学"),
                ("first_year", "2024"),
                ("last_year", "2025"),
                ("output_name_1", "市级精品课程"),
                ("output_unit_1", "门"),
                ("output_target_1", "2"),
                ("output_name_2", ""),
                ("output_unit_2", ""),
                ("output_target_2", ""),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/tasks?saved=1");
    let (_, page) = app.get("/tasks", Some(&admin)).await;
    let id = page
        .split("href=\"/tasks/")
        .skip(1)
        .find(|p| !p.starts_with("assign"))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    // Each due item once, in date order, with its date; the overdue ones counted.
    let (_, task) = app.get(&format!("/tasks/{id}"), Some(&admin)).await;
    assert!(
        task.contains("报送安排") && task.contains("2024 年度实施方案") && task.contains("2024年3月31日"),
        "{task}"
    );
    assert!(task.contains("2026年1月31日"), "{task}");
    let late = task.matches("class=\"status-text-off_track\">逾期<").count();
    assert!(late >= 1 && task.contains(&format!("{late} 项逾期")), "the overdue items counted once each: {task}");
    assert_eq!(task.matches("class=\"badge badge-off_track\"").count(), 1, "one badge, not one per item");

    // From the command line, a task's suggested outputs are used when none are named.
    db.ok(&["task", "assign", "4-4", "--school", "番禺区职业技术学校", "--years", "2024-2025"]);
    let list: serde_json::Value = serde_json::from_str(&db.ok(&["task", "list", "--json"])).unwrap();
    let a = list.as_array().unwrap().iter().find(|a| a["task_code"] == "4-4").unwrap();
    assert_eq!(a["outputs"][0]["name"], "社会培训");
    assert_eq!(a["outputs"][0]["target"].as_f64(), Some(5000.0));
}
