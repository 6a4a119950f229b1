//! The real `vetis serve` under slow and many clients (the Security issue's slow-client row): idle
//! connections, a half-sent header, a stalled body and a flood from one address are cut off by
//! their timeouts and caps while `/healthz` keeps answering other addresses; the server's peak memory
//! while hostile files are uploaded to it, three at a time; and its figures warmed at start and
//! after a change made beside it (`/readyz`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::web::add_user;
use crate::common::webdriver::{free_port, wait_for_port};
use crate::common::*;

struct Serving {
    child: Child,
    port: u16,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &TestDb, extra: &[&str]) -> Serving {
    let port = free_port();
    let child = db
        .command()
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    wait_for_port(port, "vetis serve");
    Serving { child, port }
}

/// A connection to the server from a chosen loopback address (Linux answers on all of 127/8).
async fn connect_from(ip: &str, port: u16) -> tokio::net::TcpStream {
    let s = tokio::net::TcpSocket::new_v4().unwrap();
    s.bind(format!("{ip}:0").parse().unwrap()).unwrap();
    s.connect(format!("127.0.0.1:{port}").parse().unwrap()).await.unwrap()
}

/// Reads until the server closes the connection, within `limit`: what it sent, or None if it
/// kept the connection open that long.
fn read_until_closed(s: &mut TcpStream, limit: Duration) -> Option<Vec<u8>> {
    let start = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let left = limit.checked_sub(start.elapsed())?;
        s.set_read_timeout(Some(left.max(Duration::from_millis(1)))).unwrap();
        match s.read(&mut buf) {
            Ok(0) => return Some(out),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Some(out),
            Err(_) => return None,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_half_sent_and_stalled_clients_are_cut_off_and_healthz_keeps_answering_under_a_flood() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    let server = serve(
        &db,
        &["--header-timeout", "1", "--idle-timeout", "2", "--body-timeout", "2", "--max-connections-per-address", "40"],
    );
    let port = server.port;

    // A flood of idle connections from one address: ten times what that address may hold.
    let flood: Vec<TcpStream> = (0..400).map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();
    // Another address is still answered, at once.
    let mut other = connect_from("127.0.0.2", port).await.into_std().unwrap();
    other.set_nonblocking(false).unwrap();
    let start = Instant::now();
    other.write_all(b"GET /healthz HTTP/1.1\r\nHost: vetis\r\nConnection: close\r\n\r\n").unwrap();
    let answer = read_until_closed(&mut other, Duration::from_secs(10)).expect("healthz answers under the flood");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 200") && text.ends_with("ok"), "{text}");
    println!("healthz under a flood of 400 idle connections: {} ms", start.elapsed().as_millis());

    // Every flooding connection is closed: those over the cap at once, the rest by the header timeout.
    let start = Instant::now();
    for (i, mut s) in flood.into_iter().enumerate() {
        let left = Duration::from_secs(15).saturating_sub(start.elapsed());
        assert!(read_until_closed(&mut s, left).is_some(), "idle connection {i} still open after 15 s");
    }
    println!("400 idle connections closed within {} ms", start.elapsed().as_millis());

    // A header sent in part, and never finished: closed (it stayed open past 80 s before).
    let mut half = TcpStream::connect(("127.0.0.1", port)).unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: vetis\r\n").unwrap();
    assert!(read_until_closed(&mut half, Duration::from_secs(10)).is_some(), "a half-sent header is cut off");

    // A body that stops coming: answered and closed.
    let mut stalled = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stalled
        .write_all(b"POST /api/v1/session HTTP/1.1\r\nHost: vetis\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"username\":")
        .unwrap();
    let answer = read_until_closed(&mut stalled, Duration::from_secs(15)).expect("a stalled body is cut off");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.is_empty() || text.starts_with("HTTP/1.1 4"), "{text}");

    // A kept-alive connection after its answer: closed once idle.
    let mut kept = TcpStream::connect(("127.0.0.1", port)).unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: vetis\r\n\r\n").unwrap();
    let answer = read_until_closed(&mut kept, Duration::from_secs(15)).expect("an idle kept-alive connection closes");
    assert!(String::from_utf8_lossy(&answer).ends_with("ok"));
}

/// Peak resident memory of a process (KiB).
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

/// Posts a file to the API over a real connection; the status code.
fn upload(port: u16, token: &str, name: &str, bytes: &[u8]) -> u16 {
    let boundary = "vetis-server-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"table\"\r\n\r\nstudent\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "POST /api/v1/submissions HTTP/1.1\r\nHost: vetis\r\nAuthorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    // The server may answer (413) before it has read everything; that is not an error here.
    let _ = s.write_all(&body);
    let answer = read_until_closed(&mut s, Duration::from_secs(300)).expect("an answer within five minutes");
    let text = String::from_utf8_lossy(&answer);
    text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0)
}

#[test]
fn the_servers_memory_stays_bounded_while_hostile_files_are_uploaded_three_at_a_time() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    add_user(&db, "boss", "admin", &[]);
    let token = db.ok(&["user", "token", "boss"]).trim().to_string();
    let server = serve(&db, &[]);
    let before = peak_kib(server.child.id());
    let files = crate::hostile::crafted();
    for chunk in files.chunks(3) {
        let answers: Vec<(String, u16)> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|(name, bytes, _)| {
                    let token = &token;
                    scope.spawn(move || (name.clone(), upload(server.port, token, name, bytes)))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (name, status) in answers {
            assert!(matches!(status, 400 | 413 | 422 | 201 | 200), "{name}: {status}");
        }
    }
    let peak = peak_kib(server.child.id());
    println!(
        "vetis serve: peak memory {} MiB after {} hostile uploads, three at a time (at start {} MiB)",
        peak / 1024,
        files.len(),
        before / 1024
    );
    assert!(peak < 1024 * 1024, "the server's peak memory stays under 1 GiB: {} MiB", peak / 1024);
    let mut check = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    check.write_all(b"GET /healthz HTTP/1.1\r\nHost: vetis\r\nConnection: close\r\n\r\n").unwrap();
    let answer = read_until_closed(&mut check, Duration::from_secs(10)).unwrap();
    assert!(String::from_utf8_lossy(&answer).ends_with("ok"), "the server is still up");
}

/// A GET over a fresh connection: the status and the body.
fn http_get(port: u16, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: vetis\r\nConnection: close\r\n\r\n").unwrap();
    let raw = read_until_closed(&mut s, Duration::from_secs(30)).expect("the server answers");
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

/// Polls `/readyz` until it answers 200 with a data version above `after`; its JSON.
fn ready_after(port: u16, after: i64) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let (status, body) = http_get(port, "/readyz");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
        if status == 200 && v["data_version"].as_i64().unwrap_or(0) > after {
            return v;
        }
        assert!(matches!(status, 200 | 503), "readyz answers 200 or 503: {status} {body}");
        assert!(start.elapsed() < Duration::from_secs(120), "the figures were not warm within 120 s: {body}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_server_warms_the_figures_at_start_and_again_after_a_change_made_beside_it() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let server = serve(&db, &[]);
        let first = ready_after(server.port, 0);
        println!("{backend:?}: warm at start {first}");
        assert_eq!(first["ready"], true);
        assert_eq!(first["warmed"]["version"], first["data_version"]);
        assert!(
            first["warmed"]["figures"].as_u64().unwrap() > 50,
            "the city's and districts' figures are kept: {first}"
        );
        // A change made by another process: the server sees the new version and warms it.
        db.ok(&["year", "lock", "2020", "--reason", "核定"]);
        let v1 = first["data_version"].as_i64().unwrap();
        let second = ready_after(server.port, v1);
        println!("{backend:?}: warm after a lock {second}");
        assert_eq!(second["warmed"]["version"], second["data_version"]);
        // Pages are answered from what was warmed.
        let (status, body) = http_get(server.port, "/");
        assert_eq!(status, 200, "{body}");
    }
}
