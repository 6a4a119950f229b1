//! The plan's city-wide targets split among districts and schools, as the bureau decides (a data
//! file, `data/targets/example-target-shares.toml`): a district's or a school's share of a total's
//! target, in per cent. Where no share is set, a total's target stays the city's alone.

use serde::{Deserialize, Serialize};

use super::plan::{Plan, TargetScope};

/// One part of a city target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Share {
    /// The key indicator (its id in the plan file).
    pub indicator: String,
    /// The district (6-digit code) or the school (10-digit code) it is given to: one of the two.
    #[serde(default)]
    pub district: Option<String>,
    #[serde(default)]
    pub school: Option<String>,
    /// Of the city's target, in per cent.
    pub percent: f64,
}

/// The shares as loaded, versioned like every pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetShares {
    pub id: String,
    pub version: String,
    pub name_zh: String,
    #[serde(rename = "share", default)]
    pub shares: Vec<Share>,
}

impl TargetShares {
    /// Parses and checks a shares file against the plan: every problem named with its share.
    pub fn parse(text: &str, plan: &Plan) -> Result<TargetShares, Vec<String>> {
        let s: TargetShares = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
        let mut errors = super::pack_identity_errors(&s.id, &s.version);
        let mut seen = std::collections::HashSet::new();
        let mut districts: std::collections::HashMap<&str, f64> = std::collections::HashMap::new();
        for (i, sh) in s.shares.iter().enumerate() {
            let at = format!("[[share]] {} (indicator = \"{}\")", i + 1, sh.indicator);
            match plan.indicator(&sh.indicator) {
                None => errors.push(format!("{at}: the plan has no indicator of this id")),
                Some(ind) if ind.target_scope == TargetScope::All => errors.push(format!(
                    "{at}: this indicator's target applies to every district and school already; only a city total is split"
                )),
                Some(_) => {}
            }
            let unit = match (&sh.district, &sh.school) {
                (Some(d), None) if d.len() == 6 && d.chars().all(|c| c.is_ascii_digit()) => d.clone(),
                (None, Some(c)) if c.len() == 10 && c.chars().all(|c| c.is_ascii_digit()) => c.clone(),
                _ => {
                    errors.push(format!("{at}: give either district = \"6 digits\" or school = \"10 digits\""));
                    continue;
                }
            };
            if !(sh.percent > 0.0 && sh.percent <= 100.0) {
                errors.push(format!("{at}: percent must be more than 0 and at most 100, not {}", sh.percent));
            }
            if !seen.insert((sh.indicator.clone(), unit)) {
                errors.push(format!("{at}: the same indicator is given to the same district or school twice"));
            }
            if sh.district.is_some() {
                *districts.entry(sh.indicator.as_str()).or_default() += sh.percent;
            }
        }
        for (ind, total) in districts {
            if total > 100.0 + 1e-9 {
                errors.push(format!("indicator \"{ind}\": the districts' shares add up to {total}%, more than 100%"));
            }
        }
        if errors.is_empty() { Ok(s) } else { Err(errors) }
    }
}

/// The share of an indicator's city target given to a district or a school, if any.
pub fn share_of<'a>(
    shares: &'a [Share],
    indicator: &str,
    district: Option<&str>,
    school: Option<&str>,
) -> Option<&'a Share> {
    shares.iter().find(|s| {
        s.indicator == indicator
            && match (school, district) {
                (Some(c), _) => s.school.as_deref() == Some(c),
                (None, Some(d)) => s.district.as_deref() == Some(d),
                _ => false,
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        Plan::from_toml(include_str!("../../plans/guangzhou-2021-2025.toml")).unwrap()
    }

    #[test]
    fn the_example_shares_load_against_the_plan() {
        let s = TargetShares::parse(include_str!("../../data/targets/example-target-shares.toml"), &plan()).unwrap();
        assert!(share_of(&s.shares, "secondary_enrolment", Some("440106"), None).is_some());
    }

    #[test]
    fn a_share_of_a_ratio_or_shares_over_the_whole_are_refused() {
        let text = "id = \"x\"\nversion = \"1\"\nname_zh = \"x\"\n\
            [[share]]\nindicator = \"secondary_progression_rate\"\ndistrict = \"440106\"\npercent = 10\n\
            [[share]]\nindicator = \"secondary_enrolment\"\ndistrict = \"440106\"\npercent = 60\n\
            [[share]]\nindicator = \"secondary_enrolment\"\ndistrict = \"440103\"\npercent = 50\n";
        let errors = TargetShares::parse(text, &plan()).unwrap_err();
        assert!(errors[0].contains("applies to every district"), "{errors:?}");
        assert!(errors.iter().any(|e| e.contains("110%")), "{errors:?}");
    }
}
