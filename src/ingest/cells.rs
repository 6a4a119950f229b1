//! One cell at a time: text to a typed value by the column's kind (data standard §1, §3).

use chrono::NaiveDate;

use crate::domain::ids::{CreditCode, CreditProblem, DivisionCode, ProgramCode, SchoolCode, normalise_code};
pub use crate::domain::record::Value;
use crate::domain::reference::Reference;
use crate::domain::standard::{Kind, find_choice};
use crate::messages::Problem;

/// Text a spreadsheet would execute, escaped by our own exports with a leading `'`, comes back bare.
pub fn unescape_text(raw: &str) -> &str {
    match raw.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => raw,
    }
}

pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let s = normalise_code(raw);
    let s = s.get(..10).filter(|_| s.len() > 10 && s.as_bytes()[10] == b' ').unwrap_or(&s);
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    if parts.len() != 3 || parts[0].len() != 4 {
        return None;
    }
    let y = parts[0].parse().ok()?;
    let m = parts[1].parse().ok()?;
    let d = parts[2].parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d).filter(|_| (1900..=2100).contains(&y))
}

pub fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "是" | "true" | "1" | "yes" | "y" => Some(true),
        "否" | "false" | "0" | "no" | "n" => Some(false),
        _ => None,
    }
}

fn choices_hint(list: &[crate::domain::standard::Choice]) -> String {
    list.iter().map(|c| c.zh).collect::<Vec<_>>().join("、")
}

/// Checks one non-empty cell. Rules that need other cells of the row live in `rules`.
pub fn parse_cell(kind: Kind, raw: &str, reference: &Reference) -> Result<Value, Problem> {
    let v = raw.trim();
    let value = v.to_string();
    match kind {
        Kind::Text => Ok(Value::Text(unescape_text(v).to_string())),
        Kind::Count => {
            let s = normalise_code(v);
            match s.parse::<i64>() {
                Ok(i) if i >= 0 => Ok(Value::Int(i)),
                _ => Err(Problem::NotInteger { value }),
            }
        }
        Kind::Number { positive } => {
            let f: f64 = normalise_code(v).parse().map_err(|_| Problem::NotNumber { value: value.clone() })?;
            if !f.is_finite() {
                Err(Problem::NotNumber { value })
            } else if positive && f <= 0.0 {
                Err(Problem::NotPositive { value })
            } else if f < 0.0 {
                Err(Problem::Negative { value })
            } else {
                Ok(Value::Real(f))
            }
        }
        Kind::Year => {
            let s = normalise_code(v);
            match s.parse::<i64>() {
                Ok(y) if s.len() == 4 && (1900..=2100).contains(&y) => Ok(Value::Int(y)),
                _ => Err(Problem::NotYear { value }),
            }
        }
        Kind::Date => {
            parse_date(v).map(|d| Value::Text(d.format("%Y-%m-%d").to_string())).ok_or(Problem::NotDate { value })
        }
        Kind::Bool => parse_bool(v).map(|b| Value::Int(i64::from(b))).ok_or(Problem::NotBool { value }),
        Kind::Choice(list) => find_choice(list, v)
            .map(|c| Value::Text(c.key.to_string()))
            .ok_or_else(|| Problem::NotInList { value, allowed: choices_hint(list) }),
        Kind::School => {
            let code = SchoolCode::parse(v).ok_or(Problem::SchoolCodeFormat { value })?;
            Ok(Value::Text(code.as_str().to_string()))
        }
        Kind::Program => {
            let code = ProgramCode::parse(v).ok_or(Problem::ProgramFormat { value })?;
            Ok(Value::Text(code.as_str().to_string()))
        }
        // The ID's rules depend on the row's id_type: see `rules::person`.
        Kind::IdNumber => Ok(Value::Text(normalise_code(v).to_uppercase())),
        Kind::Credit => match CreditCode::parse(v) {
            Ok(c) => Ok(Value::Text(c.as_str().to_string())),
            Err(CreditProblem::Length) => Err(Problem::CreditLength { value }),
            Err(CreditProblem::Format) => Err(Problem::CreditFormat { value }),
            Err(CreditProblem::Checksum { expected, found }) => Err(Problem::CreditChecksum { expected, found }),
        },
        Kind::Division => match DivisionCode::parse(v) {
            Some(d) if reference.divisions.contains(d.as_str()) => Ok(Value::Text(d.as_str().to_string())),
            _ => Err(Problem::DivisionUnknown { value }),
        },
        Kind::District => {
            let s = normalise_code(v);
            if reference.guangzhou_districts.contains(&s) {
                Ok(Value::Text(s))
            } else {
                Err(Problem::NotGuangzhouDistrict { value })
            }
        }
        Kind::Industry => {
            let s = normalise_code(v).to_uppercase();
            if reference.industries.contains(&s) { Ok(Value::Text(s)) } else { Err(Problem::IndustryUnknown { value }) }
        }
        Kind::DesignationKind => reference
            .designation_kinds
            .get(v)
            .map(|k| Value::Text(k.clone()))
            .ok_or(Problem::DesignationKindUnknown { value }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_accept_excel_habits_and_store_iso() {
        assert_eq!(parse_date("2024/9/1"), NaiveDate::from_ymd_opt(2024, 9, 1));
        assert_eq!(parse_date("２０２４-０９-０１"), NaiveDate::from_ymd_opt(2024, 9, 1));
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("2024-02-29 00:00:00"), NaiveDate::from_ymd_opt(2024, 2, 29));
    }

    #[test]
    fn our_own_formula_escape_is_removed_on_import() {
        assert_eq!(unescape_text("'=1+1"), "=1+1");
        assert_eq!(unescape_text("'hello"), "'hello");
    }

    #[test]
    fn code_lists_take_chinese_or_english_keys() {
        let r = Reference::default();
        let k = Kind::Choice(crate::domain::standard::PATHWAYS);
        assert_eq!(parse_cell(k, "三二分段", &r), Ok(Value::Text("three_plus_two".into())));
        assert_eq!(parse_cell(k, "Three_Plus_Two", &r), Ok(Value::Text("three_plus_two".into())));
        assert!(matches!(parse_cell(k, "3+2", &r), Err(Problem::NotInList { .. })));
    }
}
