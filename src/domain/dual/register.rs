//! The register of dual-qualified (“双师型”) recognitions (the Teachers issue): what a recognition
//! is, when it counts, how it stands today (in its objection period, active, review due, expired,
//! suspended, revoked), the lifecycle of batches and applications, and the plan's settings that
//! make the return follow the register. Pure: dates come in, nothing is read or written here.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::Level;

/// A batch of applications a school files at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    /// Filed and pre-checked; the panel decides each application.
    Submitted,
    /// Every application decided and the results published for objections.
    Published,
}

/// One teacher's application in a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Waiting for the panel.
    Pending,
    Recognised,
    NotRecognised,
}

/// What the bureau last did to a recognition (dates do the rest, see `Standing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecognitionStatus {
    Active,
    Suspended,
    Revoked,
}

/// How a recognition stands on a given day, for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Published, objections still possible: not yet in force.
    Objection,
    Active,
    /// In force, in its last year: the school should apply for review.
    ReviewDue,
    Expired,
    Suspended,
    Revoked,
}

macro_rules! keyed {
    ($t:ty { $($v:ident => $key:literal, $zh:literal, $en:literal;)* }) => {
        impl $t {
            /// The key stored and used in JSON.
            pub fn key(self) -> &'static str { match self { $(Self::$v => $key,)* } }
            pub fn zh(self) -> &'static str { match self { $(Self::$v => $zh,)* } }
            pub fn en(self) -> &'static str { match self { $(Self::$v => $en,)* } }
            /// The value of a stored key.
            pub fn from_key(k: &str) -> Option<Self> { match k { $($key => Some(Self::$v),)* _ => None } }
        }
    };
}

keyed!(BatchStatus {
    Submitted => "submitted", "已申报", "submitted";
    Published => "published", "已公示", "published";
});
keyed!(ApplicationStatus {
    Pending => "pending", "待评审", "pending";
    Recognised => "recognised", "认定通过", "recognised";
    NotRecognised => "not_recognised", "未通过", "not recognised";
});
keyed!(RecognitionStatus {
    Active => "active", "有效", "active";
    Suspended => "suspended", "暂停", "suspended";
    Revoked => "revoked", "撤销", "revoked";
});
keyed!(Standing {
    Objection => "objection", "公示中", "in objection period";
    Active => "active", "有效", "active";
    ReviewDue => "review_due", "待复核", "review due";
    Expired => "expired", "已过期", "expired";
    Suspended => "suspended", "暂停", "suspended";
    Revoked => "revoked", "已撤销", "revoked";
});

/// A suspension: from its first day until the day it was lifted (None: still suspended).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suspension {
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

/// A recognition as the register keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recognition {
    pub id: i64,
    pub school_code: String,
    pub teacher_no: String,
    pub level: Level,
    pub published_on: NaiveDate,
    /// The first day in force: the day after the objection period.
    pub valid_from: NaiveDate,
    /// The last day in force.
    pub valid_until: NaiveDate,
    pub status: RecognitionStatus,
    /// The first day a revocation applies (revoked from then on).
    pub ended_on: Option<NaiveDate>,
    pub suspensions: Vec<Suspension>,
}

impl Recognition {
    /// Whether the recognition makes its holder dual-qualified on `day`: in force, not revoked by
    /// then and not suspended that day. The store's SQL says the same (`store::dual::register`).
    pub fn counts_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day
            && day <= self.valid_until
            && self.ended_on.is_none_or(|e| day < e)
            && !self.suspensions.iter().any(|s| s.from <= day && s.until.is_none_or(|u| day < u))
    }

    /// How it stands on `today`. "Review due" is the last year of validity.
    pub fn standing(&self, today: NaiveDate) -> Standing {
        if self.ended_on.is_some_and(|e| e <= today) {
            return Standing::Revoked;
        }
        if self.suspensions.iter().any(|s| s.from <= today && s.until.is_none_or(|u| today < u)) {
            return Standing::Suspended;
        }
        if today < self.valid_from {
            Standing::Objection
        } else if today > self.valid_until {
            Standing::Expired
        } else if add_years(today, 1) > self.valid_until {
            Standing::ReviewDue
        } else {
            Standing::Active
        }
    }
}

/// `day` moved by whole years (29 February becomes 28 February in a common year).
pub fn add_years(day: NaiveDate, years: i32) -> NaiveDate {
    let y = day.year() + years;
    NaiveDate::from_ymd_opt(y, day.month(), day.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, day.month(), day.day() - 1))
        .expect("a valid date")
}

/// The last day of an objection period of `n` working days (Monday to Friday) after `published`.
/// Public holidays are not known to VETIS: a bureau that needs them publishes on a day that
/// leaves room, or sets more days in the pack.
pub fn objection_until(published: NaiveDate, n: i32) -> NaiveDate {
    let mut d = published;
    let mut left = n;
    while left > 0 {
        d += Duration::days(1);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    d
}

/// The dates a published recognition gets: in force the day after the objection period, for
/// `valid_years` years. Returns (objection until, valid from, valid until).
pub fn validity(published: NaiveDate, objection_days: i32, valid_years: i32) -> (NaiveDate, NaiveDate, NaiveDate) {
    let until = objection_until(published, objection_days);
    let from = until + Duration::days(1);
    (until, from, add_years(from, valid_years) - Duration::days(1))
}

/// How the return's `dual_qualified` claims meet the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimCheck {
    /// A claim without a recognition in force is a warning the reviewer sees.
    #[default]
    Warning,
    /// … or an error that refuses the file.
    Error,
}

/// Where the dual-qualified indicators count from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorSource {
    /// The schools' `dual_qualified` claims.
    #[default]
    Claims,
    /// The register: a teacher counts when a recognition is in force on the statistical date.
    Register,
}

/// The plan's `[dual_register]` settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterSettings {
    #[serde(default)]
    pub claims_without_recognition: ClaimCheck,
    #[serde(default)]
    pub indicator_source: IndicatorSource,
    /// The statistical date of a year's teacher rows, as MM-DD (教育事业统计时点; configurable,
    /// the national rule was not retrieved).
    #[serde(default = "default_day")]
    pub statistical_day: String,
}

fn default_day() -> String {
    "09-30".into()
}

impl Default for RegisterSettings {
    fn default() -> Self {
        RegisterSettings {
            claims_without_recognition: ClaimCheck::default(),
            indicator_source: IndicatorSource::default(),
            statistical_day: default_day(),
        }
    }
}

impl RegisterSettings {
    /// The statistical date of `year`; None if `statistical_day` is not a day of every year.
    pub fn statistical_date(&self, year: i32) -> Option<NaiveDate> {
        let (m, d) = self.statistical_day.split_once('-')?;
        if m.len() != 2 || d.len() != 2 || (m, d) == ("02", "29") {
            return None;
        }
        NaiveDate::from_ymd_opt(year, m.parse().ok()?, d.parse().ok()?)
    }

    /// What is wrong with the settings, for the plan's check.
    pub fn problems(&self) -> Vec<String> {
        if self.statistical_date(2021).is_none() {
            vec![format!(
                "[dual_register] statistical_day = '{}': give a day of every year as MM-DD, e.g. 09-30",
                self.statistical_day
            )]
        } else {
            Vec::new()
        }
    }
}

/// The claim column of the teacher table, and the column the store keeps from the register.
pub const CLAIM_COLUMN: &str = "dual_qualified";
pub const REGISTER_COLUMN: &str = "dual_recognised";

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn recognition(published: &str) -> Recognition {
        let (_, from, until) = validity(day(published), 5, 5);
        Recognition {
            id: 1,
            school_code: "4401000001".into(),
            teacher_no: "T1".into(),
            level: Level::Intermediate,
            published_on: day(published),
            valid_from: from,
            valid_until: until,
            status: RecognitionStatus::Active,
            ended_on: None,
            suspensions: Vec::new(),
        }
    }

    #[test]
    fn the_objection_period_counts_working_days_and_validity_runs_five_years_from_the_day_after() {
        // Published on a Friday: five working days end the next Friday.
        let (until, from, last) = validity(day("2024-05-10"), 5, 5);
        assert_eq!((until, from, last), (day("2024-05-17"), day("2024-05-18"), day("2029-05-17")));
        assert_eq!(objection_until(day("2024-05-10"), 0), day("2024-05-10"));
        assert_eq!(add_years(day("2024-02-29"), 1), day("2025-02-28"));
    }

    #[test]
    fn a_recognition_stands_in_objection_then_active_then_review_due_then_expired() {
        let r = recognition("2020-06-01");
        assert_eq!(r.standing(day("2020-06-03")), Standing::Objection);
        assert!(!r.counts_on(day("2020-06-03")));
        assert_eq!(r.standing(day("2021-01-01")), Standing::Active);
        assert_eq!(r.standing(day("2024-12-31")), Standing::ReviewDue);
        assert!(r.counts_on(day("2025-06-08")));
        assert_eq!(r.standing(day("2025-06-09")), Standing::Expired);
        assert!(!r.counts_on(day("2025-06-09")));
    }

    #[test]
    fn suspension_and_revocation_apply_from_their_day() {
        let mut r = recognition("2020-06-01");
        r.suspensions.push(Suspension { from: day("2022-01-01"), until: Some(day("2022-03-01")) });
        assert!(r.counts_on(day("2021-12-31")));
        assert!(!r.counts_on(day("2022-02-01")));
        assert_eq!(r.standing(day("2022-02-01")), Standing::Suspended);
        assert!(r.counts_on(day("2022-03-01")));
        r.ended_on = Some(day("2023-01-01"));
        r.status = RecognitionStatus::Revoked;
        assert!(r.counts_on(day("2022-12-31")));
        assert!(!r.counts_on(day("2023-01-01")));
        assert_eq!(r.standing(day("2024-01-01")), Standing::Revoked);
    }

    #[test]
    fn the_statistical_day_must_be_a_day_of_every_year() {
        let mut s = RegisterSettings::default();
        assert_eq!(s.statistical_date(2025), Some(day("2025-09-30")));
        for bad in ["02-29", "9-30", "13-01", "09/30"] {
            s.statistical_day = bad.into();
            assert!(!s.problems().is_empty(), "{bad}");
        }
    }
}
