//! `vetis dual apply|evidence|decide|publish|suspend|revoke|list|figures`: the register of
//! dual-qualified recognitions from the command line. The operator acts as the bureau (the panel
//! and the publisher); every step is audited under their account name.

use super::Action;
use crate::cli::{Cli, Refused, refusal};
use crate::domain::dual::Level;
use crate::domain::dual::register::Recognition;
use crate::messages::Lang;
use crate::store::audit::os_user;
use crate::store::dual::register::{self as reg, Actor, Application, Batch, Change};

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

fn unmet_json(a: &Application, zh: bool) -> Vec<serde_json::Value> {
    a.unmet
        .iter()
        .map(|u| serde_json::json!({ "condition": u.condition, "message": if zh { &u.zh } else { &u.en } }))
        .collect()
}

fn application_json(a: &Application, zh: bool) -> serde_json::Value {
    serde_json::json!({
        "id": a.id,
        "batch": a.batch_id,
        "school_code": a.school_code,
        "teacher_no": a.teacher_no,
        "level": a.level.key(),
        "eligible": a.eligible,
        "unmet": unmet_json(a, zh),
        "status": a.status.key(),
        "reason": a.reason,
    })
}

fn print_application(a: &Application, zh: bool) {
    let status = if zh { a.status.zh() } else { a.status.en() };
    let check = match (a.eligible, zh) {
        (true, true) => "记录可核查条件均满足",
        (true, false) => "meets the checked conditions",
        (false, true) => "记录不满足条件",
        (false, false) => "records fall short",
    };
    let level = if zh { a.level.zh() } else { a.level.key() };
    println!("  #{:<5} {} {:<8} {level} {check} · {status}", a.id, a.school_code, a.teacher_no);
    for u in &a.unmet {
        println!("          {}", if zh { &u.zh } else { &u.en });
    }
    if !a.reason.is_empty() {
        println!("          {}: {}", if zh { "理由" } else { "reason" }, a.reason);
    }
}

fn print_batch(b: &Batch, zh: bool, json: bool) -> anyhow::Result<()> {
    if json {
        let apps: Vec<serde_json::Value> = b.applications.iter().map(|a| application_json(a, zh)).collect();
        let out = serde_json::json!({
            "batch": b.id,
            "school_code": b.school_code,
            "year": b.year,
            "level": b.level.key(),
            "title": b.title,
            "status": b.status.key(),
            "pack": format!("{} {}", b.pack_id, b.pack_version),
            "published_on": b.published_on,
            "objection_until": b.objection_until,
            "applications": apps,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let status = if zh { b.status.zh() } else { b.status.en() };
    println!(
        "{} #{} {} · {status} · {} {}",
        if zh { "批次" } else { "batch" },
        b.id,
        b.title,
        b.pack_id,
        b.pack_version
    );
    if let (Some(p), Some(o)) = (&b.published_on, &b.objection_until) {
        if zh {
            println!("  {p} 公示，异议期至 {o}，期满次日生效");
        } else {
            println!("  published {p}, objections until {o}, in force the day after");
        }
    }
    for a in &b.applications {
        print_application(a, zh);
    }
    Ok(())
}

fn recognition_json(r: &Recognition, zh: bool) -> serde_json::Value {
    let s = r.standing(today());
    serde_json::json!({
        "id": r.id,
        "school_code": r.school_code,
        "teacher_no": r.teacher_no,
        "level": r.level.key(),
        "published_on": r.published_on.to_string(),
        "valid_from": r.valid_from.to_string(),
        "valid_until": r.valid_until.to_string(),
        "standing": s.key(),
        "standing_name": if zh { s.zh() } else { s.en() },
        "ended_on": r.ended_on.map(|d| d.to_string()),
        "suspensions": r.suspensions,
    })
}

fn print_recognition(r: &Recognition, zh: bool) {
    let s = r.standing(today());
    let level = if zh { r.level.zh() } else { r.level.key() };
    println!(
        "  #{:<5} {} {:<8} {level} {} – {} · {}",
        r.id,
        r.school_code,
        r.teacher_no,
        r.valid_from,
        r.valid_until,
        if zh { s.zh() } else { s.en() }
    );
}

pub async fn run(cli: &Cli, action: &Action, json: bool) -> anyhow::Result<()> {
    let zh = cli.lang == Lang::Zh;
    let db = crate::cli::open(cli).await?;
    let name = os_user();
    let who = Actor { name: &name, origin: "cli" };
    let refuse = |e| refusal(e, cli.lang);
    match action {
        Action::Apply { school, level, teachers, year, title } => {
            let b = reg::apply(&db, school, Level::from(*level), *year, teachers, title, &who).await.map_err(refuse)?;
            print_batch(&b, zh, json)?;
        }
        Action::Evidence { application, files } => {
            for path in files {
                let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("evidence");
                let id = crate::store::dual::evidence::add(&db, *application, file, &bytes, &name, "cli")
                    .await
                    .map_err(refuse)?;
                println!("{} #{id}: {file}", if zh { "已保存证明材料" } else { "evidence saved" });
            }
        }
        Action::Decide { applications, recognise, reason, .. } => {
            let mut out = Vec::new();
            let mut refused = false;
            for id in applications {
                match reg::decide(&db, *id, *recognise, reason, &who).await {
                    Ok(a) => out.push(a),
                    Err(e) => {
                        refused = true;
                        let _ = refuse(e);
                    }
                }
            }
            if json {
                let list: Vec<serde_json::Value> = out.iter().map(|a| application_json(a, zh)).collect();
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                out.iter().for_each(|a| print_application(a, zh));
            }
            if refused {
                return Err(Refused.into());
            }
        }
        Action::Publish { batch, on } => {
            let b = reg::publish(&db, *batch, on.unwrap_or_else(today), &who).await.map_err(refuse)?;
            print_batch(&b, zh, json)?;
        }
        Action::Suspend { recognition, reason, lift, on } => {
            let change = if *lift { Change::Lift } else { Change::Suspend };
            let r =
                reg::change(&db, *recognition, change, on.unwrap_or_else(today), reason, &who).await.map_err(refuse)?;
            show_one(&r, zh, json)?;
        }
        Action::Revoke { recognition, reason, on } => {
            let r = reg::change(&db, *recognition, Change::Revoke, on.unwrap_or_else(today), reason, &who)
                .await
                .map_err(refuse)?;
            show_one(&r, zh, json)?;
        }
        Action::List { school, applications, pending, batch, unbacked, year } => {
            if let (true, Some(y)) = (unbacked, year) {
                let list = crate::store::dual::marks::unbacked(&db, *y, school.as_deref()).await?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&list)?);
                } else {
                    for u in &list {
                        println!("  {} {:<8} {}", u.school_code, u.teacher_no, u.name_masked);
                    }
                    if zh {
                        println!("{y} 年共 {} 条“双师型”填报没有在统计时点有效的认定", list.len());
                    } else {
                        println!(
                            "{y}: {} dual-qualified claims without a recognition in force on the statistical date",
                            list.len()
                        );
                    }
                }
                return Ok(());
            }
            if let Some(b) = batch {
                let b = reg::batch(&db, *b).await.map_err(refuse)?;
                return print_batch(&b, zh, json);
            }
            if *applications || *pending {
                let list = reg::applications(&db, school.as_deref(), *pending).await?;
                if json {
                    let out: Vec<serde_json::Value> = list.iter().map(|a| application_json(a, zh)).collect();
                    println!("{}", serde_json::to_string_pretty(&out)?);
                } else {
                    list.iter().for_each(|a| print_application(a, zh));
                }
                return Ok(());
            }
            let list = reg::recognitions(&db, school.as_deref()).await?;
            if json {
                let out: Vec<serde_json::Value> = list.iter().map(|(_, r)| recognition_json(r, zh)).collect();
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                list.iter().for_each(|(_, r)| print_recognition(r, zh));
            }
        }
        Action::Figures { year, school, district } => {
            let plan = crate::store::refdata::active_plan(&db).await?;
            let year = match year {
                Some(y) => *y,
                None => crate::figures::indicators::latest_year(&db, plan.baseline_year).await?,
            };
            let (scope, scope_name) =
                crate::cli::indicators::resolve_scope(&db, school.as_deref(), district.as_deref()).await?;
            let f = crate::figures::teachers::figures(&db, &plan, &scope, year, today()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&f)?);
            } else {
                print_figures(&f, &scope_name, zh);
            }
        }
        Action::Rules { .. } | Action::Precheck { .. } => unreachable!("handled by dual::run"),
    }
    Ok(())
}

fn show_one(r: &Recognition, zh: bool, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(&recognition_json(r, zh))?);
    } else {
        print_recognition(r, zh);
    }
    Ok(())
}

fn pct(p: Option<(f64, f64, f64)>) -> String {
    p.map_or_else(|| "–".into(), |(v, n, d)| format!("{v:.1} % ({n:.0}/{d:.0})"))
}

fn print_figures(f: &crate::figures::teachers::TeacherFigures, scope: &str, zh: bool) {
    if zh {
        println!("“双师型”教师与教师发展 · {} 年 · {scope}（认定状态截至 {}）", f.year, f.today);
        println!("  级别   公示中  有效  待复核  已过期  暂停  已撤销");
    } else {
        println!("Dual-qualified teachers and teacher development · {} · {scope} (standing as of {})", f.year, f.today);
        println!("  level        objection active review_due expired suspended revoked");
    }
    for l in &f.levels {
        let name = match (l.level.as_str(), zh) {
            ("elementary", true) => "初级",
            ("intermediate", true) => "中级",
            ("advanced", true) => "高级",
            (k, _) => k,
        };
        println!(
            "  {name:<12} {:>6} {:>6} {:>6} {:>7} {:>6} {:>6}",
            l.objection, l.active, l.review_due, l.expired, l.suspended, l.revoked
        );
    }
    if zh {
        println!("  待评审申请 {} 项；一年内到期（待复核） {} 项", f.pending_applications, f.expiring_within_year);
    } else {
        println!(
            "  applications waiting for the panel: {}; due for review within a year: {}",
            f.pending_applications, f.expiring_within_year
        );
    }
    for d in &f.dual {
        let source = match (d.source, zh) {
            (crate::domain::dual::register::IndicatorSource::Claims, true) => "按学校填报计",
            (crate::domain::dual::register::IndicatorSource::Register, true) => "按认定名册计",
            (crate::domain::dual::register::IndicatorSource::Claims, false) => "counted from the claims",
            (crate::domain::dual::register::IndicatorSource::Register, false) => "counted from the register",
        };
        if zh {
            println!("  {}（{source}）：填报 {} · 名册 {}", d.name_zh, pct(d.claims), pct(d.register));
        } else {
            println!("  {} ({source}): claims {} · register {}", d.name_en, pct(d.claims), pct(d.register));
        }
    }
    for r in &f.rules {
        let v = r.value.map_or_else(|| "–".into(), |v| format!("{v:.1} %"));
        println!("  {}: {v} ({:.0}/{:.0})", if zh { &r.name_zh } else { &r.name_en }, r.passed, r.total);
    }
}
