//! The credit bank's figures (plan 三(七), 三(九)): graduates holding 1+X certificates per
//! program, school, district and city; credits requested, granted, rejected and refused with the
//! most frequent reasons; conversions of outcomes earned at another school. Summed from the credit
//! blocks (`store::credit_blocks`); the two plan rules on them (`x_certificates`,
//! `credit_conversions`) are reported like every other rule.

use std::collections::{BTreeMap, HashMap};

use super::query::Scope;
use super::rules::{Failure, Outcome};
use crate::domain::plan::Plan;
use crate::domain::targets::{Check, Rule};
use crate::store::credit_blocks::{self, Tally};
use crate::store::rule_sums::Within;
use crate::store::{Db, StoreError, registry};

/// How many reasons the figures list.
const TOP_REASONS: usize = 5;

fn within(scope: &Scope) -> Within<'_> {
    Within { area: scope.area(), levels: &[], sponsor: None }
}

fn share(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| part * 100.0 / whole)
}

/// Credits of decided applications: granted, rejected, refused or revoked (not the open ones).
fn decided(t: &Tally) -> f64 {
    t.granted + t.rejected + t.refused + t.revoked
}

/// A program's graduates and their 1+X certificates in one year.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProgramCertificates {
    pub program_code: String,
    pub program_name: String,
    pub graduates: i64,
    pub holders: i64,
    pub certificates: i64,
    /// Holders ÷ graduates, in per cent.
    pub share: Option<f64>,
}

/// A reason applications were refused (a rule of the pack) or rejected (a reviewer's words).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReasonCount {
    /// The rule's id, or `review` for a reviewer's rejection.
    pub reason: String,
    pub zh: String,
    pub en: String,
    pub applications: i64,
    pub credits: f64,
}

/// The credit bank's figures for one scope and year: the scope's totals (graduates, holders,
/// certificates; applications and their credits by outcome; cross-school conversions) with the
/// shares, the programs and the reasons.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CreditFigures {
    pub year: i32,
    #[serde(flatten)]
    pub totals: Tally,
    /// Graduates with at least one 1+X certificate, in per cent.
    pub holder_share: Option<f64>,
    /// Granted ÷ decided credits, in per cent.
    pub granted_share: Option<f64>,
    pub programs: Vec<ProgramCertificates>,
    pub top_reasons: Vec<ReasonCount>,
}

async fn program_names(db: &Db) -> Result<HashMap<String, String>, StoreError> {
    Ok(registry::all_programs(db).await?.into_iter().map(|(_, code, name)| (code, name)).collect())
}

/// The credit bank's figures in `scope` for `year`.
pub async fn figures(db: &Db, scope: &Scope, year: i32) -> Result<CreditFigures, StoreError> {
    let w = within(scope);
    let per_program = credit_blocks::by_program(db, &w, (year, year)).await?;
    let names = program_names(db).await?;
    let mut total = Tally::default();
    let mut programs = Vec::new();
    for ((code, _), t) in &per_program {
        total.add(t);
        if t.graduates > 0 {
            programs.push(ProgramCertificates {
                program_code: code.clone(),
                program_name: names.get(code).cloned().unwrap_or_default(),
                graduates: t.graduates,
                holders: t.holders,
                certificates: t.certificates,
                share: share(t.holders as f64, t.graduates as f64),
            });
        }
    }
    let top_reasons = credit_blocks::reasons(db, &w, year)
        .await?
        .into_iter()
        .take(TOP_REASONS)
        .map(|(reason, zh, en, applications, credits)| ReasonCount { reason, zh, en, applications, credits })
        .collect();
    Ok(CreditFigures {
        year,
        holder_share: share(total.holders as f64, total.graduates as f64),
        granted_share: share(total.granted, decided(&total)),
        totals: total,
        programs,
        top_reasons,
    })
}

/// The outcome of a rule kept in the credit blocks, every year from the plan's baseline to
/// `year`; what falls short only for `year`: programs whose graduates hold no 1+X certificate,
/// or the reasons credits were refused or rejected.
pub async fn rule_outcomes(
    db: &Db,
    plan: &Plan,
    rule: &Rule,
    scope: &Scope,
    year: i32,
) -> Result<BTreeMap<i32, Outcome>, StoreError> {
    let w = within(scope);
    let years = (plan.baseline_year, year);
    let mut out: BTreeMap<i32, Outcome> = (plan.baseline_year..=year).map(|y| (y, Outcome::default())).collect();
    for (y, t) in credit_blocks::tallies(db, &w, years).await? {
        if let Some(o) = out.get_mut(&y) {
            (o.passed, o.total) = match rule.check {
                Check::XCertificates => (t.holders as f64, t.graduates as f64),
                _ => (t.granted, decided(&t)),
            };
        }
    }
    let Some(o) = out.get_mut(&year) else { return Ok(out) };
    if rule.check == Check::XCertificates {
        let names = program_names(db).await?;
        for ((code, _), t) in credit_blocks::by_program(db, &w, (year, year)).await? {
            if t.graduates > 0 && t.holders == 0 {
                let name = names.get(&code).cloned().unwrap_or_default();
                o.failures.push(Failure {
                    school_code: String::new(),
                    school_name: String::new(),
                    subject: format!("{code} {name}").trim().to_string(),
                    detail_zh: format!("{year}届毕业生 {} 人，无人持有1+X证书", t.graduates),
                    detail_en: format!("none of the {} graduates of {year} holds a 1+X certificate", t.graduates),
                });
            }
        }
    } else {
        for (reason, zh, en, n, credits) in credit_blocks::reasons(db, &w, year).await?.into_iter().take(TOP_REASONS) {
            let (detail_zh, detail_en) = if reason == "review" {
                (
                    format!("审核未予认定 {n} 次（{credits} 学分）：{zh}"),
                    format!("rejected in review {n} times ({credits} credits): {en}"),
                )
            } else {
                (
                    format!("规则不符 {n} 次（{credits} 学分）：{zh}"),
                    format!("refused by the rule {n} times ({credits} credits): {en}"),
                )
            };
            o.failures.push(Failure {
                school_code: String::new(),
                school_name: String::new(),
                subject: reason,
                detail_zh,
                detail_en,
            });
        }
    }
    Ok(out)
}
