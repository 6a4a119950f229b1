//! Language (the Daily work issue, item 7): on every page in both languages, no raw key (a text
//! key of `i18n.toml`, an enum's key, an audit action) shows in Chinese, and no Chinese shows in
//! English except names (schools, districts, programs, projects, people).

use std::collections::HashSet;

use crate::common::web::*;
use crate::common::*;

/// Every page a signed-in bureau user and the public open, with the fixture's ids.
const PAGES: &[&str] = &[
    "/",
    "/catalog?q=%E6%95%B0%E6%8E%A7",
    "/verify",
    "/account",
    "/schools",
    "/school/4401000001",
    "/quality-reports",
    "/training",
    "/provider/4401000001",
    "/survey",
    "/dashboard?year=2020",
    "/dashboard?year=2020&district=440106",
    "/dashboard?year=2020&school=4401000001",
    "/indicator/secondary_dual_qualified_share?year=2020",
    "/indicator/secondary_dual_qualified_share?year=2020&school=4401000001",
    "/records/teacher?year=2020&school=4401000001",
    "/submissions",
    "/progress?year=2020",
    "/notifications",
    "/targets?year=2020",
    "/target/practice_compliance?year=2020",
    "/tasks",
    "/quality",
    "/credit",
    "/teachers",
    "/pathways",
    "/funding",
    "/reports",
    "/admin/audit",
    "/admin/years",
    "/password",
    "/no/such/page",
];

/// The page's text a reader sees: no scripts, styles or tags, and not what the page marks
/// `translate="no"` (identifiers: file names, the audit log's objects, a cited document's title).
fn visible(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        out.push(' ');
        rest = &rest[i..];
        let skip_to = |end: &str, r: &str| r.find(end).map_or(r.len(), |e| e + end.len());
        let tag_end = skip_to(">", rest);
        let n = if rest.starts_with("<script") {
            skip_to("</script>", rest)
        } else if rest.starts_with("<style") {
            skip_to("</style>", rest)
        } else if rest[..tag_end].contains("translate=\"no\"") {
            let name: String = rest[1..].chars().take_while(char::is_ascii_alphanumeric).collect();
            skip_to(&format!("</{name}>"), rest)
        } else {
            tag_end
        };
        rest = &rest[n..];
    }
    out.push_str(rest);
    out.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#x27;", "'")
}

/// What must never show raw: the texts' keys, enums' keys, audit actions.
fn raw_words() -> HashSet<String> {
    let mut w: HashSet<String> = vetis::web::i18n::keys().into_iter().filter(|k| k.contains('_')).collect();
    for s in vetis::domain::status::Status::ALL {
        w.insert(s.key().to_string());
    }
    for p in vetis::domain::calendar::Progress::ALL {
        w.insert(p.key().to_string());
    }
    for k in vetis::messages::notice::NoticeKind::ALL {
        w.insert(k.key().to_string());
    }
    for t in vetis::domain::standard::Table::ALL {
        for c in t.spec().columns {
            if let vetis::domain::standard::Kind::Choice(list) = c.kind {
                w.extend(list.iter().map(|ch| ch.key.to_string()).filter(|k| k.len() > 2));
            }
        }
    }
    w.extend(
        [
            "account_create",
            "sign_in",
            "sign_in_failed",
            "year_lock",
            "year_unlock",
            "submission_approve",
            "submission_return",
            "import",
        ]
        .map(String::from),
    );
    // Words that are also plain English or Chinese pages' own (file extensions, codes).
    for ok in ["other", "public", "system"] {
        w.remove(ok);
    }
    w
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// The Chinese runs of a text that are not one of the allowed names.
fn chinese_left(text: &str, names: &[String]) -> Vec<String> {
    let mut t = text.to_string();
    for n in names {
        if !n.is_empty() {
            t = t.replace(n.as_str(), " ");
        }
    }
    let mut runs = Vec::new();
    let mut cur = String::new();
    for c in t.chars() {
        if is_cjk(c) {
            cur.push(c);
        } else if !cur.is_empty() {
            runs.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_page_shows_a_raw_key_in_chinese_or_chinese_in_english_except_names() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    add_user(&db, "admin1", "admin", &[]);
    let app = App::new(&db).await;
    let (_, cookie) = app.sign_in_page("admin1", PASSWORD).await;
    let cookie = cookie.unwrap();
    // Names are names in both languages: schools, districts, programs, projects, enterprises,
    // designations and masked people, longest first so that a long name goes before its part.
    let mut names: Vec<String> = Vec::new();
    for sql in [
        "SELECT name FROM rec_school WHERE is_current = 1",
        "SELECT name FROM gz_district",
        "SELECT name FROM rec_training WHERE is_current = 1",
        "SELECT enterprise_name FROM rec_cooperation WHERE is_current = 1",
        "SELECT subject FROM rec_designation WHERE is_current = 1 AND subject IS NOT NULL",
        "SELECT name_masked FROM rec_teacher WHERE is_current = 1",
        "SELECT name FROM catalog_item",
        "SELECT title FROM plan_task",
        "SELECT name FROM assignment_output",
        "SELECT unit FROM assignment_output",
    ] {
        names.extend(db.query_strings(sql));
    }
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    let raw = raw_words();
    let mut wrong = Vec::new();
    for page in PAGES {
        let (_, zh) = app.get(page, Some(&cookie)).await;
        let text = visible(&zh);
        for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if raw.contains(word) {
                wrong.push(format!("{page} (zh): raw key '{word}'"));
            }
        }
        let (_, en) = app.get(page, Some(&format!("{cookie}; vetis_lang=en"))).await;
        let left = chinese_left(&visible(&en), &names);
        if !left.is_empty() {
            let mut uniq: Vec<String> = left.into_iter().collect::<HashSet<_>>().into_iter().collect();
            uniq.sort();
            wrong.push(format!("{page} (en): Chinese text {:?}", &uniq[..uniq.len().min(12)]));
        }
    }
    wrong.dedup();
    assert!(wrong.is_empty(), "{} problems:\n{}", wrong.len(), wrong.join("\n"));
}
