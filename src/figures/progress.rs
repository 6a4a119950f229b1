//! The submission progress board (报送进度): schools × tables of a statistical year, each cell
//! 未提交 / 待审核 / 已退回 / 已通过 with its date, late and due-soon returns marked against the
//! calendar, and the completeness lines the dashboard shows.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::calendar::{self, Calendar, Progress, Timing};
use crate::domain::standard::Table;
use crate::messages::time;
use crate::store::progress::{self, Late};
use crate::store::{Db, StoreError, registry};

pub use super::Scope;

/// A column: a table of the calendar, its due date and how many schools have returned it.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub table: &'static str,
    pub name_zh: &'static str,
    pub due: NaiveDate,
    /// Schools that owe it.
    pub owed: usize,
    /// Of those, how many submitted (waiting or approved).
    pub submitted: usize,
    /// Of those, how many are approved (what the figures rest on).
    pub approved: usize,
    pub late: usize,
}

/// A cell of the board (None where the school does not owe the table).
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub progress: Progress,
    /// The day of its last move, in Beijing time.
    pub on: Option<NaiveDate>,
    pub submission: Option<i64>,
    /// For a return still owed: late, due soon or not yet.
    pub timing: Option<Timing>,
}

/// A school's row.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub school: String,
    pub name: String,
    pub district: String,
    pub district_name: String,
    pub cells: Vec<Option<Cell>>,
    /// How many of its returns are late.
    pub late: usize,
}

/// The board of a year.
#[derive(Debug, Clone, Serialize)]
pub struct Board {
    pub year: i64,
    pub today: NaiveDate,
    pub calendar: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// Schools that have submitted every return they owe.
    pub complete: usize,
}

impl Board {
    /// The schools with late returns and which, for a reminder.
    pub fn late(&self) -> Vec<Late> {
        self.rows
            .iter()
            .filter(|r| r.late > 0)
            .map(|r| Late {
                school: r.school.clone(),
                tables: self
                    .columns
                    .iter()
                    .zip(&r.cells)
                    .filter(|(_, c)| c.as_ref().is_some_and(|c| c.timing == Some(Timing::Late)))
                    .map(|(col, _)| (col.name_zh.to_string(), col.table.to_string(), col.due.to_string()))
                    .collect(),
            })
            .collect()
    }

    /// The column of a table.
    pub fn column(&self, table: Table) -> Option<&Column> {
        self.columns.iter().find(|c| c.table == table.key())
    }
}

/// The board of a year for a scope, as it stands on `today`.
pub async fn board(db: &Db, year: i64, scope: &Scope, today: NaiveDate) -> Result<Board, StoreError> {
    let cal = progress::calendar(db).await?;
    let cells = progress::cells(db, year).await?;
    let names = registry::district_names(db).await?;
    let schools: Vec<registry::School> = registry::schools(db)
        .await?
        .into_iter()
        .filter(|s| match scope {
            Scope::City => true,
            Scope::Region(r) => s.district.starts_with(r.as_str()),
            Scope::District(d) => &s.district == d,
            Scope::School(c) => &s.code == c,
        })
        .collect();
    Ok(assemble(&cal, year, &schools, &cells, &names, today))
}

fn assemble(
    cal: &Calendar,
    year: i64,
    schools: &[registry::School],
    cells: &std::collections::HashMap<(String, String), progress::Cell>,
    names: &std::collections::HashMap<String, String>,
    today: NaiveDate,
) -> Board {
    let tables = cal.tables();
    let y = i32::try_from(year).unwrap_or(i32::MAX);
    let mut columns: Vec<Column> = tables
        .iter()
        .filter_map(|&t| {
            Some(Column {
                table: t.key(),
                name_zh: t.zh(),
                due: cal.due(t, y)?,
                owed: 0,
                submitted: 0,
                approved: 0,
                late: 0,
            })
        })
        .collect();
    let mut rows = Vec::with_capacity(schools.len());
    let mut complete = 0;
    for s in schools {
        let mut late = 0;
        let mut owes_nothing_more = true;
        let row_cells: Vec<Option<Cell>> = columns
            .iter_mut()
            .map(|col| {
                let table = Table::from_name(col.table)?;
                if !cal.line(table).is_some_and(|l| l.owed_by.owes(&s.level)) {
                    return None;
                }
                col.owed += 1;
                let stored = cells.get(&(s.code.clone(), col.table.to_string()));
                let p = stored.map_or(Progress::Missing, |c| c.progress);
                let timing = p.owed().then(|| calendar::timing(col.due, today, cal.remind_days));
                if !p.owed() {
                    col.submitted += 1;
                } else {
                    owes_nothing_more = false;
                }
                if p == Progress::Approved {
                    col.approved += 1;
                }
                if timing == Some(Timing::Late) {
                    col.late += 1;
                    late += 1;
                }
                Some(Cell {
                    progress: p,
                    on: stored.and_then(|c| c.at.as_deref()).and_then(time::day_of),
                    submission: stored.and_then(|c| c.submission),
                    timing,
                })
            })
            .collect();
        if owes_nothing_more {
            complete += 1;
        }
        rows.push(Row {
            school: s.code.clone(),
            name: s.name.clone(),
            district: s.district.clone(),
            district_name: names.get(&s.district).cloned().unwrap_or_else(|| s.district.clone()),
            cells: row_cells,
            late,
        });
    }
    Board { year, today, calendar: format!("{} {}", cal.id, cal.version), columns, rows, complete }
}

/// Tells each school in scope of the returns it owes that fall due within the calendar's reminder
/// days (once per return and due date); how many users were told.
pub async fn tell_due_soon(db: &Db, board: &Board) -> Result<u64, StoreError> {
    let mut told = 0;
    for r in &board.rows {
        for (col, cell) in board.columns.iter().zip(&r.cells) {
            if let Some(c) = cell
                && c.timing == Some(Timing::DueSoon)
                && let Some(t) = Table::from_name(col.table)
            {
                let days = (col.due - board.today).num_days();
                told += progress::due_soon(db, &r.school, board.year, t, &col.due.to_string(), days).await?;
            }
        }
    }
    Ok(told)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn school(code: &str, level: &str) -> registry::School {
        registry::School {
            code: code.into(),
            name: format!("学校{code}"),
            district: "440106".into(),
            level: level.into(),
            sponsor: "municipal".into(),
        }
    }

    #[test]
    fn a_board_counts_returns_marks_late_ones_and_names_them_for_a_reminder() {
        let cal = Calendar::parse(calendar::DEFAULT_CALENDAR).unwrap();
        let schools = [school("1", "secondary"), school("2", "higher")];
        let mut cells = HashMap::new();
        let cell =
            |p| progress::Cell { progress: p, at: Some("2025-10-20T02:00:00+00:00".into()), submission: Some(7) };
        cells.insert(("1".to_string(), "student".to_string()), cell(Progress::Approved));
        cells.insert(("2".to_string(), "student".to_string()), cell(Progress::Returned));
        cells.insert(("2".to_string(), "teacher".to_string()), cell(Progress::Pending));
        let names = HashMap::from([("440106".to_string(), "天河区".to_string())]);
        let today = NaiveDate::from_ymd_opt(2025, 11, 5).unwrap();
        let b = assemble(&cal, 2025, &schools, &cells, &names, today);
        let student = b.column(Table::Student).unwrap();
        assert_eq!((student.owed, student.submitted, student.approved, student.late), (2, 1, 1, 1));
        let teacher = b.column(Table::Teacher).unwrap();
        assert_eq!((teacher.submitted, teacher.approved, teacher.late), (1, 0, 1));
        // Finance of 2025 is due in March 2026: owed, not late.
        assert_eq!(b.column(Table::Finance).unwrap().late, 0);
        let late = b.late();
        assert_eq!(late.len(), 2);
        assert!(late[1].tables.iter().any(|t| t.1 == "student") && !late[1].tables.iter().any(|t| t.1 == "teacher"));
        assert_eq!(b.rows[0].cells[1].as_ref().unwrap().on, NaiveDate::from_ymd_opt(2025, 10, 20));
        assert_eq!(b.complete, 0);
    }
}
