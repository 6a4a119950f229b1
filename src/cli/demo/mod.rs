//! `vetis demo`: the demo city, generated and imported (or only written with `--out`), then its
//! ten key indicators for every year.

mod integrity;
mod pathways;
mod pool;
mod quality;
mod register;

use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};

use super::progress::CliProgress;
use super::{Cli, Refused};
use crate::demo::{CityOptions, write_city};
use crate::domain::standard::Table;
use crate::domain::status::Status;
use crate::figures::Scope;
use crate::figures::indicators::{compute, display};
use crate::messages::Lang;
use crate::store::audit::os_user;
use crate::store::{Db, refdata};
use crate::workflow::import::{ImportOptions, import_all};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    City,
    National,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 随机种子：同一种子生成完全相同的文件 / seed: the same seed writes the same bytes
    #[arg(long, default_value_t = 2021)]
    pub seed: u64,
    #[arg(long, value_enum, default_value = "city")]
    pub scale: Scale,
    /// 只写出 CSV 文件到此文件夹，不导入 / only write the CSV files into this folder
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// 年度范围 / years, e.g. 2020-2025
    #[arg(long, default_value = "2020-2025", value_parser = parse_years)]
    pub years: (i32, i32),
    /// 全国规模的缩放比例（测试用） / fraction of the national scale (for tests)
    #[arg(long, default_value_t = 1.0, hide = true)]
    pub fraction: f64,
}

fn parse_years(s: &str) -> Result<(i32, i32), String> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let a: i32 = a.trim().parse().map_err(|_| format!("'{s}': years are written 2020-2025"))?;
    let b: i32 = b.trim().parse().map_err(|_| format!("'{s}': years are written 2020-2025"))?;
    if !(2020..=2030).contains(&a) || b < a || b > 2030 {
        return Err(format!("'{s}': the demo covers years from 2020 to at most 2030"));
    }
    Ok((a, b))
}

fn year_bar(len: u64, label: &str) -> ProgressBar {
    counted_bar(len, label, "年")
}

/// A bar that counts `unit`s (年, or nothing for candidates).
fn counted_bar(len: u64, label: &str, unit: &str) -> ProgressBar {
    let bar = ProgressBar::new(len).with_style(
        ProgressStyle::with_template(&format!("{{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit} {{elapsed}}"))
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(label.to_string());
    bar
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let zh = cli.lang == Lang::Zh;
    if args.scale == Scale::National {
        let out =
            args.out.as_ref().ok_or_else(|| anyhow::anyhow!("the national scale only writes files: give --out DIR"))?;
        let bar = ProgressBar::new(10_000).with_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} 所学校 {per_sec} 剩余 {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(if zh { "生成全国规模数据" } else { "writing the national scale" });
        let counts =
            crate::demo::national::write_scaled(out, args.seed, args.fraction, &|n| bar.set_position(n as u64))?;
        bar.finish_and_clear();
        for (t, n) in counts {
            println!("{}\t{}\t{n}", t.key(), t.zh());
        }
        return Ok(());
    }
    let opts = CityOptions { seed: args.seed, first_year: args.years.0, last_year: args.years.1 };
    let tmp;
    let dir = match &args.out {
        Some(d) => d.clone(),
        None => {
            tmp = tempfile::tempdir()?;
            tmp.path().to_path_buf()
        }
    };
    let bar = year_bar(
        (opts.last_year - opts.first_year + 1) as u64,
        if zh { "生成示例城市" } else { "generating the demo city" },
    );
    let (files, counts) = write_city(&dir, &opts, &|_| bar.inc(1))?;
    bar.finish_and_clear();
    let summary: Vec<String> =
        counts.iter().map(|(t, n)| format!("{} {n}", if zh { t.zh() } else { t.key() })).collect();
    if args.out.is_some() {
        println!(
            "{}{}: {}",
            if zh { "已写出示例数据到 " } else { "demo data written to " },
            dir.display(),
            summary.join(", ")
        );
        return Ok(());
    }
    let db = super::open(cli).await?;
    println!("{}{}", if zh { "示例城市：" } else { "demo city: " }, summary.join(", "));
    import_files(&db, &dir, &files, cli.lang).await?;
    processes(&db, &dir, &opts, cli.lang).await?;
    print_series(&db, opts.first_year, opts.last_year, cli.lang).await
}

/// What the plan's processes made of the imported city: credit applications, the register of
/// dual-qualified recognitions, and the part-time teacher pool with its engagements.
async fn processes(db: &Db, dir: &std::path::Path, opts: &CityOptions, lang: Lang) -> anyhow::Result<()> {
    applications(db, opts.first_year, opts.last_year, lang).await?;
    recognitions(db, opts.first_year, opts.last_year, lang).await?;
    let (experts, engaged) =
        pool::pool(db, &crate::demo::pool_file(dir), opts.seed, (opts.first_year, opts.last_year)).await?;
    if lang == Lang::Zh {
        println!("兼职教师资源库：入库专家 {experts} 名，聘用 {engaged} 次（vetis pool figures）");
    } else {
        println!("part-time teacher pool: {experts} experts, {engaged} engagements (vetis pool figures)");
    }
    pathways::summary(db, opts.first_year, opts.last_year, lang).await?;
    integrity::ledger(db, opts.last_year, lang).await?;
    quality::reports(db, opts.first_year, opts.last_year, opts.seed, lang).await?;
    // The example split of the city totals by district, so that a district's pages judge its part.
    crate::store::refdata::load_shares(db, EXAMPLE_SHARES, "demo", "demo").await?;
    if lang == Lang::Zh {
        println!("目标分解：在校生与培训人次目标按示例比例分解到各区（vetis plan shares show）");
    } else {
        println!(
            "target shares: enrolment and training targets split among the districts by the example (vetis plan shares show)"
        );
    }
    Ok(())
}

/// The example split of the city totals (data/targets/example-target-shares.toml).
const EXAMPLE_SHARES: &str = include_str!("../../../data/targets/example-target-shares.toml");

/// The register of dual-qualified recognitions, year by year, with a progress bar.
async fn recognitions(db: &Db, first_year: i32, last_year: i32, lang: Lang) -> anyhow::Result<()> {
    let zh = lang == Lang::Zh;
    let bar =
        year_bar((last_year - first_year + 1) as u64, if zh { "“双师型”认定" } else { "dual-qualified recognitions" });
    let made = register::register(db, first_year, last_year, &|| bar.inc(1)).await?;
    bar.finish_and_clear();
    let plan = crate::store::refdata::active_plan(db).await?;
    println!("{}", register::summary(&made, plan.dual_register.indicator_source, zh));
    Ok(())
}

/// Imports the city: the registry first, then the pathway agreements the bureau registers for its
/// schools (students on a 3+2, five-year or through pathway are checked against them), then the
/// rest.
async fn import_files(db: &Db, dir: &std::path::Path, files: &[PathBuf], lang: Lang) -> anyhow::Result<()> {
    let registry: Vec<PathBuf> = files
        .iter()
        .filter(|f| f.file_stem().and_then(|s| s.to_str()).and_then(Table::from_file_name) == Some(Table::School))
        .cloned()
        .collect();
    let rest: Vec<PathBuf> = files.iter().filter(|f| !registry.contains(f)).cloned().collect();
    import_batch(db, &registry, lang).await?;
    let agreements = crate::demo::pathways::agreements_file(dir);
    if agreements.exists() {
        let text = std::fs::read_to_string(&agreements)?;
        let n = crate::store::pathway::load_agreements(db, &text, &os_user(), "demo").await.map_err(|errors| {
            for e in errors {
                eprintln!("{}: {e}", agreements.display());
            }
            Refused
        })?;
        if lang == Lang::Zh {
            println!("贯通培养协议 {n} 个（vetis pathway agreements list）");
        } else {
            println!("{n} pathway agreements (vetis pathway agreements list)");
        }
    }
    import_batch(db, &rest, lang).await
}

async fn import_batch(db: &Db, files: &[PathBuf], lang: Lang) -> anyhow::Result<()> {
    // The demo's rows say where they came from (not the shell's user, often unset in a service).
    let actor = "demo".to_string();
    let options = ImportOptions {
        table: None,
        actor: &actor,
        source: "demo",
        status: "approved",
        allowed_schools: None,
        dry_run: false,
    };
    let results = import_all(db, files, &options, &CliProgress::new(lang)).await?;
    let mut refused = false;
    for r in results.iter().filter(|r| !r.accepted()) {
        refused = true;
        super::import::report(r, lang, false, false);
    }
    if refused {
        return Err(Refused.into());
    }
    Ok(())
}

/// Fills a database with the demo city (default seed and years), for `vetis serve --demo`.
pub async fn load(db: &Db, lang: Lang) -> anyhow::Result<()> {
    let opts = CityOptions::default();
    let tmp = tempfile::tempdir()?;
    let bar = year_bar(
        (opts.last_year - opts.first_year + 1) as u64,
        if lang == Lang::Zh { "生成示例城市" } else { "generating the demo city" },
    );
    let (files, _) = write_city(tmp.path(), &opts, &|_| bar.inc(1))?;
    bar.finish_and_clear();
    import_files(db, tmp.path(), &files, lang).await?;
    processes(db, tmp.path(), &opts, lang).await
}

/// Three school years of credit applications (the Credit bank issue): each year schools apply for
/// the certificates their learners earned the year before, most for a course the rules allow,
/// some for one they do not (refused at once); the school and the credit bank approve most,
/// reject a few. Schools learn the rules: fewer refusals and rejections each year.
async fn applications(db: &Db, first_year: i32, last_year: i32, lang: Lang) -> anyhow::Result<()> {
    use crate::store::credit::{self, Decision, Request, Status};
    let mut rng = crate::demo::rng::Rng::new(0x00C4_ED17);
    let (mut made, mut refused) = (0, 0);
    for (k, year) in ((last_year - 2).max(first_year)..=last_year).enumerate() {
        // 14 % of applications name a course the rules do not allow in the first year, 8 % in the third.
        let wrong = 0.14 - 0.03 * k as f64;
        let candidates = credit::outcomes_issued_in(db, year - 1, 1_200).await?;
        let label = if lang == Lang::Zh {
            format!("{year} 年学分转换申请")
        } else {
            format!("{year} credit applications")
        };
        let bar = counted_bar(candidates.len() as u64, &label, "");
        // Applied for back then, when they were valid: an outcome expired by now is left out (the
        // rules judge an application on the day it is made).
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        for c in &candidates {
            bar.inc(1);
            if !rng.chance(0.6) || c.valid_until.as_deref().is_some_and(|u| !u.is_empty() && *u < *today) {
                continue;
            }
            let courses = credit::courses(db, &c.school_code, i64::from(year), &c.program_code).await?;
            // The course type the rules allow for this outcome, and now and then one they do not.
            let wanted = match (c.kind.as_str(), c.level.as_deref(), rng.chance(wrong)) {
                (_, _, true) => "general",
                ("competition", _, _) => "elective",
                (_, Some("elementary"), _) => "foundation",
                _ => "core",
            };
            let Some((course, _)) = courses.iter().filter(|(_, t)| t == wanted).nth(rng.below(3)) else { continue };
            let req = Request {
                issuer: &c.issuer,
                certificate_no: &c.certificate_no,
                school: &c.school_code,
                year: i64::from(year),
                program: &c.program_code,
                course,
            };
            let app = credit::apply(db, &req, "demo", "demo").await?;
            made += 1;
            if app.status == Status::Refused {
                refused += 1;
                continue;
            }
            // Earlier years are decided; the last year's are partly still under review.
            let roll = rng.unit();
            let last = year == last_year;
            let with_school = if last { 0.12 } else { 0.0 };
            let with_bank = with_school + 0.06 + if last { 0.03 } else { 0.0 };
            if roll < with_school {
                continue;
            }
            if roll < with_school + 0.06 {
                credit::review(db, app.id, Decision::Reject, "证书考核内容与课程标准不对应", "demo", "demo").await?;
                continue;
            }
            credit::review(db, app.id, Decision::Approve, "", "demo", "demo").await?;
            if roll < with_bank {
                continue;
            }
            if roll < with_bank + 0.06 - 0.02 * k as f64 {
                credit::review(db, app.id, Decision::Reject, "学分银行复核：证书等级与课程要求不符", "demo", "demo")
                    .await?;
            } else {
                credit::review(db, app.id, Decision::Approve, "", "demo", "demo").await?;
            }
        }
        bar.finish_and_clear();
    }
    if lang == Lang::Zh {
        println!("学分转换申请 {made} 项（其中 {refused} 项不符合规则）");
    } else {
        println!("{made} credit applications ({refused} refused by the rules)");
    }
    Ok(())
}

/// The ten indicators for every year, with the mid-term (2023) and last year's status.
pub async fn print_series(db: &Db, first: i32, last: i32, lang: Lang) -> anyhow::Result<()> {
    let zh = lang == Lang::Zh;
    let plan = refdata::active_plan(db).await?;
    let at_last = compute(db, &plan, &Scope::City, last).await?;
    let midterm =
        if (first..last).contains(&2023) { Some(compute(db, &plan, &Scope::City, 2023).await?) } else { None };
    let mut header = vec![
        if zh { "指标".to_string() } else { "indicator".to_string() },
        if zh { "单位".into() } else { "unit".into() },
    ];
    header.extend((first..=last).map(|y| y.to_string()));
    header.push(if zh { "目标".into() } else { "target".into() });
    if midterm.is_some() {
        header.push(if zh { "2023 状态".into() } else { "2023 status".into() });
    }
    header.push(if zh { format!("{last} 状态") } else { format!("{last} status") });
    let label = |s: Status| if zh { s.zh().to_string() } else { s.en().to_string() };
    let rows: Vec<Vec<String>> = at_last
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = vec![
                format!("{:>2} {}", r.number, if zh { &r.name } else { &r.name_en }),
                if zh { r.unit.clone() } else { r.unit_en.clone() },
            ];
            for y in first..=last {
                row.push(display(r.series.iter().find(|(sy, _)| *sy == y).map(|(_, v)| *v), r.decimals));
            }
            row.push(r.target.map_or("—".into(), |t| format!("{}{t}", r.comparator_symbol)));
            if let Some(m) = &midterm {
                row.push(label(m[i].status));
            }
            row.push(label(r.status));
            row
        })
        .collect();
    println!();
    print!("{}", super::table::render(&header, &rows, 2));
    Ok(())
}
