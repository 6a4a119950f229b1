//! Who a training provider is on the public page: a school (by its code, named by the registry)
//! or another provider by its 统一社会信用代码, with the credit code, name and district the
//! disclosure fields need. The bureau keeps the list as a CSV file, checked whole before it
//! replaces the last.

use std::collections::HashMap;

use crate::domain::ids::CreditCode;

/// The columns of a providers file, in order.
pub const PROVIDER_COLUMNS: [&str; 5] = ["provider_code", "credit_code", "name", "district_code", "address"];

/// A provider as the register keeps it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Provider {
    /// A school code, or for another provider its credit code.
    pub code: String,
    pub credit_code: Option<String>,
    /// Empty for a school: the registry names it.
    pub name: String,
    pub district_code: Option<String>,
    pub address: Option<String>,
}

impl Provider {
    /// Whether the provider is a school of the registry (its code is not a credit code).
    pub fn is_school(&self) -> bool {
        self.code.len() == 10
    }
}

/// Parses and checks a providers file whole: every problem as `line N, column: …`. `is_school`
/// says whether a 10-digit code is a school of the registry, `is_district` whether a code is in the
/// installation's district list (Guangzhou's, or a province's or the nation's after `vetis districts`).
pub fn parse_providers(
    text: &str,
    is_school: &dyn Fn(&str) -> bool,
    is_district: &dyn Fn(&str) -> bool,
) -> Result<Vec<Provider>, Vec<String>> {
    let body = text.trim_start_matches('\u{feff}');
    let mut reader =
        csv::ReaderBuilder::new().has_headers(true).flexible(true).comment(Some(b'#')).from_reader(body.as_bytes());
    match reader.headers() {
        Ok(h) if h.iter().map(str::trim).eq(PROVIDER_COLUMNS) => {}
        _ => return Err(vec![format!("line 1: the header must be: {}", PROVIDER_COLUMNS.join(","))]),
    }
    let mut errors = Vec::new();
    let mut out = Vec::new();
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
        let opt = |k: usize| Some(cell(k)).filter(|s| !s.is_empty());
        let mut bad = |col: &str, what: String| errors.push(format!("line {line}, {col}: {what}"));
        let code = cell(0).to_uppercase();
        let credit = opt(1).map(|c| c.to_uppercase());
        let school = code.len() == 10 && code.bytes().all(|b| b.is_ascii_digit());
        if school {
            if !is_school(&code) {
                bad("provider_code", format!("'{code}' is not a school of the registry"));
            }
        } else if CreditCode::parse(&code).is_err() {
            bad(
                "provider_code",
                format!(
                    "'{code}' is neither a school code (10 digits) nor a valid 统一社会信用代码 (18 characters, GB 32100)"
                ),
            );
        } else if credit.as_ref().is_some_and(|c| *c != code) {
            bad(
                "credit_code",
                "a provider other than a school is keyed by its credit code: leave it empty or repeat it".into(),
            );
        }
        if let Some(c) = &credit
            && CreditCode::parse(c).is_err()
        {
            bad(
                "credit_code",
                format!("'{c}' is not a valid 统一社会信用代码 (GB 32100: 18 characters with its check character)"),
            );
        }
        let name = cell(2);
        if name.chars().count() > 100 || (!school && name.is_empty()) {
            bad("name", "1 to 100 characters (may be empty for a school: the registry names it)".into());
        }
        let district = opt(3);
        if let Some(d) = &district
            && !is_district(d)
        {
            bad("district_code", format!("'{d}' is not in this installation's district list (vetis districts list)"));
        }
        let address = opt(4);
        if address.as_ref().is_some_and(|a| a.chars().count() > 200) {
            bad("address", "at most 200 characters".into());
        }
        if let Some(first) = lines.insert(code.clone(), line) {
            bad("provider_code", format!("'{code}' is already on line {first}"));
        }
        let credit_code = if school { credit } else { Some(code.clone()) };
        out.push(Provider { code, credit_code, name, district_code: district, address });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_providers_file_is_checked_whole() {
        let ok = "provider_code,credit_code,name,district_code,address\n\
                  4401000001,12440100455350706A,,440103,\n\
                  91440101MA59XXXX0X,,某培训学校,440106,天河路1号\n";
        let guangzhou = |d: &str| d.starts_with("4401");
        let errs = parse_providers(ok, &|c| c == "4401000001", &guangzhou).unwrap_err();
        assert!(errs.iter().any(|e| e.starts_with("line 3, provider_code")), "{errs:?}");
        let head = "provider_code,name\n";
        assert!(parse_providers(head, &|_| true, &guangzhou).unwrap_err()[0].starts_with("line 1"));
        // A district outside the installation's list is named; one inside a wider list is not.
        let shenzhen = "provider_code,credit_code,name,district_code,address\n4401000001,,,440304,\n";
        let errs = parse_providers(shenzhen, &|_| true, &guangzhou).unwrap_err();
        assert!(errs[0].starts_with("line 2, district_code"), "{errs:?}");
        assert!(parse_providers(shenzhen, &|_| true, &|d: &str| d.starts_with("44")).is_ok());
    }
}
