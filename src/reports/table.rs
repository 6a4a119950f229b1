//! Any table of a page as a workbook, exactly as shown: the page sends the header and cell texts
//! it displays; numbers become numbers with their shown decimals and thousands separators as the
//! cell format, a unit every number of a column carries (`%`) moves to the column's header, and
//! text stays text (never read as a formula).

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Deserialize;

use crate::store::StoreError;

/// The most rows and columns a page's table may send.
pub const MAX_ROWS: usize = 50_000;
pub const MAX_COLUMNS: usize = 200;

/// A table as the page shows it.
#[derive(Debug, Deserialize)]
pub struct Shown {
    /// The page's title and the table's heading: the sheet's first line.
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A cell read from its text.
#[derive(Debug, Clone, PartialEq)]
enum Read {
    Empty,
    Number { value: f64, decimals: usize, unit: Option<&'static str> },
    Text(String),
}

const UNITS: [&str; 2] = ["%", "‰"];

fn read(text: &str) -> Read {
    let t = text.trim();
    if t.is_empty() || t == "—" || t == "-" {
        return Read::Empty;
    }
    let (body, unit) = match UNITS.iter().find(|u| t.ends_with(*u)) {
        Some(u) => (t[..t.len() - u.len()].trim_end(), Some(*u)),
        None => (t, None),
    };
    let (sign, digits) = match body.strip_prefix(['-', '−', '+']) {
        Some(rest) => (if body.starts_with('+') { 1.0 } else { -1.0 }, rest),
        None => (1.0, body),
    };
    let (int, frac) = digits.split_once('.').map_or((digits, ""), |(i, f)| (i, f));
    let grouped_ok = {
        let groups: Vec<&str> = int.split(',').collect();
        !int.is_empty()
            && groups.iter().all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
            && (groups.len() == 1 || (groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3)))
    };
    if !grouped_ok || !frac.bytes().all(|b| b.is_ascii_digit()) || digits.ends_with('.') {
        return Read::Text(t.to_string());
    }
    // Codes are text: a leading zero (`061201`) or a long run of digits without separators (a
    // school's 10-digit code); the page shows large numbers grouped.
    if unit.is_none()
        && frac.is_empty()
        && !int.contains(',')
        && (int.len() >= 7 || (int.len() > 1 && int.starts_with('0')))
    {
        return Read::Text(t.to_string());
    }
    match format!("{}.{}", int.replace(',', ""), if frac.is_empty() { "0" } else { frac }).parse::<f64>() {
        Ok(v) => Read::Number { value: sign * v, decimals: frac.len(), unit },
        Err(_) => Read::Text(t.to_string()),
    }
}

/// Text a spreadsheet program would run as a formula is kept as text with a leading apostrophe.
fn safe_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() }
}

/// The workbook of a shown table.
pub fn workbook(t: &Shown) -> Result<Vec<u8>, StoreError> {
    if t.rows.len() > MAX_ROWS || t.columns.len() > MAX_COLUMNS {
        return Err(StoreError::refused(format!(
            "表格过大（最多 {MAX_ROWS} 行、{MAX_COLUMNS} 列） / the table is too large (at most {MAX_ROWS} rows, {MAX_COLUMNS} columns)"
        )));
    }
    let width = t.columns.len().max(t.rows.iter().map(Vec::len).max().unwrap_or(0));
    let cells: Vec<Vec<Read>> = t.rows.iter().map(|r| r.iter().map(|c| read(c)).collect()).collect();
    // A column's unit moves to its header when every number in it carries the same one; its
    // decimals are the most any of its numbers shows.
    let mut units: Vec<Option<&'static str>> = vec![None; width];
    let mut decimals = vec![0usize; width];
    for j in 0..width {
        let nums: Vec<(usize, Option<&'static str>)> = cells
            .iter()
            .filter_map(|r| match r.get(j) {
                Some(Read::Number { decimals, unit, .. }) => Some((*decimals, *unit)),
                _ => None,
            })
            .collect();
        decimals[j] = nums.iter().map(|n| n.0).max().unwrap_or(0);
        if let Some(first) = nums.first().and_then(|n| n.1)
            && nums.iter().all(|n| n.1 == Some(first))
        {
            units[j] = Some(first);
        }
    }
    let run = || -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let wrap = Format::new().set_bold().set_text_wrap();
        let ws = wb.add_worksheet();
        ws.write_string_with_format(0, 0, safe_text(&t.title), &bold)?;
        for (j, unit) in units.iter().enumerate() {
            let head = t.columns.get(j).map_or("", String::as_str);
            let head = match unit {
                Some(u) if !head.contains(u) => format!("{head}（{u}）"),
                _ => head.to_string(),
            };
            ws.write_string_with_format(2, j as u16, safe_text(&head), &wrap)?;
            let longest = t.rows.iter().filter_map(|r| r.get(j)).map(|c| c.chars().count()).max().unwrap_or(4);
            let head_len = head.chars().count();
            // CJK characters take about two columns' width.
            ws.set_column_width(j as u16, (longest.max(head_len.min(16)) as f64 * 1.6).clamp(6.0, 60.0))?;
        }
        let formats: Vec<Format> = decimals
            .iter()
            .map(|d| {
                Format::new().set_num_format(if *d == 0 {
                    "#,##0".to_string()
                } else {
                    format!("#,##0.{}", "0".repeat(*d))
                })
            })
            .collect();
        for (i, row) in cells.iter().enumerate() {
            let r = i as u32 + 3;
            for (j, c) in row.iter().enumerate() {
                match c {
                    Read::Empty => {}
                    Read::Number { value, unit, .. } if units[j].is_some() || unit.is_none() => {
                        ws.write_number_with_format(r, j as u16, *value, &formats[j])?;
                    }
                    // A number whose unit differs from its column's: as shown.
                    Read::Number { .. } => {
                        ws.write_string(r, j as u16, t.rows[i][j].trim())?;
                    }
                    Read::Text(s) => {
                        ws.write_string(r, j as u16, safe_text(s))?;
                    }
                }
            }
        }
        ws.set_freeze_panes(3, 0)?;
        wb.save_to_buffer()
    };
    run().map_err(|e| StoreError::Internal(format!("xlsx: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_numbers_are_read_back_as_numbers_and_other_text_stays_text() {
        assert_eq!(read("195,994"), Read::Number { value: 195994.0, decimals: 0, unit: None });
        assert_eq!(read("89.9%"), Read::Number { value: 89.9, decimals: 1, unit: Some("%") });
        assert_eq!(read("−12.0%"), Read::Number { value: -12.0, decimals: 1, unit: Some("%") });
        assert_eq!(read("4401000001"), Read::Text("4401000001".into()));
        assert_eq!(read("061201"), Read::Text("061201".into()));
        assert_eq!(read("2025"), Read::Number { value: 2025.0, decimals: 0, unit: None });
        assert_eq!(read("12,34"), Read::Text("12,34".into()));
        assert_eq!(read("2025年3月15日"), Read::Text("2025年3月15日".into()));
        assert_eq!(read("—"), Read::Empty);
        let t = Shown {
            title: "=cmd".into(),
            columns: vec!["区".into(), "毕业去向落实率".into()],
            rows: vec![vec!["天河区".into(), "89.9%".into()], vec!["番禺区".into(), "91.0%".into()]],
        };
        assert!(workbook(&t).unwrap().starts_with(b"PK"));
    }
}
