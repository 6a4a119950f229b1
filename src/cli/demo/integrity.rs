//! The demo city's integrity ledger: a few schools with events in their training, as the bureau
//! would record them: complaints and a refund dispute confirmed, a reporting lapse repaired after
//! its display period, a sanction under appeal, one varied on appeal, and a commendation.

use chrono::NaiveDate;

use crate::domain::integrity::EventKind;
use crate::domain::integrity::providers::Provider;
use crate::messages::Lang;
use crate::store::integrity::{self, NewEvent, Step};
use crate::store::{Db, registry};

/// What the bureau does after confirming an event.
enum Follow {
    Nothing,
    Repair,
    Appeal,
    Vary,
}

/// One event of the demo's ledger.
struct Planned {
    school: usize,
    indicator: &'static str,
    kind: EventKind,
    date: NaiveDate,
    points: i64,
    facts: &'static str,
    decision_no: Option<&'static str>,
    follow: Follow,
}

/// A GB 32100 credit code from its first 17 characters (the demo's codes are made up).
fn credit_code(first17: &str) -> String {
    let check = crate::domain::ids::credit_check_char(first17.as_bytes()).unwrap_or('0');
    format!("{first17}{check}")
}

/// A one-page PDF standing for a scanned decision (evidence files are checked by their first bytes).
fn decision_pdf(no: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% VETIS demo: 行政处罚决定书 {no}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
        .into_bytes()
}

/// The providers register: the schools' credit codes (事业单位, 12…) and two private training
/// providers (民办非企业单位, 52…) by theirs.
async fn providers(db: &Db, schools: &[registry::School]) -> anyhow::Result<Vec<String>> {
    let mut list: Vec<Provider> = schools
        .iter()
        .enumerate()
        .map(|(i, s)| Provider {
            code: s.code.clone(),
            credit_code: Some(credit_code(&format!("12440100{:09}", 453_500_000 + i * 7919))),
            name: String::new(),
            district_code: None,
            address: None,
        })
        .collect();
    let others = [
        ("52440106MJL10001", "广州市天河区匠心职业技能培训学校", "440106", "天河区中山大道西 1 号"),
        ("52440111MJL10002", "广州市白云区优才职业培训学校", "440111", "白云区机场路 2 号"),
    ];
    let mut codes = Vec::new();
    for (first, name, district, address) in others {
        let code = credit_code(&format!("{first}0")[..17]);
        codes.push(code.clone());
        list.push(Provider {
            code: code.clone(),
            credit_code: Some(code),
            name: name.into(),
            district_code: Some(district.into()),
            address: Some(address.into()),
        });
    }
    integrity::providers::load(db, &list, "demo", "demo").await?;
    Ok(codes)
}

pub async fn ledger(db: &Db, last_year: i32, lang: Lang) -> anyhow::Result<()> {
    let schools = registry::schools(db).await?;
    let secondary: Vec<&str> = schools.iter().filter(|s| s.level == "secondary").map(|s| s.code.as_str()).collect();
    if secondary.len() < 4 {
        return Ok(());
    }
    let others = providers(db, &schools).await?;
    let y = last_year;
    let date = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let p = |school, indicator, kind, date, points, facts, decision_no, follow| Planned {
        school,
        indicator,
        kind,
        date,
        points,
        facts,
        decision_no,
        follow,
    };
    let plan = [
        p(
            0,
            "complaints",
            EventKind::Complaint,
            date(y, 3, 12),
            10,
            "学员投诉实训课时不足，经查属实",
            None,
            Follow::Nothing,
        ),
        p(
            0,
            "refunds",
            EventKind::Refund,
            date(y, 5, 20),
            30,
            "3 名学员退费未按合同约定期限办理",
            None,
            Follow::Nothing,
        ),
        p(1, "reporting", EventKind::Reporting, date(y - 2, 4, 8), 10, "年度培训数据迟报 20 天", None, Follow::Repair),
        p(
            2,
            "sanctions",
            EventKind::Sanction,
            date(y, 6, 3),
            50,
            "超出备案范围开展收费培训",
            Some("穗教罚〔2025〕7号"),
            Follow::Appeal,
        ),
        p(3, "subsidy", EventKind::Subsidy, date(y, 2, 27), 60, "补贴性培训虚报 3 人次", None, Follow::Vary),
        p(
            3,
            "premises",
            EventKind::Inspection,
            date(y, 9, 15),
            20,
            "实训场所消防通道堵塞，当场整改",
            None,
            Follow::Nothing,
        ),
        p(
            1,
            "complaints",
            EventKind::Commendation,
            date(y, 11, 2),
            0,
            "承办南粤家政培训成效突出，获市级表彰",
            None,
            Follow::Nothing,
        ),
        p(10, "refunds", EventKind::Refund, date(y, 8, 21), 20, "2 名学员退费逾期 30 天未办理", None, Follow::Nothing),
        p(
            11,
            "complaints",
            EventKind::Complaint,
            date(y, 10, 9),
            10,
            "学员投诉培训教师无相应资质，经查属实",
            None,
            Follow::Nothing,
        ),
    ];
    let today = chrono::Local::now().date_naive();
    for x in plan {
        let when = x.date;
        let evidence: Vec<(String, Vec<u8>)> =
            x.decision_no.map(|no| vec![("行政处罚决定书.pdf".to_string(), decision_pdf(no))]).unwrap_or_default();
        let e = NewEvent {
            school: if x.school < 10 { secondary[x.school] } else { &others[x.school - 10] },
            indicator: x.indicator,
            kind: x.kind,
            date: when,
            points: x.points,
            facts: x.facts,
            legal_basis: "《广州市职业学校社会培训管理办法》（示例）",
            decision_no: x.decision_no,
            // A sanction stays on the public page three years (a serious breach), others one.
            display_days: x.decision_no.map(|_| 1095),
            evidence: &evidence,
        };
        let id = integrity::record(db, &e, "demo", "demo").await?;
        integrity::step(db, id, &Step::Confirm, "demo", "demo").await?;
        match x.follow {
            Follow::Repair if today > when + chrono::Duration::days(366) => {
                integrity::step(
                    db,
                    id,
                    &Step::Repair { reason: "已建立数据报送复核制度并按时报送", today },
                    "demo",
                    "demo",
                )
                .await?;
            }
            Follow::Appeal => {
                integrity::step(db, id, &Step::Appeal { reason: "培训项目已于处罚前取得备案" }, "demo", "demo").await?;
            }
            Follow::Vary => {
                integrity::step(db, id, &Step::Appeal { reason: "其中 1 人次系系统重复提交" }, "demo", "demo").await?;
                integrity::step(db, id, &Step::Vary { points: 40 }, "demo", "demo").await?;
            }
            Follow::Repair | Follow::Nothing => {}
        }
    }
    if lang == Lang::Zh {
        println!(
            "培训诚信档案：9 个事件（含申诉中的处罚 1 项、已修复 1 项；2 家校外培训机构）（vetis integrity score --school C --year {y}）"
        );
    } else {
        println!(
            "training integrity ledger: 9 events (a sanction under appeal, one repaired; 2 private providers) (vetis integrity score --school C --year {y})"
        );
    }
    Ok(())
}
