//! Dates and times as people read them: in the user's time zone (Beijing time, UTC+8: China has
//! one time zone and no daylight saving since 1991, so a fixed offset is exact for every stored
//! timestamp), in Chinese or English formats. Stored timestamps stay ISO 8601 with their offset.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike};

use super::Lang;

/// Beijing time (Asia/Shanghai).
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// Today in Beijing.
pub fn today() -> NaiveDate {
    chrono::Utc::now().with_timezone(&beijing()).date_naive()
}

/// A stored timestamp in Beijing time, if it parses.
pub fn local(stamp: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(stamp).ok().map(|t| t.with_timezone(&beijing()))
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A day: `2026年12月1日` / `1 Dec 2026`.
pub fn date(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        Lang::En => format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year()),
    }
}

/// A day without its year: `10月15日` / `15 Oct`.
pub fn month_day(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}月{}日", d.month(), d.day()),
        Lang::En => format!("{} {}", d.day(), MONTHS[d.month0() as usize]),
    }
}

/// A stored timestamp as a day and minute in Beijing time: `2026年12月1日 16:35` /
/// `1 Dec 2026 16:35`; the text itself when it is not a timestamp (a bare date stays as given).
pub fn date_time(stamp: &str, lang: Lang) -> String {
    match local(stamp) {
        Some(t) => format!("{} {:02}:{:02}", date(t.date_naive(), lang), t.hour(), t.minute()),
        None => match NaiveDate::parse_from_str(stamp, "%Y-%m-%d") {
            Ok(d) => date(d, lang),
            Err(_) => stamp.to_string(),
        },
    }
}

/// The day of a stored timestamp in Beijing time.
pub fn day_of(stamp: &str) -> Option<NaiveDate> {
    local(stamp).map(|t| t.date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utc_timestamp_reads_as_beijing_time_in_both_languages() {
        assert_eq!(date_time("2026-12-01T08:35:25+00:00", Lang::Zh), "2026年12月1日 16:35");
        assert_eq!(date_time("2026-12-01T20:05:00+00:00", Lang::En), "2 Dec 2026 04:05");
        assert_eq!(date_time("2025-03-15", Lang::Zh), "2025年3月15日");
        assert_eq!(date_time("soon", Lang::Zh), "soon");
    }
}
