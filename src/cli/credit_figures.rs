//! `vetis credit figures [--year Y] [--school C | --district D]`: the credit bank's figures of one
//! scope and year: graduates holding 1+X certificates (and per program), credits requested,
//! granted, rejected and refused with the most frequent reasons, conversions across schools.

use crate::figures::credit::CreditFigures;
use crate::figures::{self, Scope};
use crate::store::Db;

/// Prints the figures as a table, or as JSON.
pub async fn run(db: &Db, scope: &Scope, scope_name: &str, year: i32, json: bool, zh: bool) -> anyhow::Result<()> {
    let f = figures::credit::figures(db, scope, year).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&f)?);
        return Ok(());
    }
    print!("{}", table(&f, scope_name, zh));
    Ok(())
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{v:.1}%"))
}

/// The figures as the terminal shows them.
pub fn table(f: &CreditFigures, scope_name: &str, zh: bool) -> String {
    let mut out = String::new();
    let y = f.year;
    if zh {
        out.push_str(&format!("学分银行与1+X证书 · {y} 年 · {scope_name}\n\n"));
        out.push_str(&format!(
            "毕业生 {} 人，持1+X证书 {} 人（{}），共持证 {} 本\n",
            f.totals.graduates,
            f.totals.holders,
            pct(f.holder_share),
            f.totals.certificates
        ));
        out.push_str(&format!(
            "转换申请 {} 项：申请 {} 学分，认定 {}，未予认定 {}，规则不符 {}，审核中 {}，撤销 {}；认定占已决 {}\n",
            f.totals.applications,
            f.totals.requested,
            f.totals.granted,
            f.totals.rejected,
            f.totals.refused,
            f.totals.pending,
            f.totals.revoked,
            pct(f.granted_share)
        ));
        out.push_str(&format!("跨校转换（在他校取得的成果）{} 项\n", f.totals.cross_school));
    } else {
        out.push_str(&format!("Credit bank and 1+X certificates · {y} · {scope_name}\n\n"));
        out.push_str(&format!(
            "{} graduates, {} holding a 1+X certificate ({}), {} certificates in all\n",
            f.totals.graduates,
            f.totals.holders,
            pct(f.holder_share),
            f.totals.certificates
        ));
        out.push_str(&format!(
            "{} conversion applications: {} credits asked for, {} granted, {} rejected, {} refused by a rule, {} under review, {} revoked; {} of decided credits granted\n",
            f.totals.applications,
            f.totals.requested,
            f.totals.granted,
            f.totals.rejected,
            f.totals.refused,
            f.totals.pending,
            f.totals.revoked,
            pct(f.granted_share)
        ));
        out.push_str(&format!("{} conversions of an outcome earned at another school\n", f.totals.cross_school));
    }
    if !f.top_reasons.is_empty() {
        out.push_str(if zh {
            "\n主要不予转换原因：\n"
        } else {
            "\nMost frequent reasons credits were not granted:\n"
        });
        for r in &f.top_reasons {
            let (label, unit) = if zh { (&r.zh, "项") } else { (&r.en, " applications") };
            out.push_str(&format!(
                "  {:>4}{unit}  {:>6} {}  {label}\n",
                r.applications,
                r.credits,
                if zh { "学分" } else { "credits" }
            ));
        }
    }
    if !f.programs.is_empty() {
        out.push_str(if zh {
            "\n专业   毕业生  持证人数  持证率  名称\n"
        } else {
            "\nprogram  graduates  holders  share  name\n"
        });
        for p in &f.programs {
            out.push_str(&format!(
                "{:<8} {:>6} {:>8} {:>7}  {}\n",
                p.program_code,
                p.graduates,
                p.holders,
                pct(p.share),
                p.program_name
            ));
        }
    }
    out
}
