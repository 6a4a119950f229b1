//! Tasks of the plan handed to undertaking schools (四(一)): when a school's yearly implementation
//! plan and progress report are due, how complete an assignment is, and which evidence files are
//! accepted. Pure rules.

use chrono::NaiveDate;

/// A school files, for each year of an assignment, an implementation plan at the start of the
/// year and a progress report at its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Plan,
    Progress,
}

impl ReportKind {
    pub fn parse(s: &str) -> Option<ReportKind> {
        match s {
            "plan" | "年度实施方案" => Some(ReportKind::Plan),
            "progress" | "年度进展报告" => Some(ReportKind::Progress),
            _ => None,
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            ReportKind::Plan => "plan",
            ReportKind::Progress => "progress",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            ReportKind::Plan => "年度实施方案",
            ReportKind::Progress => "年度进展报告",
        }
    }
    /// The plan by 31 March of its year; the progress report by 31 January of the next.
    pub fn due(self, year: i32) -> NaiveDate {
        match self {
            ReportKind::Plan => NaiveDate::from_ymd_opt(year, 3, 31),
            ReportKind::Progress => NaiveDate::from_ymd_opt(year + 1, 1, 31),
        }
        .expect("a valid date")
    }
}

/// Reports of an assignment that are due by `today` and not filed: (year, kind).
pub fn overdue(
    first_year: i32,
    last_year: i32,
    filed: &[(i32, ReportKind)],
    today: NaiveDate,
) -> Vec<(i32, ReportKind)> {
    let mut out = Vec::new();
    for y in first_year..=last_year {
        for k in [ReportKind::Plan, ReportKind::Progress] {
            if k.due(y) < today && !filed.contains(&(y, k)) {
                out.push((y, k));
            }
        }
    }
    out
}

/// Completion of an assignment, in per cent: each expected output counts equally, as the latest
/// reported figure over its target (at most 100 %). None when it has no outputs.
pub fn completion(outputs: &[(f64, Option<f64>)]) -> Option<f64> {
    if outputs.is_empty() {
        return None;
    }
    let sum: f64 = outputs
        .iter()
        .map(|(target, got)| if *target <= 0.0 { 1.0 } else { (got.unwrap_or(0.0) / target).clamp(0.0, 1.0) })
        .sum();
    Some(sum * 100.0 / outputs.len() as f64)
}

/// Evidence files up to this size.
pub const EVIDENCE_LIMIT: usize = 20 * 1024 * 1024;

/// The content type of an acceptable evidence file, judged by its bytes (not its name) and its
/// extension together; None for anything else (executables, scripts, archives of unknown content).
pub fn evidence_type(name: &str, bytes: &[u8]) -> Option<&'static str> {
    let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    let zip = bytes.starts_with(b"PK\x03\x04");
    match ext.as_str() {
        "pdf" if bytes.starts_with(b"%PDF-") => Some("application/pdf"),
        "png" if bytes.starts_with(b"\x89PNG\r\n\x1a\n") => Some("image/png"),
        "jpg" | "jpeg" if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) => Some("image/jpeg"),
        "docx" if zip => Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "xlsx" if zip => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "pptx" if zip => Some("application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_report_is_overdue_the_day_after_it_is_due() {
        let filed = [(2023, ReportKind::Plan)];
        assert_eq!(overdue(2023, 2024, &filed, d("2023-03-31")), vec![]);
        assert_eq!(overdue(2023, 2024, &filed, d("2024-02-01")), vec![(2023, ReportKind::Progress)]);
        assert_eq!(
            overdue(2023, 2024, &[], d("2024-04-01")),
            vec![(2023, ReportKind::Plan), (2023, ReportKind::Progress), (2024, ReportKind::Plan)]
        );
    }

    #[test]
    fn completion_weighs_outputs_equally_and_caps_each_at_its_target() {
        assert_eq!(completion(&[(10.0, Some(5.0)), (2.0, Some(4.0))]), Some(75.0));
        assert_eq!(completion(&[(10.0, None)]), Some(0.0));
        assert_eq!(completion(&[]), None);
    }

    #[test]
    fn evidence_is_judged_by_its_bytes_as_well_as_its_name() {
        assert_eq!(evidence_type("方案.pdf", b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(evidence_type("fake.pdf", b"MZ\x90\x00"), None, "an executable named .pdf");
        assert_eq!(evidence_type("run.sh", b"#!/bin/sh"), None);
        assert!(evidence_type("表.xlsx", b"PK\x03\x04rest").is_some());
    }
}
