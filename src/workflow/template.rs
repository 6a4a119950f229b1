//! Excel templates for each table: the data sheet (named after the table, Chinese headers, a
//! drop-down on every coded column), an instructions sheet, and the code lists on a hidden sheet.
//! What a school fills in goes back through the importer unchanged. A roll-forward template is the
//! same workbook filled with the school's rows of the year before, moved to the year due.

use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook, XlsxError};

use crate::domain::standard::{Kind, LEVELS, Req, Table, find_choice};
use crate::store::audit::{self, Entry};
use crate::store::record_rows::{Cell, RowRequest, for_each_row};
use crate::store::{Db, StoreError, refdata};

/// Rows that get the drop-downs.
const ROWS: u32 = 5_000;

fn rows_of(prefill: Option<&Prefill>) -> u32 {
    prefill.map_or(0, |p| p.rows.len() as u32)
}

fn describe(kind: Kind) -> String {
    match kind {
        Kind::Text => "文本".into(),
        Kind::Count => "非负整数".into(),
        Kind::Number { positive: true } => "大于 0 的数".into(),
        Kind::Number { positive: false } => "非负数".into(),
        Kind::Year => "年份 YYYY".into(),
        Kind::Date => "日期 YYYY-MM-DD".into(),
        Kind::Bool => "是 / 否".into(),
        Kind::Choice(list) => list.iter().map(|c| c.zh).collect::<Vec<_>>().join("、"),
        Kind::School => "10 位学校标识码".into(),
        Kind::Program => "6 位专业代码（2021 年版目录，见“专业目录”表）".into(),
        Kind::IdNumber => "18 位身份证号码（护照等填写原号码）".into(),
        Kind::Credit => "18 位统一社会信用代码".into(),
        Kind::Division => "6 位行政区划代码".into(),
        Kind::District => "区（县）代码（见下拉列表；广州市各区为 4401xx）".into(),
        Kind::Industry => "GB/T 4754-2017 门类字母或两位大类代码".into(),
        Kind::DesignationKind => "规划中的项目类型（见下拉列表）".into(),
    }
}

/// The reference data a template lists, as loaded (so a later catalogue edition appears too).
struct Lists {
    kinds: Vec<String>,
    districts: Vec<String>,
    /// (level, code, name) of every program of every loaded edition.
    programs: Vec<(String, String, String)>,
}

/// Rows a roll-forward template starts with: a school's rows of the year before the one due.
struct Prefill {
    rows: Vec<Vec<Cell>>,
    school: String,
    from: i64,
    to: i64,
}

/// The empty template of a table.
pub async fn template(db: &Db, table: Table) -> Result<Vec<u8>, StoreError> {
    let refs = lists(db).await?;
    build(table, &refs, None).map_err(|e| StoreError::refused(format!("template: {e}")))
}

async fn lists(db: &Db) -> Result<Lists, StoreError> {
    let plan = refdata::active_plan(db).await?;
    let kinds = plan.designation_kinds.iter().map(|k| k.name_zh.clone()).collect();
    let districts = crate::store::registry::districts(db).await?.into_iter().map(|(code, _)| code).collect();
    let programs = crate::store::registry::all_programs(db).await?;
    Ok(Lists { kinds, districts, programs })
}

/// The template of `table` for `school` and the year `to`, filled with the school's current rows of
/// `to - 1` with their year set to `to`: what a school edits instead of typing again the teachers
/// or programs that stay. ID numbers and names are written in full, since the file must import
/// again; only the school's own officers (and the bureau) are given it, and each one is audited
/// like an unmasked export. Returns the workbook and the number of rows carried forward.
pub async fn roll_forward(
    db: &Db,
    table: Table,
    school: &str,
    to: i64,
    actor: &str,
    source: &str,
) -> Result<(Vec<u8>, usize), StoreError> {
    let Some(year_column) = table.year_column() else {
        return Err(StoreError::refused(format!(
            "{}（{}）不按年度报送，没有上一年的数据可预填 / table {} is not returned by year: there is no last year to carry forward",
            table.zh(),
            table.key(),
            table.key()
        )));
    };
    let from = to - 1;
    let year_at = table.spec().columns.iter().position(|c| c.key == year_column);
    let req = RowRequest {
        table,
        year: Some(from),
        school: Some(school.to_string()),
        unmask: table.spec().personal,
        page: None,
        rows_of: None,
        lang: crate::messages::Lang::Zh,
        search: None,
        order: None,
    };
    let mut rows = Vec::new();
    for_each_row(db, &req, |mut cells| {
        if let Some(i) = year_at {
            cells[i] = Cell::Number(to as f64);
        }
        rows.push(cells);
        Ok(())
    })
    .await?;
    let n = rows.len();
    let refs = lists(db).await?;
    let prefill = Prefill { rows, school: school.to_string(), from, to };
    let bytes = build(table, &refs, Some(&prefill)).map_err(|e| StoreError::refused(format!("template: {e}")))?;
    let detail = format!(
        "school {school}, {n} rows of {from} carried forward to {to}{}",
        if req.unmask { ", UNMASKED personal data" } else { "" }
    );
    let action = if req.unmask { "roll_forward_unmasked" } else { "roll_forward" };
    audit::record(&db.pool, &Entry { actor, action, object: table.key(), detail: &detail, source }).await?;
    Ok((bytes, n))
}

fn build(table: Table, refs: &Lists, prefill: Option<&Prefill>) -> Result<Vec<u8>, XlsxError> {
    let spec = table.spec();
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let required = Format::new().set_bold().set_background_color("#FCE4D6");
    let text = Format::new().set_num_format("@");
    // Code lists, one column each, on a hidden sheet the drop-downs refer to.
    let mut lists: Vec<(usize, Vec<String>)> = Vec::new();
    for (i, c) in spec.columns.iter().enumerate() {
        let values: Vec<String> = match c.kind {
            Kind::Choice(list) => list.iter().map(|x| x.zh.to_string()).collect(),
            Kind::Bool => vec!["是".into(), "否".into()],
            Kind::DesignationKind => refs.kinds.clone(),
            Kind::District => refs.districts.clone(),
            _ => continue,
        };
        lists.push((i, values));
    }
    {
        let data = wb.add_worksheet();
        data.set_name(spec.zh)?;
        for (i, c) in spec.columns.iter().enumerate() {
            let col = i as u16;
            data.write_string_with_format(0, col, c.zh, if c.req == Req::Required { &required } else { &bold })?;
            data.set_column_width(col, (c.zh.chars().count() as f64 * 2.2).max(12.0))?;
            // Codes and ID numbers stay text: Excel would turn 440106… into a number.
            if matches!(
                c.kind,
                Kind::Text
                    | Kind::School
                    | Kind::Program
                    | Kind::IdNumber
                    | Kind::Credit
                    | Kind::Division
                    | Kind::District
            ) {
                data.set_column_format(col, &text)?;
            }
        }
        for (n, (i, values)) in lists.iter().enumerate() {
            let column_letter = (b'A' + n as u8) as char;
            let range = format!("=代码表!${column_letter}$2:${column_letter}${}", values.len() + 1);
            let c = &spec.columns[*i];
            let v = DataValidation::new()
                .allow_list_formula(Formula::new(range))
                .set_input_title(c.zh)?
                .set_error_message(format!("请从下拉列表中选择“{}”的值", c.zh))?;
            data.add_data_validation(1, *i as u16, ROWS.max(rows_of(prefill) + 1), *i as u16, &v)?;
        }
        if let Some(p) = prefill {
            for (r, cells) in p.rows.iter().enumerate() {
                let r = r as u32 + 1;
                for (i, cell) in cells.iter().enumerate() {
                    match cell {
                        Cell::Text(s) => data.write_string_with_format(r, i as u16, s, &text)?,
                        Cell::Number(n) => data.write_number(r, i as u16, *n)?,
                        Cell::Empty => continue,
                    };
                }
            }
        }
        data.set_freeze_panes(1, 0)?;
    }
    {
        let help = wb.add_worksheet();
        help.set_name("填写说明")?;
        help.write_string_with_format(0, 0, format!("{}（{}）填写说明", spec.zh, spec.key), &bold)?;
        help.write_string(
            1,
            0,
            "表头请勿修改；橙色为必填列。每行一条记录，空行会被忽略。可保存为 XLSX 或 CSV（UTF-8）后提交。",
        )?;
        if let Some(p) = prefill {
            let red = Format::new().set_bold().set_font_color("#C00000");
            help.write_string_with_format(
                2,
                0,
                format!(
                    "本表已预填学校 {} {} 年度的 {} 行数据，年度已改为 {}：请逐行核对，删除已不在本校的人员或已停办的项目，补充新增的，再提交。表中含未脱敏的个人信息，请妥善保管，提交后删除本地文件。",
                    p.school,
                    p.from,
                    p.rows.len(),
                    p.to
                ),
                &red,
            )?;
        }
        for (j, h) in ["列名", "字段", "是否必填", "取值"].iter().enumerate() {
            help.write_string_with_format(3, j as u16, *h, &bold)?;
        }
        for (i, c) in spec.columns.iter().enumerate() {
            let r = 4 + i as u32;
            help.write_string(r, 0, c.zh)?;
            help.write_string(r, 1, c.key)?;
            help.write_string(
                r,
                2,
                match c.req {
                    Req::Required => "必填",
                    Req::Optional => "选填",
                    Req::Conditional => "条件必填",
                },
            )?;
            help.write_string(r, 3, describe(c.kind))?;
        }
        help.set_column_width(0, 28)?;
        help.set_column_width(1, 22)?;
        help.set_column_width(3, 70)?;
    }
    {
        let codes = wb.add_worksheet();
        codes.set_name("代码表")?;
        for (n, (i, values)) in lists.iter().enumerate() {
            codes.write_string_with_format(0, n as u16, spec.columns[*i].zh, &bold)?;
            for (r, v) in values.iter().enumerate() {
                codes.write_string(r as u32 + 1, n as u16, v)?;
            }
        }
        codes.set_hidden(true);
    }
    if table.column("program_code").is_some() {
        let programs = wb.add_worksheet();
        programs.set_name("专业目录")?;
        for (j, h) in ["层次", "专业代码", "专业名称"].iter().enumerate() {
            programs.write_string_with_format(0, j as u16, *h, &bold)?;
        }
        for (r, (level, code, name)) in refs.programs.iter().enumerate() {
            let r = r as u32 + 1;
            programs.write_string(r, 0, find_choice(LEVELS, level).map_or(level.as_str(), |c| c.zh))?;
            programs.write_string(r, 1, code)?;
            programs.write_string(r, 2, name)?;
        }
        programs.set_column_width(2, 30)?;
    }
    wb.save_to_buffer()
}
