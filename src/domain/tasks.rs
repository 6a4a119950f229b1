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

/// Where one due item of an assignment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueState {
    Filed,
    Overdue,
    /// Due within the next 30 days.
    DueSoon,
    Upcoming,
}

/// One due item: a year's plan or progress report, its due date and where it stands.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DueItem {
    pub year: i32,
    pub kind: ReportKind,
    pub due: NaiveDate,
    pub state: DueState,
}

/// Every due item of an assignment in date order, each counted once.
pub fn schedule(first_year: i32, last_year: i32, filed: &[(i32, ReportKind)], today: NaiveDate) -> Vec<DueItem> {
    let mut out = Vec::new();
    for year in first_year..=last_year {
        for kind in [ReportKind::Plan, ReportKind::Progress] {
            let due = kind.due(year);
            let state = if filed.contains(&(year, kind)) {
                DueState::Filed
            } else if due < today {
                DueState::Overdue
            } else if (due - today).num_days() <= 30 {
                DueState::DueSoon
            } else {
                DueState::Upcoming
            };
            out.push(DueItem { year, kind, due, state });
        }
    }
    out.sort_by_key(|d| d.due);
    out
}

/// The plan's tasks as the bureau loads them (`data/tasks/plan-tasks.toml` by default).
pub const DEFAULT_TASKS: &str = include_str!("../../data/tasks/plan-tasks.toml");

/// An output an assignment of a task starts with.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestedOutput {
    pub name: String,
    pub unit: String,
    pub target: f64,
}

/// A task of the plan.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskDef {
    pub code: String,
    pub section: String,
    pub title_zh: String,
    pub title_en: String,
    #[serde(default)]
    pub outputs: Vec<SuggestedOutput>,
}

/// The plan's tasks, versioned.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskPack {
    pub id: String,
    pub version: String,
    pub name_zh: String,
    #[serde(rename = "task")]
    pub tasks: Vec<TaskDef>,
}

impl TaskPack {
    /// Parses and checks a task file; every problem is named with the task it is in.
    pub fn parse(text: &str) -> Result<TaskPack, Vec<String>> {
        let pack: TaskPack = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
        let mut errors = super::pack_identity_errors(&pack.id, &pack.version);
        let mut seen = std::collections::HashSet::new();
        for t in &pack.tasks {
            let at = format!("[[task]] code = \"{}\"", t.code);
            if t.code.trim().is_empty() || t.title_zh.trim().is_empty() {
                errors.push(format!("{at}: code and title_zh must not be empty"));
            }
            if !seen.insert(t.code.clone()) {
                errors.push(format!("{at}: the code is used twice"));
            }
            for o in &t.outputs {
                if o.name.trim().is_empty() || o.target.is_nan() || o.target <= 0.0 {
                    errors.push(format!("{at}: output “{}” needs a name and a positive target", o.name));
                }
            }
        }
        if errors.is_empty() { Ok(pack) } else { Err(errors) }
    }

    pub fn task(&self, code: &str) -> Option<&TaskDef> {
        self.tasks.iter().find(|t| t.code == code)
    }
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
    fn each_due_item_is_counted_once_in_date_order_with_its_state() {
        let items = schedule(2025, 2026, &[(2025, ReportKind::Plan)], d("2026-01-10"));
        let states: Vec<DueState> = items.iter().map(|i| i.state).collect();
        assert_eq!(states, vec![DueState::Filed, DueState::DueSoon, DueState::Upcoming, DueState::Upcoming]);
        assert_eq!(items[1].due, d("2026-01-31"));
    }

    #[test]
    fn the_shipped_tasks_load_and_a_task_without_a_title_is_refused() {
        let pack = TaskPack::parse(DEFAULT_TASKS).unwrap();
        assert_eq!(pack.tasks.len(), 14);
        assert!(pack.task("3-8").unwrap().outputs.iter().any(|o| o.name == "市级精品课程"));
        let bad = "id = \"x\"\nversion = \"1\"\nname_zh = \"x\"\n[[task]]\ncode = \"1\"\nsection = \"\"\ntitle_zh = \"\"\ntitle_en = \"\"\n";
        assert!(TaskPack::parse(bad).unwrap_err()[0].contains("code = \"1\""));
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
