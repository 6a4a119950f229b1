//! The evaluation's words, in either language: the summary of findings, and the drafts of
//! 存在问题 (problems) and 下一步措施 (measures) made from the gaps, which the planner may replace.

use super::Evaluation;
use crate::domain::status::Status;
use crate::figures::indicators::display;
use crate::figures::shortfall::Shortfall;
use crate::figures::targets::TargetResult;
use crate::messages::Lang;
use crate::store::remarks::Section;

fn status(s: Status, lang: Lang) -> &'static str {
    if lang == Lang::En { s.en() } else { s.zh() }
}

fn name(r: &TargetResult, lang: Lang) -> &str {
    if lang == Lang::En { &r.name_en } else { &r.name }
}

fn count(rs: &[TargetResult], s: Status) -> usize {
    rs.iter().filter(|r| r.status == s).count()
}

fn tally(rs: &[TargetResult], lang: Lang) -> String {
    let parts: Vec<String> = [
        Status::Met,
        Status::OnTrack,
        Status::AtRisk,
        Status::OffTrack,
        Status::NotMet,
        Status::NoTarget,
        Status::NoData,
    ]
    .into_iter()
    .filter_map(|s| {
        let n = count(rs, s);
        (n > 0).then(|| if lang == Lang::En { format!("{n} {}", s.en()) } else { format!("{n} 项{}", s.zh()) })
    })
    .collect();
    parts.join(if lang == Lang::En { ", " } else { "、" })
}

/// A value with its unit where the unit is a sign (%).
pub fn figure(r: &TargetResult) -> String {
    format!("{}{}", display(r.value, r.decimals), if r.unit == "%" { "%" } else { "" })
}

/// A value with its unit ("7.30 万人", "40.1%").
fn figure_unit(r: &TargetResult, lang: Lang) -> String {
    let unit = if lang == Lang::En { &r.unit_en } else { &r.unit };
    match unit.as_str() {
        "%" | "" => figure(r),
        u if r.value.is_none() => format!("{} {u}", figure(r)).replace(&format!("— {u}"), "—"),
        u => format!("{} {u}", figure(r)),
    }
}

/// A name to quote inside “…”: its own quotes become ‘…’, as Chinese writing nests them.
fn quoted(name: &str) -> String {
    name.replace('“', "‘").replace('”', "’")
}

/// The summary of findings: what is met, what is at risk, where the largest gaps are.
pub fn summary(e: &Evaluation, lang: Lang) -> Vec<String> {
    let en = lang == Lang::En;
    let mut out = Vec::new();
    out.push(if en {
        format!("By {}, of the {} key indicators: {}.", e.year, e.key.len(), tally(&e.key, lang))
    } else {
        format!("截至 {} 年，{} 项主要指标中 {}。", e.year, e.key.len(), tally(&e.key, lang))
    });
    if e.alerts.is_empty() {
        out.push(if en {
            "Every binding indicator is met or on track.".into()
        } else {
            "约束性指标均已达标或进度正常。".into()
        });
    } else {
        let names: Vec<String> = e
            .alerts
            .iter()
            .map(|r| {
                if en {
                    format!("{} ({}, target {}, {})", r.name_en, figure(r), r.target_text(), r.status.en())
                } else {
                    format!("{}（{}，目标 {}，{}）", r.name, figure(r), r.target_text(), r.status.zh())
                }
            })
            .collect();
        out.push(if en {
            format!("Binding indicators in trouble: {}.", names.join("; "))
        } else {
            format!("约束性指标预警：{}。", names.join("；"))
        });
    }
    out.push(if en {
        format!("Of the {} counted targets: {}.", e.counted.len(), tally(&e.counted, lang))
    } else {
        format!("{} 项数量目标中 {}。", e.counted.len(), tally(&e.counted, lang))
    });
    let behind: Vec<String> = e
        .counted
        .iter()
        .filter(|r| matches!(r.status, Status::OffTrack | Status::NotMet))
        .map(|r| format!("{}（{} / {}）", name(r, lang), figure(r), r.target_text()))
        .map(|s| if en { s.replace('（', " (").replace('）', ")") } else { s })
        .collect();
    if !behind.is_empty() {
        out.push(if en {
            format!("Counted targets off track or not met: {}.", behind.join(", "))
        } else {
            format!("偏离目标或未达标的数量目标：{}。", behind.join("、"))
        });
    }
    out.push(if en {
        format!("Of the {} rules: {}.", e.rules.len(), tally(&e.rules, lang))
    } else {
        format!("{} 项规则类目标中 {}。", e.rules.len(), tally(&e.rules, lang))
    });
    if let Some(worst) = worst_rule(e) {
        out.push(if en {
            format!(
                "The rule furthest from its target is “{}”: {}, target {}.",
                worst.name_en,
                figure(worst),
                worst.target_text()
            )
        } else {
            format!("差距最大的规则是“{}”：{}，目标 {}。", quoted(&worst.name), figure(worst), worst.target_text())
        });
    }
    if !e.tasks.is_empty() {
        let schools: usize = e.tasks.iter().map(|t| t.schools).sum();
        let done: Vec<f64> = e.tasks.iter().filter_map(|t| t.completion).collect();
        let mean = if done.is_empty() { 0.0 } else { done.iter().sum::<f64>() / done.len() as f64 };
        let overdue: usize = e.tasks.iter().map(|t| t.overdue).sum();
        out.push(if en {
            format!(
                "{} tasks of the plan are assigned to {schools} schools in all; mean completion {mean:.0}%, {overdue} annual plans or reports overdue.",
                e.tasks.len()
            )
        } else {
            format!(
                "{} 项规划任务共分配 {schools} 校次，平均完成度 {mean:.0}%，逾期未报的年度方案或报告 {overdue} 份。",
                e.tasks.len()
            )
        });
    }
    if let (Some(best), Some(least)) =
        (e.districts.iter().max_by_key(|d| d.met), e.districts.iter().min_by_key(|d| d.met))
        && best.met != least.met
    {
        out.push(if en {
            format!(
                "By district, {} meets the most key indicators ({}), {} the fewest ({}).",
                best.name, best.met, least.name, least.met
            )
        } else {
            format!(
                "分区看，{}达到目标的主要指标最多（{} 项），{}最少（{} 项）。",
                best.name, best.met, least.name, least.met
            )
        });
    }
    out
}

fn worst_rule(e: &Evaluation) -> Option<&TargetResult> {
    e.rules
        .iter()
        .filter(|r| r.value.is_some() && r.target.is_some() && r.status != Status::Met)
        .min_by(|a, b| a.value.partial_cmp(&b.value).unwrap_or(std::cmp::Ordering::Equal))
}

/// The key indicators judged in trouble, each with its gap.
fn troubled(e: &Evaluation) -> impl Iterator<Item = (&TargetResult, &Shortfall)> {
    e.key
        .iter()
        .filter(|r| r.status.is_alarming())
        .filter_map(|r| e.shortfalls.iter().find(|s| s.id == r.id).map(|s| (r, s)))
}

/// 存在问题 as drafted from the figures: each key indicator in trouble with what it takes, counted
/// targets behind, the rule furthest from its target, returns missing, task reports overdue.
pub fn draft_problems(e: &Evaluation, lang: Lang) -> Vec<String> {
    let en = lang == Lang::En;
    let mut out: Vec<String> = troubled(e)
        .map(|(r, s)| {
            let target = format!("{}{}", r.target_text(), if r.unit == "%" { "%" } else { "" });
            let head = if en {
                format!("{} ({} in {}, {})", r.name_en, figure_unit(r, lang), e.year, r.status.en())
            } else {
                format!("{}（{} 年 {}，{}）", r.name, e.year, figure_unit(r, lang), r.status.zh())
            };
            if en { s.sentence_en(&head, &target) } else { s.sentence_zh(&head, &target) }
        })
        .collect();
    let behind: Vec<&TargetResult> =
        e.counted.iter().filter(|r| matches!(r.status, Status::OffTrack | Status::NotMet)).collect();
    if !behind.is_empty() {
        let parts: Vec<String> = behind
            .iter()
            .map(|r| {
                if en {
                    format!("{} ({} / {})", r.name_en, figure(r), r.target_text())
                } else {
                    format!("{}（{} / {}）", r.name, figure(r), r.target_text())
                }
            })
            .collect();
        out.push(if en {
            format!("{} counted targets are off track or not met: {}.", behind.len(), parts.join(", "))
        } else {
            format!("{} 项数量目标偏离目标或未达标：{}。", behind.len(), parts.join("、"))
        });
    }
    if let Some(w) = worst_rule(e) {
        let passed = match (w.numerator, w.denominator) {
            (Some(a), Some(b)) => Some((b - a).max(0.0)),
            _ => None,
        };
        out.push(match (en, passed) {
            (true, Some(n)) => format!(
                "The rule “{}” is met by {} ({} short), target {}.",
                w.name_en,
                figure(w),
                crate::messages::numbers::grouped(n, 0),
                w.target_text()
            ),
            (true, None) => format!("The rule “{}” stands at {}, target {}.", w.name_en, figure(w), w.target_text()),
            (false, Some(n)) => format!(
                "规则“{}”达标率 {}，尚有 {} 个未达标，目标 {}。",
                quoted(&w.name),
                figure(w),
                crate::messages::numbers::grouped(n, 0),
                w.target_text()
            ),
            (false, None) => format!("规则“{}”为 {}，目标 {}。", quoted(&w.name), figure(w), w.target_text()),
        });
    }
    let missing: Vec<&super::CoverageRow> = e.coverage.iter().filter(|c| c.approved < c.owed).collect();
    if !missing.is_empty() {
        let parts: Vec<String> = missing
            .iter()
            .map(|c| {
                if en {
                    format!("{} ({} of {})", c.table, c.owed - c.approved, c.owed)
                } else {
                    format!("{}（{} / {} 所）", c.name_zh, c.owed - c.approved, c.owed)
                }
            })
            .collect();
        out.push(if en {
            format!(
                "Returns without approval for {}: {}; the figures rest on the approved ones only (see the annex).",
                e.year,
                parts.join(", ")
            )
        } else {
            format!(
                "{} 年度尚有学校数据未报送或未审核通过：{}，相关指标仅按已通过的数据计算（见附件）。",
                e.year,
                parts.join("、")
            )
        });
    }
    let overdue: usize = e.tasks.iter().map(|t| t.overdue).sum();
    if overdue > 0 {
        out.push(if en {
            format!("{overdue} annual plans or reports of the plan's tasks are overdue.")
        } else {
            format!("规划任务中有 {overdue} 份年度方案或报告逾期未报。")
        });
    }
    if out.is_empty() {
        out.push(if en {
            "No key indicator, counted target or rule is in trouble.".into()
        } else {
            "主要指标、数量目标和规则类目标均未出现预警。".into()
        });
    }
    out
}

/// 下一步措施 as drafted: one measure per problem, naming the schools that hold a gap.
pub fn draft_measures(e: &Evaluation, lang: Lang) -> Vec<String> {
    let en = lang == Lang::En;
    let next = e.year + 1;
    let mut out: Vec<String> = troubled(e)
        .map(|(r, s)| {
            let names: Vec<&str> = s.holders.iter().map(|h| h.name.as_str()).collect();
            match (en, names.is_empty()) {
                (false, false) => format!(
                    "针对“{}”，从 {next} 年起将缺口（{}）分解到学校，重点督导{}等 {} 所学校制定提升方案，按季度跟踪。",
                    quoted(&r.name),
                    s.text_zh,
                    names.join("、"),
                    names.len()
                ),
                (false, true) => format!(
                    "针对“{}”，制定专项推进计划，{} 年前补齐缺口（{}），按季度跟踪。",
                    quoted(&r.name),
                    s.target_year,
                    s.text_zh
                ),
                (true, false) => format!(
                    "For “{}”: from {next}, split the gap ({}) among the schools, with {} first ({} schools) drawing up plans to close it, followed quarterly.",
                    r.name_en,
                    s.text_en,
                    names.join(", "),
                    names.len()
                ),
                (true, true) => format!(
                    "For “{}”: a plan of its own to close the gap ({}) by {}, followed quarterly.",
                    r.name_en, s.text_en, s.target_year
                ),
            }
        })
        .collect();
    let behind: Vec<&TargetResult> =
        e.counted.iter().filter(|r| matches!(r.status, Status::OffTrack | Status::NotMet)).collect();
    if !behind.is_empty() {
        let names: Vec<&str> = behind.iter().take(3).map(|r| name(r, lang)).collect();
        out.push(if en {
            format!(
                "For the {} counted targets behind ({}…): name the schools to apply for each, support them through the application, and review the list every half year.",
                behind.len(),
                names.join(", ")
            )
        } else {
            format!(
                "针对{}等 {} 项进度滞后的数量目标，逐项明确培育对象，做好申报指导和过程支持，每半年调度一次。",
                names.iter().map(|n| format!("“{}”", quoted(n))).collect::<Vec<_>>().join("、"),
                behind.len()
            )
        });
    }
    if let Some(w) = worst_rule(e) {
        out.push(if en {
            format!("Send the schools failing “{}” a notice to put it right within a set time.", w.name_en)
        } else {
            format!("对“{}”未达标的学校下发整改通知，限期整改。", quoted(&w.name))
        });
    }
    if e.coverage.iter().any(|c| c.approved < c.owed) {
        out.push(if en {
            "Remind the schools with returns missing (the progress board sends one reminder to all of them), and review the waiting ones.".into()
        } else {
            "督促未报送学校按统计日历补报（报送进度页一键催报），及时审核待审数据。".into()
        });
    }
    if e.tasks.iter().any(|t| t.overdue > 0) {
        out.push(if en {
            "Follow up the undertaking schools whose task reports are overdue.".into()
        } else {
            "对规划任务逾期未报的承担学校进行督办。".into()
        });
    }
    if out.is_empty() {
        out.push(if en {
            "Keep the present pace and watch the indicators near their targets.".into()
        } else {
            "保持当前工作力度，持续关注接近目标值的指标。".into()
        });
    }
    out
}

/// A section's items: the planner's saved words, else the draft; and whether they are a draft.
pub fn section(e: &Evaluation, which: Section, lang: Lang) -> (Vec<String>, bool) {
    if let Some(r) = e.remarks.iter().find(|r| r.section == which) {
        return (r.items.clone(), false);
    }
    let draft = match which {
        Section::Problems => draft_problems(e, lang),
        Section::Measures => draft_measures(e, lang),
    };
    (draft, true)
}

/// A status word in the language.
pub fn status_word(s: Status, lang: Lang) -> &'static str {
    status(s, lang)
}
