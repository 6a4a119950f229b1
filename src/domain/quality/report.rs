//! A quality report's life: draft → submitted → returned (with comments) or approved → published;
//! a correction after publication is a new version, the old one superseded but kept readable.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Draft,
    Submitted,
    Returned,
    Approved,
    Published,
    Superseded,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 6] = [
        ReportStatus::Draft,
        ReportStatus::Submitted,
        ReportStatus::Returned,
        ReportStatus::Approved,
        ReportStatus::Published,
        ReportStatus::Superseded,
    ];
    pub fn key(self) -> &'static str {
        match self {
            ReportStatus::Draft => "draft",
            ReportStatus::Submitted => "submitted",
            ReportStatus::Returned => "returned",
            ReportStatus::Approved => "approved",
            ReportStatus::Published => "published",
            ReportStatus::Superseded => "superseded",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            ReportStatus::Draft => "草稿",
            ReportStatus::Submitted => "已提交待审核",
            ReportStatus::Returned => "已退回修改",
            ReportStatus::Approved => "已审核待发布",
            ReportStatus::Published => "已发布",
            ReportStatus::Superseded => "已被更正版本替代",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            ReportStatus::Draft => "draft",
            ReportStatus::Submitted => "submitted for review",
            ReportStatus::Returned => "returned for changes",
            ReportStatus::Approved => "approved, to publish",
            ReportStatus::Published => "published",
            ReportStatus::Superseded => "superseded by a correction",
        }
    }
    pub fn parse(key: &str) -> Option<ReportStatus> {
        ReportStatus::ALL.into_iter().find(|s| s.key() == key)
    }
    /// The school (or the bureau, for the city) may still write the chapters.
    pub fn editable(self) -> bool {
        matches!(self, ReportStatus::Draft | ReportStatus::Returned)
    }
}

/// Whether a report was published by its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    OnTime,
    Late,
    /// Not published, and the deadline has passed.
    Missing,
    /// Not published, before the deadline.
    Pending,
}

impl Timeliness {
    pub fn of(published_on: Option<&str>, deadline: &str, today: &str) -> Timeliness {
        match published_on {
            Some(d) if &d[..d.len().min(10)] <= deadline => Timeliness::OnTime,
            Some(_) => Timeliness::Late,
            None if today > deadline => Timeliness::Missing,
            None => Timeliness::Pending,
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Timeliness::OnTime => "按时发布",
            Timeliness::Late => "逾期发布",
            Timeliness::Missing => "逾期未发布",
            Timeliness::Pending => "未到截止日期",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Timeliness::OnTime => "on time",
            Timeliness::Late => "late",
            Timeliness::Missing => "not published, past the deadline",
            Timeliness::Pending => "before the deadline",
        }
    }
}
