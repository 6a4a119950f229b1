//! The figures' building blocks against the records (the Fresh figures issue's proof): a random
//! sequence of imports, staged submissions, approvals, returns and restores, through the real
//! binary; after each step the kept blocks equal a rebuild from the records (`vetis figures
//! check`) and every indicator and rule figure, for the city, a district and a school, equals its
//! computation from the records. Both backends; `VETIS_BLOCKS_STEPS` (default 12) and `VETIS_BLOCKS_SEED` for
//! longer or other runs.

use vetis::figures::Scope;
use vetis::figures::breakdown::{By, Group, breakdown, breakdown_from_records};
use vetis::figures::query::{series, series_from_records};
use vetis::figures::rules::{Detail, Outcome, evaluate_from_blocks};
use vetis::figures::rules_records::evaluate_from_records;

use crate::common::*;

fn env_number(key: &str, default: u64) -> u64 {
    std::env::var(key).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The fixture's rows of a table, grouped by (school, year) where it has a year, else by school.
fn groups(table: &str) -> (String, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(fixture_dir().join(format!("{table}.csv"))).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().trim_start_matches('\u{feff}').to_string();
    let cols: Vec<&str> = header.split(',').collect();
    let school = cols.iter().position(|c| ["school_code", "学校标识码"].contains(c)).unwrap();
    let year = cols.iter().position(|c| ["year", "graduation_year", "approved_year"].contains(c));
    let mut by: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let key = format!("{}/{}", f[school], year.map_or("", |y| f[y]));
        by.entry(key).or_default().push(l.to_string());
    }
    (header, by.into_values().collect())
}

async fn figures_agree(db: &TestDb, step: usize) {
    let store = vetis::store::Db::open(&db.url, Some(db.key_file())).await.unwrap();
    let plan = vetis::store::refdata::active_plan(&store).await.unwrap();
    let scopes = [
        Scope::City,
        Scope::District("440106".into()),
        Scope::District("440113".into()),
        Scope::School("4401000001".into()),
    ];
    for ind in &plan.indicators {
        for scope in &scopes {
            let (from, to) = (plan.baseline_year, plan.target_year);
            let kept = series(&store, &ind.formula, scope, from, to, None).await.unwrap();
            let direct = series_from_records(&store, &ind.formula, scope, from, to, None).await.unwrap();
            let close = kept.len() == direct.len()
                && kept.iter().zip(&direct).all(|((y1, a), (y2, b))| {
                    y1 == y2
                        && (a.value - b.value).abs() < 1e-9
                        && a.numerator == b.numerator
                        && a.denominator == b.denominator
                });
            assert!(
                close,
                "{:?} step {step}: {} for {scope:?}: blocks {kept:?} records {direct:?}",
                db.backend, ind.id
            );
        }
        for by in [By::District, By::School, By::Category, By::Pathway] {
            for year in [2020, 2021] {
                let kept = breakdown(&store, &ind.formula, &Scope::City, year, by).await.unwrap();
                let direct = breakdown_from_records(&store, &ind.formula, &Scope::City, year, by).await.unwrap();
                let key = |g: &Option<Vec<Group>>| {
                    g.as_ref().map(|v| {
                        v.iter()
                            .map(|x| {
                                (x.key.clone(), x.value.map(|v| (v * 1e6).round() as i64), x.numerator, x.denominator)
                            })
                            .collect::<Vec<_>>()
                    })
                };
                assert_eq!(key(&kept), key(&direct), "{:?} step {step}: {} by {by:?} in {year}", db.backend, ind.id);
            }
        }
    }
    for rule in &plan.rules {
        for scope in &scopes {
            for year in [2020, 2021] {
                let kept = evaluate_from_blocks(&store, &plan, rule, scope, year, Detail::Failures).await.unwrap();
                // Counts alone give the same counts.
                let counts = evaluate_from_blocks(&store, &plan, rule, scope, year, Detail::Counts).await.unwrap();
                let tally = |m: &std::collections::BTreeMap<i32, Outcome>| {
                    m.iter()
                        .map(|(y, o)| (*y, o.passed, o.total, o.ratio.map(|r| (r * 1e6).round() as i64)))
                        .collect::<Vec<_>>()
                };
                assert_eq!(tally(&counts), tally(&kept), "{} for {scope:?} in {year}", rule.id);
                let direct = evaluate_from_records(&store, &plan, rule, scope, year).await.unwrap();
                let key = |m: &std::collections::BTreeMap<i32, Outcome>| {
                    m.iter()
                        .map(|(y, o)| {
                            let mut f = o.failures.clone();
                            f.sort_by(|a, b| (&a.school_code, &a.subject).cmp(&(&b.school_code, &b.subject)));
                            (*y, o.passed, o.total, o.ratio.map(|r| (r * 1e6).round() as i64), f)
                        })
                        .collect::<Vec<_>>()
                };
                assert_eq!(
                    key(&kept),
                    key(&direct),
                    "{:?} step {step}: {} for {scope:?} in {year}",
                    db.backend,
                    rule.id
                );
            }
        }
    }
    store.pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocks_kept_step_by_step_equal_a_rebuild_and_every_figure_equals_the_records() {
    let steps = env_number("VETIS_BLOCKS_STEPS", 12) as usize;
    let seed = env_number("VETIS_BLOCKS_SEED", 0x5EED_B10C);
    let tables = [
        "student",
        "graduate",
        "teacher",
        "training",
        "designation",
        "practice",
        "pd",
        "condition",
        "offering",
        "school",
        "curriculum",
        "certificate",
    ];
    let pools: Vec<(&str, String, Vec<Vec<String>>)> = tables
        .iter()
        .map(|t| {
            let (h, g) = groups(t);
            (*t, h, g)
        })
        .collect();
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.load_fixture();
        db.ok(&["figures", "check"]);
        let mut rng = Rng(seed);
        let mut log = Vec::new();
        for step in 0..steps {
            let what = rng.below(10);
            let id_of = |status: &str, rng: &mut Rng| {
                let ids = db.query_strings(&format!(
                    "SELECT CAST(id AS TEXT) FROM submission WHERE status = '{status}' ORDER BY id"
                ));
                (!ids.is_empty()).then(|| ids[rng.below(ids.len())].clone())
            };
            let done = match what {
                // A new version of one school's rows of a table (some of them), direct or staged.
                0..=4 => {
                    let (table, header, groups) = &pools[rng.below(pools.len())];
                    let rows = &groups[rng.below(groups.len())];
                    let keep: Vec<&String> = rows.iter().filter(|_| rng.below(3) > 0).collect();
                    let keep = if keep.is_empty() { vec![&rows[0]] } else { keep };
                    let body: Vec<&str> = keep.iter().map(|s| s.as_str()).collect();
                    let path = db.write(&format!("{table}.csv"), &format!("{header}\n{}\n", body.join("\n")));
                    let staged = rng.below(2) == 0;
                    let mut args = vec!["import", path.to_str().unwrap()];
                    if staged {
                        args.insert(1, "--review");
                    }
                    let ok = db.vetis(&args).status.success();
                    format!("import {table} {} rows{} → {ok}", body.len(), if staged { " staged" } else { "" })
                }
                5 | 6 => match id_of("submitted", &mut rng) {
                    Some(id) => {
                        format!("approve {id} → {}", db.vetis(&["submissions", "approve", &id]).status.success())
                    }
                    None => "approve: none waiting".into(),
                },
                7 => match id_of("submitted", &mut rng) {
                    Some(id) => {
                        let ok = db.vetis(&["submissions", "return", &id, "--comment", "请核对"]).status.success();
                        format!("return {id} → {ok}")
                    }
                    None => "return: none waiting".into(),
                },
                _ => match id_of("superseded", &mut rng) {
                    Some(id) => {
                        format!("restore {id} → {}", db.vetis(&["submissions", "restore", &id]).status.success())
                    }
                    None => "restore: none superseded".into(),
                },
            };
            log.push(done);
            let check = db.vetis(&["figures", "check"]);
            assert!(check.status.success(), "{backend:?} after {log:?}:\n{}", stdout(&check));
            figures_agree(&db, step).await;
        }
        println!("{backend:?}: {steps} steps: {log:?}");
        // A rebuild from the records changes nothing.
        db.ok(&["figures", "rebuild"]);
        db.ok(&["figures", "check"]);
        figures_agree(&db, steps).await;
    }
}

/// Writes a teacher file and a practice file for `schools` schools: two full-time specialty
/// teachers each (one hired long ago, one new), a placement in 2024 for the first teacher of
/// every second school, and one person teaching at the first school and at the last, so that a
/// teacher's activity is read across chunks of schools.
fn teachers_of_many_schools(dir: &std::path::Path, schools: usize) -> (std::path::PathBuf, std::path::PathBuf) {
    use vetis::testdata::{id_number, school_code};
    let teacher = dir.join("teacher.csv");
    let mut t = String::from(
        "teacher_no,id_type,id_number,name,gender,school_code,year,category,is_specialty,dual_qualified,dual_since,education,degree,title,hire_date,industry_years\n",
    );
    let practice = dir.join("practice.csv");
    let mut p = String::from("teacher_no,school_code,credit_code,enterprise_name,start_date,end_date,days\n");
    let row = |no: &str, n: usize, school: &str, hired: &str| {
        let id = id_number(n, 1985);
        let gender = if (id.as_bytes()[16] - b'0') % 2 == 1 { "男" } else { "女" };
        format!("{no},,{id},教师{n},{gender},{school},2024,专任教师,是,否,,本科,学士,中级,{hired},1\n")
    };
    for i in 0..schools {
        let code = school_code(i);
        t.push_str(&row("T1", 2 * i, &code, "2010-09-01"));
        t.push_str(&row("T2", 2 * i + 1, &code, "2024-02-01"));
        if i % 2 == 0 {
            p.push_str(&format!("T1,{code},91110000600037341L,广汽本田汽车有限公司,2024-03-01,2024-04-29,60\n"));
        }
    }
    // The shared person: a placement at the last school counts at the first school too.
    let shared = 2 * schools;
    t.push_str(&row("T3", shared, &school_code(0), "2012-09-01"));
    t.push_str(&row("T3", shared, &school_code(schools - 1), "2012-09-01"));
    p.push_str(&format!(
        "T3,{},91110000600037341L,广汽本田汽车有限公司,2024-07-01,2024-08-29,60\n",
        school_code(schools - 1)
    ));
    std::fs::write(&teacher, t).unwrap();
    std::fs::write(&practice, p).unwrap();
    (teacher, practice)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teacher_rules_judged_a_chunk_of_schools_at_a_time_equal_the_rules_judged_from_the_records() {
    use vetis::testdata::{Spec, school_code, write_city};
    let schools = vetis::store::rule_reads::SCHOOLS_JUDGED_AT_ONCE + 3;
    let data = tempfile::tempdir().unwrap();
    let spec = Spec { schools, first_year: 2024, last_year: 2024, students: schools };
    let mut files = write_city(data.path(), &spec).unwrap();
    let (teacher, practice) = teachers_of_many_schools(data.path(), schools);
    files.extend([teacher, practice]);
    let mut args = vec!["import"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    for backend in BACKENDS {
        let db = TestDb::new(backend);
        db.ok(&args);
        // The rebuild judges the teacher rules over every school, a chunk at a time; the check
        // compares every block and item with the rules judged over every school at once.
        db.ok(&["figures", "rebuild"]);
        db.ok(&["figures", "check"]);
        let store = vetis::store::Db::open(&db.url, Some(db.key_file())).await.unwrap();
        let plan = vetis::store::refdata::active_plan(&store).await.unwrap();
        let teacher_rules = plan.rules.iter().filter(|r| vetis::store::rule_reads::is_teacher_rule(r.check));
        for rule in teacher_rules {
            for scope in [Scope::City, Scope::School(school_code(0)), Scope::School(school_code(schools - 1))] {
                let kept = evaluate_from_blocks(&store, &plan, rule, &scope, 2024, Detail::Failures).await.unwrap();
                let direct = evaluate_from_records(&store, &plan, rule, &scope, 2024).await.unwrap();
                let key = |m: &std::collections::BTreeMap<i32, Outcome>| {
                    let o = &m[&2024];
                    let mut f: Vec<_> = o.failures.iter().map(|f| (&f.school_code, &f.subject, &f.detail_en)).collect();
                    f.sort();
                    (o.passed, o.total, format!("{f:?}"))
                };
                assert_eq!(key(&kept), key(&direct), "{:?}: {} for {scope:?}", db.backend, rule.id);
                if scope == Scope::City {
                    assert!(key(&kept).1 >= schools as f64, "{}: every school's teachers judged", rule.id);
                }
            }
        }
        store.pool.close().await;
    }
}
