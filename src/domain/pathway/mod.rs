//! Pathways (plan 三(二)): the bureau's register of 3+2, five-year and through agreements, each a
//! lower school's program paired with an upper school's program for a span of intake years, and
//! the rule that a student on such a pathway studies under one. Pure: the register comes in as text
//! and the registry as lookups.

use std::collections::HashMap;

use serde::Serialize;

use super::standard::{LEVELS, PATHWAYS, find_choice};

pub mod funnel;
pub mod scheme;

/// Years of the lower segment before the transfer: 中职 3 years (3+2 中高职, 五年一贯制, 中高本贯通),
/// 高职 3 years (3+2 高职–本科). The partner program's rows from `intake + LOWER_YEARS` on are the
/// admitted student's.
pub const LOWER_YEARS: i64 = 3;

/// The header of an agreements file, in order.
pub const AGREEMENT_COLUMNS: [&str; 9] = [
    "agreement_code",
    "pathway",
    "lower_school_code",
    "lower_program_code",
    "upper_school_code",
    "upper_program_code",
    "first_intake_year",
    "last_intake_year",
    "quota",
];

/// A pathway that runs under an agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pathway {
    /// 三二分段: 中职–高职 or 高职–本科.
    ThreePlusTwo,
    /// 五年一贯制.
    FiveYear,
    /// 中高本贯通.
    Through,
}

impl Pathway {
    pub const ALL: [Pathway; 3] = [Pathway::ThreePlusTwo, Pathway::FiveYear, Pathway::Through];

    /// The `student.pathway` key.
    pub fn key(self) -> &'static str {
        match self {
            Pathway::ThreePlusTwo => "three_plus_two",
            Pathway::FiveYear => "five_year",
            Pathway::Through => "through",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Pathway::ThreePlusTwo => "三二分段",
            Pathway::FiveYear => "五年一贯制",
            Pathway::Through => "中高本贯通",
        }
    }
    /// By key or Chinese label (`three_plus_two`, `三二分段`).
    pub fn parse(raw: &str) -> Option<Pathway> {
        let c = find_choice(PATHWAYS, raw)?;
        Pathway::ALL.into_iter().find(|p| p.key() == c.key)
    }
    /// The (lower, upper) school levels the pathway joins.
    pub fn levels(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Pathway::ThreePlusTwo => &[("secondary", "higher"), ("higher", "bachelor")],
            Pathway::FiveYear => &[("secondary", "higher"), ("higher", "higher")],
            Pathway::Through => &[("secondary", "bachelor"), ("secondary", "higher")],
        }
    }
}

/// One agreement of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agreement {
    pub code: String,
    pub pathway: Pathway,
    pub lower_school: String,
    pub lower_program: String,
    pub upper_school: String,
    pub upper_program: String,
    pub first_intake: i64,
    pub last_intake: i64,
    /// Places per intake year.
    pub quota: Option<i64>,
}

impl Agreement {
    pub fn runs_intake(&self, year: i64) -> bool {
        self.first_intake <= year && year <= self.last_intake
    }
}

/// What the register needs to know of the registry and the catalogue.
pub trait Registry {
    /// The school's level key, if the school is current.
    fn level(&self, school: &str) -> Option<String>;
    /// Whether the program is in the catalogue of that level.
    fn has_program(&self, level: &str, program: &str) -> bool;
}

/// Parses and checks an agreements file whole: every problem as `line N: …` (N counted as in a
/// spreadsheet, the header being line 1). Lines starting with `#` are notes.
pub fn parse_agreements(text: &str, registry: &dyn Registry) -> Result<Vec<Agreement>, Vec<String>> {
    let body = text.trim_start_matches('\u{feff}');
    let mut reader =
        csv::ReaderBuilder::new().has_headers(true).flexible(true).comment(Some(b'#')).from_reader(body.as_bytes());
    match reader.headers() {
        Ok(h) if h.iter().map(str::trim).eq(AGREEMENT_COLUMNS) => {}
        _ => return Err(vec![format!("line 1: the header must be: {}", AGREEMENT_COLUMNS.join(","))]),
    }
    let mut errors = Vec::new();
    let mut out: Vec<Agreement> = Vec::new();
    let mut lines: HashMap<String, usize> = HashMap::new();
    for rec in reader.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let cell = |k: usize| rec.get(k).unwrap_or("").trim().to_string();
        let mut bad = |col: &str, what: String| errors.push(format!("line {line}, {col}: {what}"));
        let code = cell(0);
        if code.is_empty() || code.len() > 40 {
            bad("agreement_code", "must be 1 to 40 characters".into());
        } else if let Some(first) = lines.insert(code.clone(), line) {
            bad("agreement_code", format!("'{code}' is already on line {first}: codes are unique"));
        }
        let pathway = Pathway::parse(&cell(1));
        if pathway.is_none() {
            bad(
                "pathway",
                format!(
                    "'{}' is not one of three_plus_two, five_year, through (三二分段, 五年一贯制, 中高本贯通)",
                    cell(1)
                ),
            );
        }
        let year = |k: usize, col: &str, bad: &mut dyn FnMut(&str, String)| match cell(k).parse::<i64>() {
            Ok(y) if (2000..=2100).contains(&y) => Some(y),
            _ => {
                bad(col, format!("'{}' is not a year (2000–2100)", cell(k)));
                None
            }
        };
        let first = year(6, "first_intake_year", &mut bad);
        let last = year(7, "last_intake_year", &mut bad);
        if let (Some(f), Some(l)) = (first, last)
            && l < f
        {
            bad("last_intake_year", format!("{l} is before the first intake year {f}"));
        }
        let quota = match cell(8) {
            q if q.is_empty() => None,
            q => match q.parse::<i64>() {
                Ok(n) if n >= 0 => Some(n),
                _ => {
                    bad("quota", format!("'{q}' is not a whole number ≥ 0 (places per intake year)"));
                    None
                }
            },
        };
        let mut levels = Vec::new();
        for (school_col, program_col, k) in
            [("lower_school_code", "lower_program_code", 2), ("upper_school_code", "upper_program_code", 4)]
        {
            let (school, program) = (cell(k), cell(k + 1));
            match registry.level(&school) {
                None => bad(school_col, format!("'{school}' is not a current school of the registry")),
                Some(level) => {
                    if !registry.has_program(&level, &program) {
                        bad(program_col, format!("'{program}' is not in the {} catalogue", level_zh(&level)));
                    }
                    levels.push(level);
                }
            }
        }
        if let (Some(p), [lower, upper]) = (pathway, levels.as_slice())
            && !p.levels().iter().any(|(l, u)| l == lower && u == upper)
        {
            let allowed: Vec<String> =
                p.levels().iter().map(|(l, u)| format!("{}→{}", level_zh(l), level_zh(u))).collect();
            bad(
                "upper_school_code",
                format!(
                    "a {} agreement joins {} (here {}→{})",
                    p.zh(),
                    allowed.join(" or "),
                    level_zh(lower),
                    level_zh(upper)
                ),
            );
        }
        if let (Some(pathway), Some(first), Some(last)) = (pathway, first, last) {
            out.push(Agreement {
                code,
                pathway,
                lower_school: cell(2),
                lower_program: cell(3),
                upper_school: cell(4),
                upper_program: cell(5),
                first_intake: first,
                last_intake: last,
                quota,
            });
        }
    }
    // A student's agreement is known from the school, program, pathway and intake year: two
    // agreements may not share them, or the class's students would be counted twice.
    for (i, a) in out.iter().enumerate() {
        if let Some(b) = out[..i].iter().find(|b| {
            b.lower_school == a.lower_school
                && b.lower_program == a.lower_program
                && b.pathway == a.pathway
                && b.first_intake <= a.last_intake
                && a.first_intake <= b.last_intake
        }) {
            errors.push(format!(
                "line {}, agreement_code: '{}' and '{}' (line {}) both take {} students of {} program {} in overlapping intake years: a student's agreement must follow from school, program and year (split the years, or use distinct program codes)",
                lines[&a.code], a.code, b.code, lines[&b.code], a.pathway.zh(), a.lower_school, a.lower_program
            ));
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

fn level_zh(level: &str) -> String {
    find_choice(LEVELS, level).map_or(level.to_string(), |c| c.zh.to_string())
}

/// Which side of an agreement a student's row is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Lower,
    Upper,
}

/// The register as the import checks students against it.
#[derive(Debug, Clone, Default)]
pub struct Register {
    pub agreements: Vec<Agreement>,
}

/// A student row's standing against the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Not on an agreement pathway, or no register is kept.
    NotApplicable,
    /// Under this agreement.
    Covered(String),
    /// No agreement for the school, program and intake; `before_register` when the intake is
    /// earlier than any the register records (a warning then, not an error).
    Uncovered { before_register: bool },
}

impl Register {
    pub fn is_empty(&self) -> bool {
        self.agreements.is_empty()
    }

    /// The agreement a student is under: on the lower side by intake year, or on the upper side
    /// (entering the partner program `LOWER_YEARS` after the intake, or, in a five-year program
    /// kept at one school, with the intake year itself).
    pub fn standing(&self, school: &str, program: &str, pathway: &str, entry_year: i64) -> Standing {
        let Some(p) = Pathway::ALL.into_iter().find(|p| p.key() == pathway) else {
            return Standing::NotApplicable;
        };
        if self.is_empty() {
            return Standing::NotApplicable;
        }
        let found = self.agreements.iter().find(|a| {
            a.pathway == p
                && ((a.lower_school == school && a.lower_program == program && a.runs_intake(entry_year))
                    || (a.upper_school == school
                        && a.upper_program == program
                        && (a.runs_intake(entry_year - LOWER_YEARS) || a.runs_intake(entry_year))))
        });
        match found {
            Some(a) => Standing::Covered(a.code.clone()),
            None => {
                let earliest = self.agreements.iter().map(|a| a.first_intake).min().unwrap_or(i64::MAX);
                Standing::Uncovered { before_register: entry_year < earliest }
            }
        }
    }

    pub fn get(&self, code: &str) -> Option<&Agreement> {
        self.agreements.iter().find(|a| a.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Reg;
    impl Registry for Reg {
        fn level(&self, school: &str) -> Option<String> {
            match school {
                "S1" | "S2" => Some("secondary".into()),
                "H1" => Some("higher".into()),
                "B1" => Some("bachelor".into()),
                _ => None,
            }
        }
        fn has_program(&self, level: &str, program: &str) -> bool {
            matches!((level, program), ("secondary", "700206") | ("higher", "460702") | ("bachelor", "260701"))
        }
    }

    const HEADER: &str = "agreement_code,pathway,lower_school_code,lower_program_code,upper_school_code,upper_program_code,first_intake_year,last_intake_year,quota\n";

    #[test]
    fn a_good_register_is_read_whole() {
        let text = format!(
            "{HEADER}A1,三二分段,S1,700206,H1,460702,2019,2025,40\nA2,through,S2,700206,B1,260701,2021,2025,\n"
        );
        let list = parse_agreements(&text, &Reg).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].pathway, Pathway::ThreePlusTwo);
        assert_eq!(list[1].quota, None);
    }

    #[test]
    fn every_problem_of_a_register_is_named_by_line_and_column() {
        let text = format!(
            "{HEADER}A1,三二分段,S1,700206,H1,460702,2019,2025,40\nA1,five_year,S9,700206,H1,999999,2026,2025,-1\nA3,三二分段,S1,700206,B1,260701,2024,2026,\n"
        );
        let errors = parse_agreements(&text, &Reg).unwrap_err();
        let all = errors.join("\n");
        assert!(all.contains("line 3, agreement_code: 'A1' is already on line 2"), "{all}");
        assert!(all.contains("line 3, lower_school_code"), "{all}");
        assert!(all.contains("line 3, upper_program_code"), "{all}");
        assert!(all.contains("line 3, last_intake_year"), "{all}");
        assert!(all.contains("line 3, quota"), "{all}");
        assert!(all.contains("line 4, upper_school_code: a 三二分段 agreement joins"), "{all}");
        assert!(all.contains("line 4, agreement_code: 'A3' and 'A1'"), "{all}");
    }

    #[test]
    fn a_student_is_covered_on_either_side_and_warned_before_the_register() {
        let text = format!("{HEADER}A1,三二分段,S1,700206,H1,460702,2019,2025,40\n");
        let r = Register { agreements: parse_agreements(&text, &Reg).unwrap() };
        assert_eq!(r.standing("S1", "700206", "three_plus_two", 2020), Standing::Covered("A1".into()));
        assert_eq!(r.standing("H1", "460702", "three_plus_two", 2023), Standing::Covered("A1".into()));
        assert_eq!(r.standing("S1", "700206", "three_plus_two", 2017), Standing::Uncovered { before_register: true });
        assert_eq!(r.standing("S2", "700206", "three_plus_two", 2020), Standing::Uncovered { before_register: false });
        assert_eq!(r.standing("S2", "700206", "regular", 2020), Standing::NotApplicable);
    }
}
