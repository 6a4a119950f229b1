//! Qualification frameworks (plan 三(九)): the national education levels used for VET, Guangdong's
//! lifelong-education qualifications framework (levels 1–7) and the Hong Kong Qualifications
//! Framework (levels 1–7), with the map between them and from a certificate's grade, each pair
//! with its source or marked unverified (`data/ref/qualification-frameworks.SOURCE.md`). An
//! outcome is shown at its level in each framework where one is known.

use std::collections::BTreeMap;
use std::sync::LazyLock;

const LEVELS: &str = include_str!("../../data/ref/qualification-levels.csv");
const LEVEL_MAP: &str = include_str!("../../data/ref/qualification-level-map.csv");
const CERTIFICATE_MAP: &str = include_str!("../../data/ref/certificate-level-map.csv");

/// Notional learning hours in one Hong Kong QF credit (hkqr.gov.hk).
pub const HK_HOURS_PER_CREDIT: f64 = 10.0;

/// A framework an outcome can be placed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Framework {
    National,
    Gd,
    Hk,
}

impl Framework {
    fn parse(s: &str) -> Option<Framework> {
        match s {
            "national" => Some(Framework::National),
            "gd" => Some(Framework::Gd),
            "hk" => Some(Framework::Hk),
            _ => None,
        }
    }
    /// The framework's name: zh, en.
    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            Framework::National => ("国家学历层次", "National level"),
            Framework::Gd => ("广东资历框架", "Guangdong QF"),
            Framework::Hk => ("香港资历架构", "Hong Kong QF"),
        }
    }
}

/// How well a pair is sourced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// Read in the source.
    Verified,
    /// Reported by a third party.
    SecondHand,
    /// No source pairs them: shown, marked as such.
    Unverified,
}

impl Evidence {
    fn parse(s: &str) -> Option<Evidence> {
        match s {
            "verified" => Some(Evidence::Verified),
            "second_hand" => Some(Evidence::SecondHand),
            "unverified" => Some(Evidence::Unverified),
            _ => None,
        }
    }
    /// What the reader is told beside an unverified level: zh, en (nothing when verified).
    pub fn note(self) -> Option<(&'static str, &'static str)> {
        match self {
            Evidence::Verified => None,
            Evidence::SecondHand => Some(("二手来源", "second-hand")),
            Evidence::Unverified => Some(("未核实", "unverified")),
        }
    }
}

/// One level of one framework.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Level {
    pub framework: Framework,
    pub level: String,
    pub name_zh: String,
    pub name_en: String,
}

/// An equivalence across the frameworks (None: no match in that framework).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Equivalence {
    pub national: Option<String>,
    pub gd: Option<String>,
    pub hk: Option<String>,
    pub evidence: Evidence,
    pub source: String,
}

/// An outcome placed in one framework.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Placement {
    pub framework: Framework,
    pub level: String,
    pub name_zh: String,
    pub name_en: String,
    pub evidence: Evidence,
}

/// The frameworks, their levels and the maps, as read from the reference files.
#[derive(Debug, Clone)]
pub struct Frameworks {
    pub levels: Vec<Level>,
    pub map: Vec<Equivalence>,
    /// (certificate kind, grade) → (national level, evidence).
    pub certificates: BTreeMap<(String, String), (String, Evidence)>,
}

fn rows(file: &str, text: &str, columns: usize, errors: &mut Vec<String>) -> Vec<(usize, Vec<String>)> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, r) in reader.records().enumerate() {
        let line = i + 2;
        match r {
            Ok(r) if r.len() == columns => out.push((line, r.iter().map(|c| c.trim().to_string()).collect())),
            Ok(r) => errors.push(format!("{file}, line {line}: {} columns, {columns} expected", r.len())),
            Err(e) => errors.push(format!("{file}, line {line}: {e}")),
        }
    }
    out
}

fn some(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

impl Frameworks {
    /// Reads and checks the three files; every bad row is named (file, line, what).
    pub fn parse(levels: &str, map: &str, certificates: &str) -> Result<Frameworks, Vec<String>> {
        let mut errors = Vec::new();
        let mut out = Frameworks { levels: Vec::new(), map: Vec::new(), certificates: BTreeMap::new() };
        for (line, r) in rows("qualification-levels.csv", levels, 4, &mut errors) {
            match Framework::parse(&r[0]) {
                Some(framework) if !r[1].is_empty() => out.levels.push(Level {
                    framework,
                    level: r[1].clone(),
                    name_zh: r[2].clone(),
                    name_en: r[3].clone(),
                }),
                Some(_) => errors.push(format!("qualification-levels.csv, line {line}: the level is empty")),
                None => errors.push(format!(
                    "qualification-levels.csv, line {line}: framework '{}' is not national, gd or hk",
                    r[0]
                )),
            }
        }
        let levels = out.levels.clone();
        let known = |f: Framework, l: &Option<String>| {
            l.as_ref().is_none_or(|l| levels.iter().any(|x| x.framework == f && &x.level == l))
        };
        for (line, r) in rows("qualification-level-map.csv", map, 5, &mut errors) {
            let at = format!("qualification-level-map.csv, line {line}");
            let (national, gd, hk) = (some(&r[0]), some(&r[1]), some(&r[2]));
            for (f, l) in [(Framework::National, &national), (Framework::Gd, &gd), (Framework::Hk, &hk)] {
                if !known(f, l) {
                    errors.push(format!("{at}: level '{}' is not a {:?} level", l.as_deref().unwrap_or(""), f));
                }
            }
            match Evidence::parse(&r[3]) {
                None => errors.push(format!("{at}: status '{}' is not verified, second_hand or unverified", r[3])),
                Some(e) if e != Evidence::Unverified && r[4].is_empty() => {
                    errors.push(format!("{at}: a {} pair must cite its source", r[3]));
                }
                Some(evidence) => out.map.push(Equivalence { national, gd, hk, evidence, source: r[4].clone() }),
            }
        }
        for (line, r) in rows("certificate-level-map.csv", certificates, 5, &mut errors) {
            let at = format!("certificate-level-map.csv, line {line}");
            if out.level(Framework::National, &r[2]).is_none() {
                errors.push(format!("{at}: '{}' is not a national level", r[2]));
            }
            match Evidence::parse(&r[3]) {
                None => errors.push(format!("{at}: status '{}' is not verified, second_hand or unverified", r[3])),
                Some(e) if e != Evidence::Unverified && r[4].is_empty() => {
                    errors.push(format!("{at}: a {} pair must cite its source", r[3]));
                }
                Some(e) => {
                    out.certificates.insert((r[0].clone(), r[1].clone()), (r[2].clone(), e));
                }
            }
        }
        if errors.is_empty() { Ok(out) } else { Err(errors) }
    }

    /// One level of one framework.
    pub fn level(&self, framework: Framework, level: &str) -> Option<&Level> {
        self.levels.iter().find(|l| l.framework == framework && l.level == level)
    }

    fn placement(&self, framework: Framework, level: &str, evidence: Evidence) -> Option<Placement> {
        self.level(framework, level).map(|l| Placement {
            framework,
            level: l.level.clone(),
            name_zh: l.name_zh.clone(),
            name_en: l.name_en.clone(),
            evidence,
        })
    }

    /// A national level in every framework: itself, then its Guangdong and Hong Kong equivalents
    /// where the map has one. `evidence`: how the national level itself was found.
    pub fn place_national(&self, national: &str, evidence: Evidence) -> Vec<Placement> {
        let mut out: Vec<Placement> = self.placement(Framework::National, national, evidence).into_iter().collect();
        if out.is_empty() {
            return out;
        }
        if let Some(e) = self.map.iter().find(|e| e.national.as_deref() == Some(national)) {
            // A chain is as good as its weakest pair.
            let weakest = if evidence == Evidence::Verified { e.evidence } else { evidence };
            for (f, l) in [(Framework::Gd, &e.gd), (Framework::Hk, &e.hk)] {
                if let Some(p) = l.as_deref().and_then(|l| self.placement(f, l, weakest)) {
                    out.push(p);
                }
            }
        }
        out
    }

    /// Where an outcome sits: a levelled certificate by its grade; a course credit or a training
    /// by the level of the school that gave it (`school_level`, the registry's key); a competition
    /// award nowhere.
    pub fn place_outcome(&self, kind: &str, grade: Option<&str>, school_level: Option<&str>) -> Vec<Placement> {
        if let Some(g) = grade
            && let Some((national, e)) = self.certificates.get(&(kind.to_string(), g.to_string()))
        {
            return self.place_national(national, *e);
        }
        match (kind, school_level) {
            ("course" | "training", Some(level)) => self.place_national(level, Evidence::Verified),
            _ => Vec::new(),
        }
    }
}

/// The frameworks shipped with VETIS.
pub static FRAMEWORKS: LazyLock<Frameworks> = LazyLock::new(|| {
    Frameworks::parse(LEVELS, LEVEL_MAP, CERTIFICATE_MAP)
        .unwrap_or_else(|e| panic!("the shipped qualification frameworks are invalid: {}", e.join("; ")))
});

/// Hong Kong QF credits for notional learning hours: whole credits only.
pub fn hk_credits(hours: f64) -> f64 {
    (hours / HK_HOURS_PER_CREDIT).floor()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_frameworks_parse_and_every_sourced_pair_cites_its_source() {
        let f = Frameworks::parse(LEVELS, LEVEL_MAP, CERTIFICATE_MAP).expect("valid");
        assert_eq!(f.levels.iter().filter(|l| l.framework == Framework::Gd).count(), 7);
        assert_eq!(f.levels.iter().filter(|l| l.framework == Framework::Hk).count(), 7);
        assert!(f.map.iter().filter(|e| e.evidence != Evidence::Unverified).all(|e| !e.source.is_empty()));
    }

    #[test]
    fn a_secondary_school_course_sits_at_gd_and_hk_level_3_verified() {
        let p = FRAMEWORKS.place_outcome("course", None, Some("secondary"));
        let levels: Vec<(Framework, &str, Evidence)> =
            p.iter().map(|p| (p.framework, p.level.as_str(), p.evidence)).collect();
        assert_eq!(
            levels,
            [
                (Framework::National, "secondary", Evidence::Verified),
                (Framework::Gd, "3", Evidence::Verified),
                (Framework::Hk, "3", Evidence::Verified)
            ]
        );
    }

    #[test]
    fn a_higher_school_course_is_placed_but_marked_unverified_beyond_the_national_level() {
        let p = FRAMEWORKS.place_outcome("course", None, Some("higher"));
        assert_eq!(p[0].evidence, Evidence::Verified);
        assert!(p[1..].iter().all(|p| p.evidence == Evidence::Unverified));
    }

    #[test]
    fn an_x_certificate_grade_is_placed_unverified_and_a_competition_nowhere() {
        let p = FRAMEWORKS.place_outcome("x_certificate", Some("intermediate"), None);
        assert_eq!(p[0].level, "higher");
        assert!(p.iter().all(|p| p.evidence == Evidence::Unverified));
        assert!(FRAMEWORKS.place_outcome("competition", Some("national_first"), None).is_empty());
    }

    #[test]
    fn a_bad_map_row_is_named_with_its_file_and_line() {
        let map = "national,gd,hk,status,source\nsecondary,9,3,verified,x\nbachelor,5,5,verified,\n";
        let e = Frameworks::parse(LEVELS, map, CERTIFICATE_MAP).unwrap_err();
        assert!(e[0].starts_with("qualification-level-map.csv, line 2: level '9'"), "{e:?}");
        assert!(e[1].contains("line 3: a verified pair must cite its source"), "{e:?}");
    }

    #[test]
    fn hong_kong_credits_are_whole_tens_of_hours() {
        assert_eq!(hk_credits(64.0), 6.0);
        assert_eq!(hk_credits(9.0), 0.0);
    }
}
