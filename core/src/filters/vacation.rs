//! The automatic reply while away: between two dates of the user's time
//! zone, at most once per sender per N days, never to lists or bulk mail.

use serde::{Deserialize, Serialize};

use super::script::quoted;
use crate::CoreError;

const MAX_SUBJECT_CHARS: usize = 200;
const MAX_MESSAGE_CHARS: usize = 10_000;
pub const MAX_DAYS: u32 = 30;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vacation {
    pub enabled: bool,
    /// First day, `YYYY-MM-DD`, or empty for now.
    #[serde(default)]
    pub start: String,
    /// Last day, `YYYY-MM-DD`, or empty for until turned off.
    #[serde(default)]
    pub end: String,
    /// The zone the days are in (an IANA name; empty is UTC).
    #[serde(default)]
    pub time_zone: String,
    pub subject: String,
    pub message: String,
    /// At most one reply per sender in this many days.
    pub days: u32,
    /// The addresses that count as the user's (their identities).
    #[serde(default)]
    pub addresses: Vec<String>,
    /// The zone's offsets (`+0200`) when the first day starts and after
    /// the last day ends, worked out when saved.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub start_offset: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub end_offset: String,
}

fn invalid(message: impl Into<String>) -> CoreError {
    CoreError::Invalid(message.into())
}

fn day(value: &str) -> Result<jiff::civil::Date, CoreError> {
    value
        .trim()
        .parse::<jiff::civil::Date>()
        .map_err(|_| invalid(format!("`{}` is not a date (YYYY-MM-DD).", value.trim())))
}

/// The offset of `zone` at the start of `date`, as Sieve writes it (`+0200`).
fn offset_at(zone: &jiff::tz::TimeZone, date: jiff::civil::Date) -> Result<String, CoreError> {
    let zoned = date
        .to_zoned_datetime(zone.clone())
        .map_err(|e| invalid(format!("That date cannot be used: {e}")))?;
    let seconds = zoned.offset().seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    Ok(format!("{sign}{:02}{:02}", minutes / 60, minutes % 60))
}

impl Vacation {
    pub fn has_dates(&self) -> bool {
        !self.start.is_empty() || !self.end.is_empty()
    }

    /// The reply as it will be kept: checked, its offsets worked out.
    pub fn checked(mut self) -> Result<Vacation, CoreError> {
        self.subject = self.subject.trim().to_owned();
        self.message = self.message.replace("\r\n", "\n").trim_end().to_owned();
        self.start = self.start.trim().to_owned();
        self.end = self.end.trim().to_owned();
        if self.subject.chars().any(char::is_control) {
            return Err(invalid("The subject cannot hold line breaks."));
        }
        if self.subject.chars().count() > MAX_SUBJECT_CHARS
            || self.message.chars().count() > MAX_MESSAGE_CHARS
        {
            return Err(invalid(format!(
                "A reply has a subject of at most {MAX_SUBJECT_CHARS} characters and a message of at most {MAX_MESSAGE_CHARS}."
            )));
        }
        if self.message.contains('\0') {
            return Err(invalid("The message cannot hold NUL characters."));
        }
        if self.enabled && self.message.trim().is_empty() {
            return Err(invalid("Write the message of the reply."));
        }
        if !(1..=MAX_DAYS).contains(&self.days) {
            return Err(invalid(format!(
                "Reply to a sender at most once in 1 to {MAX_DAYS} days."
            )));
        }
        let zone = if self.time_zone.is_empty() {
            jiff::tz::TimeZone::UTC
        } else {
            jiff::tz::TimeZone::get(&self.time_zone).map_err(|_| invalid("Unknown time zone."))?
        };
        self.start_offset.clear();
        self.end_offset.clear();
        if !self.start.is_empty() {
            self.start_offset = offset_at(&zone, day(&self.start)?)?;
        }
        if !self.end.is_empty() {
            let last = day(&self.end)?;
            if !self.start.is_empty() && last < day(&self.start)? {
                return Err(invalid("The last day comes before the first."));
            }
            let after = last
                .tomorrow()
                .map_err(|_| invalid("That date cannot be used."))?;
            self.end_offset = offset_at(&zone, after)?;
        }
        for a in &mut self.addresses {
            *a = crate::accounts::validate_email(a)?;
        }
        self.addresses.sort();
        self.addresses.dedup();
        Ok(self)
    }

    /// Whether it replies on `today` (a date in the user's zone), as far as
    /// the dates go.
    pub fn on(&self, today: &str) -> bool {
        self.enabled
            && (self.start.is_empty() || self.start.as_str() <= today)
            && (self.end.is_empty() || today <= self.end.as_str())
    }

    /// Whether its last day is past on `today`.
    pub fn over(&self, today: &str) -> bool {
        !self.end.is_empty() && self.end.as_str() < today
    }
}

/// The Sieve of a reply that is on.
pub fn code(v: &Vacation) -> String {
    let mut tests = Vec::new();
    if !v.start.is_empty() {
        tests.push(format!(
            "currentdate :zone {} :value \"ge\" \"date\" {}",
            quoted(&v.start_offset),
            quoted(&v.start)
        ));
    }
    if !v.end.is_empty() {
        tests.push(format!(
            "currentdate :zone {} :value \"le\" \"date\" {}",
            quoted(&v.end_offset),
            quoted(&v.end)
        ));
    }
    // Never to mailing lists, bulk mail or other automatic messages.
    tests.push("not exists [\"list-id\", \"list-unsubscribe\"]".into());
    tests.push("not header :is \"precedence\" [\"bulk\", \"list\", \"junk\"]".into());
    tests
        .push("anyof (not exists \"auto-submitted\", header :is \"auto-submitted\" \"no\")".into());
    let mut reply = format!("vacation :days {}", v.days);
    if !v.subject.is_empty() {
        reply.push_str(&format!(" :subject {}", quoted(&v.subject)));
    }
    if !v.addresses.is_empty() {
        let list: Vec<String> = v.addresses.iter().map(|a| quoted(a)).collect();
        reply.push_str(&format!(" :addresses [{}]", list.join(", ")));
    }
    format!(
        "if allof (\n    {}\n) {{\n    {reply}\n        {};\n}}\n",
        tests.join(",\n    "),
        quoted(&v.message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn away() -> Vacation {
        Vacation {
            enabled: true,
            start: "2026-07-01".into(),
            end: "2026-10-31".into(),
            time_zone: "Europe/Paris".into(),
            subject: "Absent \"en vacances\"".into(),
            message: "Je reviens le 1er.\r\nMerci \\o/".into(),
            days: 7,
            addresses: vec!["Alice@Example.TEST".into()],
            ..Vacation::default()
        }
    }

    #[test]
    fn dates_are_in_the_users_zone_summer_and_winter() {
        let v = away().checked().map_err(|e| e.to_string());
        assert!(v.is_ok(), "{v:?}");
        let Ok(v) = v else { return };
        assert_eq!(v.start_offset, "+0200", "summer time on the first day");
        assert_eq!(v.end_offset, "+0100", "winter time after the last day");
        let code = code(&v);
        assert!(
            code.contains("currentdate :zone \"+0200\" :value \"ge\" \"date\" \"2026-07-01\""),
            "{code}"
        );
        assert!(code.contains("currentdate :zone \"+0100\" :value \"le\" \"date\" \"2026-10-31\""));
        assert!(
            code.contains(":subject \"Absent \\\"en vacances\\\"\""),
            "{code}"
        );
        assert!(code.contains(":addresses [\"alice@example.test\"]"));
        assert!(
            code.contains("\"Je reviens le 1er.\nMerci \\\\o/\";"),
            "{code}"
        );
        assert!(code.contains("not exists [\"list-id\", \"list-unsubscribe\"]"));
        assert!(v.on("2026-07-01") && v.on("2026-10-31") && !v.on("2026-11-01"));
        assert!(v.over("2026-11-01") && !v.over("2026-10-31"));
    }

    #[test]
    fn bad_replies_are_refused() {
        for change in [
            |v: &mut Vacation| v.subject = "a\r\nBcc: x@y".into(),
            |v: &mut Vacation| v.days = 0,
            |v: &mut Vacation| v.start = "tomorrow".into(),
            |v: &mut Vacation| v.end = "2026-06-01".into(),
            |v: &mut Vacation| v.time_zone = "Mars/Olympus".into(),
            |v: &mut Vacation| v.message = " ".into(),
        ] {
            let mut v = away();
            change(&mut v);
            assert!(v.clone().checked().is_err(), "{v:?}");
        }
    }
}
