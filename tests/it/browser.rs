//! End to end in headless Chromium against the real `vetis serve`: a school officer signs in,
//! reads the dashboard, uploads a bad file, sees every error, fixes it and submits; the district
//! officer approves it. Screenshots of the dashboard and of the error report are kept in
//! `target/e2e-artifacts/`.

use std::path::PathBuf;
use std::process::{Child, Stdio};

use crate::common::web::{PASSWORD, add_user};
use crate::common::webdriver::{Browser, free_port, wait_for_port};
use crate::common::*;

pub(crate) struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn artefacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("e2e-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) fn sign_in(b: &Browser, base: &str, user: &str) {
    b.goto(&format!("{base}/login"));
    b.find("#username").type_text(user);
    b.find("#password").type_text(PASSWORD);
    b.find("form.stack button[type=submit]").click();
    b.wait_for_url("/dashboard");
}

#[test]
fn a_school_submits_through_the_browser_and_its_district_approves() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    add_user(&db, "school3", "school", &["--school", "4401000003"]);
    add_user(&db, "panyu", "district", &["--district", "440113"]);
    let port = free_port();
    let server = Server(
        db.command()
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    wait_for_port(port, "vetis serve");
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::start();
    let out = artefacts();

    // The public page first: anyone sees the plan.
    b.goto(&format!("{base}/?year=2020"));
    assert!(b.text().contains("中等职业学校毕业生升学比例"));
    // Keyboard users meet the skip link first.
    b.press("\u{E004}");
    assert_eq!(b.script("return document.activeElement.className").as_str(), Some("skip"));

    sign_in(&b, &base, "school3");
    b.goto(&format!("{base}/dashboard?year=2020"));
    let text = b.text();
    assert!(text.contains("番禺区职业技术学校") && text.contains("本校、所在区与全市比较"), "{text}");
    assert_eq!(b.count("article.card"), 10, "ten key indicators");
    b.screenshot(&out.join("dashboard.png"));

    // Drill down from a card to the rows behind it.
    b.find("article.card:nth-of-type(1) h2 a").click();
    b.wait_for_url("/indicator/secondary_enrolment");
    b.find("#rows-h + ul li:first-child a").click();
    b.wait_for_url("/records/student");
    assert_eq!(b.count("table.records tbody tr"), 3, "the school's three students of 2020");
    assert!(b.text().contains('*'), "names and ID numbers are masked");

    // A bad file: every error with its row and column, and nothing stored.
    let h = "project_code,school_code,year,name,category,start_date,end_date,hours,person_times,completed,certified,revenue";
    let before = db.state();
    let bad = db.write(
        "training.csv",
        &format!("{h}\nP7,4401000003,2020,汽修培训,企业职工,2020-03-01,2020-03-20,40,100,120,,\nP8,4401000003,2020,焊工,其他,2020-03-20,2020-03-01,8,10,5,,\n"),
    );
    b.goto(&format!("{base}/submissions"));
    b.find("#file").type_text(bad.to_str().unwrap());
    b.find("form[data-progress] button").click();
    b.wait_for_text("文件有错误");
    let report = b.find("#upload-errors").text();
    assert!(report.contains("文件有错误，未保存任何数据") && report.contains("结业人数"), "{report}");
    assert_eq!(b.count("#upload-errors tbody tr"), 2, "{report}");
    b.screenshot(&out.join("upload-errors.png"));
    assert_eq!(db.state(), before);

    // Fixed, it waits for review.
    let good = db.write(
        "training.csv",
        &format!("{h}\nP7,4401000003,2020,汽修培训,企业职工,2020-03-01,2020-03-20,40,2000,1900,,\n"),
    );
    b.goto(&format!("{base}/submissions"));
    b.find("#file").type_text(good.to_str().unwrap());
    b.find("form[data-progress] button").click();
    b.wait_for_text("已提交，等待审核");
    let submission = b.url().split('?').next().unwrap().to_string();
    b.find("header form.inline button").click();
    b.wait_for_text("登录");

    // The district officer previews and approves.
    sign_in(&b, &base, "panyu");
    b.goto(&submission);
    assert!(b.text().contains("预览：通过后本校指标的变化"));
    b.screenshot(&out.join("review.png"));
    b.find("#approve").click();
    b.wait_for_text("已通过");
    let id = submission.rsplit('/').next().unwrap();
    assert_eq!(db.query_strings(&format!("SELECT status FROM submission WHERE id = {id}")), ["approved"]);
    drop(b);
    drop(server);
}

/// Starts `vetis serve --demo` and reads what it prints before it serves: the demo accounts.
fn serve_demo(db: &TestDb, port: u16) -> (Server, std::collections::HashMap<String, String>) {
    use std::io::BufRead;
    let mut child = db
        .command()
        .args(["serve", "--demo", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut accounts = std::collections::HashMap::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if line.contains("http://") {
            break;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.len() >= 2 && words[0].starts_with("demo-") {
            accounts.insert(words[0].to_string(), words[1].to_string());
        }
    }
    wait_for_port(port, "vetis serve");
    (server, accounts)
}

#[test]
fn serve_demo_prints_an_account_per_role_once_and_they_sign_in() {
    use std::io::{Read, Write};
    let db = TestDb::new(Backend::Sqlite);
    // Records are there already, so the demo city is not loaded again; the accounts are made.
    db.load_fixture();
    let port = free_port();
    let (server, accounts) = serve_demo(&db, port);
    let mut names: Vec<&String> = accounts.keys().collect();
    names.sort();
    assert_eq!(names, ["demo-admin", "demo-analyst", "demo-district", "demo-school"]);
    let body = serde_json::json!({ "username": "demo-school", "password": accounts["demo-school"] }).to_string();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"role\":\"school\""), "{response}");
    drop(server);
    // A second start keeps the accounts and shows no password again.
    let (_server, again) = serve_demo(&db, free_port());
    assert!(again.is_empty(), "{again:?}");
}

#[test]
fn the_public_provider_page_hides_thin_ratings_and_shows_wilson_intervals_and_a_trainee_answers_once() {
    use crate::training_survey::{S1, school_with_projects, survey_rows, wilson};
    let db = TestDb::new(Backend::Sqlite);
    school_with_projects(&db);
    db.ok(&["import", db.write("training_survey.csv", &survey_rows()).to_str().unwrap()]);
    let codes = db.dir.path().join("codes.csv");
    db.ok(&[
        "integrity",
        "codes",
        "--school",
        S1,
        "--year",
        "2025",
        "--project",
        "PX2",
        "--survey",
        "completion",
        "--count",
        "1",
        "--out",
        codes.to_str().unwrap(),
    ]);
    let code = std::fs::read_to_string(&codes).unwrap().lines().nth(1).unwrap().split(',').next().unwrap().to_string();
    let port = free_port();
    let server = Server(
        db.command()
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    wait_for_port(port, "vetis serve");
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::start();
    let out = artefacts();

    // Anyone finds the provider in the directory, without signing in.
    b.goto(&format!("{base}/training?category=cantonese_chef"));
    assert_eq!(b.count("table.providers tbody tr"), 1, "{}", b.text());
    b.find("table.providers tbody tr a").click();
    b.wait_for_url("/provider/4401000001");
    assert!(b.text().contains("诚信等级"), "{}", b.text());
    b.screenshot(&out.join("provider.png"));

    // Ten answers: the count, the reason, and no rating.
    let few = b.find("#project-PX2").text();
    assert!(few.contains("答卷 10 / 50") && few.contains("答卷少于 30 份，不公布评分"), "{few}");
    assert_eq!(b.count("#project-PX2 table.rating"), 0);
    // Forty answers of sixty: the satisfied share with the interval computed here independently.
    let shown = b.find("#project-PX1 tr.share[data-item=satisfied] td.interval").text();
    let (lo, hi) = wilson(30.0, 40.0, 1.96);
    assert_eq!(shown.trim(), format!("{:.1}%–{:.1}%", lo * 100.0, hi * 100.0));
    let shown = b.find("#project-PX1 [data-survey=outcome] tr.share[data-item=employed] td.interval").text();
    let (lo, hi) = wilson(25.0, 35.0, 1.96);
    assert_eq!(shown.trim(), format!("{:.1}%–{:.1}%", lo * 100.0, hi * 100.0));

    // A trainee answers with the code once; the second time the code is spent.
    for attempt in 0..2 {
        b.goto(&format!("{base}/survey"));
        b.find("#code").type_text(&code.to_lowercase());
        b.find("form.stack button[type=submit]").click();
        if attempt == 1 {
            b.wait_for_text("邀请码无效或已使用");
            break;
        }
        b.wait_for_text("南粤家政培训（第2期）");
        for item in ["content", "teaching", "facilities", "overall"] {
            b.find(&format!("input[name={item}][value='5']")).click();
        }
        b.find("form.stack button[type=submit]").click();
        b.wait_for_text("感谢您的评价");
    }
    b.goto(&format!("{base}/provider/{S1}?year=2025"));
    assert!(b.find("#project-PX2").text().contains("答卷 11 / 50"), "{}", b.find("#project-PX2").text());
    drop(b);
    drop(server);
}

#[test]
fn the_portal_never_shows_a_draft_and_shows_a_published_report_with_its_pdf() {
    const S: &str = "4401000001";
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    crate::quality::write_all_chapters(&db, S);
    db.ok(&["quality-report", "submit", "--year", "2020", "--school", S]);
    let port = free_port();
    let server = Server(
        db.command()
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    wait_for_port(port, "vetis serve");
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::start();

    // Submitted, not published: nowhere on the portal.
    b.goto(&format!("{base}/quality-reports"));
    assert!(b.text().contains("尚无已发布的报告"), "{}", b.text());
    b.goto(&format!("{base}/quality-reports/{S}/2020"));
    assert!(b.text().contains("未找到") || b.text().contains("404"), "{}", b.text());
    b.goto(&format!("{base}/school/{S}"));
    assert!(b.text().contains("尚无已发布的报告"));
    let draft = b.script(&format!("return fetch('/quality-reports/{S}/2020/pdf').then(r => r.status)"));
    assert_eq!(draft.as_i64(), Some(404));

    db.ok(&["quality-report", "approve", "--year", "2020", "--school", S]);
    db.ok(&["quality-report", "publish", "--year", "2020", "--school", S]);
    // Published: listed, readable, and its PDF is a PDF. (The server looks at the data version at
    // most every 250 ms: the page may need a moment to see another process's publication.)
    for _ in 0..50 {
        b.goto(&format!("{base}/school/{S}"));
        if b.count("ul.reports li") == 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    b.goto(&format!("{base}/schools"));
    b.find("table.schools a[href='/school/4401000001']").click();
    b.wait_for_url(&format!("/school/{S}"));
    assert_eq!(b.count("ul.reports li"), 1, "{}", b.text());
    b.find("ul.reports li a:first-child").click();
    b.wait_for_url(&format!("/quality-reports/{S}/2020"));
    let text = b.text();
    assert!(
        text.contains("广州市第一职业技术学校 2020 年度中等职业学校质量年度报告")
            && text.contains("学生发展质量计分卡"),
        "{text}"
    );
    assert!(text.contains("第 1 版 · 已发布"), "{text}");
    b.screenshot(&artefacts().join("quality-report.png"));
    b.goto(&format!("{base}/quality-reports"));
    assert_eq!(b.count("table.reports tbody tr"), 1);
    let pdf = b.script(
        "return fetch(document.querySelector('a.pdf').href).then(async r => r.headers.get('content-type') + ' ' + new TextDecoder().decode((await r.arrayBuffer()).slice(0, 5)))",
    );
    assert_eq!(pdf.as_str(), Some("application/pdf %PDF-"), "{pdf:?}");
    drop(b);
    drop(server);
}

#[test]
fn a_school_writes_its_quality_report_in_the_browser_and_the_bureau_publishes_it() {
    const S: &str = "4401000001";
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    add_user(&db, "school1", "school", &["--school", S]);
    add_user(&db, "bureau", "admin", &[]);
    let port = free_port();
    let server = Server(
        db.command()
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    wait_for_port(port, "vetis serve");
    let base = format!("http://127.0.0.1:{port}");
    let b = Browser::start();

    sign_in(&b, &base, "school1");
    b.goto(&format!("{base}/quality/{S}/2020"));
    assert!(b.text().contains("学生发展质量计分卡"), "the tables as they stand: {}", b.text());
    // Submitting with chapters empty is refused, naming them.
    b.find("textarea#body-talent").type_text("## 学生发展\n毕业去向全部落实。\n[[table:scorecard]]");
    b.find("#c-talent button[type=submit]").click();
    b.wait_for_url("#c-talent");
    b.find("#submit").click();
    b.wait_for_text("必写章节尚未填写");
    for chapter in ["service", "culture", "international", "industry", "support", "challenges"] {
        b.find(&format!("textarea#body-{chapter}")).type_text("本章已撰写。");
        b.find(&format!("#c-{chapter} button[type=submit]")).click();
        b.wait_for_url(&format!("#c-{chapter}"));
    }
    b.find("#submit").click();
    b.wait_for_text("已提交待审核");
    assert_eq!(b.count("textarea#body-talent"), 0, "a submitted report is no longer edited");
    b.find("header form.inline button").click();
    b.wait_for_text("登录");

    // The bureau reviews the municipal school's report and publishes it.
    sign_in(&b, &base, "bureau");
    b.goto(&format!("{base}/quality?year=2020"));
    assert!(b.find("tr[data-subject='4401000001']").text().contains("已提交待审核"));
    b.goto(&format!("{base}/quality/{S}/2020"));
    b.find("#approve").click();
    b.wait_for_text("已审核待发布");
    b.find("#publish").click();
    b.wait_for_text("已发布");
    b.goto(&format!("{base}/quality-reports/{S}/2020"));
    assert!(b.text().contains("毕业去向全部落实。"), "{}", b.text());
    drop(b);
    drop(server);
}
