//! The credit bank's tables (data standard v1.1, the Credit bank issue): `certificate` and
//! `curriculum` go in through the same checks as every table, come out masked, have templates
//! with their code lists, and keep their own rules: one issuer's number belongs to one learner,
//! a school names its own learners' school. Through the binary and the router, on both backends.

use crate::common::web::*;
use crate::common::*;
use axum::http::{Request, StatusCode};
use vetis::domain::ids::id_check_char;

pub const CERTIFICATE_H: &str = "certificate_no,id_type,id_number,name,kind,title,level,issuer_name,issuer_credit_code,issued_date,valid_until,school_code,program_code,hours,credits";
pub const CURRICULUM_H: &str =
    "school_code,year,program_code,course_code,course_name,course_type,credits,hours,ideals_hours";
/// A valid issuer credit code (the one the rule tests use for enterprises).
pub const ISSUER: &str = "91110000600037341L";

pub fn person(seq: u32) -> String {
    let body = format!("44010620050101{:02}{}", seq % 100, 1 + 2 * (seq % 4));
    format!("{body}{}", id_check_char(body.as_bytes()))
}

pub fn certificate_row(no: &str, id: &str, kind: &str, level: &str, school: &str) -> String {
    format!(
        "{no},,{id},陈一,{kind},汽车运用与维修职业技能等级证书,{level},华南汽车技术评价中心,{ISSUER},2021-06-30,,{school},700206,64,"
    )
}

#[test]
fn certificates_and_curricula_import_export_and_have_templates_on_both_backends() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let curriculum = format!(
            "{CURRICULUM_H}\n4401000001,2021,700206,700206G01,思想政治,公共基础课,8,144,18\n4401000001,2021,700206,700206C01,汽车发动机构造与维修,专业核心课,4,72,\n"
        );
        let path = db.write("curriculum.csv", &curriculum);
        db.ok(&["import", path.to_str().unwrap()]);
        // The school's 2021 curriculum is replaced by these two courses.
        let q =
            "SELECT COUNT(*) FROM rec_curriculum WHERE is_current = 1 AND school_code = '4401000001' AND year = 2021";
        assert_eq!(db.query_i64(q), 2, "{backend:?}");
        // An outcome with a school, and one the bureau registers for a learner of no school.
        let certificates = format!(
            "{CERTIFICATE_H}\n{}\n{}\n",
            certificate_row("X2021000001", &person(1), "1+X职业技能等级证书", "中级", "4401000001"),
            certificate_row("X2021000002", &person(2), "training", "", "").replace(",700206,64,", ",,16,")
        );
        let path = db.write("certificate.csv", &certificates);
        db.ok(&["import", path.to_str().unwrap()]);
        // The fixture's three and these two.
        assert_eq!(db.query_i64("SELECT COUNT(*) FROM rec_certificate WHERE is_current = 1"), 5, "{backend:?}");
        assert_eq!(db.query_i64("SELECT COUNT(*) FROM rec_certificate WHERE school_code = ''"), 1, "{backend:?}");
        // Personal data is kept as in `student`: never in clear in the database, masked on export.
        assert_eq!(db.query_i64(&format!("SELECT COUNT(*) FROM rec_certificate WHERE id_enc = '{}'", person(1))), 0);
        let exported = db.ok(&["export", "--table", "certificate"]);
        assert!(exported.contains("X2021000001") && exported.contains("中级"), "{backend:?}: {exported}");
        assert!(!exported.contains(&person(1)), "{backend:?}: the ID is masked: {exported}");
        let unmasked = db.ok(&["export", "--table", "certificate", "--unmask"]);
        assert!(unmasked.contains(&person(1)), "{backend:?}: {unmasked}");
        let exported = db.ok(&["export", "--table", "curriculum", "--year", "2021"]);
        assert!(exported.contains("700206C01") && exported.contains("专业核心课"), "{backend:?}: {exported}");
        // The same file again changes nothing; a corrected row replaces its outcome.
        let before = db.state();
        db.ok(&["import", path.to_str().unwrap()]);
        assert_eq!(db.state(), before, "{backend:?}: an identical file changes nothing");
        let corrected = certificates.replace(",中级,", ",高级,");
        let path = db.write("certificate.csv", &corrected);
        db.ok(&["import", path.to_str().unwrap()]);
        assert_eq!(
            db.query_strings(
                "SELECT level FROM rec_certificate WHERE is_current = 1 AND certificate_no = 'X2021000001'"
            ),
            ["advanced"],
            "{backend:?}"
        );
    }
    // Templates: Chinese headers and the new code lists.
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    use calamine::Reader;
    for (table, sheet, header, code) in [
        ("certificate", "证书与学习成果", "证书编号", "1+X职业技能等级证书"),
        ("curriculum", "专业课程", "学校标识码", "专业核心课"),
    ] {
        let out = db.dir.path().join(format!("{table}.xlsx"));
        db.ok(&["template", "--table", table, "--out", out.to_str().unwrap()]);
        let mut wb = calamine::open_workbook_auto(&out).unwrap();
        let data = wb.worksheet_range(sheet).unwrap();
        assert_eq!(data.get((0, 0)).unwrap().to_string(), header);
        let codes = wb.worksheet_range("代码表").unwrap();
        assert!(codes.cells().any(|(_, _, v)| *v == code), "{table}: the code list holds {code}");
    }
}

#[test]
fn an_issuers_certificate_number_belongs_to_one_learner() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        let row = |id: &str| {
            format!(
                "{CERTIFICATE_H}\n{}\n",
                certificate_row("X2021000009", id, "1+X职业技能等级证书", "初级", "4401000001")
            )
        };
        let path = db.write("certificate.csv", &row(&person(5)));
        db.ok(&["import", path.to_str().unwrap()]);
        let before = db.state();
        let path = db.write("certificate.csv", &row(&person(6)));
        let out = db.vetis(&["import", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{backend:?}");
        assert!(
            stderr(&out).contains(":2:身份证件号: 该发证机构的这一证书编号已登记在另一学习者名下"),
            "{backend:?}: {}",
            stderr(&out)
        );
        assert_eq!(db.state(), before, "{backend:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_school_must_name_its_school_on_the_certificates_it_submits() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        add_user(&db, "school1", "school", &["--school", "4401000001"]);
        let token = db.ok(&["user", "token", "school1"]).trim().to_string();
        let app = App::new(&db).await;
        let file = format!(
            "{CERTIFICATE_H}\n{}\n",
            certificate_row("X2021000010", &person(7), "1+X职业技能等级证书", "初级", "")
        );
        let (ct, body) = multipart(&[], Some(("certificate.csv", &file)));
        let req = Request::post("/api/v1/submissions")
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", ct)
            .body(body)
            .unwrap();
        let (status, _, text) = app.call(req).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}: {text}");
        assert!(text.contains("由学校或区提交证书时必须填写"), "{backend:?}: {text}");
    }
}

/// 学生10 and 学生11 of the fixture city (students of 4401000001 in 2020 and 2021).
pub const LEARNER: &str = "440106200501100053";
const OTHER_LEARNER: &str = "440106200502110181";

/// The crafted credit bank: a 34-credit program (50 %: 17) and the outcomes each rule needs.
pub fn credit_city(db: &TestDb) {
    db.load_fixture();
    let curriculum = format!(
        "{CURRICULUM_H}\n\
         4401000001,2021,700206,G01,思想政治,公共基础课,8,144,18\n\
         4401000001,2021,700206,F01,汽车机械基础,专业基础课,4,72,\n\
         4401000001,2021,700206,F02,汽车电工电子基础,专业基础课,4,72,\n\
         4401000001,2021,700206,C01,汽车发动机构造与维修,专业核心课,4,72,\n\
         4401000001,2021,700206,C02,汽车底盘构造与维修,专业核心课,10,180,\n\
         4401000001,2021,700206,P01,岗位实习,实习实训,4,120,\n\
         4401000002,2021,730701,G01,思想政治,公共基础课,8,144,18\n"
    );
    let path = db.write("curriculum.csv", &curriculum);
    db.ok(&["import", path.to_str().unwrap()]);
    let row = |no: &str, id: &str, kind: &str, level: &str, issued: &str| {
        format!(
            "{no},,{id},学生,{kind},汽车运用与维修,{level},华南汽车技术评价中心,{ISSUER},{issued},,4401000001,700206,,"
        )
    };
    let certificates = [
        row("X1", LEARNER, "1+X职业技能等级证书", "中级", "2023-06-30"),
        row("X4", LEARNER, "1+X职业技能等级证书", "高级", "2023-06-30"),
        row("X5", LEARNER, "1+X职业技能等级证书", "中级", "2023-12-30"),
        row("X6", LEARNER, "1+X职业技能等级证书", "初级", "2023-12-30"),
        row("X7", LEARNER, "1+X职业技能等级证书", "中级", "2024-06-30"),
        row("OLD", LEARNER, "1+X职业技能等级证书", "高级", "2015-01-01"),
        row("R1", LEARNER, "职业技能等级认定", "中级", "2024-06-30"),
        row("J1", LEARNER, "技能竞赛获奖", "省级二等奖", "2023-12-10"),
        row("E1", OTHER_LEARNER, "1+X职业技能等级证书", "初级", "2021-06-30")
            .replace("2021-06-30,,", "2021-06-30,2024-06-30,"),
    ];
    let path = db.write("certificate.csv", &format!("{CERTIFICATE_H}\n{}\n", certificates.join("\n")));
    db.ok(&["import", path.to_str().unwrap()]);
}

/// `vetis credit apply … --format json`: the JSON and whether the command refused.
pub fn apply(db: &TestDb, no: &str, course: &str) -> (serde_json::Value, bool) {
    apply_at(db, no, "4401000001", "700206", course)
}

fn apply_at(db: &TestDb, no: &str, school: &str, program: &str, course: &str) -> (serde_json::Value, bool) {
    let out = db.vetis(&[
        "credit",
        "apply",
        "--certificate-no",
        no,
        "--issuer",
        ISSUER,
        "--school",
        school,
        "--year",
        "2021",
        "--program",
        program,
        "--course",
        course,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("apply {no} {course}: {e}: {} {}", stdout(&out), stderr(&out)));
    (v, !out.status.success())
}

fn rules_of(v: &serde_json::Value) -> Vec<String> {
    v["reasons"].as_array().unwrap().iter().map(|r| r["rule"].as_str().unwrap().to_string()).collect()
}

fn message_of(v: &serde_json::Value, rule: &str) -> String {
    v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == rule)
        .map_or_else(|| panic!("no {rule} in {v}"), |r| r["message"].as_str().unwrap().to_string())
}

#[test]
fn every_default_conversion_rule_passes_its_case_and_refuses_its_breach_with_its_message() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        credit_city(&db);
        // source_allowed passes: 中级 replaces 专业核心课; the credits are the course's (4).
        let (v, refused) = apply(&db, "X1", "C01");
        assert!(!refused && v["status"] == "pending" && v["credits"] == 4.0, "{backend:?}: {v}");
        // The cap: 高级 on a 10-credit course converts 8 (at most 8 a certificate).
        let (v, _) = apply(&db, "X4", "C02");
        assert_eq!((v["status"].as_str(), v["credits"].as_f64()), (Some("pending"), Some(8.0)), "{backend:?}: {v}");
        // A competition award on the practicum: within its source's cap (6), the course's 4.
        let (v, _) = apply(&db, "J1", "P01");
        assert_eq!((v["status"].as_str(), v["credits"].as_f64()), (Some("pending"), Some(4.0)), "{backend:?}: {v}");
        // source_allowed fails: 中级 cannot replace 公共基础课; 初级 not 专业核心课.
        let (v, refused) = apply(&db, "X5", "G01");
        assert!(refused && v["status"] == "refused", "{backend:?}: {v}");
        assert_eq!(message_of(&v, "source_allowed"), "中级证书不能替代公共基础课");
        let (v, _) = apply(&db, "X6", "C02");
        assert!(rules_of(&v).contains(&"source_allowed".to_string()), "{v}");
        assert_eq!(message_of(&v, "source_allowed"), "初级证书不能替代专业核心课");
        // one_course_per_outcome: X1 already replaces C01.
        let (v, _) = apply(&db, "X1", "F01");
        assert!(rules_of(&v).contains(&"one_course_per_outcome".to_string()), "{backend:?}: {v}");
        assert!(message_of(&v, "one_course_per_outcome").contains("该成果已用于替代课程 C01"), "{v}");
        // one_outcome_per_course: C01 is taken for this learner (a course under application too).
        let (v, _) = apply(&db, "R1", "C01");
        assert!(rules_of(&v).contains(&"one_outcome_per_course".to_string()), "{backend:?}: {v}");
        assert_eq!(message_of(&v, "one_outcome_per_course"), "已有证书替代该课程");
        // program_share: 4 + 8 + 4 = 16 held; 4 more passes 17 (50 % of 34).
        let (v, _) = apply(&db, "X5", "F01");
        assert_eq!(rules_of(&v), ["program_share"], "{backend:?}: {v}");
        assert!(
            message_of(&v, "program_share")
                .contains("本专业已认定或申请 16 学分，再加 4 学分将超过专业总学分 34 的 50%"),
            "{v}"
        );
        // recency: a 2015 certificate is over 8 years old.
        let (v, _) = apply(&db, "OLD", "F02");
        assert!(rules_of(&v).contains(&"recency".to_string()), "{backend:?}: {v}");
        assert!(message_of(&v, "recency").contains("成果取得已超过 8 年（2015-01-01）"), "{v}");
        // outcome_valid: an expired certificate, then a revoked one.
        let (v, _) = apply(&db, "E1", "F02");
        assert!(message_of(&v, "outcome_valid").contains("已过有效期"), "{backend:?}: {v}");
        db.ok(&["credit", "revoke", "--certificate-no", "X7", "--issuer", ISSUER, "--reason", "评价组织撤销"]);
        let (v, _) = apply(&db, "X7", "F02");
        assert_eq!(message_of(&v, "outcome_valid"), "该成果已被撤销，不能转换", "{backend:?}: {v}");
        // learner_of_school: 学生10 is not a student of 4401000002.
        let (v, _) = apply_at(&db, "X6", "4401000002", "730701", "G01");
        assert!(message_of(&v, "learner_of_school").contains("不是学校 4401000002 的学生"), "{backend:?}: {v}");
        // In English.
        let out = db.vetis(&[
            "credit",
            "apply",
            "--certificate-no",
            "X5",
            "--issuer",
            ISSUER,
            "--school",
            "4401000001",
            "--year",
            "2021",
            "--program",
            "700206",
            "--course",
            "G01",
            "--format",
            "json",
            "--lang",
            "en",
        ]);
        assert!(
            stdout(&out).contains("an intermediate certificate cannot replace a general course"),
            "{}",
            stdout(&out)
        );
        // Every decision keeps the rule pack's id and version.
        assert_eq!(
            db.query_i64("SELECT COUNT(*) FROM credit_application WHERE rules_id = 'guangzhou-credit-bank' AND rules_version = '2021.1'"),
            db.query_i64("SELECT COUNT(*) FROM credit_application"),
            "{backend:?}"
        );
    }
}

#[test]
fn an_application_is_reviewed_by_the_school_then_the_bank_appealed_once_and_revoked_with_its_outcome() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        credit_city(&db);
        let (a, _) = apply(&db, "X1", "C01");
        let (b, _) = apply(&db, "X4", "C02");
        let (id_a, id_b) = (a["id"].to_string(), b["id"].to_string());
        let review = |id: &str, args: &[&str]| {
            let mut all = vec!["credit", "review", id, "--format", "json"];
            all.extend(args);
            db.vetis(&all)
        };
        let status = |out: &std::process::Output| -> String {
            let v: serde_json::Value = serde_json::from_str(&stdout(out)).unwrap();
            v["status"].as_str().unwrap().to_string()
        };
        assert_eq!(status(&review(&id_a, &["--approve"])), "school_approved", "{backend:?}");
        assert_eq!(status(&review(&id_a, &["--approve"])), "approved", "{backend:?}");
        let done = review(&id_a, &["--approve"]);
        assert!(!done.status.success() && stderr(&done).contains("没有待审核的步骤"), "{}", stderr(&done));
        // A rejection needs a reason; then one appeal, decided by the bank.
        let no_reason = review(&id_b, &["--reject"]);
        assert!(stderr(&no_reason).contains("不予认定须说明理由"), "{}", stderr(&no_reason));
        assert_eq!(status(&review(&id_b, &["--reject", "--reason", "课程内容不对应"])), "rejected");
        db.ok(&["credit", "appeal", &id_b, "--reason", "证书考核内容覆盖课程标准"]);
        assert_eq!(status(&review(&id_b, &["--reject", "--reason", "维持原决定"])), "rejected");
        let again = db.vetis(&["credit", "appeal", &id_b, "--reason", "再次申诉"]);
        assert!(stderr(&again).contains("已申诉过一次"), "{}", stderr(&again));
        // The learner's account: outcomes with their status, conversions with theirs.
        let account = |db: &TestDb| -> serde_json::Value {
            serde_json::from_str(&db.ok(&["credit", "account", "--id-number", LEARNER, "--format", "json"])).unwrap()
        };
        let acc = account(&db);
        // The eight crafted outcomes and the fixture's two of this learner.
        assert_eq!(acc["outcomes"].as_array().unwrap().len(), 10, "{backend:?}: {acc}");
        let conv = acc["conversions"].as_array().unwrap();
        assert_eq!(conv.len(), 2);
        assert_eq!((conv[0]["status"].as_str(), conv[0]["credits"].as_f64()), (Some("approved"), Some(4.0)), "{acc}");
        assert_eq!(conv[1]["status"], "rejected");
        // The table view names levels and statuses in the reader's language, the learner masked.
        let shown = db.ok(&["credit", "account", "--id-number", LEARNER]);
        assert!(shown.contains("中级") && shown.contains("已认定") && !shown.contains(LEARNER), "{backend:?}: {shown}");
        // Revoking an outcome revokes the conversion built on it.
        let out = db.ok(&["credit", "revoke", "--certificate-no", "X1", "--issuer", ISSUER, "--reason", "证书造假"]);
        assert!(out.contains("1 项学分转换一并撤销"), "{out}");
        let acc = account(&db);
        let x1 = acc["outcomes"].as_array().unwrap().iter().find(|o| o["certificate_no"] == "X1").unwrap().clone();
        assert_eq!(x1["status"], "revoked", "{backend:?}");
        assert_eq!(acc["conversions"][0]["status"], "revoked", "{backend:?}: {acc}");
        // Every step is in the audit log.
        for action in ["credit_apply", "credit_review", "credit_appeal", "credit_revoke"] {
            assert!(db.query_i64(&format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'")) > 0, "{action}");
        }
    }
}

#[test]
fn a_rule_pack_is_checked_on_load_versioned_and_shown() {
    let db = TestDb::new(Backend::Sqlite);
    db.load_fixture();
    let shown = db.ok(&["credit", "rules", "show"]);
    assert!(shown.contains("guangzhou-credit-bank 2021.1"), "{shown}");
    let default = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/credit/guangzhou-credit-rules.toml"),
    )
    .unwrap();
    let bad = db.write("bad.toml", &default.replacen("\"foundation\"]", "\"basics\"]", 1));
    let out = db.vetis(&["credit", "rules", "load", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("course type 'basics' is not one of"), "{}", stderr(&out));
    // A stricter pack: a new version, 30 % of a program at most.
    let strict = default
        .replace("version = \"2021.1\"", "version = \"2024.1\"")
        .replace("max_program_share_pct = 50", "max_program_share_pct = 30");
    let path = db.write("strict.toml", &strict);
    db.ok(&["credit", "rules", "load", path.to_str().unwrap()]);
    assert!(db.ok(&["credit", "rules", "show"]).contains("2024.1"));
    // The same version with other content is refused: old decisions stay readable.
    let changed = db.write("changed.toml", &strict.replace("max_program_share_pct = 30", "max_program_share_pct = 40"));
    let out = db.vetis(&["credit", "rules", "load", changed.to_str().unwrap()]);
    assert!(stderr(&out).contains("请提高 version"), "{}", stderr(&out));
}

/// `vetis credit verify FILE`: the JSON and the exit status.
fn verify(db: &TestDb, path: &std::path::Path) -> (serde_json::Value, Option<i32>) {
    let out = db.vetis(&["credit", "verify", path.to_str().unwrap(), "--format", "json"]);
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {} {}", stdout(&out), stderr(&out)));
    (v, out.status.code())
}

fn check<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["checks"].as_array().unwrap().iter().find(|c| c["check"] == name).unwrap_or_else(|| panic!("no {name} in {v}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credential_verifies_fails_when_one_byte_changes_and_after_revocation() {
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        credit_city(&db);
        let (a, _) = apply(&db, "X1", "C01");
        let id = a["id"].to_string();
        let early = db.dir.path().join("early.jwt");
        let out = db.vetis(&["credit", "issue", "--application", &id, "--out", early.to_str().unwrap()]);
        assert!(stderr(&out).contains("只有已认定的转换可以签发凭证"), "{backend:?}: {}", stderr(&out));
        db.ok(&["credit", "review", &id, "--approve"]);
        db.ok(&["credit", "review", &id, "--approve"]);
        let conversion = db.dir.path().join("conversion.jwt");
        db.ok(&["credit", "issue", "--application", &id, "--out", conversion.to_str().unwrap()]);
        let outcome = db.dir.path().join("outcome.jwt");
        db.ok(&["credit", "issue", "--certificate-no", "X4", "--issuer", ISSUER, "--out", outcome.to_str().unwrap()]);
        for path in [&conversion, &outcome] {
            let (v, code) = verify(&db, path);
            assert_eq!((v["valid"].as_bool(), code), (Some(true), Some(0)), "{backend:?}: {v}");
            for name in ["format", "signature", "issuer", "revocation", "validity"] {
                assert_eq!(check(&v, name)["ok"], true, "{backend:?}: {name} in {v}");
            }
        }
        // The credential is Open Badges 3.0 JSON inside the JWS, naming the learner only by a salted hash.
        let jwt = std::fs::read_to_string(&conversion).unwrap();
        let payload = jwt.split('.').nth(1).unwrap();
        use base64::Engine;
        let claims: serde_json::Value =
            serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        let vc = &claims["vc"];
        assert_eq!(vc["type"], serde_json::json!(["VerifiableCredential", "OpenBadgeCredential"]));
        assert!(vc["issuer"]["id"].as_str().unwrap().starts_with("did:key:z6Mk"), "{vc}");
        assert_eq!(vc["credentialSubject"]["creditsEarned"], 4.0);
        assert!(!jwt.contains(LEARNER) && !vc.to_string().contains(LEARNER), "no ID number in the credential");
        // One byte of the credential changed (the course C01 made C02), still well-formed: the
        // signature fails and says why.
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut decoded = b64.decode(payload).unwrap();
        let at = decoded.windows(3).position(|w| w == b"C01").unwrap() + 2;
        decoded[at] = b'2';
        let parts: Vec<&str> = jwt.split('.').collect();
        let forged = format!("{}.{}.{}", parts[0], b64.encode(&decoded), parts[2]);
        let tampered = db.write("tampered.jwt", &forged);
        let (v, code) = verify(&db, &tampered);
        assert_eq!((v["valid"].as_bool(), code), (Some(false), Some(1)), "{backend:?}: {v}");
        assert_eq!(check(&v, "format")["ok"], true, "{v}");
        assert_eq!(check(&v, "signature")["ok"], false, "{v}");
        assert!(check(&v, "signature")["message"].as_str().unwrap().contains("签名无效"), "{v}");
        // A byte changed in the encoded text itself: refused too (here the JSON breaks first).
        let mut bytes = jwt.clone().into_bytes();
        let at = jwt.find('.').unwrap() + 10;
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        let broken = db.write("broken.jwt", &String::from_utf8(bytes).unwrap());
        let (v, code) = verify(&db, &broken);
        assert_eq!((v["valid"].as_bool(), code), (Some(false), Some(1)), "{backend:?}: {v}");
        let garbage = db.write("garbage.jwt", "not a credential");
        let (v, code) = verify(&db, &garbage);
        assert_eq!((v["valid"].as_bool(), code), (Some(false), Some(1)));
        assert_eq!(check(&v, "format")["ok"], false);
        // Revoking the outcome revokes both credentials built on it.
        db.ok(&["credit", "revoke", "--certificate-no", "X1", "--issuer", ISSUER, "--reason", "证书造假"]);
        let (v, code) = verify(&db, &conversion);
        assert_eq!(code, Some(1), "{backend:?}: {v}");
        assert_eq!(check(&v, "signature")["ok"], true);
        assert_eq!(check(&v, "revocation")["ok"], false);
        assert!(check(&v, "revocation")["message"].as_str().unwrap().contains("证书造假"), "{v}");
        // The public page says the same, without signing in.
        let app = crate::common::web::App::new(&db).await;
        let body = format!("credential={}", jwt.replace('.', "%2E"));
        let req = axum::http::Request::post("/verify")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(body))
            .unwrap();
        let (status, _, page) = app.call(req).await;
        assert_eq!(status, axum::http::StatusCode::OK, "{backend:?}: {page}");
        assert!(
            page.contains("signature") && page.contains("证书造假") && page.contains("无效"),
            "{backend:?}: {page}"
        );
        // The published revocation list (W3C Bitstring Status List), signed by the same issuer:
        // the revoked credential's bit is set, the other credential's is not.
        let (status, headers, list) =
            app.call(axum::http::Request::get("/status/revocation").body(axum::body::Body::empty()).unwrap()).await;
        assert_eq!(status, axum::http::StatusCode::OK, "{backend:?}");
        assert_eq!(headers.get("content-type").unwrap(), "application/vc+jwt");
        let decode = |jwt: &str| -> serde_json::Value {
            serde_json::from_slice(&b64.decode(jwt.split('.').nth(1).unwrap()).unwrap()).unwrap()
        };
        let list = decode(&list)["vc"].clone();
        assert_eq!(list["type"][1], "BitstringStatusListCredential", "{list}");
        assert_eq!(list["issuer"]["id"], vc["issuer"]["id"]);
        let encoded = list["credentialSubject"]["encodedList"].as_str().unwrap();
        let index_of = |jwt: &str| -> u64 {
            let vc = decode(jwt)["vc"].clone();
            assert_eq!(vc["credentialStatus"]["statusListCredential"], list["id"]);
            vc["credentialStatus"]["statusListIndex"].as_str().unwrap().parse().unwrap()
        };
        use vetis::domain::status_list::is_set;
        assert_eq!(is_set(encoded, index_of(&jwt)), Some(true), "{backend:?}: the revoked conversion");
        let other = std::fs::read_to_string(&outcome).unwrap();
        assert_eq!(is_set(encoded, index_of(&other)), Some(false), "{backend:?}: X4's credential stands");
    }
}
