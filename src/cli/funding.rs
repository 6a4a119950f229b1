//! `vetis funding load|show|allocate|save|versions`: per-student funding by program category
//! (plan 五(二)) as data: the tables in use, every school's allocation from its student rows, and
//! what a change of coefficients would do before it is kept as a new version.

use std::path::{Path, PathBuf};

use super::{Cli, Refused, refusal};
use crate::domain::funding::{COEFFICIENT_COLUMNS, FundingPack, RateTable, parse_coefficients};
use crate::domain::standard::{LEVELS, find_choice};
use crate::figures::funding::{self as figures, Allocation};
use crate::messages::Lang;
use crate::store::audit::os_user;
use crate::store::{StoreError, funding};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
    /// 输出格式 / output format
    #[arg(long, value_enum, default_value = "table", global = true)]
    pub format: Format,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// 载入拨款标准（TOML，新版本启用） / load funding tables (TOML; the new version is used)
    Load { file: PathBuf },
    /// 某年的基准定额与系数 / a year's base rates and coefficients
    Show {
        #[arg(long)]
        year: i32,
    },
    /// 按标准测算各校拨款；--coefficients 给出调整后的系数表（show 的列）即为模拟 / each school's
    /// allocation; with --coefficients (the columns of show) a what-if
    Allocate {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        coefficients: Option<PathBuf>,
        /// 写出各校拨款明细（XLSX，含各专业类的学生数与金额） / write the statements (XLSX, with each class's students and amount)
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 把调整后的系数表保存为新版本（仅改该年） / keep a changed coefficients file as a new version (that year only)
    Save {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        coefficients: PathBuf,
        /// 新版本号 / the new version
        #[arg(long)]
        version: String,
    },
    /// 已载入的版本 / the versions loaded
    Versions,
}

fn report(file: &Path, errors: Vec<String>) -> anyhow::Error {
    for e in errors {
        eprintln!("{}: {e}", file.display());
    }
    Refused.into()
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let zh = cli.lang == Lang::Zh;
    match &args.action {
        Action::Load { file } => {
            let text = super::read_reference_text(file)?;
            let cats = funding::categories(&db).await?;
            let pack = funding::parse(&text, &cats).map_err(|e| report(file, e))?;
            let new = funding::load(&db, &pack, &text, &os_user(), "cli").await.map_err(|e| refusal(e, cli.lang))?;
            let said = match (new, zh) {
                (true, true) => "已载入并启用",
                (false, true) => "已启用（此前已载入）",
                (true, false) => "loaded and in use",
                (false, false) => "in use (loaded before)",
            };
            println!("{} {} {said}", pack.id, pack.version);
        }
        Action::Show { year } => {
            let (pack, _) = funding::active(&db).await?;
            let table = table_for(&pack, *year, cli.lang)?;
            let rows = figures::coefficient_rows(&db, table).await?;
            match args.format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
                Format::Csv => print!("{}", coefficients_csv(&rows)?),
                Format::Table => {
                    println!("{} {} · {}", pack.id, pack.version, pack.name_zh);
                    if pack.example {
                        println!(
                            "{}",
                            if zh {
                                "⚠ 示例标准，非正式标准：请以教育局载入的标准为准"
                            } else {
                                "⚠ an example table, not an adopted one"
                            }
                        );
                    }
                    println!("{}: {}", if zh { "依据" } else { "source" }, table.source);
                    let header: Vec<String> = COEFFICIENT_COLUMNS.map(String::from).to_vec();
                    let body: Vec<Vec<String>> = rows
                        .iter()
                        .map(|r| {
                            vec![
                                r.level.clone(),
                                r.category_code.clone(),
                                r.category_name.clone(),
                                format!("{}", r.base_rate),
                                format!("{}", r.coefficient),
                            ]
                        })
                        .collect();
                    print!("{}", super::table::render(&header, &body, 3));
                    for s in &table.sizes {
                        println!(
                            "{} ≤ {}: × {}",
                            if zh { "规模调节：在校生" } else { "size: students" },
                            s.max_students,
                            s.factor
                        );
                    }
                }
            }
        }
        Action::Allocate { year, coefficients, out } => {
            let (pack, _) = funding::active(&db).await?;
            let changed = match coefficients {
                Some(file) => Some(what_if_table(&pack, *year, file, cli.lang)?),
                None => None,
            };
            let alloc =
                figures::allocate(&db, &pack, *year, changed.as_ref()).await.map_err(|e| refusal(e, cli.lang))?;
            let current = match &changed {
                Some(_) => Some(figures::allocate(&db, &pack, *year, None).await.map_err(|e| refusal(e, cli.lang))?),
                None => None,
            };
            if let Some(path) = out {
                super::write_whole(path, &statements(&alloc)?)?;
                eprintln!(
                    "{}",
                    if zh { format!("已写出 {}", path.display()) } else { format!("written to {}", path.display()) }
                );
            }
            print_allocation(&alloc, current.as_ref(), args.format, zh)?;
        }
        Action::Save { year, coefficients, version } => {
            let (pack, _) = funding::active(&db).await?;
            let table = what_if_table(&pack, *year, coefficients, cli.lang)?;
            let next = pack.with_table(*year, table, version);
            let text = toml::to_string(&next)?;
            let cats = funding::categories(&db).await?;
            let checked = funding::parse(&text, &cats).map_err(|e| report(coefficients, e))?;
            let new = funding::load(&db, &checked, &text, &os_user(), "cli").await.map_err(|e| refusal(e, cli.lang))?;
            if !new {
                eprintln!(
                    "{}",
                    if zh {
                        "此版本此前已载入，内容相同"
                    } else {
                        "this version was loaded before, with the same content"
                    }
                );
            }
            println!("{} {} {}", next.id, next.version, if zh { "已保存并启用" } else { "saved and in use" });
        }
        Action::Versions => {
            for (id, version, name, at, by, active) in funding::versions(&db).await? {
                println!("{}{id} {version}\t{at}\t{by}\t{name}", if active { "* " } else { "  " });
            }
        }
    }
    Ok(())
}

fn table_for(pack: &FundingPack, year: i32, lang: Lang) -> anyhow::Result<&RateTable> {
    pack.for_year(year).ok_or_else(|| {
        refusal(
            StoreError::refused(format!(
                "拨款标准中没有适用于 {year} 年的表 / the funding tables have no table for {year}"
            )),
            lang,
        )
    })
}

fn what_if_table(pack: &FundingPack, year: i32, file: &Path, lang: Lang) -> anyhow::Result<RateTable> {
    let like = table_for(pack, year, lang)?;
    let text = super::read_reference_text(file)?;
    parse_coefficients(&text, like, &file.display().to_string()).map_err(|errors| {
        for e in errors {
            eprintln!("{e}");
        }
        Refused.into()
    })
}

fn coefficients_csv(rows: &[crate::domain::funding::CoefficientRow]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COEFFICIENT_COLUMNS)?;
    for r in rows {
        w.write_record([
            r.level.clone(),
            r.category_code.clone(),
            r.category_name.clone(),
            format!("{}", r.base_rate),
            format!("{}", r.coefficient),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

fn level_zh(level: &str) -> &str {
    find_choice(LEVELS, level).map_or(level, |c| c.zh)
}

/// `vetis funding allocate --format json`: `{"schools": [{"school_code", "students", "allocation"}], "total"}`.
#[derive(serde::Serialize)]
struct AllocationJson<'a> {
    schools: Vec<SchoolJson<'a>>,
    total: f64,
}

#[derive(serde::Serialize)]
struct SchoolJson<'a> {
    school_code: &'a str,
    students: i64,
    allocation: f64,
}

fn print_allocation(alloc: &Allocation, current: Option<&Allocation>, format: Format, zh: bool) -> anyhow::Result<()> {
    let before =
        |code: &str| current.and_then(|c| c.schools.iter().find(|s| s.school_code == code)).map(|s| s.allocation);
    match format {
        Format::Json => {
            let schools = alloc
                .schools
                .iter()
                .map(|s| SchoolJson { school_code: &s.school_code, students: s.students, allocation: s.allocation })
                .collect();
            println!("{}", serde_json::to_string_pretty(&AllocationJson { schools, total: alloc.total })?);
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record([
                "school_code",
                "name",
                "level",
                "students",
                "allocation",
                "per_student",
                "current_allocation",
                "change",
                "flags",
            ])?;
            for s in &alloc.schools {
                let b = before(&s.school_code);
                w.write_record([
                    s.school_code.clone(),
                    s.name.clone(),
                    s.level.clone(),
                    s.students.to_string(),
                    format!("{:.2}", s.allocation),
                    s.per_student.map(|p| format!("{p:.2}")).unwrap_or_default(),
                    b.map(|v| format!("{v:.2}")).unwrap_or_default(),
                    b.map(|v| format!("{:.2}", s.allocation - v)).unwrap_or_default(),
                    flags(s, false).join(";"),
                ])?;
            }
            w.flush()?;
        }
        Format::Table => {
            if alloc.example {
                println!(
                    "{}",
                    if zh {
                        "⚠ 使用示例标准（非正式标准）测算"
                    } else {
                        "⚠ computed with an example table (not an adopted one)"
                    }
                );
            }
            println!("{} {} · {}", alloc.year, alloc.version, alloc.source);
            let mut header: Vec<String> =
                ["学校", "层次", "学生数", "拨款（元）", "生均（元）"].map(String::from).to_vec();
            if current.is_some() {
                header.extend(["现行（元）", "变化（元）"].map(String::from));
            }
            header.push("提示".into());
            let body: Vec<Vec<String>> = alloc
                .schools
                .iter()
                .map(|s| {
                    let mut line = vec![
                        format!("{} {}", s.school_code, s.name),
                        level_zh(&s.level).to_string(),
                        s.students.to_string(),
                        format!("{:.0}", s.allocation),
                        s.per_student.map(|p| format!("{p:.0}")).unwrap_or_default(),
                    ];
                    if current.is_some() {
                        let b = before(&s.school_code);
                        line.push(b.map(|v| format!("{v:.0}")).unwrap_or_default());
                        line.push(b.map(|v| format!("{:+.0}", s.allocation - v)).unwrap_or_default());
                    }
                    line.push(flags(s, zh).join("；"));
                    line
                })
                .collect();
            print!("{}", super::table::render(&header, &body, 2));
            let total_before: Option<f64> = current.map(|c| c.total);
            println!(
                "{}: {} {} · {:.0} {}{}",
                if zh { "全市合计" } else { "city total" },
                alloc.students,
                if zh { "人" } else { "students" },
                alloc.total,
                if zh { "元" } else { "yuan" },
                total_before.map(|b| format!(" ({:+.0})", alloc.total - b)).unwrap_or_default()
            );
            if !alloc.unrated.is_empty() {
                println!(
                    "{}: {}",
                    if zh {
                        "标准中无该层次基准定额的学校"
                    } else {
                        "schools whose level has no base rate"
                    },
                    alloc.unrated.join(", ")
                );
            }
        }
    }
    Ok(())
}

/// Each school's statement as a workbook: one line per school and program class, with the
/// students and the amount before the size factor, and the school's total after it.
fn statements(alloc: &Allocation) -> anyhow::Result<Vec<u8>> {
    use crate::store::record_rows::Cell;
    let mut rows = Vec::new();
    for s in &alloc.schools {
        for (class, n, amount) in &s.classes {
            rows.push(vec![
                Cell::Text(s.school_code.clone()),
                Cell::Text(s.name.clone()),
                Cell::Text(level_zh(&s.level).to_string()),
                Cell::Text(class.clone()),
                Cell::Number(*n as f64),
                Cell::Number((amount * 100.0).round() / 100.0),
                Cell::Number(s.size_factor),
                Cell::Number(s.allocation),
                Cell::Text(flags(s, true).join("；")),
            ]);
        }
    }
    let cols = [
        "学校标识码",
        "学校名称",
        "层次",
        "专业类",
        "全日制在籍学生",
        "金额（元，规模调节前）",
        "规模系数",
        "学校合计（元）",
        "提示",
    ];
    Ok(crate::reports::xlsx::sheet(&format!("{} 年生均拨款", alloc.year), &cols, &rows)?)
}

fn flags(s: &figures::SchoolAllocation, zh: bool) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(f) = s.below_floor {
        out.push(if zh { format!("生均低于 {f:.0} 元下限") } else { format!("below_floor_{f:.0}") });
    }
    if s.total_fell {
        out.push(if zh { "总额较上年减少".into() } else { "total_fell".into() });
    }
    if s.per_student_fell {
        out.push(if zh { "生均较上年减少".into() } else { "per_student_fell".into() });
    }
    out
}
