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
pub fn sheet(name: &str, cols: &[&str], rows: &[Vec<crate::store::record_rows::Cell>]) -> Result<Vec<u8>, StoreError> {
    use crate::store::record_rows::Cell;
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
    use crate::store::record_rows::Cell;
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

/// Chinese or English, as the reader asked.
fn t(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::En { en } else { zh }
}

fn targets_sheet(
    wb: &mut Workbook,
    name: &str,
    rs: &[TargetResult],
    bold: &Format,
    lang: Lang,
) -> Result<(), XlsxError> {
    let en = lang == Lang::En;
    let ws = wb.add_worksheet().set_name(name)?;
    header(
        ws,
        &[
            t(lang, "编号", "Id"),
            t(lang, "目标", "Target"),
            t(lang, "规划条目", "Plan section"),
            t(lang, "单位", "Unit"),
            t(lang, "基期", "Baseline"),
            t(lang, "数值", "Value"),
            t(lang, "分子/达标", "Numerator / met"),
            t(lang, "分母/总数", "Denominator / all"),
            t(lang, "目标值", "Target value"),
            t(lang, "目标年", "Target year"),
            t(lang, "状态", "Status"),
            t(lang, "2025 预测", "2025 projected"),
            t(lang, "说明", "Note"),
        ],
        bold,
    )?;
    ws.set_column_width(1, 40)?;
    for (i, r) in rs.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, &r.id)?;
        ws.write_string(row, 1, if en { &r.name_en } else { &r.name })?;
        ws.write_string(row, 2, if en { crate::messages::numbers::section_en(&r.section) } else { r.section.clone() })?;
        ws.write_string(row, 3, if en { &r.unit_en } else { &r.unit })?;
        num(ws, row, 4, r.baseline)?;
        num(ws, row, 5, r.value)?;
        num(ws, row, 6, r.numerator)?;
        num(ws, row, 7, r.denominator)?;
        ws.write_string(row, 8, r.target_text())?;
        ws.write_number(row, 9, r.target_year)?;
        ws.write_string(row, 10, if en { r.status.en() } else { r.status.zh() })?;
        num(ws, row, 11, r.projection)?;
        let note = if en { r.note_en.clone().or_else(|| r.note.clone()) } else { r.note.clone() };
        ws.write_string(row, 12, note.unwrap_or_default())?;
    }
    Ok(())
}

fn build(e: &Evaluation, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#EAEEF2");
    let title = Format::new().set_bold().set_font_size(14);
    let doc = super::evaluation::document::document(e, lang);
    {
        let ws = wb.add_worksheet().set_name(t(lang, "总览", "Summary"))?;
        ws.set_column_width(0, 120)?;
        ws.write_string_with_format(0, 0, &doc.title, &title)?;
        ws.write_string(1, 0, &doc.source)?;
        for (i, s) in findings::summary(e, lang).iter().enumerate() {
            ws.write_string(3 + i as u32, 0, s)?;
        }
    }
    let en = lang == Lang::En;
    targets_sheet(&mut wb, t(lang, "主要指标", "Key indicators"), &e.key, &bold, lang)?;
    targets_sheet(&mut wb, t(lang, "数量目标", "Counted targets"), &e.counted, &bold, lang)?;
    targets_sheet(&mut wb, t(lang, "规则", "Rules"), &e.rules, &bold, lang)?;
    {
        let ws = wb.add_worksheet().set_name(t(lang, "分区", "Districts"))?;
        let mut cols: Vec<String> = vec![t(lang, "区代码", "Code").into(), t(lang, "区", "District").into()];
        cols.extend(e.key.iter().map(|r| if en { r.name_en.clone() } else { r.name.clone() }));
        cols.push(t(lang, "达标项数", "Targets met").into());
        let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
        header(ws, &refs, &bold)?;
        for (i, d) in e.districts.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, &d.code)?;
            ws.write_string(row, 1, &d.name)?;
            for (j, (v, s)) in d.cells.iter().enumerate() {
                match v.replace(',', "").parse::<f64>() {
                    Ok(n) => ws.write_number(row, 2 + j as u16, n)?,
                    Err(_) => {
                        ws.write_string(row, 2 + j as u16, format!("{v} {}", if en { s.en() } else { s.zh() }))?
                    }
                };
            }
            ws.write_number(row, 2 + d.cells.len() as u16, d.met as f64)?;
        }
    }
    {
        let ws = wb.add_worksheet().set_name(t(lang, "规划任务", "Tasks"))?;
        header(
            ws,
            &[
                t(lang, "任务", "Task"),
                t(lang, "规划条目", "Plan section"),
                t(lang, "承担学校数", "Schools"),
                t(lang, "平均完成度（%）", "Mean completion (%)"),
                t(lang, "逾期未报", "Overdue"),
            ],
            &bold,
        )?;
        ws.set_column_width(0, 40)?;
        for (i, task) in e.tasks.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, format!("{} {}", task.code, if en { &task.title_en } else { &task.title }))?;
            ws.write_string(
                row,
                1,
                if en { crate::messages::numbers::section_en(&task.section) } else { task.section.clone() },
            )?;
            ws.write_number(row, 2, task.schools as f64)?;
            num(ws, row, 3, task.completion)?;
            ws.write_number(row, 4, task.overdue as f64)?;
        }
    }
    {
        let ws = wb.add_worksheet().set_name(t(lang, "达标所需", "What it takes"))?;
        header(
            ws,
            &[
                t(lang, "指标编码", "Id"),
                t(lang, "指标", "Indicator"),
                t(lang, "还差（人、所、人次）", "Short by (people, schools, person-times)"),
                t(lang, "还差", "Short by"),
                t(lang, "缺口最大的学校", "Schools holding most of the gap"),
                t(lang, "前五校占比（%）", "Top five's share (%)"),
                t(lang, "按趋势达标年份", "Year the trend reaches it"),
            ],
            &bold,
        )?;
        ws.set_column_width(1, 36)?;
        ws.set_column_width(4, 60)?;
        for (i, g) in e.shortfalls.iter().enumerate() {
            let row = i as u32 + 1;
            let name = e
                .key
                .iter()
                .find(|r| r.id == g.id)
                .map(|r| if en { r.name_en.as_str() } else { r.name.as_str() })
                .unwrap_or_default();
            ws.write_string(row, 0, &g.id)?;
            ws.write_string(row, 1, name)?;
            ws.write_number(row, 2, g.amount)?;
            ws.write_string(row, 3, if lang == Lang::En { &g.text_en } else { &g.text_zh })?;
            let holders: Vec<String> =
                g.holders.iter().map(|h| format!("{} {}", h.name, if en { &h.text_en } else { &h.text_zh })).collect();
            ws.write_string(row, 4, holders.join(t(lang, "；", "; ")))?;
            num(ws, row, 5, g.holders_share)?;
            match g.reach_year {
                Some(y) => ws.write_number(row, 6, y)?,
                None => ws.write_string(
                    row,
                    6,
                    format!("{} {}", t(lang, "晚于", "after"), crate::figures::shortfall::HORIZON_YEAR),
                )?,
            };
        }
    }
    {
        let ws = wb.add_worksheet().set_name(t(lang, "存在问题与措施", "Problems and measures"))?;
        header(ws, &[t(lang, "部分", "Part"), t(lang, "序号", "No."), t(lang, "内容", "Text")], &bold)?;
        ws.set_column_width(2, 120)?;
        let mut row = 1;
        for (label, which) in [
            (t(lang, "存在问题", "Problems"), Section::Problems),
            (t(lang, "下一步措施", "Next steps"), Section::Measures),
        ] {
            for (i, item) in findings::section(e, which, lang).0.iter().enumerate() {
                ws.write_string(row, 0, label)?;
                ws.write_number(row, 1, (i + 1) as f64)?;
                ws.write_string(row, 2, item)?;
                row += 1;
            }
        }
    }
    {
        let ws = wb.add_worksheet().set_name(t(lang, "数据覆盖", "Data coverage"))?;
        header(
            ws,
            &[
                t(lang, "数据表", "Table"),
                t(lang, "表名", "Name"),
                t(lang, "应报学校", "Schools owing"),
                t(lang, "已通过", "Approved"),
                t(lang, "待审核", "Waiting"),
                t(lang, "未通过或未报送的学校", "Schools without an approved return"),
            ],
            &bold,
        )?;
        ws.set_column_width(5, 80)?;
        for (i, c) in e.coverage.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, &c.table)?;
            ws.write_string(row, 1, if en { &c.table } else { &c.name_zh })?;
            ws.write_number(row, 2, c.owed as f64)?;
            ws.write_number(row, 3, c.approved as f64)?;
            ws.write_number(row, 4, c.pending as f64)?;
            ws.write_string(
                row,
                5,
                c.missing.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join(t(lang, "、", ", ")),
            )?;
        }
    }
    wb.save_to_buffer()
}

pub fn render(e: &Evaluation, lang: Lang) -> Result<Vec<u8>, StoreError> {
    build(e, lang).map_err(|err| StoreError::refused(format!("XLSX: {err}")))
}
