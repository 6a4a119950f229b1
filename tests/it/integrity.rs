//! The integrity ledger of training providers (plan 四(四)): events recorded, confirmed, appealed,
//! decided and repaired through the binary, and the year's score that follows them within each
//! indicator's cap. On both backends.

use crate::common::*;

const S1: &str = "4401000001";

fn json(db: &TestDb, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_str(&db.ok(&all)).unwrap()
}

fn record(db: &TestDb, indicator: &str, kind: &str, date: &str, points: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "integrity",
        "record",
        "--school",
        S1,
        "--indicator",
        indicator,
        "--kind",
        kind,
        "--date",
        date,
        "--points",
        points,
        "--facts",
        "经查属实",
        "--basis",
        "《广州市职业培训管理办法》",
    ];
    args.extend(extra);
    db.ok(&args).trim().to_string()
}

fn score(db: &TestDb) -> (i64, String, Vec<(i64, String, i64)>, serde_json::Value) {
    let v = json(db, &["integrity", "score", "--school", S1, "--year", "2025"]);
    let deductions = v["deductions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (d["event"].as_i64().unwrap(), d["indicator"].as_str().unwrap().to_string(), d["points"].as_i64().unwrap())
        })
        .collect();
    (v["score"].as_i64().unwrap(), v["grade"].as_str().unwrap().to_string(), deductions, v["history"].clone())
}

#[test]
fn events_change_the_score_within_their_caps_until_withdrawn_or_repaired_on_both_backends() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        let school = db.write("school.csv", &format!("school_code,name,level,sponsor,district_code,founded\n{S1},广州市第一职业技术学校,中职,市属,440106,1958\n"));
        db.ok(&["import", school.to_str().unwrap()]);
        let indicators = json(&db, &["integrity", "indicators"]);
        let refunds = indicators.as_array().unwrap().iter().find(|i| i["id"] == "refunds").unwrap();
        assert_eq!(refunds["max_points"], 100, "{backend:?}");
        // A draft does not count; confirmed, it does.
        let a: i64 = record(&db, "refunds", "refund", "2025-03-01", "60", &[]).parse().unwrap();
        assert_eq!(score(&db).0, 1000);
        db.ok(&["integrity", "confirm", &a.to_string()]);
        assert_eq!(score(&db).2, vec![(a, "refunds".into(), 60)]);
        // A second one counts up to the indicator's cap (100): 40 of its 60.
        let b: i64 = record(&db, "refunds", "refund", "2025-04-01", "60", &[]).parse().unwrap();
        db.ok(&["integrity", "confirm", &b.to_string()]);
        let (s, grade, d, _) = score(&db);
        assert_eq!((s, grade.as_str()), (900, "C"));
        assert_eq!(d, vec![(a, "refunds".into(), 60), (b, "refunds".into(), 40)]);
        // Appealed it still counts; withdrawn on appeal it no longer does.
        db.ok(&["integrity", "appeal", &b.to_string(), "--reason", "学员已自愿撤回投诉"]);
        assert_eq!(score(&db).0, 900);
        db.ok(&["integrity", "decide", &b.to_string(), "--withdraw"]);
        assert_eq!(score(&db).0, 940);
        let again = db.vetis(&["integrity", "appeal", &b.to_string(), "--reason", "再次申诉"]);
        assert!(!again.status.success() && stderr(&again).contains("只能申诉一次"), "{}", stderr(&again));
        assert_eq!(db.query_i64("SELECT COUNT(*) FROM integrity_appeal"), 1, "the second appeal left nothing");
        // A sanction needs its decision number; varied on appeal, its new points count.
        let bad = db.vetis(&[
            "integrity",
            "record",
            "--school",
            S1,
            "--indicator",
            "sanctions",
            "--kind",
            "sanction",
            "--date",
            "2025-05-01",
            "--points",
            "50",
            "--facts",
            "超范围办学",
        ]);
        assert!(!bad.status.success() && stderr(&bad).contains("--decision-no"));
        assert_eq!(db.query_i64("SELECT COUNT(*) FROM integrity_event"), 2, "a refused event is not recorded");
        // Evidence goes in with its event or not at all: a file that is no document refuses both.
        let exe = db.write_bytes("decision.exe", b"MZ\x90\x00not a document");
        let bad = db.vetis(&[
            "integrity",
            "record",
            "--school",
            S1,
            "--indicator",
            "sanctions",
            "--kind",
            "sanction",
            "--date",
            "2025-05-01",
            "--points",
            "50",
            "--facts",
            "超范围办学",
            "--decision-no",
            "穗教罚〔2025〕3号",
            "--evidence",
            exe.to_str().unwrap(),
        ]);
        assert!(!bad.status.success() && stderr(&bad).contains("PDF"), "{}", stderr(&bad));
        assert_eq!(db.query_i64("SELECT COUNT(*) FROM integrity_event"), 2);
        let pdf = db.write_bytes("决定书.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n");
        let c: i64 = record(
            &db,
            "sanctions",
            "sanction",
            "2025-05-01",
            "50",
            &["--decision-no", "穗教罚〔2025〕3号", "--evidence", pdf.to_str().unwrap()],
        )
        .parse()
        .unwrap();
        assert_eq!(db.query_i64(&format!("SELECT COUNT(*) FROM integrity_evidence WHERE event_id = {c}")), 1);
        db.ok(&["integrity", "confirm", &c.to_string()]);
        db.ok(&["integrity", "appeal", &c.to_string(), "--reason", "处罚过重"]);
        db.ok(&["integrity", "decide", &c.to_string(), "--vary", "30"]);
        assert_eq!(score(&db).0, 1000 - 60 - 30);
        // Repaired after its display period, an event no longer counts but stays in the history.
        db.ok(&["integrity", "repair", &a.to_string(), "--reason", "已完成整改并退还全部费用"]);
        let (s, _, d, history) = score(&db);
        assert_eq!(s, 1000 - 30);
        assert_eq!(d, vec![(c, "sanctions".into(), 30)]);
        let first = history.as_array().unwrap().iter().find(|h| h["event"] == a).unwrap();
        assert_eq!((first["repaired"].as_bool(), first["counts"].as_bool()), (Some(true), Some(false)));
        // A draft is not public; confirmed, an event is shown in its display period with the fixed
        // fields, and cannot be repaired before that period ends.
        let d: i64 = record(&db, "complaints", "complaint", "2099-01-01", "10", &[]).parse().unwrap();
        let page = json(&db, &["integrity", "publish-check", "--school", S1]);
        assert_eq!(page["disclosures"], serde_json::json!([]), "{page}");
        db.ok(&["integrity", "confirm", &d.to_string()]);
        let early = db.vetis(&["integrity", "repair", &d.to_string(), "--reason", "整改"]);
        assert!(!early.status.success() && stderr(&early).contains("2100-01-01"), "{}", stderr(&early));
        let shown = json(&db, &["integrity", "publish-check", "--school", S1])["disclosures"].clone();
        assert_eq!(shown.as_array().unwrap().len(), 1, "{shown}");
        assert_eq!(shown[0]["公示期限"], "2100-01-01");
        assert_eq!(shown[0]["相对人名称"], "广州市第一职业技术学校");
        // Nothing was deleted: every step is in the audit log.
        assert!(db.query_i64("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'integrity_%'") >= 12);
    }
}
