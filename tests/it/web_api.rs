//! The web platform through its router: who may read what (a role × route matrix), sign-in with
//! lock-out, sessions with CSRF, bearer tokens, the public page and its security headers.

use std::io::Write;
use std::process::Stdio;

use crate::common::web::*;
use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_reads_exactly_its_scope() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        add_user(&db, "admin1", "admin", &[]);
        add_user(&db, "analyst1", "analyst", &[]);
        add_user(&db, "tianhe", "district", &["--district", "440106"]);
        add_user(&db, "panyu", "district", &["--district", "440113"]);
        add_user(&db, "school1", "school", &["--school", "4401000001"]);
        add_user(&db, "school2", "school", &["--school", "4401000002"]);
        let token = db.ok(&["user", "token", "school1"]).trim().to_string();
        let app = App::new(&db).await;
        let mut cookies = std::collections::HashMap::new();
        for u in ["admin1", "analyst1", "tianhe", "panyu", "school1", "school2"] {
            let (status, c) = app.sign_in(u, PASSWORD).await;
            assert_eq!(status, StatusCode::OK, "{u}");
            cookies.insert(u, c.unwrap().0);
        }
        use StatusCode as S;
        let (ok, no, anon) = (S::OK, S::FORBIDDEN, S::UNAUTHORIZED);
        // route → expected status for: anonymous, admin1, analyst1, tianhe, panyu, school1, school2
        let matrix: Vec<(&str, [StatusCode; 7])> = vec![
            ("/api/v1/indicators?year=2020", [anon, ok, ok, ok, ok, ok, ok]),
            ("/api/v1/indicators?year=2020&district=440106", [anon, ok, ok, ok, no, ok, ok]),
            ("/api/v1/indicators?year=2020&district=440113", [anon, ok, ok, no, ok, no, no]),
            ("/api/v1/indicators?year=2020&school=4401000001", [anon, ok, ok, ok, no, ok, no]),
            ("/api/v1/indicators?year=2020&school=4401000003", [anon, ok, ok, no, ok, no, no]),
            ("/api/v1/records/student?year=2020&school=4401000001", [anon, ok, ok, ok, no, ok, no]),
            ("/api/v1/records/teacher?year=2020&school=4401000002", [anon, ok, ok, ok, no, no, ok]),
            ("/api/v1/records/graduate?year=2020&school=4401000003", [anon, ok, ok, no, ok, no, no]),
            ("/api/v1/records/designation?school=4401000001", [anon, ok, ok, ok, no, ok, no]),
        ];
        let who = ["", "admin1", "analyst1", "tianhe", "panyu", "school1", "school2"];
        let mut wrong = Vec::new();
        for (route, expected) in &matrix {
            for (i, u) in who.iter().enumerate() {
                let cookie = cookies.get(u).map(String::as_str);
                let (status, _) = app.get(route, cookie).await;
                if status != expected[i] {
                    wrong.push(format!("{route} as {u:?}: {status}, expected {}", expected[i]));
                }
            }
        }
        assert!(wrong.is_empty(), "{backend:?}:\n{}", wrong.join("\n"));

        // A bearer token acts with its user's scope.
        let bearer = |uri: &str| {
            Request::get(uri).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap()
        };
        assert_eq!(app.call(bearer("/api/v1/indicators?year=2020&school=4401000001")).await.0, S::OK);
        assert_eq!(app.call(bearer("/api/v1/indicators?year=2020&school=4401000002")).await.0, S::FORBIDDEN);
        let bad = Request::get("/api/v1/indicators")
            .header("authorization", "Bearer vetis_nonsense")
            .body(Body::empty())
            .unwrap();
        assert_eq!(app.call(bad).await.0, S::UNAUTHORIZED);

        // The API returns what the CLI returns, and records come masked.
        let (_, body) = app.get("/api/v1/indicators?year=2020", cookies.get("analyst1").map(String::as_str)).await;
        let api: serde_json::Value = serde_json::from_str(&body).unwrap();
        let cli: serde_json::Value =
            serde_json::from_str(&db.ok(&["indicators", "--year", "2020", "--format", "json"])).unwrap();
        assert_eq!(api, cli);
        let (_, body) = app
            .get("/api/v1/records/student?year=2020&school=4401000001", cookies.get("school1").map(String::as_str))
            .await;
        let rows: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(rows["rows"].as_array().unwrap().len(), 6);
        assert!(rows["rows"][0]["id_number"].as_str().unwrap().contains("********"), "{body}");

        // A disabled account's token stops working.
        db.ok(&["user", "disable", "school1"]);
        assert_eq!(app.call(bearer("/api/v1/indicators?year=2020")).await.0, S::UNAUTHORIZED);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_make_the_guesser_wait_and_sessions_need_their_csrf_token() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    add_user(&db, "school1", "school", &["--school", "4401000001"]);
    let app = App::new(&db).await;
    assert_eq!(app.sign_in("nobody", PASSWORD).await.0, StatusCode::UNAUTHORIZED);
    for _ in 0..5 {
        assert_eq!(app.sign_in("school1", "Wrong-Password-1").await.0, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.sign_in("school1", PASSWORD).await.0, StatusCode::TOO_MANY_REQUESTS, "after five, a wait");
    let audit = db.ok(&["audit"]);
    assert!(audit.contains("sign_in_throttled") && audit.contains("sign_in_failed"), "{audit}");

    // An administrator's new password ends the wait; then a session works, and signing out needs CSRF.
    let mut child =
        db.command().args(["user", "passwd", "school1"]).stdin(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"Another-Horse-43\n").unwrap();
    assert!(child.wait().unwrap().success());
    let (status, session) = app.sign_in("school1", "Another-Horse-43").await;
    assert_eq!(status, StatusCode::OK);
    let (cookie, csrf) = session.unwrap();
    assert_eq!(app.get("/api/v1/indicators?year=2020", Some(&cookie)).await.0, StatusCode::OK);
    let out = Request::delete("/api/v1/session").header("cookie", &cookie).body(Body::empty()).unwrap();
    assert_eq!(app.call(out).await.0, StatusCode::FORBIDDEN, "no CSRF token");
    let out = Request::delete("/api/v1/session")
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.call(out).await.0, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/indicators?year=2020", Some(&cookie)).await.0, StatusCode::UNAUTHORIZED, "signed out");
    // The password policy and reuse rule hold on the CLI too.
    let mut child = db
        .command()
        .args(["user", "passwd", "school1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("最近 5 次"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_page_shows_the_plan_without_signing_in_and_sends_security_headers() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    let app = App::new(&db).await;
    let (status, headers, body) = app.call(Request::get("/?year=2020").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("中等职业学校毕业生升学比例") && body.contains("<svg class=\"trend\""), "{body}");
    assert!(body.contains("约束性指标预警"));
    assert!(
        body.match_indices("<script").all(|(i, _)| body[i..].split('>').next().unwrap().contains("src=\"/static/")),
        "no inline scripts"
    );
    let csp = headers.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(headers.get("x-frame-options").unwrap(), "DENY");
    let (_, _, en) = app.call(Request::get("/?year=2020&lang=en").body(Body::empty()).unwrap()).await;
    assert!(en.contains("Progression rate of secondary graduates"));
    let first_admin = db.ok(&["init"]);
    assert!(first_admin.contains("admin") && first_admin.contains("一次性密码"), "{first_admin}");
}

fn upload(name: &str, content: &str) -> (String, Body) {
    multipart(&[], Some((name, content)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_school_submits_sees_every_error_fixes_it_and_a_reviewer_approves() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        add_user(&db, "school3", "school", &["--school", "4401000003"]);
        add_user(&db, "panyu", "district", &["--district", "440113"]);
        add_user(&db, "tianhe", "district", &["--district", "440106"]);
        add_user(&db, "analyst1", "analyst", &[]);
        let school_token = db.ok(&["user", "token", "school3"]).trim().to_string();
        let panyu_token = db.ok(&["user", "token", "panyu"]).trim().to_string();
        let tianhe_token = db.ok(&["user", "token", "tianhe"]).trim().to_string();
        let analyst_token = db.ok(&["user", "token", "analyst1"]).trim().to_string();
        let app = App::new(&db).await;
        let post = |token: &str, uri: &str, ct: &str, body: Body| {
            Request::post(uri)
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", ct)
                .body(body)
                .unwrap()
        };
        let h = "project_code,school_code,year,name,category,start_date,end_date,hours,person_times,completed,certified,revenue";
        let before = db.state();
        // Two errors: completed beyond person-times, and another school's row.
        let bad = format!(
            "{h}\nP7,4401000003,2020,汽修培训,企业职工,2020-03-01,2020-03-20,40,100,120,,\nP8,4401000001,2020,x,其他,2020-03-01,2020-03-20,8,10,5,,\n"
        );
        let (ct, body) = upload("training.csv", &bad);
        let (status, _, text) = app.call(post(&school_token, "/api/v1/submissions", &ct, body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}: {text}");
        let j: serde_json::Value = serde_json::from_str(&text).unwrap();
        let errors = j["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 2, "{text}");
        assert_eq!(errors[0]["row"], 2);
        assert_eq!(errors[0]["column"], "结业人数");
        assert!(errors[1]["message"].as_str().unwrap().contains("无权为学校“4401000001”提交数据"), "{text}");
        assert_eq!(db.state(), before, "{backend:?}: a refused upload stores nothing");

        let good = format!("{h}\nP7,4401000003,2020,汽修培训,企业职工,2020-03-01,2020-03-20,40,2000,1900,,\n");
        let (ct, body) = upload("training.csv", &good);
        let (status, _, text) = app.call(post(&school_token, "/api/v1/submissions", &ct, body)).await;
        assert_eq!(status, StatusCode::CREATED, "{text}");
        let id = serde_json::from_str::<serde_json::Value>(&text).unwrap()["id"].as_i64().unwrap();
        let training = |db: &TestDb| {
            let j: serde_json::Value =
                serde_json::from_str(&db.ok(&["indicators", "--year", "2020", "--format", "json"])).unwrap();
            j[9]["value"].as_f64().unwrap()
        };
        assert_eq!(training(&db), 0.5, "pending data does not count");

        let approve = format!("/api/v1/submissions/{id}/approve");
        assert_eq!(
            app.call(post(&school_token, &approve, "application/json", Body::empty())).await.0,
            StatusCode::FORBIDDEN,
            "not its own reviewer"
        );
        assert_eq!(
            app.call(post(&tianhe_token, &approve, "application/json", Body::empty())).await.0,
            StatusCode::FORBIDDEN,
            "another district"
        );
        let (status, _, text) = app.call(post(&panyu_token, &approve, "application/json", Body::empty())).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        assert_eq!(training(&db), 0.7, "{backend:?}: approved: 1 200 + 800 + 3 000 + 2 000");

        let (ct, body) = upload("training.csv", &good);
        assert_eq!(
            app.call(post(&analyst_token, "/api/v1/submissions", &ct, body)).await.0,
            StatusCode::FORBIDDEN,
            "analysts only read"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_describes_the_api() {
    let db = TestDb::new(Backend::Sqlite);
    let app = App::new(&db).await;
    let (status, _, body) = app.call(Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    for path in [
        "/api/v1/session",
        "/api/v1/indicators",
        "/api/v1/records/{table}",
        "/api/v1/submissions",
        "/api/v1/submissions/{id}/approve",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_time_password_must_be_changed_before_anything_else() {
    let db = TestDb::new(Backend::Postgres);
    let init = db.ok(&["init"]);
    let one_time = init
        .lines()
        .find(|l| l.contains("一次性密码"))
        .unwrap()
        .split('：')
        .nth(1)
        .unwrap()
        .split('（')
        .next()
        .unwrap()
        .trim()
        .to_string();
    db.load_fixture();
    let app = App::new(&db).await;
    let (status, session) = app.sign_in("admin", &one_time).await;
    assert_eq!(status, StatusCode::OK);
    let (cookie, csrf) = session.unwrap();
    let (status, body) = app.get("/api/v1/indicators?year=2020", Some(&cookie)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("一次性密码"));
    let change = |current: &str, new: &str| {
        Request::post("/api/v1/password")
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .header("content-type", "application/json")
            .body(Body::from(serde_json::json!({"current": current, "new": new}).to_string()))
            .unwrap()
    };
    assert_eq!(app.call(change(&one_time, "short")).await.0, StatusCode::BAD_REQUEST, "the policy holds");
    assert_eq!(app.call(change(&one_time, PASSWORD)).await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/indicators?year=2020", Some(&cookie)).await.0,
        StatusCode::UNAUTHORIZED,
        "the old session ended"
    );
    let (status, session) = app.sign_in("admin", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/indicators?year=2020", Some(&session.unwrap().0)).await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_pages_follow_the_records_key_and_hold_every_row_once() {
    use vetis::testdata::{Spec, school_code, write_city};
    let data = tempfile::tempdir().unwrap();
    let files =
        write_city(data.path(), &Spec { schools: 1, first_year: 2024, last_year: 2024, students: 130 }).unwrap();
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.ok(&["import", files[0].to_str().unwrap(), files[1].to_str().unwrap(), files[2].to_str().unwrap()]);
        add_user(&db, "analyst1", "analyst", &[]);
        let app = App::new(&db).await;
        let (_, session) = app.sign_in("analyst1", PASSWORD).await;
        let cookie = session.unwrap().0;
        let base = format!("/api/v1/records/student?school={}&year=2024", school_code(0));
        // "next" is the cursor of the page after; following it reads every row once, in order.
        let mut seen: Vec<String> = Vec::new();
        let mut uri = base.clone();
        let mut pages = 0;
        loop {
            let (status, body) = app.get(&uri, Some(&cookie)).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let page: serde_json::Value = serde_json::from_str(&body).unwrap();
            seen.extend(page["rows"].as_array().unwrap().iter().map(|r| r["student_no"].as_str().unwrap().to_string()));
            pages += 1;
            match page["next"].as_str() {
                Some(c) => uri = format!("{base}&page={}&after={c}", pages + 1),
                None => break,
            }
        }
        assert_eq!((pages, seen.len()), (3, 130));
        // The same rows as the numbered pages, which count from an offset.
        let mut numbered: Vec<String> = Vec::new();
        for n in 1..=3 {
            let (_, body) = app.get(&format!("{base}&page={n}"), Some(&cookie)).await;
            let page: serde_json::Value = serde_json::from_str(&body).unwrap();
            numbered
                .extend(page["rows"].as_array().unwrap().iter().map(|r| r["student_no"].as_str().unwrap().to_string()));
        }
        assert_eq!(seen, numbered);
        // A cursor it did not write is refused with a way out.
        let (status, body) = app.get(&format!("{base}&after=nonsense"), Some(&cookie)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("第 1 页"), "{body}");
    }
}
