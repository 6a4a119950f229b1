//! The evaluation laid out once, in one language, as a government document: a cover (issuing body,
//! title, date), numbered sections of paragraphs, lists, tables and charts, and an annex on the
//! data the figures rest on. The HTML, PDF and DOCX writers only turn this into their format.

use super::findings::{self, figure};
use super::{Evaluation, title_en};
use crate::figures::indicators::display;
use crate::figures::targets::TargetResult;
use crate::messages::Lang;
use crate::messages::numbers::section_en;
use crate::reports::chart::{Chart, trend_of};
use crate::store::remarks::Section as Remarks;

/// A table: header, rows, and which columns hold numbers (right-aligned).
#[derive(Debug, Clone)]
pub struct Table {
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub numeric: Vec<bool>,
}

/// A chart with its caption.
#[derive(Debug, Clone)]
pub struct Figure {
    pub svg: String,
    pub caption: String,
}

#[derive(Debug, Clone)]
pub enum Block {
    Para(String),
    List(Vec<String>),
    Table(Table),
    Charts(Vec<Figure>),
    /// A small note under a table.
    Note(String),
}

#[derive(Debug, Clone)]
pub struct Section {
    pub title: String,
    pub blocks: Vec<Block>,
}

/// The whole document in one language.
#[derive(Debug, Clone)]
pub struct Document {
    pub lang: Lang,
    pub issuer: String,
    pub title: String,
    /// The date it is issued, as the language writes dates (2026年12月4日).
    pub date: String,
    /// Where the figures come from and when they were read.
    pub source: String,
    /// "目录" / "Contents".
    pub contents: String,
    /// "第 {n} 页" / "Page {n}" is left to the writers; this is the running header's text.
    pub running: String,
    pub sections: Vec<Section>,
    pub annexes: Vec<Section>,
    /// Whether 存在问题 and 下一步措施 are still the drafts made from the figures.
    pub drafted: bool,
}

/// How wide a text is on paper, in half-ems: a CJK character, a symbol (—, ≥, “) or a per cent
/// sign is about two, a Latin letter or digit one.
pub fn text_width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x2000 || matches!(c, '%' | 'W' | 'M' | '@') { 2 } else { 1 }).sum()
}

impl Table {
    fn new(head: Vec<String>, rows: Vec<Vec<String>>) -> Table {
        let numeric = (0..head.len())
            .map(|i| {
                let cells: Vec<&str> =
                    rows.iter().filter_map(|r| r.get(i)).map(String::as_str).filter(|c| !c.is_empty()).collect();
                !cells.is_empty()
                    && cells.iter().all(|c| {
                        *c == "—"
                            || c.chars().all(|ch| ch.is_ascii_digit() || ",.%+−-–/ ≥≤~↑".contains(ch))
                                && c.chars().any(|ch| ch.is_ascii_digit())
                    })
            })
            .collect();
        Table { head, rows, numeric }
    }

    /// Each column's share of the width, sized to its content: columns of short words (figures,
    /// statuses, units) get what their widest word needs, so they never break; the columns of
    /// long text share the rest in proportion to their length. `room` is the page's width in
    /// half-ems of the table's type (about 98 at 9 pt on A4 with the 公文 margins).
    pub fn widths(&self, room: f64) -> Vec<f64> {
        // Two more than the text for the cell's padding.
        let wanted: Vec<f64> = (0..self.head.len())
            .map(|i| {
                let cells = self.rows.iter().filter_map(|r| r.get(i)).map(|c| text_width(c)).max().unwrap_or(0);
                let head = text_width(&self.head[i]).div_ceil(2).max(4);
                (cells.max(head) + 2) as f64
            })
            .collect();
        let total: f64 = wanted.iter().sum();
        if total <= room {
            return wanted.iter().map(|w| w / total).collect();
        }
        const SHORT: f64 = 14.0;
        // A very long column (a list of schools) wraps anyway: it weighs no more than this.
        const LONG: f64 = 60.0;
        let fixed: f64 = wanted.iter().filter(|w| **w <= SHORT).sum();
        let long: f64 = wanted.iter().filter(|w| **w > SHORT).map(|w| w.min(LONG)).sum();
        let rest = (room - fixed).max(room * 0.3);
        let sized: Vec<f64> =
            wanted.iter().map(|w| if *w <= SHORT { *w } else { (w.min(LONG) / long * rest).max(SHORT) }).collect();
        let sum: f64 = sized.iter().sum();
        sized.iter().map(|w| w / sum).collect()
    }
}

/// The room a table has across the page, in half-ems of its type.
pub const TABLE_ROOM: f64 = 98.0;

struct Words {
    lang: Lang,
}

impl Words {
    fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.lang == Lang::En { en } else { zh }
    }
    fn name<'a>(&self, r: &'a TargetResult) -> &'a str {
        if self.lang == Lang::En { &r.name_en } else { &r.name }
    }
    fn unit<'a>(&self, r: &'a TargetResult) -> &'a str {
        if self.lang == Lang::En { &r.unit_en } else { &r.unit }
    }
    fn status(&self, r: &TargetResult) -> String {
        findings::status_word(r.status, self.lang).to_string()
    }
    fn section(&self, r: &TargetResult) -> String {
        if self.lang == Lang::En { section_en(&r.section) } else { r.section.clone() }
    }
    fn attribute(&self, r: &TargetResult) -> String {
        match r.attribute.as_deref() {
            Some("binding") => self.t("约束性", "binding").into(),
            Some(_) => self.t("预期性", "expected").into(),
            None => String::new(),
        }
    }
    /// The section number: 一、 in Chinese, 1. in English.
    fn numbered(&self, n: usize, title: &str) -> String {
        const ZH: [&str; 12] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"];
        if self.lang == Lang::En { format!("{n}. {title}") } else { format!("{}、{title}", ZH[n - 1]) }
    }
}

fn s(x: &str) -> String {
    x.to_string()
}

/// Lays the evaluation out in `lang`.
pub fn document(e: &Evaluation, lang: Lang) -> Document {
    let w = Words { lang };
    let first = e.key.first().and_then(|r| r.series.first().map(|x| x.0)).unwrap_or(2020);
    let base_year = first;
    let mut sections: Vec<(&str, &str, Vec<Block>)> = Vec::new();

    sections.push(("总体判断", "Overall judgement", vec![Block::List(findings::summary(e, lang))]));

    let key_table = Table::new(
        vec![
            s(w.t("序号", "No.")),
            s(w.t("指标", "Indicator")),
            s(w.t("单位", "Unit")),
            format!("{base_year} {}", w.t("基期", "baseline")),
            format!("{} {}", e.year, w.t("年", "value")),
            format!("{} {}", e.target_year, w.t("目标", "target")),
            s(w.t("属性", "Type")),
            s(w.t("状态", "Status")),
            format!("{} {}", e.target_year, w.t("预测", "projected")),
        ],
        e.key
            .iter()
            .enumerate()
            .map(|(i, r)| {
                vec![
                    (i + 1).to_string(),
                    w.name(r).to_string(),
                    w.unit(r).to_string(),
                    display(r.baseline, r.decimals),
                    display(r.value, r.decimals),
                    r.target_text(),
                    w.attribute(r),
                    w.status(r),
                    r.projection.map(|p| display(Some(p), r.decimals)).unwrap_or_default(),
                ]
            })
            .collect(),
    );
    let charts: Vec<Figure> = e
        .key
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let c = Chart { name: w.name(r), unit: w.unit(r), decimals: r.decimals as usize, lang };
            Figure {
                svg: trend_of(&c, &r.series, r.target, r.projection, first, r.target_year),
                caption: if lang == Lang::En {
                    format!("Figure {}: {}", i + 1, r.name_en)
                } else {
                    format!("图 {}：{}", i + 1, r.name)
                },
            }
        })
        .collect();
    sections.push((
        "主要指标",
        "Key indicators",
        vec![
            Block::Table(key_table),
            Block::Charts(charts),
            Block::Note(s(w.t(
                "图中实线为实际值，红色虚线为目标，蓝色虚线为按当前趋势的预测；纵轴自 0 起。",
                "In the charts the solid line is the actual value, the red dashed line the target and the blue dashed segment the projection at the present trend; the axis starts at 0.",
            ))),
        ],
    ));

    let alerts = if e.alerts.is_empty() {
        vec![Block::Para(s(w.t("无。", "None.")))]
    } else {
        vec![Block::List(
            e.alerts
                .iter()
                .map(|r| {
                    if lang == Lang::En {
                        format!("{}: {}, target {}, {}", r.name_en, figure(r), r.target_text(), r.status.en())
                    } else {
                        format!("{}：{}，目标 {}，{}", r.name, figure(r), r.target_text(), r.status.zh())
                    }
                })
                .collect(),
        )]
    };
    sections.push(("约束性指标预警", "Binding indicators in trouble", alerts));

    let takes = if e.shortfalls.is_empty() {
        vec![Block::Para(s(w.t("各主要指标均已达到目标。", "Every key indicator has reached its target.")))]
    } else {
        let rows = e
            .shortfalls
            .iter()
            .filter_map(|g| e.key.iter().find(|r| r.id == g.id).map(|r| (r, g)))
            .map(|(r, g)| {
                let holders: Vec<String> = g
                    .holders
                    .iter()
                    // The number only: the gap's column beside it names what is counted.
                    .map(|h| {
                        let text = if lang == Lang::En { &h.text_en } else { &h.text_zh };
                        format!("{} {}", h.name, text.split(' ').next().unwrap_or(text))
                    })
                    .collect();
                let holders = match g.holders_share {
                    Some(p) if lang == Lang::En => {
                        format!("{} ({p:.0}% of {} schools' gap)", holders.join("; "), g.schools_short)
                    }
                    Some(p) => format!("{}（占 {} 所学校缺口的 {p:.0}%）", holders.join("；"), g.schools_short),
                    None => s(w.t("—（按校认定，不分摊）", "— (not shared among schools)")),
                };
                vec![
                    w.name(r).to_string(),
                    figure(r),
                    format!("{}{}", r.target_text(), if r.unit == "%" { "%" } else { "" }),
                    if lang == Lang::En { g.text_en.clone() } else { g.text_zh.clone() },
                    holders,
                    g.reach_year.map_or_else(
                        || format!("{} {}", w.t("晚于", "after"), crate::figures::shortfall::HORIZON_YEAR),
                        |y| y.to_string(),
                    ),
                ]
            })
            .collect();
        vec![
            Block::Table(Table::new(
                vec![
                    s(w.t("指标", "Indicator")),
                    format!("{} {}", e.year, w.t("年", "value")),
                    s(w.t("目标", "Target")),
                    s(w.t("还差", "Gap")),
                    s(w.t("缺口最大的学校", "Schools holding most of the gap")),
                    s(w.t("按趋势达标年份", "Reached at present trend")),
                ],
                rows,
            )),
            Block::Note(s(w.t(
                "比例类指标的缺口按现有分母（专业教师、毕业生等）计算，学校缺口为该校达到目标比例所需；总量指标的目标只适用于全市，学校缺口按各校现有规模分摊。",
                "A share's gap is counted at its present denominator (teachers, graduates); a school's part is what it needs to reach the target share. A total's target is the city's; its gap is shared out by each school's present size.",
            ))),
        ]
    };
    sections.push(("达标所需", "What it takes", takes));

    let counted = Table::new(
        vec![
            s(w.t("目标", "Target")),
            s(w.t("规划条目", "Plan section")),
            format!("{} {}", e.year, w.t("年", "value")),
            s(w.t("目标值", "Target value")),
            s(w.t("状态", "Status")),
            s(w.t("说明", "Note")),
        ],
        e.counted
            .iter()
            .map(|r| {
                let note = if lang == Lang::En { r.note_en.clone() } else { r.note.clone() };
                vec![
                    w.name(r).to_string(),
                    w.section(r),
                    format!("{} {}", display(r.value, r.decimals), w.unit(r)),
                    r.target_text(),
                    w.status(r),
                    note.unwrap_or_default(),
                ]
            })
            .collect(),
    );
    sections.push(("数量目标", "Counted targets", vec![Block::Table(counted)]));

    let rules = Table::new(
        vec![
            s(w.t("目标", "Rule")),
            s(w.t("规划条目", "Plan section")),
            format!("{} {}", e.year, w.t("年", "value")),
            s(w.t("达标 / 总数", "Passing / all")),
            s(w.t("目标值", "Target")),
            s(w.t("目标年", "Target year")),
            s(w.t("状态", "Status")),
        ],
        e.rules
            .iter()
            .map(|r| {
                vec![
                    w.name(r).to_string(),
                    w.section(r),
                    r.value.map_or("—".into(), |v| format!("{}%", display(Some(v), r.decimals))),
                    match (r.numerator, r.denominator) {
                        (Some(a), Some(b)) => format!("{a:.0} / {b:.0}"),
                        _ => String::new(),
                    },
                    r.target_text(),
                    r.target_year.to_string(),
                    w.status(r),
                ]
            })
            .collect(),
    );
    sections.push(("规则类目标", "Rules", vec![Block::Table(rules)]));

    let mut head = vec![s(w.t("区", "District"))];
    head.extend(e.key.iter().enumerate().map(|(i, r)| format!("{} ({})", i + 1, w.unit(r))));
    head.push(s(w.t("达标项数", "Met")));
    let rows = e
        .districts
        .iter()
        .map(|d| {
            let mut r = vec![d.name.clone()];
            r.extend(d.cells.iter().map(|(v, _)| v.clone()));
            r.push(d.met.to_string());
            r
        })
        .collect();
    let legend: Vec<String> = e.key.iter().enumerate().map(|(i, r)| format!("{} {}", i + 1, w.name(r))).collect();
    sections.push((
        "分区情况（主要指标）",
        "By district (key indicators)",
        vec![
            Block::Table(Table::new(head, rows)),
            Block::Note(if lang == Lang::En {
                format!(
                    "Columns: {}. The targets of totals (enrolment, training) apply to the city only.",
                    legend.join("; ")
                )
            } else {
                format!("列号：{}。总量指标（在校生、培训人次等）的目标只适用于全市。", legend.join("；"))
            }),
        ],
    ));

    let tasks = if e.tasks.is_empty() {
        vec![Block::Para(s(w.t("尚未分配规划任务。", "No task of the plan is assigned yet.")))]
    } else {
        vec![Block::Table(Table::new(
            vec![
                s(w.t("任务", "Task")),
                s(w.t("规划条目", "Plan section")),
                s(w.t("承担学校数", "Schools")),
                s(w.t("平均完成度", "Mean completion")),
                s(w.t("逾期未报", "Overdue")),
            ],
            e.tasks
                .iter()
                .map(|t| {
                    vec![
                        format!("{} {}", t.code, if lang == Lang::En { &t.title_en } else { &t.title }),
                        if lang == Lang::En { section_en(&t.section) } else { t.section.clone() },
                        t.schools.to_string(),
                        t.completion.map_or("—".into(), |c| format!("{c:.0}%")),
                        t.overdue.to_string(),
                    ]
                })
                .collect(),
        ))]
    };
    sections.push(("规划任务完成情况", "Tasks of the plan", tasks));

    let (problems, p_draft) = findings::section(e, Remarks::Problems, lang);
    let (measures, m_draft) = findings::section(e, Remarks::Measures, lang);
    sections.push(("存在问题", "Problems", vec![Block::List(problems)]));
    sections.push(("下一步措施", "Next steps", vec![Block::List(measures)]));

    let annex = coverage_annex(e, &w);
    let date = crate::messages::time::date(crate::messages::time::today(), lang);
    let generated = crate::messages::time::date_time(&e.generated_at, lang);
    Document {
        lang,
        issuer: s(w.t(&e.issuer_zh, &e.issuer_en)),
        title: if lang == Lang::En { title_en(&e.plan_name_en, e.year, e.target_year) } else { e.title.clone() },
        date,
        source: if lang == Lang::En {
            format!(
                "Figures from the schools' approved returns in VETIS, data version {}, read {generated} (Beijing time).",
                e.data_version
            )
        } else {
            format!("数据来源：VETIS 学校报送数据（审核通过），数据版本 {}，生成时间 {generated}。", e.data_version)
        },
        contents: s(w.t("目　录", "Contents")),
        running: if lang == Lang::En { e.issuer_en.clone() } else { e.issuer_zh.clone() },
        sections: sections
            .into_iter()
            .enumerate()
            .map(|(i, (zh, en, blocks))| Section { title: w.numbered(i + 1, w.t(zh, en)), blocks })
            .collect(),
        annexes: vec![annex],
        drafted: p_draft || m_draft,
    }
}

fn coverage_annex(e: &Evaluation, w: &Words) -> Section {
    let en = w.lang == Lang::En;
    let rows = e
        .coverage
        .iter()
        .map(|c| {
            let missing = if c.missing.is_empty() {
                "—".to_string()
            } else {
                c.missing.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join(if en { ", " } else { "、" })
            };
            vec![
                if en { c.table.clone() } else { c.name_zh.clone() },
                c.owed.to_string(),
                c.approved.to_string(),
                c.pending.to_string(),
                missing,
            ]
        })
        .collect();
    let schools = e.coverage.iter().map(|c| c.owed).max().unwrap_or(0);
    Section {
        title: s(w.t("附件　数据覆盖情况", "Annex: the data behind the figures")),
        blocks: vec![
            Block::Para(if en {
                format!(
                    "The figures rest on the returns approved for {}: per table of the data standard, the schools that owe it, those approved, those waiting for review (not counted) and the schools without an approved return ({schools} schools in all).",
                    e.year
                )
            } else {
                format!(
                    "本报告的数据基于 {} 年度审核通过的学校报送数据。下表按数据标准的各表列出应报学校数、已通过数、待审核数（未计入）以及未通过或未报送的学校（共 {schools} 所学校）。",
                    e.year
                )
            }),
            Block::Table(Table::new(
                vec![
                    s(w.t("数据表", "Table")),
                    s(w.t("应报学校", "Owed")),
                    s(w.t("已通过", "Approved")),
                    s(w.t("待审核", "Waiting")),
                    s(w.t("未通过或未报送的学校", "Schools without an approved return")),
                ],
                rows,
            )),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_of_names_is_wider_than_a_column_of_figures() {
        let t = Table::new(
            vec!["指标".into(), "2023 年".into()],
            vec![vec!["中等职业学校“双师型”教师占专业教师比例".into(), "69.9".into()]],
        );
        let w = t.widths(TABLE_ROOM);
        assert!(w[0] > 0.7, "{w:?}");
        assert_eq!(t.numeric, vec![false, true]);
    }
}
