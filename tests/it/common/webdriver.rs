//! A small WebDriver client for the browser tests: headless Chromium driven by chromedriver over
//! plain HTTP on loopback (W3C WebDriver), so the tests need no browser-automation crate.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Waits until something accepts connections on the port.
pub fn wait_for_port(port: u16, what: &str) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(30), "{what} did not start on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let body = body.map(std::string::ToString::to_string).unwrap_or_default();
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // Read the head, then exactly the body (chromedriver may keep the connection open).
    let mut raw = Vec::new();
    let mut buf = [0u8; 16384];
    let split = loop {
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "WebDriver closed the connection");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let mut payload = raw[split + 4..].to_vec();
    let length =
        head.lines().find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap()));
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let done = match length {
            Some(n) => payload.len() >= n,
            None if chunked => payload.windows(5).any(|w| w == b"0\r\n\r\n"),
            None => false,
        };
        if done {
            break;
        }
        let n = s.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        payload.extend_from_slice(&buf[..n]);
    }
    if chunked {
        let mut out = Vec::new();
        let mut rest = &payload[..];
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap().trim(), 16).unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[line_end + 2..line_end + 2 + size]);
            rest = &rest[line_end + 2 + size + 2..];
        }
        payload = out;
    }
    let v: Value = serde_json::from_slice(&payload).unwrap_or(Value::Null);
    if let Some(err) = v["value"]["error"].as_str() {
        panic!("WebDriver {method} {path}: {err}: {}", v["value"]["message"]);
    }
    v["value"].clone()
}

pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

pub struct Element<'a> {
    browser: &'a Browser,
    id: String,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with the flags this machine's closed network
    /// needs (no background connections, no component updates).
    pub fn start() -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (Debian package chromium-driver; .ci/run installs it)");
        wait_for_port(port, "chromedriver");
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({ "capabilities": { "alwaysMatch": { "browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", "--window-size=1280,1400", "--lang=zh-CN",
                     format!("--user-data-dir={}", profile.path().display())]
        }}}});
        let v = http(port, "POST", "/session", Some(&caps));
        let session = v["sessionId"].as_str().expect("a session").to_string();
        Browser { driver, port, session, _profile: profile }
    }

    #[allow(clippy::needless_pass_by_value)] // callers build the body in place: `Some(json!(…))`
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        http(self.port, method, &format!("/session/{}{path}", self.session), body.as_ref())
    }

    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    pub fn url(&self) -> String {
        self.call("GET", "/url", None).as_str().unwrap_or_default().to_string()
    }

    /// Waits (up to 15 s) until the page's address contains `part`; navigation after a click may
    /// still be under way when the click returns.
    pub fn wait_for_url(&self, part: &str) -> String {
        let start = Instant::now();
        loop {
            let url = self.url();
            if url.contains(part) {
                return url;
            }
            assert!(start.elapsed() < Duration::from_secs(15), "still at {url}, waiting for {part}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits (up to 15 s) until the page shows `text`; returns the page's text.
    pub fn wait_for_text(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let body = self.text();
            if body.contains(text) {
                return body;
            }
            assert!(start.elapsed() < Duration::from_secs(15), "the page never showed {text:?}:\n{body}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn find(&self, css: &str) -> Element<'_> {
        let v = self.call("POST", "/element", Some(json!({ "using": "css selector", "value": css })));
        Element { browser: self, id: v[ELEMENT].as_str().unwrap().to_string() }
    }

    pub fn count(&self, css: &str) -> usize {
        let v = self.call("POST", "/elements", Some(json!({ "using": "css selector", "value": css })));
        v.as_array().map_or(0, Vec::len)
    }

    /// The page's visible text (read in one step, so a page that is being replaced cannot go stale).
    pub fn text(&self) -> String {
        self.script("return document.body ? document.body.innerText : ''").as_str().unwrap_or_default().to_string()
    }

    pub fn script(&self, js: &str) -> Value {
        self.call("POST", "/execute/sync", Some(json!({ "script": js, "args": [] })))
    }

    /// Presses a key on whatever has the focus (\u{E004} is Tab, \u{E007} Enter).
    pub fn press(&self, key: &str) {
        let actions = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": [
            { "type": "keyDown", "value": key }, { "type": "keyUp", "value": key } ] }] });
        self.call("POST", "/actions", Some(actions));
    }

    /// Runs an asynchronous script: it calls `arguments[0]` with its result.
    pub fn script_async(&self, js: &str) -> Value {
        self.call("POST", "/execute/async", Some(json!({ "script": js, "args": [] })))
    }

    /// Resizes the window (a phone is 390 px wide).
    pub fn resize(&self, width: u32, height: u32) {
        self.call("POST", "/window/rect", Some(json!({ "width": width, "height": height })));
    }

    /// Prints the page to PDF as the browser's print does (the print stylesheet, A4).
    pub fn print_pdf(&self, path: &Path) {
        let b64 = self.call(
            "POST",
            "/print",
            Some(json!({ "page": { "width": 21.0, "height": 29.7 }, "background": false })),
        );
        let pdf = base64::engine::general_purpose::STANDARD.decode(b64.as_str().unwrap()).unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, pdf).unwrap();
    }

    /// Saves a PNG of the viewport.
    pub fn screenshot(&self, path: &Path) {
        let b64 = self.call("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD.decode(b64.as_str().unwrap()).unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }
}

impl Element<'_> {
    fn call(&self, method: &str, what: &str, body: Option<Value>) -> Value {
        self.browser.call(method, &format!("/element/{}{what}", self.id), body)
    }
    pub fn click(&self) {
        self.call("POST", "/click", Some(json!({})));
    }
    pub fn type_text(&self, text: &str) {
        self.call("POST", "/value", Some(json!({ "text": text })));
    }
    pub fn text(&self) -> String {
        self.call("GET", "/text", None).as_str().unwrap_or_default().to_string()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let (port, path) = (self.port, format!("/session/{}", self.session));
        let _ = std::panic::catch_unwind(move || http(port, "DELETE", &path, None));
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
