//! The signed-in web pages through the router: who may open which page (a role × page matrix),
//! CSRF on every form, the upload → errors → fix → review flow in the browser's forms, year locks
//! with a reasoned unlock, the audit search, both languages, and accessibility basics.

use crate::common::web::*;
use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};

const H: &str =
    "project_code,school_code,year,name,category,start_date,end_date,hours,person_times,completed,certified,revenue";

async fn setup(backend: Backend) -> (TestDb, App, std::collections::HashMap<&'static str, String>) {
    let db = TestDb::new(backend);
    db.load_fixture();
    add_user(&db, "admin1", "admin", &[]);
    add_user(&db, "analyst1", "analyst", &[]);
    add_user(&db, "tianhe", "district", &["--district", "440106"]);
    add_user(&db, "panyu", "district", &["--district", "440113"]);
    add_user(&db, "school1", "school", &["--school", "4401000001"]);
    add_user(&db, "school3", "school", &["--school", "4401000003"]);
    let app = App::new(&db).await;
    let mut cookies = std::collections::HashMap::new();
    for u in ["admin1", "analyst1", "tianhe", "panyu", "school1", "school3"] {
        let (status, cookie) = app.sign_in_page(u, PASSWORD).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{u} signs in");
        cookies.insert(u, cookie.unwrap());
    }
    (db, app, cookies)
}

/// Uploads a file through the submissions page as `user`: the status and the page or location.
async fn upload_page(app: &App, cookie: &str, name: &str, content: &str) -> (StatusCode, String) {
    let (_, page) = app.get("/submissions", Some(cookie)).await;
    let (ct, body) = multipart(&[("csrf", &csrf_of(&page)), ("table", "")], Some((name, content)));
    let req = Request::post("/submissions").header("content-type", ct).header("cookie", cookie).body(body).unwrap();
    let (status, headers, body) = app.call(req).await;
    let location = headers.get("location").map(|l| l.to_str().unwrap().to_string());
    (status, location.unwrap_or(body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_opens_exactly_the_pages_of_its_scope() {
    for backend in BACKENDS {
        let (db, app, cookies) = setup(backend).await;
        // A pending submission of school 3 (Panyu) for the review pages.
        let (status, _) = upload_page(
            &app,
            &cookies["school3"],
            "training.csv",
            &format!("{H}\nP9,4401000003,2020,焊工,企业职工,2020-03-01,2020-03-20,40,100,90,,\n"),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let pending = db.query_i64("SELECT MAX(id) FROM submission WHERE status = 'submitted'");
        use StatusCode as S;
        let (ok, no, away) = (S::OK, S::FORBIDDEN, S::SEE_OTHER);
        let sub = format!("/submissions/{pending}");
        // page → expected status for: anonymous, admin1, analyst1, tianhe, panyu, school1, school3
        let matrix: Vec<(&str, [StatusCode; 7])> = vec![
            ("/dashboard?year=2020", [away, ok, ok, ok, ok, ok, ok]),
            ("/dashboard?year=2020&district=440106", [away, ok, ok, ok, no, ok, no]),
            ("/dashboard?year=2020&scope=d:440113", [away, ok, ok, no, ok, no, ok]),
            ("/dashboard?year=2020&school=4401000001", [away, ok, ok, ok, no, ok, no]),
            ("/dashboard?year=2020&scope=s:4401000003", [away, ok, ok, no, ok, no, ok]),
            ("/indicator/secondary_dual_qualified_share?year=2020", [away, ok, ok, ok, ok, ok, ok]),
            ("/indicator/secondary_dual_qualified_share?year=2020&school=4401000001", [away, ok, ok, ok, no, ok, no]),
            ("/indicator/secondary_dual_qualified_share?year=2020&school=4401000003", [away, ok, ok, no, ok, no, ok]),
            (
                "/records/teacher?year=2020&school=4401000001&indicator=secondary_dual_qualified_share&part=numerator",
                [away, ok, ok, ok, no, ok, no],
            ),
            ("/records/student?year=2020&school=4401000003", [away, ok, ok, no, ok, no, ok]),
            ("/submissions", [away, ok, ok, ok, ok, ok, ok]),
            (&sub, [away, ok, ok, no, ok, no, ok]),
            ("/admin/audit", [away, ok, no, no, no, no, no]),
            ("/admin/years", [away, ok, no, no, no, no, no]),
            ("/password", [away, ok, ok, ok, ok, ok, ok]),
        ];
        let who = ["", "admin1", "analyst1", "tianhe", "panyu", "school1", "school3"];
        let mut wrong = Vec::new();
        for (route, expected) in &matrix {
            for (i, u) in who.iter().enumerate() {
                let (status, _) = app.get(route, cookies.get(u).map(String::as_str)).await;
                if status != expected[i] {
                    wrong.push(format!("{route} as {u:?}: {status}, expected {}", expected[i]));
                }
            }
        }
        // Forms that change something: only those allowed get past the check (a 303 back).
        let post = |u: &'static str, uri: String, extra: Vec<(&'static str, &'static str)>| {
            let (app, cookies) = (&app, &cookies);
            async move {
                let (_, page) = app.get("/password", Some(&cookies[u])).await;
                let csrf = csrf_of(&page);
                let mut pairs = vec![("csrf", csrf.as_str())];
                pairs.extend(extra);
                app.post_form(&uri, &cookies[u], form(&pairs)).await.0
            }
        };
        for u in ["analyst1", "tianhe", "panyu", "school1", "school3"] {
            let s = post(u, "/admin/years/lock".into(), vec![("year", "2024"), ("reason", "x")]).await;
            if s != no {
                wrong.push(format!("lock as {u}: {s}"));
            }
        }
        for u in ["analyst1", "tianhe", "school1", "school3"] {
            let s = post(u, format!("/submissions/{pending}/approve"), vec![]).await;
            if s != no {
                wrong.push(format!("approve as {u}: {s}"));
            }
        }
        assert!(wrong.is_empty(), "{backend:?}:\n{}", wrong.join("\n"));
        assert_eq!(post("panyu", format!("/submissions/{pending}/approve"), vec![]).await, away);
        assert_eq!(db.query_strings(&format!("SELECT status FROM submission WHERE id = {pending}")), ["approved"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_without_their_token_are_refused_and_sign_in_needs_its_own() {
    let (_db, app, cookies) = setup(Backend::Sqlite).await;
    let c = &cookies["admin1"];
    let (status, _, _) =
        app.post_form("/admin/years/lock", c, form(&[("year", "2021"), ("reason", "published")])).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token");
    let (status, _, _) = app
        .post_form("/admin/years/lock", c, form(&[("csrf", "forged"), ("year", "2021"), ("reason", "published")]))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a wrong token");
    // Sign-in without the page's own token (a login CSRF) is refused too.
    let req = Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form(&[("csrf", "x"), ("username", "admin1"), ("password", PASSWORD)])))
        .unwrap();
    assert_eq!(app.call(req).await.0, StatusCode::FORBIDDEN);
    // A wrong password shows the form again with the message, and signing out ends the session.
    let (status, _) = app.sign_in_page("admin1", "wrong-Password-1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, page) = app.get("/dashboard", Some(c)).await;
    let (status, _, _) = app.post_form("/logout", c, form(&[("csrf", &csrf_of(&page))])).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/dashboard", Some(c)).await.0, StatusCode::SEE_OTHER, "signed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_upload_shows_every_error_and_a_fixed_one_waits_for_review_with_a_preview() {
    for backend in BACKENDS {
        let (db, app, cookies) = setup(backend).await;
        let before = db.state();
        let bad = format!(
            "{H}\nP7,4401000003,2020,汽修培训,企业职工,2020-03-01,2020-03-20,40,100,120,,\nP8,4401000001,2020,x,其他,2020-03-01,2020-03-20,8,10,5,,\n"
        );
        let (status, page) = upload_page(&app, &cookies["school3"], "training.csv", &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}");
        assert!(page.contains("文件有错误，未保存任何数据") && page.contains("共 2 处错误"), "{page}");
        assert!(page.contains("<td class=\"num\">2</td><td>结业人数</td>"), "row and column shown: {page}");
        assert!(page.contains("无权为学校“4401000001”提交数据"));
        assert_eq!(db.state(), before, "nothing stored");

        let good = format!("{H}\nP7,4401000003,2020,汽修培训,企业职工,2020-03-01,2020-03-20,40,2000,1900,,\n");
        let (status, location) = upload_page(&app, &cookies["school3"], "training.csv", &good).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/submissions/"), "{location}");
        let (_, page) = app.get(&location, Some(&cookies["school3"])).await;
        assert!(page.contains("已提交，等待审核") && !page.contains("审核通过</button>"), "the school cannot review");
        // The reviewer sees the school's figures as they would be.
        let (_, page) = app.get(&location, Some(&cookies["panyu"])).await;
        assert!(page.contains("预览：通过后本校指标的变化"), "{page}");
        assert!(page.contains("class=\"changed\""), "the training figure changes");
        let id = location.trim_start_matches("/submissions/").split('?').next().unwrap().to_string();
        let (status, _, _) = app
            .post_form(
                &format!("/submissions/{id}/return"),
                &cookies["panyu"],
                form(&[("csrf", &csrf_of(&page)), ("comment", "请补充证书人数")]),
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, page) = app.get(&format!("/submissions/{id}"), Some(&cookies["school3"])).await;
        assert!(page.contains("已退回") && page.contains("请补充证书人数"), "{page}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_year_refuses_changes_until_an_unlock_with_a_reason() {
    for backend in BACKENDS {
        let (db, app, cookies) = setup(backend).await;
        let admin = &cookies["admin1"];
        let good = format!("{H}\nP7,4401000003,2020,汽修培训,企业职工,2020-03-01,2020-03-20,40,2000,1900,,\n");
        let (_, location) = upload_page(&app, &cookies["school3"], "training.csv", &good).await;
        let id = location.trim_start_matches("/submissions/").split('?').next().unwrap().to_string();

        let (_, page) = app.get("/admin/years", Some(admin)).await;
        let csrf = csrf_of(&page);
        let (status, _, _) = app
            .post_form("/admin/years/lock", admin, form(&[("csrf", &csrf), ("year", "2020"), ("reason", "已发布年报")]))
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, page) = app.get("/admin/years", Some(admin)).await;
        assert!(page.contains("<th scope=\"row\">2020</th><td>admin1</td>"), "{page}");

        // Neither an upload nor an approval changes a locked year.
        let other = format!("{H}\nP7,4401000003,2020,汽修培训,企业职工,2020-03-01,2020-03-20,40,2500,2400,,\n");
        let (status, page) = upload_page(&app, &cookies["school3"], "training.csv", &other).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("2020 年度数据已锁定"), "{page}");
        let (_, page) = app.get(&format!("/submissions/{id}"), Some(admin)).await;
        let (_, headers, _) =
            app.post_form(&format!("/submissions/{id}/approve"), admin, form(&[("csrf", &csrf_of(&page))])).await;
        let (_, page) = app.get(headers["location"].to_str().unwrap(), Some(admin)).await;
        assert!(page.contains("2020 年度数据已锁定"), "{page}");
        assert_eq!(db.query_strings(&format!("SELECT status FROM submission WHERE id = {id}")), ["submitted"]);

        // An unlock without a reason is refused; with one, it goes through and is audited.
        app.post_form("/admin/years/unlock", admin, form(&[("csrf", &csrf), ("year", "2020"), ("reason", "")])).await;
        assert_eq!(db.query_i64("SELECT COUNT(*) FROM year_lock"), 1);
        app.post_form(
            "/admin/years/unlock",
            admin,
            form(&[("csrf", &csrf), ("year", "2020"), ("reason", "更正番禺区培训数据")]),
        )
        .await;
        assert_eq!(db.query_i64("SELECT COUNT(*) FROM year_lock"), 0);
        db.ok(&["submissions", "approve", &id]);

        let (_, page) = app.get("/admin/audit?action=year_unlock", Some(admin)).await;
        assert!(page.contains("更正番禺区培训数据") && !page.contains("已发布年报"), "{page}");
        let (_, page) = app.get("/admin/audit?text=%E5%B7%B2%E5%8F%91%E5%B8%83", Some(admin)).await;
        assert!(page.contains("year_lock") && page.contains("已发布年报"), "{page}");
        let (_, page) = app.get("/admin/audit?actor=school3", Some(admin)).await;
        assert!(page.contains("sign_in") && !page.contains("admin1</td>"), "{page}");
        // The command line can lock too.
        db.ok(&["year", "lock", "2021", "--reason", "年报"]);
        let out = db.vetis(&["year", "unlock", "2021", "--reason", ""]);
        assert_eq!(out.status.code(), Some(1));
        assert!(db.ok(&["year", "list"]).contains("2021"));
    }
}

/// Every page a user can reach, for the language and accessibility checks.
const PAGES: [&str; 15] = [
    "/",
    "/catalog?q=%E6%95%B0%E6%8E%A7",
    "/dashboard?year=2020",
    "/indicator/secondary_dual_qualified_share?year=2020&school=4401000001",
    "/records/teacher?year=2020&school=4401000001",
    "/submissions",
    "/admin/audit",
    "/admin/years",
    "/password",
    "/targets?year=2020",
    "/target/practice_compliance?year=2020",
    "/reports",
    "/tasks",
    "/progress?year=2020",
    "/notifications",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_reads_in_chinese_and_in_english() {
    let (_db, app, cookies) = setup(Backend::Sqlite).await;
    for page in PAGES {
        let (status, zh) = app.get(page, Some(&cookies["admin1"])).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(zh.contains("<html lang=\"zh-CN\">") && zh.contains("退出"), "{page}");
        let en_cookie = format!("{}; vetis_lang=en", cookies["admin1"]);
        let (_, en) = app.get(page, Some(&en_cookie)).await;
        assert!(en.contains("<html lang=\"en\">") && en.contains("Sign out"), "{page}");
        assert!(!en.contains(">退出<") && !en.contains("跳到正文"), "{page} has Chinese chrome in English");
    }
    // The switch sets the cookie and returns to the page.
    let req = Request::get("/lang/en?back=/dashboard%3Flang%3Dzh%26year%3D2020").body(Body::empty()).unwrap();
    let (status, headers, _) = app.call(req).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers["set-cookie"].to_str().unwrap().starts_with("vetis_lang=en"));
}

#[test]
fn every_text_a_template_uses_exists_in_both_languages() {
    let keys = vetis::web::i18n::keys();
    for (name, source) in vetis::web::TEMPLATE_SOURCES {
        for part in source.split("t.").skip(1) {
            let key: String = part.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            let before = &source[..source.find(&format!("t.{key}")).unwrap()];
            // Only `{{ t.key }}` and `{{ t.key|… }}` uses, not words like "list.".
            if before.ends_with("{{ ") || before.ends_with("{{") || before.ends_with('"') {
                assert!(keys.contains(&key), "{name} uses t.{key}, which i18n.toml lacks");
            }
        }
    }
}

/// WCAG relative luminance contrast of two `#rrggbb` colours.
fn contrast(a: &str, b: &str) -> f64 {
    let lum = |hex: &str| {
        let c: Vec<f64> = (0..3)
            .map(|i| f64::from(u8::from_str_radix(&hex[1 + 2 * i..3 + 2 * i], 16).unwrap()) / 255.0)
            .map(|v| if v <= 0.03928 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) })
            .collect();
        0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    };
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_have_labels_a_language_a_skip_link_and_readable_contrast() {
    let (_db, app, cookies) = setup(Backend::Sqlite).await;
    for page in PAGES {
        let (_, html) = app.get(page, Some(&cookies["admin1"])).await;
        assert!(html.contains("class=\"skip\" href=\"#main\"") && html.contains("<main id=\"main\""), "{page}");
        // Every visible form control has a label pointing at it.
        for (i, _) in html.match_indices('<').filter(|(i, _)| {
            let rest = &html[*i..];
            rest.starts_with("<input") || rest.starts_with("<select") || rest.starts_with("<textarea")
        }) {
            let tag = &html[i..i + html[i..].find('>').unwrap()];
            if tag.contains("type=\"hidden\"") {
                continue;
            }
            let id = tag.split("id=\"").nth(1).map(|r| &r[..r.find('"').unwrap()]);
            let labelled = id.is_some_and(|id| html.contains(&format!("<label for=\"{id}\"")));
            assert!(labelled || tag.contains("aria-label"), "{page}: {tag} has no label");
        }
        for svg in html.match_indices("<svg").map(|(i, _)| &html[i..i + html[i..].find('>').unwrap()]) {
            // A chart names itself; a decorative icon (the bell) is hidden from screen readers.
            let decorative = svg.contains("aria-hidden=\"true\"");
            assert!(decorative || (svg.contains("role=\"img\"") && svg.contains("aria-label")), "{page}: {svg}");
        }
    }
    // Text colours against their backgrounds (vetis.css): AA asks for 4.5:1.
    for (fg, bg) in [
        ("#1b1b1b", "#f6f7f9"),
        ("#ffffff", "#0b3d6e"),
        ("#0b4f8c", "#ffffff"),
        ("#555555", "#ffffff"),
        ("#ffffff", "#1a7f37"),
        ("#ffffff", "#0969da"),
        ("#ffffff", "#9a6700"),
        ("#ffffff", "#cf222e"),
        ("#ffffff", "#595959"),
        ("#a40e26", "#ffebe9"),
        ("#1a7f37", "#ffffff"),
        ("#cf222e", "#ffffff"),
    ] {
        assert!(contrast(fg, bg) >= 4.5, "{fg} on {bg}: {:.2}", contrast(fg, bg));
    }
    let css = app.get("/static/vetis.css", None).await.1;
    assert!(css.contains(":focus-visible"), "keyboard focus is visible");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_records_behind_a_figure_say_how_many_there_are_and_number_their_pages() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    add_user(&db, "admin1", "admin", &[]);
    let app = App::new(&db).await;
    let cookie = app.sign_in_page("admin1", PASSWORD).await.1.unwrap();
    let n = db.query_i64(
        "SELECT COUNT(*) FROM rec_teacher WHERE school_code = '4401000001' AND year = 2020 AND is_current = 1",
    );
    let (status, page) = app.get("/records/teacher?year=2020&school=4401000001", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("共 {n} 条，第 1 &#x2f; 1 页")), "{page}");
    assert!(page.contains("aria-current=\"page\">1</strong>"), "{page}");
}

async fn records_are_found_by_words_codes_labels_and_whole_id_numbers_and_sorted_by_a_column(backend: Backend) {
    let db = TestDb::new(backend);
    db.load_fixture();
    add_user(&db, "school1", "school", &["--school", "4401000001"]);
    let app = App::new(&db).await;
    let cookie = app.sign_in_page("school1", PASSWORD).await.1.unwrap();
    let base = "/records/student?year=2020&school=4401000001";
    let count = |label: &str| {
        db.query_i64(&format!(
            "SELECT COUNT(*) FROM rec_student WHERE school_code = '4401000001' AND year = 2020 AND is_current = 1 AND pathway = '{label}'"
        ))
    };
    // A code list's label finds its value.
    let (status, page) = app.get(&format!("{base}&q=%E4%B8%89%E4%BA%8C%E5%88%86%E6%AE%B5"), Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&format!("共 {} 条", count("three_plus_two"))), "{page}");
    assert!(page.contains("清除查找"), "{page}");
    // A whole ID number finds its student through the pseudonym; a part of one finds nobody.
    let (_, page) = app.get(&format!("{base}&q=440106200501100053"), Some(&cookie)).await;
    assert!(page.contains("共 1 条") && page.contains("S100070"), "{page}");
    let (_, page) = app.get(&format!("{base}&q=4401062005"), Some(&cookie)).await;
    assert!(page.contains("没有符合查找条件的记录"), "{page}");
    // Part of a student number, any case; LIKE's wildcards are taken literally.
    let n = db.query_i64(
        "SELECT COUNT(*) FROM rec_student WHERE school_code = '4401000001' AND year = 2020 AND is_current = 1 AND student_no LIKE 'S10007%'",
    );
    let (_, page) = app.get(&format!("{base}&q=s10007"), Some(&cookie)).await;
    assert!(n > 0 && page.contains(&format!("共 {n} 条")) && page.contains("S100070"), "{page}");
    let (status, page) = app.get(&format!("{base}&q=%25_"), Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("没有符合查找条件的记录"), "{page}");
    // Sorted by a column, largest first; the header says so and its link reverses the order.
    let (_, page) = app.get(&format!("{base}&sort=student_no&dir=desc"), Some(&cookie)).await;
    let (first, last) = (page.find("S100470").unwrap(), page.find("S100070").unwrap());
    assert!(first < last, "S100470 comes before S100070 when sorted down");
    assert!(page.contains("aria-sort=\"descending\""), "{page}");
    assert!(page.contains("sort=student_no&amp;dir=asc"), "{page}");
    // An encrypted column does not sort, and the page says why.
    let (status, page) = app.get(&format!("{base}&sort=id_number"), Some(&cookie)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("加密的个人信息"), "{page}");
    // The API takes the same words and order; its JSON keeps its shape.
    let (status, body) = app
        .get(
            "/api/v1/records/student?year=2020&school=4401000001&q=%E4%B8%89%E4%BA%8C%E5%88%86%E6%AE%B5&sort=entry_year",
            Some(&cookie),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len() as i64, count("three_plus_two"));
    assert!(rows.iter().all(|r| r["pathway"] == "三二分段"), "{body}");
    let years: Vec<i64> = rows.iter().map(|r| r["entry_year"].as_f64().unwrap() as i64).collect();
    assert!(years.windows(2).all(|w| w[0] <= w[1]), "{years:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_found_and_sorted_on_sqlite() {
    records_are_found_by_words_codes_labels_and_whole_id_numbers_and_sorted_by_a_column(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_found_and_sorted_on_postgres() {
    records_are_found_by_words_codes_labels_and_whole_id_numbers_and_sorted_by_a_column(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_national_installation_compares_its_provinces_and_drills_down_through_them() {
    use vetis::testdata::{Spec, school_code, write_city};
    let data = tempfile::tempdir().unwrap();
    let files = write_city(data.path(), &Spec { schools: 2, first_year: 2024, last_year: 2024, students: 40 }).unwrap();
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.ok(&["import", files[0].to_str().unwrap(), files[1].to_str().unwrap(), files[2].to_str().unwrap()]);
        move_second_school_to_beijing(&db);
        add_user(&db, "analyst1", "analyst", &[]);
        let app = App::new(&db).await;
        let cookie = app.sign_in("analyst1", PASSWORD).await.1.unwrap().0;
        let get = |uri: String| {
            let app = &app;
            let cookie = cookie.clone();
            async move { app.get(&uri, Some(&cookie)).await }
        };
        // The whole is the nation; it compares provinces, and its picker offers them.
        let (status, page) = get("/dashboard?year=2024".into()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("各省比较") && page.contains("dashboard?region=11"), "{page}");
        assert!(page.contains("全国") && page.contains("value=\"r:44\""), "{page}");
        // A province compares its districts; the drill-down goes nation → province → district.
        let (status, page) = get("/dashboard?region=11&year=2024".into()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("各区比较") && page.contains("district=110101"), "{page}");
        let (_, page) = get("/indicator/secondary_enrolment?year=2024".into()).await;
        assert!(page.contains("按省") && page.contains("region=44"), "{page}");
        let (_, page) = get("/indicator/secondary_enrolment?year=2024&district=110101".into()).await;
        assert!(page.contains("region=11"), "up from a district is its province: {page}");
        // The API gives a region's figures as the CLI does, and refuses two scopes at once.
        let (_, body) = get("/api/v1/indicators?year=2024&region=11".into()).await;
        let api: serde_json::Value = serde_json::from_str(&body).unwrap();
        let cli: serde_json::Value =
            serde_json::from_str(&db.ok(&["indicators", "--year", "2024", "--region", "11", "--format", "json"]))
                .unwrap();
        assert_eq!(api, cli);
        let (status, _) = get(format!("/api/v1/indicators?region=11&school={}", school_code(1))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_district_of_many_schools_compares_them_fifty_to_a_page() {
    use vetis::testdata::{Spec, school_code, write_city};
    let data = tempfile::tempdir().unwrap();
    // 1,100 synthetic schools in eleven districts: 100 of them in 440103 (every eleventh), of which
    // the public ones (two in three) are compared.
    let files =
        write_city(data.path(), &Spec { schools: 1_100, first_year: 2024, last_year: 2024, students: 2_200 }).unwrap();
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.ok(&["import", files[0].to_str().unwrap(), files[1].to_str().unwrap(), files[2].to_str().unwrap()]);
        add_user(&db, "analyst1", "analyst", &[]);
        let app = App::new(&db).await;
        let cookie = app.sign_in("analyst1", PASSWORD).await.1.unwrap().0;
        // The schools a page compares, in order.
        let schools = |page: &str| -> Vec<String> {
            page.split("<tr><th scope=\"row\"><a href=\"&#x2f;dashboard?school=")
                .skip(1)
                .map(|s| s[..10].to_string())
                .collect()
        };
        let rows = |page: &str| schools(page).len();
        let (status, first) = app.get("/dashboard?district=440103&year=2024", Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(rows(&first), 50, "{first}");
        assert!(first.contains("district=440103&amp;page=2#compare-h"), "{first}");
        let (status, second) = app.get("/dashboard?district=440103&year=2024&page=2", Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
        let rest = rows(&second);
        assert!(rest > 0 && rest <= 50, "{second}");
        assert!(first.contains(&format!("第 1 页 · 共 {} 条", 50 + rest)), "{first}");
        // In order of school code, each school on one page only, the district's last one last.
        let both: Vec<String> = schools(&first).into_iter().chain(schools(&second)).collect();
        assert!(both.windows(2).all(|w| w[0] < w[1]), "{both:?}");
        assert_eq!(both.last(), Some(&school_code(1_089)));
        assert!(second.contains("rel=\"prev\"") && !second.contains("rel=\"next\""), "{second}");
        // A page past the end shows the last; eleven districts fit on one page.
        let (_, beyond) = app.get("/dashboard?district=440103&year=2024&page=9", Some(&cookie)).await;
        assert_eq!(rows(&beyond), rest);
        let (_, city) = app.get("/dashboard?year=2024", Some(&cookie)).await;
        assert!(!city.contains("#compare-h\" rel=\"next\""), "{city}");
    }
}

/// A staged student file (one of the large tables, read by school, year and submission since
/// schema v27) is compared with the version it replaces and with the year before, and counts
/// once approved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staged_student_file_is_compared_with_the_version_it_replaces_and_the_year_before() {
    let text = std::fs::read_to_string(fixture_dir().join("student.csv")).unwrap();
    let header = text.lines().next().unwrap();
    let rows: Vec<&str> = text.lines().filter(|l| l.contains(",4401000003,2021,")).collect();
    assert_eq!(rows.len(), 3);
    // One of the school's three students of 2021 leaves.
    let file = format!("{header}\n{}\n{}\n", rows[0], rows[1]);
    for backend in BACKENDS {
        let (db, app, cookies) = setup(backend).await;
        let (status, location) = upload_page(&app, &cookies["school3"], "student.csv", &file).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}: {location}");
        let (_, page) = app.get(&location, Some(&cookies["panyu"])).await;
        let row = page.split("<th scope=\"row\">行数</th>").nth(1).and_then(|r| r.split("</tr>").next()).unwrap_or("");
        // Now 2; the replaced version 3 (−33 %, flagged); the year before 3.
        assert!(row.starts_with("<td class=\"num\">2</td><td class=\"num\">3</td>"), "{backend:?}: {row}");
        assert_eq!(row.matches("<td class=\"num\">3</td>").count(), 2, "{backend:?}: {row}");
        assert!(row.contains('⚠'), "{backend:?}: {row}");
        let id = location.trim_start_matches("/submissions/").split('?').next().unwrap().to_string();
        let (status, _, _) = app
            .post_form(&format!("/submissions/{id}/approve"), &cookies["panyu"], form(&[("csrf", &csrf_of(&page))]))
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{backend:?}");
        assert_eq!(db.query_strings(&format!("SELECT status FROM submission WHERE id = {id}")), ["approved"]);
        let counted = db.query_i64(
            "SELECT COUNT(*) FROM rec_student WHERE school_code = '4401000003' AND year = 2021 AND is_current = 1",
        );
        assert_eq!(counted, 2, "{backend:?}");
    }
}
