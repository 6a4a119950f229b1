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

/// The report without what changes from day to day: the cover's date and the line saying when the
/// figures were read.
fn undated(html: &str) -> String {
    html.lines()
        .map(|l| {
            if l.starts_with("<p class=\"date\">") {
                "<p class=\"date\"><date></p>"
            } else if l.starts_with("<p class=\"meta\">") {
                "<p class=\"meta\"><source and time></p>"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
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
    insta::assert_snapshot!("evaluation_2021_html", undated(&html));
    assert!(html.contains("广州市职业教育发展“十四五”规划实施情况评估（2021 年）"));
    // The body starts after the cover and the contents.
    let body = html.split("<h2 id=\"s1\">").nth(1).unwrap();

    let docx = report(&db, "2021", "docx");
    let text = docx_text(&unzip(&docx, "word/document.xml"));
    assert!(text.contains("一、总体判断") && text.contains("中等职业学校毕业生升学比例"), "{text}");
    for summary in body.split("<li>").skip(1).take(3) {
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
    assert_eq!(
        wb.sheet_names(),
        ["总览", "主要指标", "数量目标", "规则", "分区", "规划任务", "达标所需", "存在问题与措施", "数据覆盖"]
    );
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
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    assert!(squeeze(&text).contains("广州市职业教育发展“十四五”规划实施情况评估（2021年）"), "{text}");
    assert!(text.contains("一、总体判断") && text.contains("中等职业学校毕业生升学比例"), "{text}");
    let first_summary = body.split("<li>").nth(1).unwrap().split("</li>").next().unwrap();
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
    // The bureau edits the report's problems and next steps before it goes out.
    assert!(page.contains("存在问题") && page.contains("自动草稿") && page.contains("还差 +"), "{page}");
    let body =
        form(&[("csrf", &csrf_of(&page)), ("year", "2021"), ("problems", "甲问题\n乙问题"), ("measures", "丙措施")]);
    let (status, _, _) = app.post_form("/reports/remarks", &cookie, body).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = app.get("/reports?year=2021&saved=true", Some(&cookie)).await;
    assert!(page.contains("已保存") && page.contains("甲问题\n乙问题") && page.contains("最近由 analyst1"), "{page}");
    // What it takes, on the indicator's page: the gap in people and the schools holding it.
    let (_, page) = app.get("/indicator/secondary_enrolment?year=2021", Some(&cookie)).await;
    assert!(
        page.contains("达标所需") && page.contains("名中职在校生") && page.contains("广州市第一职业技术学校"),
        "{page}"
    );
    // The districts' schematic map: a tile per district, titled with its figure, linked to its page.
    assert!(
        page.contains("<svg class=\"district-map\"")
            && page.contains("<title>天河区：")
            && page.contains("/indicator/secondary_enrolment?year=2021&amp;district=440106")
            && page.contains("不表示区界和面积"),
        "{page}"
    );
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

/// The text of a PDF's pages `first` to `last`, by poppler's pdftotext.
fn pdf_text(path: &std::path::Path, first: u32, last: u32) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-f", &first.to_string(), "-l", &last.to_string(), "-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext is installed (poppler-utils)");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_evaluation_is_a_government_document_with_a_cover_contents_page_numbers_and_its_own_sections() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    let docx = report(&db, "2021", "docx");
    let xml = unzip(&docx, "word/document.xml");
    let text = docx_text(&xml);
    // Cover: the issuing body first, then the title and the date; then the contents (a field Word
    // fills with page numbers, listing every section meanwhile).
    assert!(text.starts_with("广州市教育局|广州市职业教育发展“十四五”规划实施情况评估（2021 年）|"), "{text}");
    assert!(xml.contains("TOC \\o") && text.contains("目　录"), "{text}");
    for section in ["九、存在问题", "十、下一步措施", "四、达标所需", "附件　数据覆盖情况"]
    {
        assert_eq!(text.matches(section).count(), 2, "{section}: in the contents and as a heading");
    }
    assert!(unzip(&docx, "word/footer1.xml").contains(" PAGE "), "page numbers in the footer");
    let fonts = unzip(&docx, "word/fontTable.xml");
    assert!(fonts.contains("仿宋_GB2312") && fonts.contains("<w:altName w:val=\"Noto Serif CJK SC\"/>"), "{fonts}");
    // Columns are sized to their content: in the key indicators' table the indicator's name gets
    // more room than its unit, and the table's layout is fixed (no word processor squeezes it).
    let key_table = xml.split("<w:tbl>").nth(1).unwrap();
    let cols: Vec<u32> =
        key_table.split("<w:gridCol w:w=\"").skip(1).map(|c| c.split('"').next().unwrap().parse().unwrap()).collect();
    assert_eq!(cols.len(), 9);
    assert!(cols[1] > 3 * cols[2], "{cols:?}");
    assert!(key_table.contains("<w:tblLayout w:type=\"fixed\"/>"));

    // The PDF: cover, contents, then page "— 1 —".
    let pdf = db.write_bytes("e.pdf", &report(&db, "2021", "pdf"));
    let cover = pdf_text(&pdf, 1, 1);
    assert!(cover.contains("广州市教育局") && cover.contains("2021 年"), "{cover}");
    let contents = pdf_text(&pdf, 2, 2);
    assert!(contents.contains("存在问题") && contents.contains("数据覆盖情况"), "{contents}");
    let page = pdf_text(&pdf, 3, 3).chars().filter(|c| !c.is_whitespace()).collect::<String>();
    assert!(page.ends_with("—1—"), "the first section's page is numbered — 1 —: {page}");
}

#[test]
fn the_planner_replaces_the_drafted_problems_and_the_reports_use_her_words() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let draft = db.ok(&["report", "remarks", "--year", "2021"]);
        assert!(draft.contains("存在问题（自动草稿，可修改）") && draft.contains("还差 +"), "{draft}");
        assert!(draft.contains("按当前趋势"), "{draft}");
        // A GBK file from Windows Notepad, with list marks, one item per line.
        let (gbk, _, _) = encoding_rs::GBK.encode("● 部分学校升学指导力量不足。\n\n- 数据报送不及时。\n");
        let file = db.write_bytes("problems.txt", &gbk);
        let shown = db.ok(&["report", "remarks", "--year", "2021", "--problems", file.to_str().unwrap()]);
        assert!(shown.contains("存在问题（已修改）\n1. 部分学校升学指导力量不足。\n2. 数据报送不及时。"), "{shown}");
        assert!(shown.contains("下一步措施（自动草稿，可修改）"), "{shown}");
        let html = String::from_utf8(report(&db, "2021", "html")).unwrap();
        let problems = html.split("九、存在问题").nth(2).unwrap().split("<h2").next().unwrap();
        assert!(problems.contains("<li>部分学校升学指导力量不足。</li>"), "{problems}");
        assert!(!problems.contains("还差"), "the draft is replaced: {problems}");
        assert!(db.ok(&["audit"]).contains("evaluation_remark"));
        // A file that is not text is refused and what was saved stays.
        let junk = db.write_bytes("junk.txt", b"\xff\xff\xff");
        let refused = db.vetis(&["report", "remarks", "--year", "2021", "--problems", junk.to_str().unwrap()]);
        assert!(
            !refused.status.success() && stderr(&refused).contains("不是 UTF-8 或 GBK 文本"),
            "{}",
            stderr(&refused)
        );
        let still = db.ok(&["report", "remarks", "--year", "2021"]);
        assert!(still.contains("存在问题（已修改）\n1. 部分学校升学指导力量不足。"), "{still}");
        // An empty file goes back to the draft.
        let empty = db.write("empty.txt", "");
        let back = db.ok(&["report", "remarks", "--year", "2021", "--problems", empty.to_str().unwrap()]);
        assert!(back.contains("存在问题（自动草稿，可修改）"), "{back}");
    }
}

#[test]
fn with_lang_en_the_evaluation_is_in_english_except_for_names() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    // A task assigned, so that its English title from the task file is in the report.
    db.ok(&["task", "assign", "3-8", "--school", "4401000001", "--years", "2021-2022"]);
    let out = db.dir.path().join("e.html");
    db.ok(&["--lang", "en", "report", "evaluation", "--year", "2021", "--out", out.to_str().unwrap()]);
    let html = std::fs::read_to_string(&out).unwrap();
    for heading in [
        "Guangzhou Municipal Education Bureau",
        "Contents",
        "1. Overall judgement",
        "4. What it takes",
        "10. Next steps",
        "Annex: the data behind the figures",
    ] {
        assert!(html.contains(heading), "{heading}");
    }
    // Every run of Chinese left is a name: a district's or a school's.
    let mut names = db.query_strings("SELECT name FROM gz_district");
    names.extend(db.query_strings("SELECT DISTINCT name FROM rec_school"));
    let style_free = html.split("</style>").nth(1).unwrap();
    let mut text = String::new();
    let mut in_tag = false;
    for c in style_free.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let is_cjk = |c: char| ('\u{3000}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c);
    let not_names = |text: &str| -> Vec<String> {
        text.split(|c: char| !is_cjk(c))
            .filter(|r| !r.is_empty())
            .filter(|r| !names.iter().any(|n| n.contains(*r)))
            .map(String::from)
            .collect()
    };
    let runs = not_names(&text);
    assert!(runs.is_empty(), "Chinese other than names in the English report: {runs:?}");
    // The workbook too: its sheets, headers and cells.
    let xlsx = db.dir.path().join("e.xlsx");
    db.ok(&["--lang", "en", "report", "evaluation", "--year", "2021", "--out", xlsx.to_str().unwrap()]);
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(&xlsx).unwrap();
    let sheets = wb.sheet_names();
    assert_eq!(sheets[..3], ["Summary", "Key indicators", "Counted targets"], "{sheets:?}");
    let mut cells = sheets.join(" ");
    for name in &sheets {
        for (_, _, v) in wb.worksheet_range(name).unwrap().cells() {
            cells.push(' ');
            cells.push_str(&v.to_string());
        }
    }
    assert!(cells.contains("3-8 "), "the task is in the workbook");
    let runs = not_names(&cells);
    assert!(runs.is_empty(), "Chinese other than names in the English workbook: {runs:?}");
}
