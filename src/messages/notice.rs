//! What the product tells a user in its notices (the bell): one kind per occasion, each text in
//! both languages, built from the facts of the occasion.

use super::Message;

/// The occasion of a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A submission of the user's was approved.
    Approved,
    /// A submission of the user's was returned for changes.
    Returned,
    /// A submission waits for the user's review.
    ReviewWaiting,
    /// A return the user's school owes is due soon.
    DueSoon,
    /// A reminder sent by the district or the bureau about late returns.
    Reminder,
    /// A yearly plan or progress report of a task the school undertakes is overdue.
    TaskOverdue,
    /// A binding indicator in the user's scope is at risk, off track or not met.
    IndicatorAtRisk,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 7] = [
        NoticeKind::Approved,
        NoticeKind::Returned,
        NoticeKind::ReviewWaiting,
        NoticeKind::DueSoon,
        NoticeKind::Reminder,
        NoticeKind::TaskOverdue,
        NoticeKind::IndicatorAtRisk,
    ];

    pub fn key(self) -> &'static str {
        match self {
            NoticeKind::Approved => "approved",
            NoticeKind::Returned => "returned",
            NoticeKind::ReviewWaiting => "review_waiting",
            NoticeKind::DueSoon => "due_soon",
            NoticeKind::Reminder => "reminder",
            NoticeKind::TaskOverdue => "task_overdue",
            NoticeKind::IndicatorAtRisk => "indicator_at_risk",
        }
    }
    pub fn parse(s: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.key() == s)
    }
    pub fn label(self) -> Message {
        match self {
            NoticeKind::Approved => Message::new("已通过", "approved"),
            NoticeKind::Returned => Message::new("已退回", "returned"),
            NoticeKind::ReviewWaiting => Message::new("待审核", "to review"),
            NoticeKind::DueSoon => Message::new("即将到期", "due soon"),
            NoticeKind::Reminder => Message::new("催报", "reminder"),
            NoticeKind::TaskOverdue => Message::new("任务逾期", "task overdue"),
            NoticeKind::IndicatorAtRisk => Message::new("指标预警", "indicator alert"),
        }
    }
}

/// A table of a year, as a notice names it: `2025 年“在校生”表` / `the student table of 2025`.
fn what(table_zh: &str, table_key: &str, year: Option<i64>) -> Message {
    match year {
        Some(y) => Message::new(format!("{y} 年“{table_zh}”表"), format!("the {table_key} table of {y}")),
        None => Message::new(format!("“{table_zh}”表"), format!("the {table_key} table")),
    }
}

/// The text of a decision on a school's submission, to the person who submitted it.
pub fn decided(
    approved: bool,
    id: i64,
    (table_zh, table_key, year): (&str, &str, Option<i64>),
    by: &str,
    comment: Option<&str>,
) -> Message {
    let w = what(table_zh, table_key, year);
    let c = comment.filter(|c| !c.trim().is_empty());
    if approved {
        Message::new(
            format!("提交 {id}（{}）已由 {by} 审核通过，数据已计入指标。", w.zh),
            format!("Submission {id} ({}) was approved by {by}; its rows now count.", w.en),
        )
    } else {
        Message::new(
            format!("提交 {id}（{}）被 {by} 退回：{}。请修改后重新报送。", w.zh, c.unwrap_or("未说明原因")),
            format!(
                "Submission {id} ({}) was returned by {by}: {}. Correct it and submit again.",
                w.en,
                c.unwrap_or("no reason given")
            ),
        )
    }
}

/// A submission waiting for review, to its reviewers.
pub fn review_waiting(
    id: i64,
    school: &str,
    (table_zh, table_key, year): (&str, &str, Option<i64>),
    rows: i64,
) -> Message {
    let w = what(table_zh, table_key, year);
    Message::new(
        format!("{school} 报送了{}（{rows} 行，提交 {id}），等待审核。", w.zh),
        format!("{school} submitted {} ({rows} rows, submission {id}); it waits for review.", w.en),
    )
}

/// A reminder of late returns, to a school's officers.
pub fn reminder(from: &str, year: i64, tables: &[(String, String, String)]) -> Message {
    let zh: Vec<String> = tables.iter().map(|(zh, _, due)| format!("“{zh}”（{due} 截止）")).collect();
    let en: Vec<String> = tables.iter().map(|(_, key, due)| format!("{key} (due {due})")).collect();
    Message::new(
        format!("{from} 提醒：贵校 {year} 年度的 {} 尚未报送或已被退回，已逾期，请尽快报送。", zh.join("、")),
        format!(
            "Reminder from {from}: your school's {year} returns {} are overdue (not submitted or returned). Please submit them.",
            en.join(", ")
        ),
    )
}

/// A return due soon, to a school's officers.
pub fn due_soon(year: i64, table_zh: &str, table_key: &str, due: &str, days: i64) -> Message {
    Message::new(
        format!("{year} 年度“{table_zh}”表将于 {due} 截止（还有 {days} 天），尚未报送。"),
        format!("The {table_key} table of {year} is due on {due} (in {days} days) and not yet submitted."),
    )
}

/// A task's yearly report overdue, to the undertaking school's officers.
pub fn task_overdue(task_zh: &str, task_en: &str, year: i32, plan: bool, due_zh: &str, due_en: &str) -> Message {
    let (what_zh, what_en) =
        if plan { ("年度实施方案", "implementation plan") } else { ("年度进展报告", "progress report") };
    Message::new(
        format!("规划任务“{task_zh}”的 {year} {what_zh}已逾期（截止 {due_zh}），请尽快报送。"),
        format!("The {year} {what_en} of the task “{task_en}” is overdue (due {due_en}): please file it."),
    )
}

/// A binding indicator in trouble in a scope, with what it takes, to the users of that scope.
#[allow(clippy::too_many_arguments)]
pub fn indicator_at_risk(
    (name_zh, name_en): (&str, &str),
    (scope_zh, scope_en): (&str, &str),
    year: i32,
    (status_zh, status_en): (&str, &str),
    value: &str,
    target: &str,
    takes: Option<(&str, &str)>,
) -> Message {
    let (more_zh, more_en) = match takes {
        Some((zh, en)) => (format!("还差 {zh}。"), format!(" {en} needed.")),
        None => (String::new(), String::new()),
    };
    Message::new(
        format!("{scope_zh}约束性指标“{name_zh}”{year} 年为 {value}（目标 {target}），状态：{status_zh}。{more_zh}"),
        format!(
            "Binding indicator “{name_en}” in {scope_en}, {year}: {value} (target {target}), {status_en}.{more_en}"
        ),
    )
}
