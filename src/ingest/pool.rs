//! Reading a list of enterprise experts for the part-time teacher pool from a spreadsheet (CSV in
//! UTF-8 or GBK, or XLSX): columns by English key or Chinese name, lists split on `;`, `；` or
//! `、`; every row checked, every problem named with its row and column. Nothing is written here.

use std::path::Path;

use crate::domain::pool::{Expert, ExpertForm};
use crate::ingest::read::{Sheet, read_file};

/// The columns: key, Chinese name, required.
pub const COLUMNS: [(&str, &str, bool); 12] = [
    ("id_number", "身份证件号", true),
    ("name", "姓名", true),
    ("enterprise_credit_code", "企业统一社会信用代码", true),
    ("enterprise_name", "企业名称", true),
    ("programs", "可任教专业代码", true),
    ("skills", "专长", false),
    ("title", "专业技术职务", false),
    ("post", "岗位类型", true),
    ("available_from", "可聘起始日期", false),
    ("available_until", "可聘截止日期", false),
    ("consent", "同意入库", false),
    ("school_code", "登记学校", false),
];

/// One checked row: its row number, the expert and the school that registers them ('' for the bureau).
pub struct PoolRow {
    pub row: usize,
    pub expert: Expert,
    pub school: Option<String>,
}

fn list(cell: &str) -> Vec<String> {
    cell.split([';', '；', '、']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

fn yes(cell: &str) -> Option<bool> {
    match cell.trim().to_lowercase().as_str() {
        "是" | "同意" | "true" | "yes" | "1" => Some(true),
        "否" | "不同意" | "false" | "no" | "0" | "" => Some(false),
        _ => None,
    }
}

/// Reads and checks every row of the file; all rows, or every problem.
pub fn read_experts(path: &Path, display: &str) -> Result<Vec<PoolRow>, Vec<String>> {
    let sheets =
        read_file(path, display).map_err(|p| vec![format!("{display}: {}", p.message(crate::messages::Lang::Zh))])?;
    let Some(sheet) = sheets.into_iter().next() else {
        return Err(vec![format!("{display}: 文件为空 / the file is empty")]);
    };
    check_sheet(&sheet)
}

fn check_sheet(sheet: &Sheet) -> Result<Vec<PoolRow>, Vec<String>> {
    let label = &sheet.label;
    let index = |key: &str, zh: &str| sheet.header.iter().position(|h| h.trim() == key || h.trim() == zh);
    let mut errors = Vec::new();
    let at: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|(key, zh, required)| {
            let i = index(key, zh);
            if i.is_none() && *required {
                errors.push(format!("{label}: 缺少列“{zh}”（{key}） / the column {key} is missing"));
            }
            i
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    for item in sheet.rows() {
        let (row, cells) = match item {
            Ok(r) => r,
            Err((row, p)) => {
                errors.push(format!("{label} 第 {row} 行：{}", p.message(crate::messages::Lang::Zh)));
                continue;
            }
        };
        if Sheet::is_blank(&cells) {
            continue;
        }
        let cell = |i: usize| at[i].and_then(|c| cells.get(c)).map_or("", |s| s.trim());
        let consent = yes(cell(10));
        if consent.is_none() {
            errors.push(format!("{label} 第 {row} 行 同意入库：'{}' 应为 是 或 否 / must be yes or no", cell(10)));
        }
        let opt = |i: usize| Some(cell(i).to_string()).filter(|s| !s.is_empty());
        let form = ExpertForm {
            id_number: cell(0).to_string(),
            name: cell(1).to_string(),
            enterprise_credit_code: cell(2).to_string(),
            enterprise_name: cell(3).to_string(),
            programs: list(cell(4)),
            skills: list(cell(5)),
            title: opt(6),
            post: cell(7).to_string(),
            available_from: opt(8),
            available_until: opt(9),
            consent: consent.unwrap_or(false),
        };
        match form.check() {
            Ok(expert) => out.push(PoolRow { row, expert, school: opt(11) }),
            Err(es) => errors.extend(es.into_iter().map(|e| format!("{label} 第 {row} 行 {e}"))),
        }
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(format!("{label}: 没有数据行 / no data rows"));
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}
