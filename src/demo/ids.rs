//! Identifiers for the demo: ID numbers with valid check digits, birth dates that fit the level,
//! area codes that existed in the birth year (from the historical list); credit codes per GB 32100.

use std::collections::HashSet;

use super::rng::Rng;
use crate::domain::ids::{credit_check_char, id_check_char};

const HISTORICAL: &str = include_str!("../../data/ref/cn-division-codes-historical.csv");

/// Where learners come from: mostly Guangzhou, then the rest of Guangdong (the plan's transfers
/// from the east, west and north of the province), then the east–west partner provinces
/// (Guizhou, Yunnan) and Xinjiang and Qinghai (内职班).
const ORIGINS: [(&str, f64); 6] =
    [("4401", 0.70), ("4414", 0.06), ("4418", 0.06), ("4408", 0.06), ("52", 0.06), ("53", 0.04)];
const INLAND_CLASSES: [(&str, f64); 2] = [("65", 0.01), ("63", 0.01)];

pub struct IdMaker {
    /// (code, valid from, valid to) of county-level codes.
    codes: Vec<(String, i32, i32)>,
    /// Candidate codes by (prefix, year), computed once: there are 7,000 codes and 500,000 people.
    candidates: std::collections::HashMap<(String, i32), Vec<usize>>,
    issued: HashSet<String>,
}

impl IdMaker {
    pub fn new() -> IdMaker {
        let mut codes = Vec::new();
        let mut rdr = csv::Reader::from_reader(HISTORICAL.as_bytes());
        for r in rdr.records().flatten() {
            let code = r[0].to_string();
            // County level only (not the province or prefecture rows, not 市辖区).
            if code.ends_with("00") || &r[2] == "市辖区" {
                continue;
            }
            let from = r[3].parse().unwrap_or(1900);
            let to = r[4].parse().unwrap_or(2100);
            codes.push((code, from, to));
        }
        IdMaker { codes, candidates: std::collections::HashMap::new(), issued: HashSet::new() }
    }

    /// A county code under `prefix` that existed in `year`; failing that (梅州's 4414xx codes date
    /// from 1988), one of the province, then of the country.
    fn area(&mut self, rng: &mut Rng, prefix: &str, year: i32) -> String {
        let codes = &self.codes;
        let fit = self.candidates.entry((prefix.to_string(), year)).or_insert_with(|| {
            for p in [prefix, &prefix[..2], ""] {
                let fit: Vec<usize> = (0..codes.len())
                    .filter(|i| codes[*i].0.starts_with(p) && codes[*i].1 <= year && year <= codes[*i].2)
                    .collect();
                if !fit.is_empty() {
                    return fit;
                }
            }
            unreachable!("the historical list has codes for every year")
        });
        codes[*rng.pick(fit)].0.clone()
    }

    /// A new person's ID number and origin code (the area they were born in).
    pub fn person(&mut self, rng: &mut Rng, birth_year: i32, male: bool) -> (String, String) {
        let all: Vec<(&str, f64)> = ORIGINS.iter().chain(INLAND_CLASSES.iter()).copied().collect();
        let prefix = all[rng.weighted(&all.iter().map(|o| o.1).collect::<Vec<_>>())].0;
        let area = self.area(rng, prefix, birth_year);
        (self.number(rng, &area, birth_year, male), area)
    }

    /// A unique ID number born in `birth_year` in `area`.
    pub fn number(&mut self, rng: &mut Rng, area: &str, birth_year: i32, male: bool) -> String {
        loop {
            let day =
                chrono::NaiveDate::from_ymd_opt(birth_year, 1, 1).unwrap() + chrono::Duration::days(rng.range(0, 364));
            let seq = rng.range(0, 99);
            let gender = rng.range(0, 4) * 2 + if male { 1 } else { 0 };
            let body = format!("{area}{}{seq:02}{gender}", day.format("%Y%m%d"));
            let id = format!("{body}{}", id_check_char(body.as_bytes()));
            if self.issued.insert(id.clone()) {
                return id;
            }
        }
    }
}

const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
const USCC: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A valid unified social credit code of a Guangzhou enterprise: 9 1 (a company registered with
/// the market regulator), the district, a GB 11714 organisation code with its own check, and the
/// GB 32100 check character.
pub fn credit_code(rng: &mut Rng, district: &str) -> String {
    let org: Vec<u8> = (0..8).map(|_| USCC[rng.below(10)]).collect();
    let sum: u32 = org.iter().zip(ORG_WEIGHTS).map(|(c, w)| u32::from(c - b'0') * w).sum();
    let check = match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).unwrap(),
    };
    let body = format!("91{district}{}{check}", String::from_utf8(org).unwrap());
    format!("{body}{}", credit_check_char(body.as_bytes()).expect("alphabet"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{CreditCode, IdNumber};

    #[test]
    fn generated_identifiers_are_valid() {
        let mut rng = Rng::new(1);
        let mut ids = IdMaker::new();
        for _ in 0..200 {
            let (id, origin) = ids.person(&mut rng, 2005, true);
            let parsed = IdNumber::parse(&id, None).unwrap();
            assert!(parsed.is_male());
            assert!(id.starts_with(&origin));
            assert!(CreditCode::parse(&credit_code(&mut rng, "440106")).is_ok());
        }
    }
}

#[cfg(test)]
mod area_tests {
    use super::*;

    #[test]
    fn areas_exist_in_the_birth_year() {
        let mut ids = IdMaker::new();
        let mut rng = Rng::new(3);
        for year in [1960, 1977, 1984, 2005] {
            for prefix in ["4401", "4414", "52", "65"] {
                let a = ids.area(&mut rng, prefix, year);
                let ok = ids.codes.iter().any(|(c, f, t)| *c == a && *f <= year && year <= *t);
                assert!(ok, "{prefix} {year} → {a}");
            }
        }
    }
}
