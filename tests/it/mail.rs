//! Notices by e-mail through an SMTP server (optional): an in-test server takes the messages; each
//! unread notice of a user with an address is mailed once, in Chinese then English; a server that
//! does not answer leaves the notice to be tried again; a wrong setting stops with its reason.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::mpsc;

use base64::Engine;

use crate::common::web::add_user;
use crate::common::*;

/// A message as the server took it: its recipients and its text.
struct Taken {
    to: Vec<String>,
    data: String,
}

/// An SMTP server on a free port that takes every message and passes it on.
fn smtp_server() -> (u16, mpsc::Receiver<Taken>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut out) = stream else { continue };
            let tx = tx.clone();
            std::thread::spawn(move || {
                let mut input = BufReader::new(out.try_clone().unwrap());
                let _ = out.write_all(b"220 test ESMTP\r\n");
                let mut to = Vec::new();
                let mut line = String::new();
                loop {
                    line.clear();
                    if input.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    let cmd = line.trim_end().to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                        b"250 test\r\n"
                    } else if cmd.starts_with("RCPT TO:") {
                        to.push(line.trim_end()[8..].trim_matches(['<', '>', ' ']).to_string());
                        b"250 OK\r\n"
                    } else if cmd == "DATA" {
                        let _ = out.write_all(b"354 go on\r\n");
                        let mut data = String::new();
                        loop {
                            line.clear();
                            if input.read_line(&mut line).unwrap_or(0) == 0 || line.trim_end() == "." {
                                break;
                            }
                            data.push_str(&line);
                        }
                        let _ = tx.send(Taken { to: std::mem::take(&mut to), data });
                        b"250 taken\r\n"
                    } else if cmd == "QUIT" {
                        let _ = out.write_all(b"221 bye\r\n");
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    let _ = out.write_all(reply);
                }
            });
        }
    });
    (port, rx)
}

/// The text of a base64 body (what VETIS sends).
fn body_of(data: &str) -> String {
    let (_, after) = data.split_once("\r\n\r\n").unwrap();
    let b64: String = after.lines().map(str::trim).collect();
    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b64).unwrap()).unwrap()
}

#[test]
fn notices_are_mailed_once_to_users_with_an_address_and_a_failed_one_is_tried_again() {
    let (port, taken) = smtp_server();
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        add_user(&db, "analyst1", "analyst", &[]);
        add_user(&db, "analyst2", "analyst", &[]);
        let said = db.ok(&["user", "email", "analyst1", "planner@edu.example.cn"]);
        assert!(said.contains("planner@edu.example.cn"), "{said}");
        let res = db.vetis(&["user", "email", "analyst2", "not an address"]);
        assert_eq!(res.status.code(), Some(1));
        assert!(stderr(&res).contains("不是有效的邮件地址"), "{}", stderr(&res));
        assert!(db.ok(&["user", "list"]).contains("planner@edu.example.cn"));
        db.ok(&["progress", "notify", "--year", "2020"]);
        let waiting = db.query_i64(
            "SELECT COUNT(*) FROM notification n JOIN app_user u ON u.id = n.user_id WHERE u.username = 'analyst1'",
        );
        assert!(waiting > 0, "{backend:?}: the fixture's binding indicators are short in 2020");

        // The server does not answer: nothing is lost, each notice counts a failed try.
        let closed = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let dead = db
            .command()
            .args(["mail", "send"])
            .env("VETIS_SMTP", format!("smtp://127.0.0.1:{closed}?from=vetis@edu.example.cn"))
            .output()
            .unwrap();
        assert_eq!(dead.status.code(), Some(1), "{backend:?}: {}", String::from_utf8_lossy(&dead.stdout));
        assert!(String::from_utf8_lossy(&dead.stdout).contains(&format!("{waiting} 封未能发送")));
        assert_eq!(db.query_i64("SELECT COUNT(*) FROM notification WHERE mailed_at IS NOT NULL"), 0);

        // The server answers: every waiting notice of analyst1 goes, once; analyst2 has no address.
        let setting = format!("smtp://127.0.0.1:{port}?from=vetis@edu.example.cn");
        let run = db.command().args(["mail", "send"]).env("VETIS_SMTP", &setting).output().unwrap();
        assert!(run.status.success(), "{backend:?}: {}", String::from_utf8_lossy(&run.stderr));
        assert!(String::from_utf8_lossy(&run.stdout).contains(&format!("已发送 {waiting} 封通知邮件，0 封未能发送")));
        let messages: Vec<Taken> =
            (0..waiting).map(|_| taken.recv_timeout(std::time::Duration::from_secs(10)).unwrap()).collect();
        assert!(messages.iter().all(|m| m.to == ["planner@edu.example.cn"]));
        let first = &messages[0];
        assert!(first.data.contains("From: VETIS <vetis@edu.example.cn>"), "{}", first.data);
        assert!(first.data.contains("Subject: VETIS =?utf-8?b?"), "a Chinese subject, encoded: {}", first.data);
        let text = body_of(&first.data);
        assert!(
            text.contains("全市约束性指标")
                && text.contains("Binding indicator")
                && text.contains("Open in VETIS: /indicator/"),
            "{text}"
        );
        let again = db.command().args(["mail", "send"]).env("VETIS_SMTP", &setting).output().unwrap();
        assert!(String::from_utf8_lossy(&again.stdout).contains("已发送 0 封"), "mailed once");
        assert!(taken.try_recv().is_err());

        // A setting that cannot work stops the command and says why, without the password.
        let bad = db
            .command()
            .args(["mail", "test", "--to", "a@b.cn"])
            .env("VETIS_SMTP", "smtp://u:hunter2@127.0.0.1?from=vetis@edu.example.cn")
            .output()
            .unwrap();
        assert_eq!(bad.status.code(), Some(1));
        let err = String::from_utf8_lossy(&bad.stderr);
        assert!(err.contains("only over TLS") && !err.contains("hunter2"), "{err}");
        // The test message reaches the server.
        let test = db
            .command()
            .args(["mail", "test", "--to", "ops@edu.example.cn"])
            .env("VETIS_SMTP", &setting)
            .output()
            .unwrap();
        assert!(test.status.success(), "{}", String::from_utf8_lossy(&test.stderr));
        assert_eq!(taken.recv_timeout(std::time::Duration::from_secs(10)).unwrap().to, ["ops@edu.example.cn"]);
    }
}

#[test]
fn serve_refuses_to_start_with_a_wrong_mail_setting_and_names_it() {
    let db = TestDb::new(Backend::Sqlite);
    let out = db
        .command()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("VETIS_SMTP", "smtp+starttls://mail.example.cn?from=nobody")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("VETIS_SMTP") && err.contains("not an e-mail address"), "{err}");
}
