//! Test support for the web platform: the router with a real store, requests as a browser (cookie,
//! forms) or an API client would send them, and accounts made through the real CLI.

use std::io::Write;
use std::process::Stdio;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use super::{TestDb, stderr};

pub const PASSWORD: &str = "Correct-Horse-42";

pub fn add_user(db: &TestDb, name: &str, role: &str, scope: &[&str]) {
    let mut args = vec!["user", "add", name, "--role", role];
    args.extend_from_slice(scope);
    let mut child =
        db.command().args(&args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

pub struct App {
    pub router: axum::Router,
}

/// The value of a form's hidden `csrf` input on a page.
pub fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("the page has a form with a CSRF token");
    let rest = &page[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&")
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str)>) -> (String, Body) {
    let boundary = "vetis-test-boundary";
    let mut body = String::new();
    for (k, v) in fields {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"));
    }
    if let Some((name, content)) = file {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), Body::from(body))
}

impl App {
    pub async fn new(db: &TestDb) -> App {
        let store = vetis::store::Db::open(&db.url, Some(db.key_file())).await.unwrap();
        App { router: vetis::web::router(Arc::new(store), false) }
    }

    pub async fn call(&self, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
        (status, headers, body)
    }

    /// Signs in through the API: the session cookie and its CSRF token.
    pub async fn sign_in(&self, user: &str, password: &str) -> (StatusCode, Option<(String, String)>) {
        let req = Request::post("/api/v1/session")
            .header("content-type", "application/json")
            .body(Body::from(serde_json::json!({"username": user, "password": password}).to_string()))
            .unwrap();
        let (status, headers, body) = self.call(req).await;
        let cookie = headers.get("set-cookie").map(|c| c.to_str().unwrap().split(';').next().unwrap().to_string());
        let csrf =
            serde_json::from_str::<serde_json::Value>(&body).ok().and_then(|j| j["csrf"].as_str().map(String::from));
        (status, cookie.zip(csrf))
    }

    /// Signs in through the sign-in page as a browser does; the session cookie.
    pub async fn sign_in_page(&self, user: &str, password: &str) -> (StatusCode, Option<String>) {
        let (_, headers, page) = self.call(Request::get("/login").body(Body::empty()).unwrap()).await;
        let pre = headers.get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
        let body =
            form(&[("csrf", &csrf_of(&page)), ("username", user), ("password", password), ("next", "/dashboard")]);
        let req = Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", pre)
            .body(Body::from(body))
            .unwrap();
        let (status, headers, _) = self.call(req).await;
        let cookie = headers
            .get_all("set-cookie")
            .iter()
            .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_string())
            .find(|c| c.starts_with("vetis_session=") && c.len() > "vetis_session=".len());
        (status, cookie)
    }

    pub async fn get(&self, uri: &str, cookie: Option<&str>) -> (StatusCode, String) {
        let mut req = Request::get(uri);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let (status, _, body) = self.call(req.body(Body::empty()).unwrap()).await;
        (status, body)
    }

    /// Posts a form as a browser does, with the session cookie.
    pub async fn post_form(&self, uri: &str, cookie: &str, body: String) -> (StatusCode, HeaderMap, String) {
        let req = Request::post(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", cookie)
            .body(Body::from(body))
            .unwrap();
        self.call(req).await
    }
}
