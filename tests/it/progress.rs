//! Daily work (the Daily work issue, items 1, 2 and 10): the submission progress board against the
//! statistical calendar, reminders to the late schools, the bell's notices of review, approval and
//! return, and the site's own 404 and error pages inside the signed-in layout, on both backends.

use crate::common::web::*;
use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};

const H: &str =
    "project_code,school_code,year,name,category,start_date,end_date,hours,person_times,completed,certified,revenue";

fn board(db: &TestDb, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["progress", "board", "--format", "json"];
    all.extend(args);
    serde_json::from_str(&db.ok(&all)).unwrap()
}

fn column<'a>(b: &'a serde_json::Value, table: &str) -> &'a serde_json::Value {
    b["columns"].as_array().unwrap().iter().find(|c| c["table"] == table).unwrap()
}

#[test]
fn the_board_counts_each_table_against_its_due_date_and_a_new_calendar_moves_them() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        // Before the autumn due dates nothing of 2020 is late; after them the missing returns are.
        let early = board(&db, &["--year", "2020", "--on", "2020-09-01"]);
        assert!(early["columns"].as_array().unwrap().iter().all(|c| c["late"] == 0), "{early}");
        let b = board(&db, &["--year", "2020", "--on", "2021-04-10"]);
        let student = column(&b, "student");
        assert_eq!(student["owed"], 7, "{backend:?}");
        assert_eq!((student["submitted"].clone(), student["approved"].clone()), (7.into(), 7.into()));
        assert_eq!(student["due"], "2020-10-31");
        // Nobody returned the finance table: all 7 late by April 2021 (due 31 March).
        let finance = column(&b, "finance");
        assert_eq!((finance["submitted"].clone(), finance["late"].clone()), (0.into(), 7.into()));
        assert_eq!(b["complete"], 0);
        // A district sees its own schools only.
        let tianhe = board(&db, &["--year", "2020", "--district", "440106", "--on", "2021-04-10"]);
        let codes: Vec<&str> =
            tianhe["rows"].as_array().unwrap().iter().map(|r| r["school"].as_str().unwrap()).collect();
        assert_eq!(codes, ["4401000001", "4401000002", "4401000006"]);
        // The workbook: one sheet with the due dates in its header.
        let out = db.dir.path().join("progress.xlsx");
        db.ok(&[
            "progress",
            "board",
            "--year",
            "2020",
            "--on",
            "2021-04-10",
            "--format",
            "xlsx",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(std::fs::read(&out).unwrap().starts_with(b"PK"));

        // A calendar is data: a bad one is refused naming each problem, a new version moves the dates.
        let bad = db.write("bad.toml", "id = \"c\"\nversion = \"2\"\nname_zh = \"日历\"\nremind_days = 7\n[[table]]\nkey = \"practice\"\ndue = \"10-31\"\nowed_by = \"all\"\n");
        let out = db.vetis(&["progress", "calendar", "load", bad.to_str().unwrap()]);
        assert!(!out.status.success());
        assert!(
            stderr(&out)
                .contains("bad.toml: [[table]] key = \"practice\": practice is not returned per school and year"),
            "{}",
            stderr(&out)
        );
        let good = db.write(
            "calendar.toml",
            "id = \"gz\"\nversion = \"2026.1\"\nname_zh = \"新日历\"\nremind_days = 7\n[[table]]\nkey = \"student\"\ndue = \"11-15\"\nowed_by = \"secondary\"\n",
        );
        db.ok(&["progress", "calendar", "load", good.to_str().unwrap()]);
        let b = board(&db, &["--year", "2020", "--on", "2021-04-10"]);
        assert_eq!(b["columns"].as_array().unwrap().len(), 1);
        assert_eq!(
            (column(&b, "student")["due"].clone(), column(&b, "student")["owed"].clone()),
            ("2020-11-15".into(), 4.into())
        );
        assert_eq!(db.query_i64("SELECT COUNT(*) FROM audit_log WHERE action = 'calendar_load'"), 1);
    }
}

async fn upload(app: &App, cookie: &str, name: &str, content: &str) -> StatusCode {
    let (_, page) = app.get("/submissions", Some(cookie)).await;
    let (ct, body) = multipart(&[("csrf", &csrf_of(&page)), ("table", "")], Some((name, content)));
    let req = Request::post("/submissions").header("content-type", ct).header("cookie", cookie).body(body).unwrap();
    app.call(req).await.0
}

/// The bell's number in a page's header.
fn bell(page: &str) -> i64 {
    let Some(at) = page.find("class=\"bell\"") else { return -1 };
    let rest = &page[at..page[at..].find("</a>").map_or(page.len(), |e| at + e)];
    rest.split("class=\"count\">").nth(1).and_then(|s| s.split('<').next()).and_then(|n| n.parse().ok()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_district_reminds_its_late_schools_and_a_school_hears_of_review_and_approval() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        add_user(&db, "tianhe", "district", &["--district", "440106"]);
        add_user(&db, "school1", "school", &["--school", "4401000001"]);
        add_user(&db, "school3", "school", &["--school", "4401000003"]);
        let app = App::new(&db).await;
        let mut c = std::collections::HashMap::new();
        for u in ["tianhe", "school1", "school3"] {
            c.insert(u, app.sign_in_page(u, PASSWORD).await.1.unwrap());
        }

        // The district's board: its schools by name, late returns marked, a reminder button.
        let (status, page) = app.get("/progress?year=2020", Some(&c["tianhe"])).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}");
        assert!(page.contains("广州市第一职业技术学校") && !page.contains("番禺区职业技术学校"), "{page}");
        assert!(page.contains("逾期未报") && page.contains("id=\"remind\""), "{page}");
        let (status, _) = app.get("/progress.xlsx?year=2020", Some(&c["tianhe"])).await;
        assert_eq!(status, StatusCode::OK);
        let (_, dash) = app.get("/dashboard?year=2020", Some(&c["school1"])).await;
        assert_eq!(bell(&dash), 0, "no notice yet");
        assert!(dash.contains("数据完整性"), "the dashboard says how complete the data is");

        // One action reminds every late school of the district (twice the same day: once).
        for _ in 0..2 {
            let (_, page) = app.get("/progress?year=2020", Some(&c["tianhe"])).await;
            let body = form(&[("csrf", &csrf_of(&page)), ("year", "2020"), ("district", "")]);
            let (status, headers, _) = app.post_form("/progress/remind", &c["tianhe"], body).await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            assert!(headers["location"].to_str().unwrap().contains("notice=3"));
        }
        let (_, dash) = app.get("/dashboard?year=2020", Some(&c["school1"])).await;
        assert_eq!(bell(&dash), 1, "{backend:?}: one reminder");
        let (_, notices) = app.get("/notifications", Some(&c["school1"])).await;
        assert!(
            notices.contains("催报") && notices.contains("天河区教育局 提醒") && notices.contains("逾期"),
            "{notices}"
        );
        let (_, other) = app.get("/dashboard?year=2020", Some(&c["school3"])).await;
        assert_eq!(bell(&other), 0, "Panyu's school is not Tianhe's to remind");

        // The school submits: its district officer hears a review waits; the approval comes back.
        let file = format!("{H}\nP9,4401000001,2020,焊工,企业职工,2020-03-01,2020-03-20,40,100,90,,\n");
        assert_eq!(upload(&app, &c["school1"], "training.csv", &file).await, StatusCode::SEE_OTHER);
        let id = db.query_i64("SELECT MAX(id) FROM submission WHERE status = 'submitted'");
        let (_, dash) = app.get("/dashboard?year=2020", Some(&c["tianhe"])).await;
        assert_eq!(bell(&dash), 1, "{backend:?}: a review waits");
        let (_, notices) = app.get("/notifications", Some(&c["tianhe"])).await;
        assert!(notices.contains("等待审核") && notices.contains("广州市第一职业技术学校"), "{notices}");
        let (_, page) = app.get(&format!("/submissions/{id}"), Some(&c["tianhe"])).await;
        let (status, _, _) = app
            .post_form(&format!("/submissions/{id}/approve"), &c["tianhe"], form(&[("csrf", &csrf_of(&page))]))
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, notices) = app.get("/notifications?lang=en", Some(&c["school1"])).await;
        assert!(
            notices.contains(&format!("Submission {id} (the training table of 2020) was approved by tianhe")),
            "{notices}"
        );

        // Opening a notice marks it read and goes to what it is about; another's is not found.
        let notice = db.query_i64(
            "SELECT MAX(n.id) FROM notification n JOIN app_user u ON u.id = n.user_id WHERE u.username = 'school1' AND n.kind = 'approved'",
        );
        let req = Request::get(format!("/notifications/{notice}"))
            .header("cookie", &c["tianhe"])
            .body(Body::empty())
            .unwrap();
        assert_eq!(app.call(req).await.0, StatusCode::NOT_FOUND);
        let req = Request::get(format!("/notifications/{notice}"))
            .header("cookie", &c["school1"])
            .body(Body::empty())
            .unwrap();
        let (status, headers, _) = app.call(req).await;
        assert_eq!(
            (status, headers["location"].to_str().unwrap()),
            (StatusCode::SEE_OTHER, format!("/submissions/{id}").as_str())
        );
        let (_, dash) = app.get("/dashboard?year=2020", Some(&c["school1"])).await;
        assert_eq!(bell(&dash), 1, "the reminder is still unread");
        let (_, page) = app.get("/notifications", Some(&c["school1"])).await;
        app.post_form("/notifications/read", &c["school1"], form(&[("csrf", &csrf_of(&page))])).await;
        let (_, dash) = app.get("/dashboard?year=2020", Some(&c["school1"])).await;
        assert_eq!(bell(&dash), 0);

        // The school's own board says what it owes.
        let (_, page) = app.get("/progress?year=2020", Some(&c["school1"])).await;
        assert!(page.contains("本校应报数据") && !page.contains("id=\"remind\""), "{page}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_page_is_the_sites_own_404_inside_the_signed_in_layout() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    add_user(&db, "school1", "school", &["--school", "4401000001"]);
    let app = App::new(&db).await;
    let (_, cookie) = app.sign_in_page("school1", PASSWORD).await;
    let (status, page) = app.get("/no/such/page", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        page.contains("未找到您要的页面") && page.contains("<html lang=\"zh-CN\">") && !page.contains("退出"),
        "{page}"
    );
    let (status, page) = app.get("/no/such/page", cookie.as_deref()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("未找到您要的页面") && page.contains("退出") && page.contains("class=\"bell\""), "{page}");
    // A refusal inside a page keeps the signed-in layout too.
    let (status, page) = app.get("/admin/audit", cookie.as_deref()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("退出"), "{page}");
    let (status, body) = app.get("/api/v1/nothing", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains("<html"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overdue_task_reports_and_binding_indicators_in_trouble_reach_the_bell_once() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        add_user(&db, "school1", "school", &["--school", "4401000001"]);
        add_user(&db, "analyst1", "analyst", &[]);
        db.ok(&["task", "assign", "3-8", "--school", "4401000001", "--years", "2024-2025"]);
        // In 2020 the fixture city's dual-qualified shares and training are binding and short.
        let first = db.ok(&["progress", "notify", "--year", "2020"]);
        assert!(first.contains("任务报告逾期") && !first.contains("任务报告逾期 0 条"), "{backend:?}: {first}");
        assert!(!first.contains("指标预警 0 条"), "{backend:?}: the analyst hears of the alerts: {first}");
        // Told once: a second run adds no task or indicator notice.
        let again = db.ok(&["progress", "notify", "--year", "2020"]);
        assert!(again.contains("任务报告逾期 0 条") && again.contains("指标预警 0 条"), "{backend:?}: {again}");
        let app = App::new(&db).await;
        let school = app.sign_in_page("school1", PASSWORD).await.1.unwrap();
        let (_, page) = app.get("/notifications", Some(&school)).await;
        assert!(page.contains("规划任务“提升职业教育信息化水平”的 2024 年度实施方案已逾期"), "{backend:?}: {page}");
        assert!(!page.contains("全市约束性指标"), "{backend:?}: a school does not get the city's alerts");
        let analyst = app.sign_in_page("analyst1", PASSWORD).await.1.unwrap();
        let (_, page) = app.get("/notifications", Some(&analyst)).await;
        assert!(
            page.contains("全市约束性指标“中等职业学校“双师型”教师占专业教师比例”2020 年") && page.contains("还差 +"),
            "{backend:?}: {page}"
        );
    }
}
