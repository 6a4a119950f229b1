//! The demo city: a synthetic but realistic Guangzhou vocational system for 2020–2025, written in
//! the data standard and imported through the same path as a school's files. Calibrated so that the
//! indicator engine gives the plan's 2020 column; see `targets` for the years after.

mod activity;
pub mod city;
mod credit;
mod ids;
mod names;
pub mod pathways;
mod people;
mod pool;
mod quality;
pub mod rng;
mod staff;
mod studios;
mod surveys;
pub mod targets;
mod writer;

use std::path::{Path, PathBuf};

use crate::domain::standard::Table;
use ids::IdMaker;
use rng::Rng;

#[derive(Debug, Clone, Copy)]
pub struct CityOptions {
    pub seed: u64,
    pub first_year: i32,
    pub last_year: i32,
}

impl Default for CityOptions {
    fn default() -> Self {
        CityOptions { seed: 2021, first_year: 2020, last_year: 2025 }
    }
}

/// Row counts by table, for the user and the tests.
pub type Counts = std::collections::BTreeMap<Table, usize>;

/// Enterprises the schools cooperate with, place teachers at and send graduates to.
fn enterprises(rng: &mut Rng) -> Vec<(String, String)> {
    let mut codes = std::collections::HashSet::new();
    let mut firm_names = std::collections::HashSet::new();
    let mut out = Vec::new();
    // 600 of the 1,600 possible names: a few thousand draws at most.
    for _ in 0..100_000 {
        if out.len() == 600 {
            break;
        }
        let district = city::DISTRICTS[rng.below(city::DISTRICTS.len())];
        let code = ids::credit_code(rng, district);
        let name = names::enterprise(rng);
        if !codes.contains(&code) && !firm_names.contains(&name) {
            codes.insert(code.clone());
            firm_names.insert(name.clone());
            out.push((code, name));
        }
    }
    out
}

/// The demo's part-time teacher pool, beside the standard's files (`vetis pool import` reads it).
pub fn pool_file(dir: &Path) -> PathBuf {
    dir.join("pool").join("experts.csv")
}

/// Writes the city's data-standard files (one CSV per table, every year) into `dir`.
/// `progress` hears of each year as it is done.
pub fn write_city(dir: &Path, opts: &CityOptions, progress: &dyn Fn(i32)) -> std::io::Result<(Vec<PathBuf>, Counts)> {
    let root = Rng::new(opts.seed);
    let schools = city::schools(&mut root.fork(1));
    let firms = enterprises(&mut root.fork(5));
    let mut ids = IdMaker::new();
    let mut pop = people::Population::new(root.fork(2), &schools);
    let agreements = pathways::agreements(&mut root.fork(11), &schools, opts.last_year);
    pop.set_agreements(agreements.clone());
    let mut staff = staff::Staff::new(root.fork(3), schools.len());
    let mut act = root.fork(4);
    let mut learning = root.fork(6);
    let mut quality_rng = root.fork(13);
    let issuers = credit::Issuers::new(&mut root.fork(7));
    let mut out = writer::Tables::create(dir, &Table::ALL)?;
    activity::registry(&schools, &mut out)?;
    pop.history(&schools, opts.first_year, &mut ids)?;
    for year in opts.first_year..=opts.last_year {
        activity::offerings(&schools, year, &mut out)?;
        // Results are written for cohorts on record (entered at most two years before the first).
        pop.transfers(&schools, year, (year - 3 >= opts.first_year - 2).then_some(&mut out))?;
        pop.new_cohort(&schools, year, &mut ids);
        pop.write_year(&schools, year, &mut out)?;
        pop.graduates(&schools, year, &firms, &mut out)?;
        credit::certificates(&mut learning, &schools, &pop.students, year, &issuers, &mut out)?;
        credit::curricula(&mut learning, &schools, year, &mut out)?;
        let enrolled = pop.enrolled(schools.len(), year);
        staff.year(&schools, year, &enrolled, opts.first_year, &mut ids);
        staff.write_year(&schools, year, &mut out)?;
        if year == opts.first_year {
            // Five years of placements and training before the first year: the rules look back.
            for past in (opts.first_year - 4)..opts.first_year {
                staff.development(&schools, past, &firms, &mut out)?;
            }
        }
        staff.development(&schools, year, &firms, &mut out)?;
        activity::conditions(&mut act, &schools, year, &enrolled, &mut out)?;
        quality::write(&mut quality_rng, &schools, year, &enrolled, &mut out)?;
        let projects = activity::training(&mut act, &schools, year, &mut out)?;
        if year == opts.last_year {
            surveys::write(&mut root.fork(12), &schools, &projects, &mut out)?;
        }
        activity::cooperation(&mut act, &schools, year, &firms, &mut out)?;
        progress(year);
    }
    let written = activity::designations(&mut act, &schools, opts.last_year, &mut out)?;
    studios::write(&mut root.fork(10), &schools, &staff, &written, opts.last_year, &mut out)?;
    pool::write(dir, &mut root.fork(8), &schools, &staff, &firms, opts.last_year, &mut ids)?;
    pathways::write_agreements(dir, &schools, &agreements, &pop.intakes)?;
    let counts = out.rows.clone();
    Ok((out.finish()?, counts))
}
pub mod national;
