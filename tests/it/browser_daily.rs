//! The three main users' day in a real browser (the Daily work issue's acceptance): the district
//! officer finds and reminds the late schools; the school submits, sees the preview and the
//! comparison, and gets the notice of approval; the planner exports the district table to XLSX
//! and prints the dashboard. In Chinese and in English, and at a phone's 390 px; the screenshots
//! go to `target/e2e-artifacts/daily-*.png` (copies in `docs/screenshots/`).

use std::process::Stdio;

use base64::Engine;

use crate::browser::{Server, artefacts, sign_in};
use crate::common::web::add_user;
use crate::common::webdriver::{Browser, free_port, wait_for_port};
use crate::common::*;

fn sign_out(b: &Browser) {
    b.find("header form.inline button").click();
    b.wait_for_text("登录");
}

/// Whether anything on the page is wider than the window (the page scrolls sideways).
fn scrolls_sideways(b: &Browser) -> bool {
    b.script("return document.documentElement.scrollWidth > window.innerWidth + 1").as_bool().unwrap_or(true)
}

#[test]
fn the_district_the_school_and_the_planner_go_through_their_day() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    add_user(&db, "tianhe", "district", &["--district", "440106"]);
    add_user(&db, "school1", "school", &["--school", "4401000001"]);
    add_user(&db, "admin1", "admin", &[]);
    let port = free_port();
    let _server = Server(
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

    // The district officer: the board of its schools, late returns marked, one reminder to all.
    sign_in(&b, &base, "tianhe");
    b.goto(&format!("{base}/progress?year=2020"));
    let text = b.wait_for_text("报送进度");
    assert!(text.contains("广州市第一职业技术学校") && text.contains("逾期未报"), "{text}");
    b.find("#remind").click();
    let text = b.wait_for_text("已向 3 所逾期学校发送催报通知");
    assert!(text.contains("天河区职业高级中学"), "{text}");
    b.screenshot(&out.join("daily-district-progress-zh.png"));
    b.goto(&format!("{base}/progress?year=2020&lang=en"));
    let text = b.wait_for_text("Submission progress");
    assert!(text.contains("Remind the late schools") && text.contains("not submitted"), "{text}");
    b.screenshot(&out.join("daily-district-progress-en.png"));
    b.resize(390, 844);
    b.goto(&format!("{base}/progress?year=2020"));
    b.wait_for_text("报送进度");
    assert!(!scrolls_sideways(&b), "the board fits a phone (its table scrolls in its own frame)");
    b.screenshot(&out.join("daily-district-progress-390.png"));
    b.resize(1280, 1400);
    b.goto(&format!("{base}/dashboard?year=2020"));
    sign_out(&b);

    // The school: the reminder in the bell; a new version of its training return shows the
    // preview, the comparison with the version it replaces, and who reviews it.
    sign_in(&b, &base, "school1");
    assert_eq!(b.find("header .bell .count").text(), "1");
    b.goto(&format!("{base}/notifications"));
    assert!(b.wait_for_text("催报").contains("天河区教育局 提醒"));
    let h = "project_code,school_code,year,name,category,start_date,end_date,hours,person_times,completed,certified,revenue";
    let file = db.write(
        "training.csv",
        &format!("{h}\nT1,4401000001,2020,数控车工培训,企业职工,2020-03-01,2020-03-20,40,2300,2100,1500,20\n"),
    );
    b.goto(&format!("{base}/submissions"));
    b.find("#file").type_text(file.to_str().unwrap());
    b.find("form[data-progress] button").click();
    let text = b.wait_for_text("已提交，等待审核");
    assert!(text.contains("审核单位：天河区教育局"), "{text}");
    assert_eq!(b.count("#pv-h"), 1, "the preview of the school's figures");
    assert_eq!(b.count("#comparison"), 1, "the comparison with the version it replaces");
    let cmp = b.find("#comparison").text();
    assert!(cmp.contains("2,300") && cmp.contains('⚠'), "{cmp}");
    b.screenshot(&out.join("daily-school-preview-zh.png"));
    let submission = b.url().split('?').next().unwrap().to_string();
    b.goto(&format!("{submission}?lang=en"));
    let text = b.wait_for_text("Compared with the replaced version and last year");
    assert!(text.contains("Reviewed by"), "{text}");
    b.screenshot(&out.join("daily-school-preview-en.png"));
    b.goto(&format!("{base}/lang/zh?back=/dashboard"));
    sign_out(&b);
    sign_in(&b, &base, "tianhe");
    b.goto(&submission);
    b.find("#approve").click();
    b.wait_for_text("已通过");
    sign_out(&b);
    sign_in(&b, &base, "school1");
    b.goto(&format!("{base}/notifications"));
    let text = b.wait_for_text("审核通过");
    assert!(text.contains("已由 tianhe 审核通过"), "{text}");
    b.screenshot(&out.join("daily-school-approved-zh.png"));
    // What is due next year: each return still to make offers last year's rows as its template.
    b.goto(&format!("{base}/progress?year=2021"));
    b.wait_for_text("用上年数据预填模板");
    assert!(b.count("a[href*='/roll-forward?school=4401000001&year=2021']") >= 1, "a roll-forward link per return due");
    b.screenshot(&out.join("daily-school-roll-forward-zh.png"));
    let got = b.script_async(
        "var done = arguments[0]; fetch(document.querySelector(\"a[href*='/roll-forward']\").href)\
         .then(function (r) { return r.arrayBuffer().then(function (b) { done(r.status + ' ' + String.fromCharCode.apply(null, new Uint8Array(b).slice(0, 2))); }); });",
    );
    assert_eq!(got.as_str(), Some("200 PK"), "the link downloads a workbook");
    // The school's records, found by a code list's label and sorted by a column.
    b.goto(&format!("{base}/records/student?school=4401000001&year=2020&q=三二分段&sort=entry_year&dir=desc"));
    let text = b.wait_for_text("清除查找");
    assert!(text.contains("三二分段") && !text.contains("五年一贯制"), "{text}");
    b.screenshot(&out.join("daily-school-records-search-zh.png"));
    b.resize(390, 844);
    b.goto(&format!("{base}/dashboard?year=2020"));
    b.wait_for_text("数据完整性");
    assert!(!scrolls_sideways(&b), "the dashboard fits a phone");
    b.screenshot(&out.join("daily-school-dashboard-390.png"));
    b.resize(1280, 1400);
    sign_out(&b);

    // The planner: the district table as a workbook, numbers as numbers; the dashboard printed.
    sign_in(&b, &base, "admin1");
    b.goto(&format!("{base}/dashboard?year=2020"));
    b.wait_for_text("各区比较");
    assert!(b.count("table.compare + button.xlsx, .scroll + button.xlsx") >= 1, "a download button under the table");
    let xlsx = b.script_async(
        "var done = arguments[0]; var t = document.querySelector('table.compare');\
         fetch('/export/table.xlsx', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(window.vetisTablePayload(t)) })\
         .then(function (r) { return r.arrayBuffer(); }).then(function (buf) { var s = ''; new Uint8Array(buf).forEach(function (x) { s += String.fromCharCode(x); }); done(btoa(s)); });",
    );
    let bytes = base64::engine::general_purpose::STANDARD.decode(xlsx.as_str().unwrap()).unwrap();
    let path = out.join("daily-planner-districts.xlsx");
    std::fs::write(&path, &bytes).unwrap();
    use calamine::{Data, Reader};
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let numbers = sheet.rows().skip(3).flat_map(|r| r.iter()).filter(|c| matches!(c, Data::Float(_))).count();
    assert!(numbers >= 10, "the district table's figures are numbers in the workbook: {numbers}");
    let header: Vec<String> = sheet.rows().nth(2).unwrap().iter().map(ToString::to_string).collect();
    assert!(header.iter().any(|h| h.starts_with("1. ")), "the indicators' Chinese names head the columns: {header:?}");
    let first: Vec<String> = sheet.rows().skip(3).map(|r| r[0].to_string()).collect();
    assert!(first.iter().any(|d| d == "天河区"), "the districts by name: {first:?}");
    b.screenshot(&out.join("daily-planner-dashboard-zh.png"));
    b.print_pdf(&out.join("daily-planner-dashboard-print.pdf"));
    let pdf = std::fs::read(out.join("daily-planner-dashboard-print.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"), "the dashboard prints");
    let info =
        std::process::Command::new("pdfinfo").arg(out.join("daily-planner-dashboard-print.pdf")).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    assert!(info.lines().any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 1")), "a one-page brief: {info}");
    // An indicator's districts on the schematic map, each tile a link to its district.
    b.goto(&format!("{base}/indicator/secondary_dual_qualified_share?year=2020"));
    b.wait_for_text("颜色越深数值越高");
    assert_eq!(b.count("svg.district-map a"), 11, "a tile for each of the 11 districts");
    b.script("document.querySelector('svg.district-map').scrollIntoView()");
    b.screenshot(&out.join("daily-planner-district-map-zh.png"));
    b.goto(&format!("{base}/dashboard?year=2020&lang=en"));
    let text = b.wait_for_text("Dashboard");
    assert!(text.contains("How complete the data is"), "{text}");
    b.screenshot(&out.join("daily-planner-dashboard-en.png"));
}
