//! The statistical calendar (报送日历): which tables a school owes each statistical year, when each
//! is due, and what a school's return of a table stands at on a day. Pure; the calendar is a data
//! file the bureau loads (`data/calendar/submission-calendar.toml` by default).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::standard::{Keying, Table};

/// The calendar shipped with VETIS, used until the bureau loads its own.
pub const DEFAULT_CALENDAR: &str = include_str!("../../data/calendar/submission-calendar.toml");

/// Which schools owe a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OwedBy {
    All,
    Secondary,
    Higher,
}

impl OwedBy {
    /// Whether a school of a level (`secondary`, `higher`, `bachelor`) owes the table.
    pub fn owes(self, level: &str) -> bool {
        match self {
            OwedBy::All => true,
            OwedBy::Secondary => level == "secondary",
            OwedBy::Higher => level != "secondary",
        }
    }
}

/// One table's line of the calendar.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Due {
    /// The table's key in the data standard.
    pub key: String,
    /// Month and day, `MM-DD`.
    pub due: String,
    /// Due in the year after the statistical year (returns about a whole calendar year).
    #[serde(default)]
    pub next_year: bool,
    pub owed_by: OwedBy,
}

/// The calendar as loaded.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    pub id: String,
    pub version: String,
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    /// Days before a due date when a school that still owes the return is told.
    pub remind_days: u32,
    #[serde(rename = "table")]
    pub tables: Vec<Due>,
}

fn month_day(s: &str) -> Option<(u32, u32)> {
    let (m, d) = s.split_once('-')?;
    if m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (m, d) = (m.parse().ok()?, d.parse().ok()?);
    // 2024 is a leap year: 02-29 is a date, and falls back to 02-28 in other years.
    NaiveDate::from_ymd_opt(2024, m, d).map(|_| (m, d))
}

impl Calendar {
    /// Reads and checks a calendar: every problem, each naming its line of the file.
    pub fn parse(text: &str) -> Result<Calendar, Vec<String>> {
        let cal: Calendar = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
        let mut errors = super::pack_identity_errors(&cal.id, &cal.version);
        if cal.tables.is_empty() {
            errors.push("no [[table]]: a calendar names at least one table".into());
        }
        if cal.remind_days > 90 {
            errors.push(format!("remind_days = {}: at most 90", cal.remind_days));
        }
        let mut seen = Vec::new();
        for t in &cal.tables {
            let at = format!("[[table]] key = \"{}\"", t.key);
            match Table::from_name(&t.key) {
                None => errors.push(format!("{at}: not a table of the data standard")),
                Some(table) if !matches!(table.spec().keying, Keying::SchoolYear { .. }) => errors
                    .push(format!("{at}: {} is not returned per school and year, so it has no due date", table.key())),
                Some(table) if seen.contains(&table) => errors.push(format!("{at}: given twice")),
                Some(table) => seen.push(table),
            }
            if month_day(&t.due).is_none() {
                errors.push(format!("{at}: due = \"{}\" is not a month and day MM-DD (e.g. \"10-31\")", t.due));
            }
        }
        if errors.is_empty() { Ok(cal) } else { Err(errors) }
    }

    /// The tables on the calendar, in its order.
    pub fn tables(&self) -> Vec<Table> {
        self.tables.iter().filter_map(|t| Table::from_name(&t.key)).collect()
    }

    /// A table's line, if the calendar has it.
    pub fn line(&self, table: Table) -> Option<&Due> {
        self.tables.iter().find(|t| Table::from_name(&t.key) == Some(table))
    }

    /// The day a table of a statistical year is due.
    pub fn due(&self, table: Table, year: i32) -> Option<NaiveDate> {
        let line = self.line(table)?;
        let (m, d) = month_day(&line.due)?;
        let y = if line.next_year { year + 1 } else { year };
        NaiveDate::from_ymd_opt(y, m, d).or_else(|| NaiveDate::from_ymd_opt(y, m, d - 1))
    }
}

/// Where a school's return of a table of a year stands (the board's cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Progress {
    /// Nothing submitted.
    Missing,
    /// Sent back to the school, nothing newer submitted.
    Returned,
    /// Submitted, waiting for review.
    Pending,
    /// Approved (an approved version counts, even while a newer one waits).
    Approved,
}

impl Progress {
    pub const ALL: [Progress; 4] = [Progress::Missing, Progress::Returned, Progress::Pending, Progress::Approved];

    pub fn key(self) -> &'static str {
        match self {
            Progress::Missing => "missing",
            Progress::Returned => "returned",
            Progress::Pending => "pending",
            Progress::Approved => "approved",
        }
    }
    pub fn parse(s: &str) -> Option<Progress> {
        Progress::ALL.into_iter().find(|p| p.key() == s)
    }
    pub fn zh(self) -> &'static str {
        match self {
            Progress::Missing => "未提交",
            Progress::Returned => "已退回",
            Progress::Pending => "待审核",
            Progress::Approved => "已通过",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Progress::Missing => "not submitted",
            Progress::Returned => "returned",
            Progress::Pending => "awaiting review",
            Progress::Approved => "approved",
        }
    }

    /// From the statuses of a school's submissions of a table and year, newest first: an approved
    /// version (current or superseded) counts; else the newest says whether it waits or was returned.
    pub fn of<'a>(statuses_newest_first: impl IntoIterator<Item = &'a str>) -> Progress {
        let mut newest = None;
        for s in statuses_newest_first {
            match s {
                "approved" | "superseded" => return Progress::Approved,
                "submitted" if newest.is_none() => newest = Some(Progress::Pending),
                "returned" if newest.is_none() => newest = Some(Progress::Returned),
                _ => {}
            }
        }
        newest.unwrap_or(Progress::Missing)
    }

    /// Whether a return in this state is still owed.
    pub fn owed(self) -> bool {
        matches!(self, Progress::Missing | Progress::Returned)
    }
}

/// Whether a return still owed on a day is late, due soon (within `remind_days`), or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    Late,
    DueSoon,
    NotYet,
}

/// The timing of a return owed on `today`, due on `due`.
pub fn timing(due: NaiveDate, today: NaiveDate, remind_days: u32) -> Timing {
    if today > due {
        Timing::Late
    } else if (due - today).num_days() <= i64::from(remind_days) {
        Timing::DueSoon
    } else {
        Timing::NotYet
    }
}

/// The statistical year whose returns a day is about: the year of the day until its autumn returns
/// are all due, that year's; before 1 July, the year before (its calendar-year returns are due).
pub fn current_year(today: NaiveDate) -> i32 {
    if today.month() >= 7 { today.year() } else { today.year() - 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_calendar_loads_and_dates_its_tables() {
        let c = Calendar::parse(DEFAULT_CALENDAR).unwrap();
        assert_eq!(c.due(Table::Student, 2025), NaiveDate::from_ymd_opt(2025, 10, 31));
        assert_eq!(c.due(Table::Finance, 2025), NaiveDate::from_ymd_opt(2026, 3, 31));
        assert!(c.due(Table::Practice, 2025).is_none());
    }

    #[test]
    fn a_bad_calendar_names_every_problem() {
        let text = "id = \"x\"\nversion = \"1\"\nname_zh = \"日历\"\nremind_days = 7\n\
                    [[table]]\nkey = \"practice\"\ndue = \"10-31\"\nowed_by = \"all\"\n\
                    [[table]]\nkey = \"nope\"\ndue = \"13-01\"\nowed_by = \"all\"\n";
        let e = Calendar::parse(text).unwrap_err().join("\n");
        assert!(e.contains("practice is not returned per school and year"), "{e}");
        assert!(e.contains("key = \"nope\": not a table"), "{e}");
        assert!(e.contains("13-01"), "{e}");
    }

    #[test]
    fn an_approved_version_counts_even_while_a_newer_one_waits() {
        assert_eq!(Progress::of(["submitted", "approved"]), Progress::Approved);
        assert_eq!(Progress::of(["returned", "submitted"]), Progress::Returned);
        assert_eq!(Progress::of(["submitted", "returned"]), Progress::Pending);
        assert_eq!(Progress::of([]), Progress::Missing);
    }

    #[test]
    fn a_return_is_late_after_its_day_and_due_soon_within_the_reminder_days() {
        let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
        assert_eq!(timing(d(10, 31), d(11, 1), 14), Timing::Late);
        assert_eq!(timing(d(10, 31), d(10, 31), 14), Timing::DueSoon);
        assert_eq!(timing(d(10, 31), d(10, 17), 14), Timing::DueSoon);
        assert_eq!(timing(d(10, 31), d(10, 16), 14), Timing::NotYet);
        assert_eq!(current_year(d(3, 1)), 2024);
    }
}
