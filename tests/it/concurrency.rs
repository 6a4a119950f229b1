//! Many clients at once: schools uploading and reviewers approving at the same moment, two schools
//! claiming the same student for the same year, and two operators importing such files in two
//! processes. Afterwards every rule holds, no request failed with an internal error, and every
//! submission's rows are there exactly once.

use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use futures_util::future::join_all;

use crate::common::web::*;
use crate::common::*;

const SCHOOLS: [&str; 7] =
    ["4401000001", "4401000002", "4401000003", "4401000004", "4401000005", "4401000006", "4401000007"];

/// The fixture's 2020 students of a school, as CSV lines (header first).
fn students_2020(school: &str) -> Vec<String> {
    let text = std::fs::read_to_string(fixture_dir().join("student.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    std::iter::once(header).chain(lines.filter(|l| l.contains(&format!(",{school},2020,"))).map(String::from)).collect()
}

/// A student row enrolled at `school` in 2020 (a male: the ID number must be odd in digit 17).
fn extra_student(school: &str, program: &str, id: &str, n: usize) -> String {
    format!("X{n:06},,{id},新生{n},男,{school},2020,{program},全日制,2020,普通,在籍,,440106,否,否,汉族")
}

fn post(token: &str, uri: &str, ct: &str, body: Body) -> Request<Body> {
    Request::post(uri).header("authorization", format!("Bearer {token}")).header("content-type", ct).body(body).unwrap()
}

/// Rules and bookkeeping that must hold whatever order the requests ran in.
fn assert_consistent(db: &TestDb) {
    let twice = db.query_i64(
        "SELECT COUNT(*) FROM (SELECT year, id_pseudo FROM rec_student WHERE is_current = 1 AND status = 'enrolled' \
         GROUP BY year, id_pseudo HAVING COUNT(DISTINCT school_code) > 1) x",
    );
    assert_eq!(twice, 0, "{:?}: a person is enrolled at two schools in one year", db.backend);
    for t in ["student", "training"] {
        // Every approved school-year version has exactly its rows current, and no other rows count.
        let wrong = db.query_i64(&format!(
            "SELECT COUNT(*) FROM submission s WHERE s.table_name = '{t}' AND s.status = 'approved' AND s.row_count <> \
             (SELECT COUNT(*) FROM rec_{t} r WHERE r.submission_id = s.id AND r.is_current = 1)"
        ));
        assert_eq!(wrong, 0, "{:?}: {t}: an approved submission lost or duplicated rows", db.backend);
        let stray = db.query_i64(&format!(
            "SELECT COUNT(*) FROM rec_{t} r WHERE r.is_current = 1 AND NOT EXISTS \
             (SELECT 1 FROM submission s WHERE s.id = r.submission_id AND s.status = 'approved')"
        ));
        assert_eq!(stray, 0, "{:?}: {t}: rows count that no approved submission holds", db.backend);
        let doubled = db.query_i64(&format!(
            "SELECT COUNT(*) FROM (SELECT school_code, year FROM submission WHERE table_name = '{t}' AND status = 'approved' \
             GROUP BY school_code, year HAVING COUNT(*) > 1) x"
        ));
        assert_eq!(doubled, 0, "{:?}: {t}: two approved versions of one school's year", db.backend);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_schools_uploading_and_approving_at_once_break_no_rule_and_lose_no_row() {
    let rounds: usize = std::env::var("VETIS_CONCURRENCY_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(4);
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        add_user(&db, "boss", "admin", &[]);
        let admin = db.ok(&["user", "token", "boss"]).trim().to_string();
        let mut tokens = Vec::new();
        for (i, s) in SCHOOLS.iter().enumerate() {
            let name = format!("school{}", i + 1);
            add_user(&db, &name, "school", &["--school", s]);
            tokens.push(db.ok(&["user", "token", &name]).trim().to_string());
        }
        let app = App::new(&db).await;
        let started = Instant::now();
        let (mut requests, mut conflicts) = (0usize, 0usize);
        let h = "project_code,school_code,year,name,category,start_date,end_date,hours,person_times,completed,certified,revenue";
        for round in 0..rounds {
            // The same new person claimed by schools 1 and 2 in the same year, while every school
            // also sends a training file, all at once.
            let id = vetis::testdata::id_number(900_001 + 2 * round, 2005);
            let mut uploads = Vec::new();
            for (i, program) in [(0usize, "700206"), (1, "730701")] {
                let mut lines = students_2020(SCHOOLS[i]);
                lines.push(extra_student(SCHOOLS[i], program, &id, round * 10 + i));
                uploads.push((i, "student.csv", lines.join("\n") + "\n"));
            }
            for year in [2020, 2021] {
                for (i, s) in SCHOOLS.iter().enumerate() {
                    let rows: Vec<String> = (0..=round)
                        .map(|k| {
                            format!("Q{k},{s},{year},培训{k},企业职工,{year}-03-01,{year}-03-20,8,{},10,,", 100 + k)
                        })
                        .collect();
                    uploads.push((i, "training.csv", format!("{h}\n{}\n", rows.join("\n"))));
                }
            }
            let answers = join_all(uploads.iter().map(|(i, name, content)| {
                let (ct, body) = multipart(&[], Some((name, content)));
                app.call(post(&tokens[*i], "/api/v1/submissions", &ct, body))
            }))
            .await;
            requests += answers.len();
            let mut ids = Vec::new();
            for ((_, name, _), (status, _, text)) in uploads.iter().zip(&answers) {
                assert_eq!(*status, StatusCode::CREATED, "{backend:?} round {round}: {name}: {text}");
                let j: serde_json::Value = serde_json::from_str(text).unwrap();
                ids.push(j["id"].as_i64().unwrap());
            }
            // Every submission approved at the same moment: of the two claiming one person, one wins.
            let approvals = join_all(ids.iter().map(|id| {
                app.call(post(&admin, &format!("/api/v1/submissions/{id}/approve"), "application/json", Body::empty()))
            }))
            .await;
            requests += approvals.len();
            let statuses: Vec<StatusCode> = approvals.iter().map(|a| a.0).collect();
            assert!(statuses.iter().all(|s| *s != StatusCode::INTERNAL_SERVER_ERROR), "{backend:?}: {approvals:?}");
            let students_approved = statuses[..2].iter().filter(|s| **s == StatusCode::OK).count();
            assert_eq!(
                students_approved,
                1,
                "{backend:?} round {round}: one person, one school: {:?}",
                &approvals[..2]
            );
            let refused = approvals[..2].iter().find(|a| a.0 != StatusCode::OK).unwrap();
            assert_eq!(refused.0, StatusCode::CONFLICT, "{refused:?}");
            assert!(refused.2.contains("在其他学校在籍"), "{}", refused.2);
            conflicts += 1;
            assert!(statuses[2..].iter().all(|s| *s == StatusCode::OK), "{backend:?}: {:?}", &approvals[2..]);
            assert_consistent(&db);
        }
        let expected_training: i64 = (2 * SCHOOLS.len() * rounds) as i64;
        assert_eq!(
            db.query_i64("SELECT COUNT(*) FROM rec_training WHERE is_current = 1 AND project_code LIKE 'Q%'"),
            expected_training,
            "{backend:?}: each school's last training file counts, whole"
        );
        println!(
            "{backend:?}: {rounds} rounds, {} clients at once, {requests} requests in {:?}: no internal error, {conflicts} double enrolments refused",
            2 * SCHOOLS.len() + 2,
            started.elapsed()
        );
    }
}

#[test]
fn two_operators_importing_the_same_person_for_two_schools_at_once_store_only_one() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        for round in 0..3 {
            let id = vetis::testdata::id_number(800_001 + 2 * round, 2005);
            let files: Vec<std::path::PathBuf> = [(2usize, "4401000003"), (3, "4401000004")]
                .iter()
                .map(|(i, s)| {
                    let offered = std::fs::read_to_string(fixture_dir().join("offering.csv")).unwrap();
                    let program = offered
                        .lines()
                        .find(|l| l.starts_with(&format!("{s},2020,")))
                        .map(|l| l.split(',').nth(2).unwrap().to_string())
                        .unwrap();
                    let mut lines = students_2020(s);
                    lines.push(extra_student(s, &program, &id, 500 + round * 10 + i));
                    db.write(&format!("student_{s}_{round}.csv"), &(lines.join("\n") + "\n"))
                })
                .collect();
            let children: Vec<std::process::Child> = files
                .iter()
                .map(|f| {
                    db.command()
                        .args(["import", "--table", "student", f.to_str().unwrap()])
                        .stdout(std::process::Stdio::piped())
                        .stderr(std::process::Stdio::piped())
                        .spawn()
                        .unwrap()
                })
                .collect();
            let outs: Vec<std::process::Output> = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
            let ok = outs.iter().filter(|o| o.status.success()).count();
            assert_eq!(
                ok,
                1,
                "{backend:?} round {round}: exactly one import of the person succeeds: {:?}",
                outs.iter().map(stderr).collect::<Vec<_>>()
            );
            let refused = outs.iter().find(|o| !o.status.success()).unwrap();
            assert_eq!(refused.status.code(), Some(1));
            assert!(stderr(refused).contains("在籍"), "{}", stderr(refused));
            assert_consistent(&db);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_take_turns_and_a_full_line_is_told_to_come_back_later() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    add_user(&db, "boss", "admin", &[]);
    let token = db.ok(&["user", "token", "boss"]).trim().to_string();
    let store = vetis::store::Db::open(&db.url, Some(db.key_file())).await.unwrap();
    // One import at a time: sixteen may wait, the rest are turned away at once.
    let config = vetis::web::config::WebConfig { max_imports: 1, ..Default::default() };
    let app = App { router: vetis::web::router_with(std::sync::Arc::new(store), config) };
    let h = "project_code,school_code,year,name,category,start_date,end_date,hours,person_times,completed,certified,revenue";
    let answers = join_all((0..40).map(|k| {
        let csv = format!("{h}\nL{k},4401000001,2020,培训{k},企业职工,2020-03-01,2020-03-20,8,100,10,,\n");
        let (ct, body) = multipart(&[], Some(("training.csv", &csv)));
        app.call(post(&token, "/api/v1/submissions", &ct, body))
    }))
    .await;
    let served = answers.iter().filter(|a| a.0 == StatusCode::CREATED).count();
    let busy: Vec<_> = answers.iter().filter(|a| a.0 == StatusCode::SERVICE_UNAVAILABLE).collect();
    assert_eq!(served + busy.len(), 40, "{:?}", answers.iter().map(|a| a.0).collect::<Vec<_>>());
    assert!(served >= 17, "the one running and the sixteen waiting are served: {served}");
    assert!(!busy.is_empty(), "a full line turns the rest away");
    assert!(busy.iter().all(|b| b.1.contains_key("retry-after") && b.2.contains("稍后再试")), "{:?}", busy[0]);
    let q: serde_json::Value = serde_json::from_str(
        &app.call(
            Request::get("/api/v1/queue")
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .2,
    )
    .unwrap();
    assert_eq!((q["imports"]["running"].as_u64(), q["imports"]["waiting"].as_u64()), (Some(0), Some(0)), "{q}");
    assert_eq!(q["imports"]["limit"], 1);
}
