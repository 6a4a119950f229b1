//! `vetis import FILE…`: checks and imports data-standard files; every error with file, row and
//! column; a refused file changes nothing; exit status 1 when any file is refused.

use std::path::PathBuf;

use super::progress::CliProgress;
use super::{Cli, Refused};
use crate::domain::standard::Table;
use crate::messages::Lang;
use crate::store::audit::os_user;
use crate::workflow::import::{ImportOptions, SheetResult, import_all};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 文件或文件夹（CSV、XLSX） / files or folders (CSV, XLSX)
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// 数据表（默认按工作表名、文件名或表头判断） / the table (default: from the sheet name, file name or header)
    #[arg(long, value_parser = parse_table)]
    pub table: Option<Table>,
    /// 只检查，不写入 / check only, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// 存为待审核，不立即生效 / store as submitted, to count only once approved
    #[arg(long)]
    pub review: bool,
}

fn parse_table(s: &str) -> Result<Table, String> {
    Table::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = Table::ALL.iter().map(|t| t.key()).collect();
        format!("unknown table '{s}': one of {}", names.join(", "))
    })
}

/// Files named directly, and the CSV/XLSX files inside folders named.
fn expand(files: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for f in files {
        if f.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(f)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| ["csv", "xlsx", "xls"].contains(&e.to_ascii_lowercase().as_str()))
                })
                .collect();
            inside.sort();
            out.extend(inside);
        } else {
            out.push(f.clone());
        }
    }
    out
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let actor = os_user();
    let files = expand(&args.files);
    let progress = CliProgress::new(cli.lang);
    let zh = cli.lang == Lang::Zh;
    let status = if args.review { "submitted" } else { "approved" };
    let opts = ImportOptions {
        table: args.table,
        actor: &actor,
        source: "cli",
        status,
        allowed_schools: None,
        dry_run: args.dry_run,
    };
    let results = import_all(&db, &files, &opts, &progress).await?;
    if files.len() > 1 {
        let n = files.len();
        eprintln!(
            "{}",
            if zh {
                format!("{n} 个文件，{}", progress.elapsed())
            } else {
                format!("{n} files, {}", progress.elapsed())
            }
        );
    }
    let mut refused = 0;
    for r in &results {
        report(r, cli.lang, args.dry_run, args.review);
        if !r.accepted() {
            refused += 1;
        }
    }
    if refused > 0 {
        if zh {
            eprintln!("共 {refused} 个文件（工作表）被拒绝；被拒绝的文件未对数据库作任何修改。");
        } else {
            eprintln!("{refused} file(s) (sheets) refused; a refused file changes nothing in the database.");
        }
        return Err(Refused.into());
    }
    Ok(())
}

/// The submissions a file made, all of them when few; a nation's file makes ten thousand, and a
/// line of them helps nobody: the first three, the last and how many.
fn shown_ids(ids: &[i64], lang: Lang) -> String {
    const SHOWN: usize = 10;
    if ids.len() <= SHOWN {
        return format!("{ids:?}");
    }
    let first: Vec<String> = ids[..3].iter().map(i64::to_string).collect();
    let last = ids[ids.len() - 1];
    match lang {
        Lang::Zh => format!("[{}, …, {last}]，共 {} 个", first.join(", "), ids.len()),
        Lang::En => format!("[{}, …, {last}], {} in all", first.join(", "), ids.len()),
    }
}

pub fn report(r: &SheetResult, lang: Lang, dry_run: bool, review: bool) {
    let zh = lang == Lang::Zh;
    let table = r.table.map_or_else(|| "?".into(), |t| if zh { t.zh().to_string() } else { t.key().to_string() });
    for w in &r.warnings {
        eprintln!("{}", w.render(lang));
    }
    if r.accepted() {
        match (&r.written, zh) {
            (Some(w), true) => println!(
                "{} {}：{table} {} 行，写入 {} 行，{} 组未变化，{} 组替换旧版本（提交 {}）",
                if review { "已提交待审核" } else { "已导入" },
                r.label,
                r.rows,
                w.rows_written,
                w.unchanged_groups,
                w.replaced_groups,
                shown_ids(&w.submissions, lang)
            ),
            (Some(w), false) => println!(
                "{} {}: {table}, {} rows read, {} written, {} group(s) unchanged, {} replaced (submissions {})",
                if review { "submitted for review" } else { "imported" },
                r.label,
                r.rows,
                w.rows_written,
                w.unchanged_groups,
                w.replaced_groups,
                shown_ids(&w.submissions, lang)
            ),
            (None, true) => {
                println!("检查通过 {}：{table} {} 行{}", r.label, r.rows, if dry_run { "（未写入）" } else { "" });
            }
            (None, false) => println!(
                "checked {}: {table}, {} rows, no errors{}",
                r.label,
                r.rows,
                if dry_run { " (not written)" } else { "" }
            ),
        }
        return;
    }
    for e in &r.errors {
        eprintln!("{}", e.render(lang));
    }
    let more = r.error_total.saturating_sub(r.errors.len());
    if more > 0 {
        eprintln!("{}: {}", r.label, crate::messages::Problem::TooManyErrors { more }.message(lang));
    }
    if zh {
        eprintln!("已拒绝 {}：{table}，共 {} 处错误，未写入任何数据。请修改后重新提交。", r.label, r.error_total);
    } else {
        eprintln!(
            "refused {}: {table}, {} error(s); nothing was written. Fix them and submit again.",
            r.label, r.error_total
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_submissions_are_listed_and_many_are_summed_up() {
        assert_eq!(shown_ids(&[4, 5], Lang::Zh), "[4, 5]");
        let many: Vec<i64> = (30001..=40000).collect();
        assert_eq!(shown_ids(&many, Lang::Zh), "[30001, 30002, 30003, …, 40000]，共 10000 个");
        assert_eq!(shown_ids(&many, Lang::En), "[30001, 30002, 30003, …, 40000], 10000 in all");
    }
}
