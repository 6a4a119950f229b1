//! The submission progress board as people take it away: each cell's text (state, day, lateness)
//! and the board as a workbook with the due date of each table in its header.

use crate::domain::calendar::{Progress, Timing};
use crate::figures::progress::{self, Board};
use crate::messages::Lang;
use crate::store::StoreError;

/// A cell as the board shows it: `已通过 10-12`, `未提交（逾期）`, `—` where nothing is owed.
pub fn cell_text(c: Option<&progress::Cell>, lang: Lang) -> String {
    let Some(c) = c else { return "—".into() };
    let state = if lang == Lang::Zh { c.progress.zh() } else { c.progress.en() };
    let late = match (c.timing, lang) {
        (Some(Timing::Late), Lang::Zh) => "（逾期）",
        (Some(Timing::Late), Lang::En) => " (late)",
        (Some(Timing::DueSoon), Lang::Zh) => "（将到期）",
        (Some(Timing::DueSoon), Lang::En) => " (due soon)",
        _ => "",
    };
    match c.on {
        Some(d) if c.progress != Progress::Missing => format!("{state} {}{late}", d.format("%m-%d")),
        _ => format!("{state}{late}"),
    }
}

/// The board as a workbook: one row per school, a column per table with its due date in the header.
pub fn workbook(b: &Board, lang: Lang) -> Result<Vec<u8>, StoreError> {
    use crate::store::record_rows::Cell;
    let zh = lang == Lang::Zh;
    let mut cols: Vec<String> = if zh {
        vec!["学校标识码".into(), "学校".into(), "区".into()]
    } else {
        vec!["School code".into(), "School".into(), "District".into()]
    };
    for c in &b.columns {
        cols.push(if zh {
            format!("{}（{} 截止）", c.name_zh, c.due)
        } else {
            format!("{} (due {})", c.table, c.due)
        });
    }
    cols.push(if zh { "逾期表数".into() } else { "Late returns".into() });
    let rows: Vec<Vec<Cell>> = b
        .rows
        .iter()
        .map(|r| {
            let mut row =
                vec![Cell::Text(r.school.clone()), Cell::Text(r.name.clone()), Cell::Text(r.district_name.clone())];
            row.extend(r.cells.iter().map(|c| Cell::Text(cell_text(c.as_ref(), lang))));
            row.push(Cell::Number(r.late as f64));
            row
        })
        .collect();
    let names: Vec<&str> = cols.iter().map(String::as_str).collect();
    super::xlsx::sheet(if zh { "报送进度" } else { "Progress" }, &names, &rows)
}
