//! The attacker's probes of the Security issue that this code closes, each through the real router
//! or binary: small hostile uploads answered with a clear 422 (the server stays up), redirects that
//! never leave the site, sign-in names logged short, long file names, private database files.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::common::web::*;
use crate::common::*;

fn upload_request(token: &str, name: &str, bytes: Vec<u8>) -> Request<Body> {
    let boundary = "vetis-security-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    Request::post("/api/v1/submissions")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap()
}

/// A workbook of the fixture's schools, edited.
fn school_xlsx(edit: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name("school").unwrap();
    let text = std::fs::read_to_string(fixture_dir().join("school.csv")).unwrap();
    for (r, line) in text.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            sheet.write_string(r as u32, c as u16, cell.trim_start_matches('\u{feff}')).unwrap();
        }
    }
    edit(sheet);
    wb.save_to_buffer().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_hostile_uploads_get_a_clear_refusal_and_the_server_stays_up() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        add_user(&db, "boss", "admin", &[]);
        let token = db.ok(&["user", "token", "boss"]).trim().to_string();
        let app = App::new(&db).await;
        let before = db.state();
        // Cells only at A1… and XFD1048576: once 512 GiB asked of the allocator.
        let far = school_xlsx(|s| {
            s.write_string(1_048_575, 16_383, "x").unwrap();
        });
        let (status, _, text) = app.call(upload_request(&token, "school.xlsx", far)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}: {text}");
        assert!(text.contains("XFD1048576") && text.contains("列数超过上限"), "{text}");
        // A text cell over the limit is refused naming its row and column, and not echoed.
        let mut csv = std::fs::read_to_string(fixture_dir().join("school.csv")).unwrap();
        csv = csv.replacen("广州市第一职业技术学校", &"校".repeat(100_000), 1);
        let (status, _, text) = app.call(upload_request(&token, "school.csv", csv.into_bytes())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
        assert!(text.contains("超过上限 2000") && text.len() < 2_000, "{}", &text[..text.len().min(300)]);
        // A header of 100,000 columns is one error, not 100,010.
        let wide = format!("{}\n", (0..100_000).map(|i| format!("c{i}")).collect::<Vec<_>>().join(","));
        let (status, _, text) = app.call(upload_request(&token, "school.csv", wide.into_bytes())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let j: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(j["error_count"], 1, "{text}");
        // A 300-character file name is an ordinary upload, not a 500.
        let name = format!("{}.csv", "a".repeat(300));
        let csv = std::fs::read(fixture_dir().join("school.csv")).unwrap();
        let (status, _, text) = app.call(upload_request(&token, &name, csv)).await;
        assert!(status == StatusCode::OK || status == StatusCode::UNPROCESSABLE_ENTITY, "{status}: {text}");
        // Nothing was stored, and the server answers.
        assert_eq!(db.state(), before, "{backend:?}");
        let (status, _) = app.get("/healthz", None).await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn language_and_sign_in_redirects_never_leave_the_site() {
    let db = TestDb::new(Backend::Sqlite);
    db.ok(&["init"]);
    add_user(&db, "officer", "analyst", &[]);
    let app = App::new(&db).await;
    for back in
        ["/%5C127.0.0.1:18432/x", "/%09/evil.example", "//evil.example", "/%0d%0a/evil.example", "https://evil.example"]
    {
        let (status, headers, _) =
            app.call(Request::get(format!("/lang/en?back={back}")).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{back}");
        assert_eq!(headers.get("location").unwrap(), "/", "{back}");
    }
    let (_, headers, _) = app.call(Request::get("/lang/en?back=/catalog%3Fq%3D1").body(Body::empty()).unwrap()).await;
    assert_eq!(headers.get("location").unwrap(), "/catalog?q=1", "a path of the site is kept");
    for next in ["/\t/evil.example", "/\\evil.example", "//evil.example"] {
        let (_, headers, page) = app.call(Request::get("/login").body(Body::empty()).unwrap()).await;
        let pre = headers.get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
        let body = form(&[("csrf", &csrf_of(&page)), ("username", "officer"), ("password", PASSWORD), ("next", next)]);
        let req = Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", pre)
            .body(Body::from(body))
            .unwrap();
        let (status, headers, _) = app.call(req).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(headers.get("location").unwrap(), "/dashboard", "{next:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_user_name_is_logged_short() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.ok(&["init"]);
        let app = App::new(&db).await;
        let name = "n".repeat(1_900_000);
        let req = Request::post("/api/v1/session")
            .header("content-type", "application/json")
            .body(Body::from(serde_json::json!({"username": name, "password": "x"}).to_string()))
            .unwrap();
        let (status, _, _) = app.call(req).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let longest = db.query_i64("SELECT MAX(LENGTH(actor) + LENGTH(object) + LENGTH(detail)) FROM audit_log");
        assert!(longest < 300, "{backend:?}: an audit entry of {longest} characters");
    }
}

#[test]
fn the_sqlite_database_and_its_wal_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    for f in [db.url.clone(), format!("{}-wal", db.url)] {
        if let Ok(m) = std::fs::metadata(&f) {
            assert_eq!(m.permissions().mode() & 0o777, 0o600, "{f}");
        }
    }
    assert_eq!(std::fs::metadata(&db.url).unwrap().permissions().mode() & 0o777, 0o600);
    // An older database created 0644 is tightened when opened.
    std::fs::set_permissions(&db.url, std::fs::Permissions::from_mode(0o644)).unwrap();
    db.ok(&["indicators", "--year", "2020"]);
    assert_eq!(std::fs::metadata(&db.url).unwrap().permissions().mode() & 0o777, 0o600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_reviews_and_password_changes_are_audited_with_the_client_address() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    add_user(&db, "boss", "admin", &[]);
    let token = db.ok(&["user", "token", "boss"]).trim().to_string();
    let app = App::new(&db).await;
    let h = "project_code,school_code,year,name,category,start_date,end_date,hours,person_times,completed,certified,revenue";
    let csv = format!("{h}\nZ1,4401000001,2020,培训,企业职工,2020-03-01,2020-03-20,8,100,10,,\n");
    let mut req = upload_request(&token, "training.csv", csv.into_bytes());
    req.headers_mut().insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
    let (status, _, text) = app.call(req).await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let id = serde_json::from_str::<serde_json::Value>(&text).unwrap()["id"].as_i64().unwrap();
    let approve = Request::post(format!("/api/v1/submissions/{id}/approve"))
        .header("authorization", format!("Bearer {token}"))
        .header("x-forwarded-for", "203.0.113.10")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.call(approve).await.0, StatusCode::OK);
    let sources =
        db.query_strings("SELECT source FROM audit_log WHERE action IN ('import', 'submission_approve') ORDER BY id");
    assert!(sources.iter().any(|s| s.contains("203.0.113.9")), "{sources:?}");
    assert!(sources.iter().any(|s| s.contains("203.0.113.10")), "{sources:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_over_the_limit_is_answered_413_with_how_to_split_it() {
    let db = TestDb::new(Backend::Sqlite);
    db.ok(&["init"]);
    add_user(&db, "boss", "admin", &[]);
    let token = db.ok(&["user", "token", "boss"]).trim().to_string();
    let app = App::new(&db).await;
    let big = vec![b'a'; vetis::web::api::UPLOAD_LIMIT + 1024];
    let (status, _, text) = app.call(upload_request(&token, "school.csv", big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    assert!(text.contains("上传上限") && text.contains("拆分"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_show_messages_by_key_never_text_from_the_link() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    add_user(&db, "boss", "admin", &[]);
    let app = App::new(&db).await;
    let cookie = app.sign_in_page("boss", PASSWORD).await.1.unwrap();
    let lure = "Your+account+is+suspended%3A+call+020-5555";
    for page in ["/admin/years", "/tasks", "/submissions/1"] {
        for param in ["error", "problem"] {
            let (_, body) = app.get(&format!("{page}?{param}={lure}"), Some(&cookie)).await;
            assert!(!body.contains("suspended"), "{page}?{param}= shows the link's text");
        }
    }
    // A real refusal (a lock without a reason) comes back as a key, and the page says it.
    let (_, page) = app.get("/admin/years", Some(&cookie)).await;
    let body = form(&[("csrf", &csrf_of(&page)), ("year", "2020"), ("reason", "")]);
    let (status, headers, _) = app.post_form("/admin/years/unlock", &cookie, body).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = headers["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/admin/years?problem=") && to.len() < 60, "{to}");
    let (_, shown) = app.get(&to, Some(&cookie)).await;
    assert!(shown.contains("role=\"alert\""), "{shown}");
    // Another account does not see it.
    add_user(&db, "boss2", "admin", &[]);
    let other = app.sign_in_page("boss2", PASSWORD).await.1.unwrap();
    let (_, theirs) = app.get(&to, Some(&other)).await;
    assert!(!theirs.contains("role=\"alert\""), "{theirs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn id_numbers_keep_only_the_region_and_the_last_two_and_hsts_comes_with_secure_cookies() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    add_user(&db, "boss", "admin", &[]);
    let token = db.ok(&["user", "token", "boss"]).trim().to_string();
    let app = App::new(&db).await;
    let req = Request::get("/api/v1/records/student?school=4401000001&year=2020")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = app.call(req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows: serde_json::Value = serde_json::from_str(&body).unwrap();
    for r in rows["rows"].as_array().unwrap() {
        let id = r["id_number"].as_str().unwrap();
        let c: Vec<char> = id.chars().collect();
        assert_eq!(c.len(), 18, "{id}");
        assert!(c[..6].iter().all(char::is_ascii_digit) && c[6..16].iter().all(|x| *x == '*'), "{id}");
    }
    let (_, headers, _) = app.call(Request::get("/").body(Body::empty()).unwrap()).await;
    assert!(!headers.contains_key("strict-transport-security"), "no HSTS over plain HTTP");
    let store = vetis::store::Db::open(&db.url, Some(db.key_file())).await.unwrap();
    let secure = App { router: vetis::web::router(std::sync::Arc::new(store), true) };
    let (_, headers, _) = secure.call(Request::get("/").body(Body::empty()).unwrap()).await;
    assert!(headers["strict-transport-security"].to_str().unwrap().contains("max-age=31536000"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_tokens_expire_and_the_account_list_shows_expiry_and_last_use() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        add_user(&db, "robot", "analyst", &[]);
        let token = db.ok(&["user", "token", "robot", "--days", "30"]).trim().to_string();
        assert!(!db.vetis(&["user", "token", "robot", "--days", "1000"]).status.success(), "at most a year");
        let app = App::new(&db).await;
        let call = |t: &str| {
            Request::get("/api/v1/indicators?year=2020")
                .header("authorization", format!("Bearer {t}"))
                .body(Body::empty())
                .unwrap()
        };
        assert_eq!(app.call(call(&token)).await.0, StatusCode::OK, "{backend:?}");
        let list = db.ok(&["user", "list"]);
        let line = list.lines().find(|l| l.starts_with("robot")).unwrap();
        let today = chrono::Local::now().format("%Y-%m-%d").to_string();
        assert!(line.contains("令牌 至") && line.contains(&format!("上次使用 {today}")), "{backend:?}: {line}");
        // Past its expiry it stops working, and the list says so.
        db.exec("UPDATE api_token SET expires_at = '2020-01-01T00:00:00+08:00'");
        assert_eq!(app.call(call(&token)).await.0, StatusCode::UNAUTHORIZED, "{backend:?}");
        assert!(db.ok(&["user", "list"]).contains("已过期"), "{backend:?}");
    }
}

#[test]
fn exports_of_personal_data_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    for ext in ["csv", "xlsx"] {
        let out = db.dir.path().join(format!("students.{ext}"));
        db.ok(&["export", "--table", "student", "--year", "2020", "--format", ext, "--out", out.to_str().unwrap()]);
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600, "{ext}");
    }
}
