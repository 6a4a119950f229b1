//! All 221 vectors of `id-check-test-vectors.csv` (GB 11643 ID numbers and GB 32100 credit codes).
//!
//! Format, checksum, birth date and province are hard rules. Whether the area code existed in the
//! birth year comes from a secondary source (python-stdnum's Wikipedia-built list) and is reported
//! as its own finding, a warning on import: an ID keeps the code of its year of *issue*, so
//! 440882 雷州市 (from 1994) is right for someone born in 1985, as the vectors themselves show.
//! The vectors invalid for that reason alone must produce that finding.

use std::collections::HashMap;

use vetis::domain::ids::{CreditCode, DivisionHistory, IdNumber, IdProblem};

type Periods = Vec<(Option<i32>, Option<i32>)>;

struct History(HashMap<String, Periods>);

impl DivisionHistory for History {
    fn valid_in(&self, code: &str, year: i32) -> Option<bool> {
        let p = self.0.get(code)?;
        Some(p.iter().any(|(f, t)| f.is_none_or(|f| f <= year) && t.is_none_or(|t| year <= t)))
    }
}

fn history() -> History {
    let text = include_str!("../../data/ref/cn-division-codes-historical.csv");
    let mut map: HashMap<String, Periods> = HashMap::new();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    for r in rdr.records() {
        let r = r.unwrap();
        map.entry(r[0].to_string()).or_default().push((r[3].parse().ok(), r[4].parse().ok()));
    }
    History(map)
}

#[test]
fn all_221_identifier_vectors_pass() {
    let h = history();
    let mut rdr =
        csv::Reader::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/id-check-test-vectors.csv")).unwrap();
    let mut n = 0;
    let mut wrong = Vec::new();
    for r in rdr.records() {
        let r = r.unwrap();
        let (scheme, value, expected) = (&r[0], &r[1], &r[2]);
        let region_only = r[3].starts_with("region not yet created") || r[3].starts_with("region abolished");
        let agrees = match scheme {
            "resident_id_gb11643" if region_only => {
                IdNumber::parse(value, None).is_ok()
                    && IdNumber::parse(value, Some(&h))
                        .is_err_and(|p| p.iter().all(|x| matches!(x, IdProblem::RegionInBirthYear { .. })))
            }
            "resident_id_gb11643" => IdNumber::parse(value, None).is_ok() == (expected == "valid"),
            "uscc_gb32100" => CreditCode::parse(value).is_ok() == (expected == "valid"),
            other => panic!("unknown scheme {other}"),
        };
        if !agrees {
            wrong.push(format!("{scheme} {value}: expected {expected} ({})", &r[3]));
        }
        n += 1;
    }
    assert_eq!(n, 221);
    assert!(wrong.is_empty(), "{wrong:#?}");
}
