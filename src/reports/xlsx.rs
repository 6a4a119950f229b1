//! The evaluation's tables as a workbook: the summary, the key indicators, the counted targets,
//! the rules, the districts, the tasks, what it takes, the problems and next steps, and the data
//! coverage, one sheet each, numbers kept as numbers.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::evaluation::{Evaluation, findings};
use crate::figures::targets::TargetResult;
use crate::messages::Lang;
use crate::store::StoreError;
use crate::store::remarks::Section;

/// One sheet of a header and rows, numbers kept as numbers and text never read as a formula (the
/// admission list, the allocation statement).
pub fn sheet(name: &str, cols: &[&str], rows: &[Vec<crate::figures::rows::Cell>]) -> Result<Vec<u8>, StoreError> {
    use crate::figures::rows::Cell;
    let run = || -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let ws = wb.add_worksheet().set_name(name)?;
        header(ws, cols, &bold)?;
        for (i, row) in rows.iter().enumerate() {
            for (j, c) in row.iter().enumerate() {
                match c {
                    Cell::Text(s) => ws.write_string(i as u32 + 1, j as u16, s).map(|_| ())?,
                    Cell::Number(v) => ws.write_number(i as u32 + 1, j as u16, *v).map(|_| ())?,
                    Cell::Empty => {}
                }
            }
        }
        wb.save_to_buffer()
    };
    run().map_err(|e| StoreError::Internal(format!("xlsx: {e}")))
}

/// The columns of an upper school's admission list.
pub const ADMISSION_COLUMNS: [&str; 11] = [
    "协议编号",
    "前段学校",
    "前段专业",
    "后段专业",
    "入学年份",
    "身份证件号",
    "姓名",
    "考核成绩",
    "免考原因",
    "来源提交",
    "来源行",
];

/// An upper school's admission list as a workbook, each line traceable to its submitted row.
pub fn admission_list(list: &[crate::store::pathway::Admission]) -> Result<Vec<u8>, StoreError> {
    use crate::domain::standard::{TRANSFER_EXEMPTIONS, find_choice};
    use crate::figures::rows::Cell;
    let rows: Vec<Vec<Cell>> = list
        .iter()
        .map(|a| {
            let exemption = a.exemption.as_deref().map_or(String::new(), |k| {
                find_choice(TRANSFER_EXEMPTIONS, k).map_or(k.to_string(), |c| c.zh.to_string())
            });
            vec![
                Cell::Text(a.agreement_code.clone()),
                Cell::Text(a.lower_school_code.clone()),
                Cell::Text(a.lower_program_code.clone()),
                Cell::Text(a.upper_program_code.clone()),
                Cell::Number(a.intake_year as f64),
                Cell::Text(a.id_number.clone()),
                Cell::Text(a.name.clone()),
                a.score.map_or(Cell::Empty, Cell::Number),
                Cell::Text(exemption),
                Cell::Number(a.submission_id as f64),
                Cell::Number(a.row_no as f64),
            ]
        })
        .collect();
    sheet("录取名单", &ADMISSION_COLUMNS, &rows)
}

fn header(ws: &mut Worksheet, cols: &[&str], bold: &Format) -> Result<(), XlsxError> {
    for (i, c) in cols.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *c, bold)?;
        ws.set_column_width(i as u16, (c.chars().count() as f64 * 2.2).max(10.0))?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn num(ws: &mut Worksheet, row: u32, col: u16, v: Option<f64>) -> Result<(), XlsxError> {
    match v {
        Some(v) => ws.write_number(row, col, v).map(|_| ()),
        None => ws.write_string(row, col, "—").map(|_| ()),
    }
}

fn targets_sheet(wb: &mut Workbook, name: &str, rs: &[TargetResult], bold: &Format) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name(name)?;
    header(
        ws,
        &[
            "编号",
            "目标",
            "规划条目",
            "单位",
            "基期",
            "数值",
            "分子/达标",
            "分母/总数",
            "目标值",
            "目标年",
            "状态",
            "2025 预测",
            "说明",
        ],
        bold,
    )?;
    ws.set_column_width(1, 40)?;
    for (i, r) in rs.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, &r.id)?;
        ws.write_string(row, 1, &r.name)?;
        ws.write_string(row, 2, &r.section)?;
        ws.write_string(row, 3, &r.unit)?;
        num(ws, row, 4, r.baseline)?;
        num(ws, row, 5, r.value)?;
        num(ws, row, 6, r.numerator)?;
        num(ws, row, 7, r.denominator)?;
        ws.write_string(row, 8, r.target_text())?;
        ws.write_number(row, 9, r.target_year)?;
        ws.write_string(row, 10, r.status.zh())?;
        num(ws, row, 11, r.projection)?;
        ws.write_string(row, 12, r.note.clone().unwrap_or_default())?;
    }
    Ok(())
}

fn build(e: &Evaluation, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#EAEEF2");
    let title = Format::new().set_bold().set_font_size(14);
    let doc = super::evaluation::document::document(e, lang);
    {
        let ws = wb.add_worksheet().set_name("总览")?;
        ws.set_column_width(0, 120)?;
        ws.write_string_with_format(0, 0, &doc.title, &title)?;
        ws.write_string(1, 0, &doc.source)?;
        for (i, s) in findings::summary(e, lang).iter().enumerate() {
            ws.write_string(3 + i as u32, 0, s)?;
        }
    }
    targets_sheet(&mut wb, "主要指标", &e.key, &bold)?;
    targets_sheet(&mut wb, "数量目标", &e.counted, &bold)?;
    targets_sheet(&mut wb, "规则", &e.rules, &bold)?;
    {
        let ws = wb.add_worksheet().set_name("分区")?;
        let mut cols: Vec<String> = vec!["区代码".into(), "区".into()];
        cols.extend(e.key.iter().map(|r| r.name.clone()));
        cols.push("达标项数".into());
        let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
        header(ws, &refs, &bold)?;
        for (i, d) in e.districts.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, &d.code)?;
            ws.write_string(row, 1, &d.name)?;
            for (j, (v, s)) in d.cells.iter().enumerate() {
                match v.replace(',', "").parse::<f64>() {
                    Ok(n) => ws.write_number(row, 2 + j as u16, n)?,
                    Err(_) => ws.write_string(row, 2 + j as u16, format!("{v} {}", s.zh()))?,
                };
            }
            ws.write_number(row, 2 + d.cells.len() as u16, d.met as f64)?;
        }
    }
    {
        let ws = wb.add_worksheet().set_name("规划任务")?;
        header(ws, &["任务", "规划条目", "承担学校数", "平均完成度（%）", "逾期未报"], &bold)?;
        ws.set_column_width(0, 40)?;
        for (i, t) in e.tasks.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, format!("{} {}", t.code, t.title))?;
            ws.write_string(row, 1, &t.section)?;
            ws.write_number(row, 2, t.schools as f64)?;
            num(ws, row, 3, t.completion)?;
            ws.write_number(row, 4, t.overdue as f64)?;
        }
    }
    {
        let ws = wb.add_worksheet().set_name("达标所需")?;
        header(
            ws,
            &[
                "指标编码",
                "指标",
                "还差（人、所、人次）",
                "还差",
                "缺口最大的学校",
                "前五校占比（%）",
                "按趋势达标年份",
            ],
            &bold,
        )?;
        ws.set_column_width(1, 36)?;
        ws.set_column_width(4, 60)?;
        for (i, g) in e.shortfalls.iter().enumerate() {
            let row = i as u32 + 1;
            let name = e.key.iter().find(|r| r.id == g.id).map(|r| r.name.as_str()).unwrap_or_default();
            ws.write_string(row, 0, &g.id)?;
            ws.write_string(row, 1, name)?;
            ws.write_number(row, 2, g.amount)?;
            ws.write_string(row, 3, if lang == Lang::En { &g.text_en } else { &g.text_zh })?;
            let holders: Vec<String> = g.holders.iter().map(|h| format!("{} {}", h.name, h.text_zh)).collect();
            ws.write_string(row, 4, holders.join("；"))?;
            num(ws, row, 5, g.holders_share)?;
            match g.reach_year {
                Some(y) => ws.write_number(row, 6, y)?,
                None => ws.write_string(row, 6, format!("晚于 {}", crate::figures::shortfall::HORIZON_YEAR))?,
            };
        }
    }
    {
        let ws = wb.add_worksheet().set_name("存在问题与措施")?;
        header(ws, &["部分", "序号", "内容"], &bold)?;
        ws.set_column_width(2, 120)?;
        let mut row = 1;
        for (label, which) in [("存在问题", Section::Problems), ("下一步措施", Section::Measures)] {
            for (i, item) in findings::section(e, which, lang).0.iter().enumerate() {
                ws.write_string(row, 0, label)?;
                ws.write_number(row, 1, (i + 1) as f64)?;
                ws.write_string(row, 2, item)?;
                row += 1;
            }
        }
    }
    {
        let ws = wb.add_worksheet().set_name("数据覆盖")?;
        header(ws, &["数据表", "表名", "应报学校", "已通过", "待审核", "未通过或未报送的学校"], &bold)?;
        ws.set_column_width(5, 80)?;
        for (i, c) in e.coverage.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, &c.table)?;
            ws.write_string(row, 1, &c.name_zh)?;
            ws.write_number(row, 2, c.owed as f64)?;
            ws.write_number(row, 3, c.approved as f64)?;
            ws.write_number(row, 4, c.pending as f64)?;
            ws.write_string(row, 5, c.missing.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join("、"))?;
        }
    }
    wb.save_to_buffer()
}

pub fn render(e: &Evaluation, lang: Lang) -> Result<Vec<u8>, StoreError> {
    build(e, lang).map_err(|err| StoreError::refused(format!("XLSX: {err}")))
}
