//! The plan's evaluation report from the fixture city: the same figures in HTML (a snapshot),
//! DOCX (real text and embedded charts), XLSX (numbers as numbers), from the CLI and the web.

use std::io::Read;

use crate::common::web::*;
use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};

fn report(db: &TestDb, year: &str, ext: &str) -> Vec<u8> {
    let out = db.dir.path().join(format!("evaluation.{ext}"));
    db.ok(&["report", "evaluation", "--year", year, "--out", out.to_str().unwrap()]);
    std::fs::read(out).unwrap()
}

fn unzip(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The text of a WordprocessingML part, runs joined.
fn docx_text(xml: &str) -> String {
    xml.split("<w:t xml:space=\"preserve\">")
        .skip(1)
        .map(|p| p.split("</w:t>").next().unwrap())
        .collect::<Vec<_>>()
        .join("|")
}

#[test]
fn the_evaluation_reads_the_same_in_html_docx_and_xlsx() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    let html = String::from_utf8(report(&db, "2021", "html")).unwrap();
    let stamp = html.split("生成时间 ").nth(1).unwrap().split(' ').next().unwrap().to_string();
    insta::assert_snapshot!("evaluation_2021_html", html.replace(&stamp, "<generated>"));
    assert!(html.contains("广州市职业教育发展“十四五”规划实施情况评估（2021 年）"));

    let docx = report(&db, "2021", "docx");
    let text = docx_text(&unzip(&docx, "word/document.xml"));
    assert!(text.contains("一、总体判断") && text.contains("中等职业学校毕业生升学比例"), "{text}");
    for summary in html.split("<li>").skip(1).take(3) {
        let line = summary.split("</li>").next().unwrap().replace("&quot;", "\"");
        assert!(text.contains(&line), "the DOCX says what the HTML says: {line}");
    }
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&docx)).unwrap();
    let charts =
        (0..z.len()).filter(|i| z.by_index(*i).unwrap().name().unwrap().starts_with("word/media/chart")).count();
    assert_eq!(charts, 10, "a chart per key indicator");
    let mut png = [0u8; 4];
    z.by_name("word/media/chart1.png").unwrap().read_exact(&mut png).unwrap();
    assert_eq!(&png, b"\x89PNG");

    let xlsx = report(&db, "2021", "xlsx");
    let path = db.write_bytes("e.xlsx", &xlsx);
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    assert_eq!(wb.sheet_names(), ["总览", "主要指标", "数量目标", "规则", "分区", "规划任务"]);
    let key = wb.worksheet_range("主要指标").unwrap();
    assert_eq!(key.get((2, 0)).unwrap().to_string(), "secondary_progression_rate");
    assert!(matches!(key.get((2, 4)), Some(calamine::Data::Float(_))), "numbers stay numbers");
    assert!(db.ok(&["audit"]).contains("report_export"));

    // The PDF carries real text: extracted by poppler's pdftotext, the figures are there.
    let pdf = report(&db, "2021", "pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    let path = db.write_bytes("e.pdf", &pdf);
    let out = std::process::Command::new("pdftotext")
        .args([path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext is installed (Debian package poppler-utils; .ci/run installs it)");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("广州市职业教育发展“十四五”规划实施情况评估（2021 年）"), "{text}");
    assert!(text.contains("一、总体判断") && text.contains("中等职业学校毕业生升学比例"), "{text}");
    let first_summary = html.split("<li>").nth(1).unwrap().split("</li>").next().unwrap();
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    assert!(squeeze(&text).contains(&squeeze(first_summary)), "the PDF says what the HTML says: {first_summary}");
    let refused = db.vetis(&["report", "evaluation", "--year", "2021", "--out", "x.odt"]);
    assert!(!refused.status.success() && stderr(&refused).contains(".html, .docx, .xlsx or .pdf"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_offers_the_reports_and_every_target() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    add_user(&db, "analyst1", "analyst", &[]);
    let app = App::new(&db).await;
    let (_, cookie) = app.sign_in_page("analyst1", PASSWORD).await;
    let cookie = cookie.unwrap();
    let (status, page) = app.get("/reports", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("规划评估报告"));
    let (headers, _) = web_report(&app, &cookie, "/reports/evaluation?year=2021&format=docx").await;
    assert!(headers["content-type"].to_str().unwrap().contains("wordprocessingml"));
    assert!(headers["content-disposition"].to_str().unwrap().contains("evaluation-2021.docx"));
    let (status, page) = app.get("/targets?year=2021", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("专业课教师五年累计企业实践达标率") && page.contains("市级精品课程"), "{page}");
    let (status, page) = app.get("/target/practice_compliance?year=2021", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("未达标的学校或教师") && page.contains("按区"), "{page}");
    // Long lists come a page at a time; a page past the end shows the last.
    let (status, last) = app.get("/target/practice_compliance?year=2021&page=999", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(last.contains("未达标的学校或教师"), "{last}");
    let (status, _) = app.get("/target/municipal_quality_course?year=2021&district=440106", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.get("/target/no_such_target", Some(&cookie)).await.0, StatusCode::NOT_FOUND);
}

/// Asks for a report until it is ready: the first answer is the job's page (202, reloading
/// itself), then the file. The headers and body of the file.
async fn web_report(app: &App, cookie: &str, uri: &str) -> (axum::http::HeaderMap, String) {
    let start = std::time::Instant::now();
    loop {
        let req = Request::get(uri).header("cookie", cookie).body(Body::empty()).unwrap();
        let (status, headers, body) = app.call(req).await;
        match status {
            StatusCode::OK => return (headers, body),
            StatusCode::ACCEPTED => {
                assert_eq!(headers["refresh"], "3", "the job's page reloads itself");
                assert!(body.contains("报告在后台生成"), "{body}");
            }
            other => panic!("{uri}: {other}: {body}"),
        }
        assert!(start.elapsed().as_secs() < 300, "{uri}: not ready after five minutes");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_is_a_job_made_once_and_shows_a_school_only_the_districts_its_figures_may_show() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        add_user(&db, "school3", "school", &["--school", "4401000003"]);
        add_user(&db, "analyst1", "analyst", &[]);
        let app = App::new(&db).await;
        let school = app.sign_in_page("school3", PASSWORD).await.1.unwrap();
        let analyst = app.sign_in_page("analyst1", PASSWORD).await.1.unwrap();
        // The school's report: the city, and of the districts only its own (番禺), as the API's
        // scope rule says (another district's figures are 403 to it).
        let (_, html) = web_report(&app, &school, "/reports/evaluation?year=2021&format=html").await;
        assert!(html.contains("番禺区"), "{backend:?}");
        for other in ["越秀区", "海珠区", "从化区", "南沙区"] {
            assert!(!html.contains(other), "{backend:?}: the school's report shows {other}");
        }
        let (status, _) = app.get("/api/v1/indicators?year=2021&district=440104", Some(&school)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // The bureau's shows every district.
        let (_, html) = web_report(&app, &analyst, "/reports/evaluation?year=2021&format=html").await;
        assert!(["番禺区", "越秀区", "从化区"].iter().all(|d| html.contains(d)), "{backend:?}");
        // Asked for again, by the same reader, it is not made again.
        let (_, again) = web_report(&app, &analyst, "/reports/evaluation?year=2021&format=html").await;
        assert_eq!(again.len(), html.len());
        let starts = db.query_i64("SELECT COUNT(*) FROM audit_log WHERE action = 'report_start'");
        assert_eq!(starts, 2, "{backend:?}: one job for the school, one for the bureau");
    }
}
