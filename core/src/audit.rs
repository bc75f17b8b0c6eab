//! The audit log for its readers: the admin area's view, its export as CSV
//! or JSON (from the admin area and `estafette audit export`), and how long
//! it is kept (`audit.retention_days`).

use estafette_store::{now, AuditEntry, AuditFilter};
use serde::Serialize;

use crate::accounts::Actor;
use crate::{CoreError, Services};

/// Entries read at a time by an export.
pub const EXPORT_PAGE: i64 = 1000;

/// A span of days, each end included, from `YYYY-MM-DD` texts (empty: open).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub since: Option<i64>,
    pub until: Option<i64>,
}

impl Period {
    pub fn parse(since: &str, until: &str) -> Result<Period, CoreError> {
        Ok(Period {
            since: day(since)?,
            until: day(until)?.map(|t| t + 86_399),
        })
    }
}

/// The Unix time of `text`'s midnight (UTC), `YYYY-MM-DD`; empty: none.
fn day(text: &str) -> Result<Option<i64>, CoreError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<jiff::civil::Date>()
        .ok()
        .filter(|_| text.len() == 10)
        .and_then(|d| d.to_zoned_datetime(jiff::tz::TimeZone::UTC).ok())
        .map(|z| Some(z.timestamp().as_second()))
        .ok_or_else(|| {
            CoreError::Invalid(format!(
                "`{}` is not a date (YYYY-MM-DD)",
                text.chars().take(40).collect::<String>()
            ))
        })
}

/// The forms an export is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    pub fn parse(text: &str) -> Result<Format, CoreError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "csv" | "" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            other => Err(CoreError::Invalid(format!(
                "`{}` is not an export format (csv or json)",
                other.chars().take(40).collect::<String>()
            ))),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
        }
    }

    pub fn file_name(self) -> &'static str {
        match self {
            Format::Csv => "audit.csv",
            Format::Json => "audit.json",
        }
    }

    /// What comes before the first entry.
    pub fn start(self) -> &'static str {
        match self {
            Format::Csv => "id,at,time,actor,action,target,client_address,detail,repeats\r\n",
            Format::Json => "[",
        }
    }

    /// One entry; `first` tells whether one came before it.
    pub fn entry(self, e: &AuditEntry, first: bool) -> String {
        match self {
            Format::Csv => {
                let cells = [
                    e.id.to_string(),
                    e.at.to_string(),
                    iso_time(e.at),
                    cell(e.actor.as_deref()),
                    cell(Some(&e.action)),
                    cell(e.target.as_deref()),
                    cell(e.client_address.as_deref()),
                    cell(e.detail.as_deref()),
                    e.repeats.to_string(),
                ];
                format!("{}\r\n", cells.join(","))
            }
            Format::Json => {
                let row = JsonEntry {
                    id: e.id,
                    at: e.at,
                    time: iso_time(e.at),
                    actor: e.actor.as_deref(),
                    action: &e.action,
                    target: e.target.as_deref(),
                    client_address: e.client_address.as_deref(),
                    detail: e.detail.as_deref(),
                    repeats: e.repeats,
                };
                let json = serde_json::to_string(&row).unwrap_or_else(|_| "null".into());
                if first {
                    format!("\n{json}")
                } else {
                    format!(",\n{json}")
                }
            }
        }
    }

    /// What comes after the last entry.
    pub fn end(self) -> &'static str {
        match self {
            Format::Csv => "",
            Format::Json => "\n]\n",
        }
    }
}

#[derive(Serialize)]
struct JsonEntry<'a> {
    id: i64,
    at: i64,
    time: String,
    actor: Option<&'a str>,
    action: &'a str,
    target: Option<&'a str>,
    client_address: Option<&'a str>,
    detail: Option<&'a str>,
    repeats: i64,
}

/// `2026-12-02T19:20:00Z`
fn iso_time(at: i64) -> String {
    jiff::Timestamp::from_second(at)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// A CSV cell (RFC 4180). A text a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@`, a tab or a carriage return first) is written with a
/// `'` before it: the log holds what strangers typed (a sign-in's address).
fn cell(value: Option<&str>) -> String {
    let value = value.unwrap_or_default();
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\r', '\n']) || value.starts_with('\'') {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

impl Services {
    /// The audit log, newest first, narrowed by `filter`.
    pub async fn audit_log(
        &self,
        _actor: Actor<'_>,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEntry>, CoreError> {
        Ok(self.store.audit_entries(filter).await?)
    }

    /// The entries of `period` after the entry `after`, oldest first, a
    /// page of an export; an admin's export is itself audited when its
    /// first page is read.
    pub async fn audit_export_page(
        &self,
        actor: Actor<'_>,
        period: Period,
        after: i64,
    ) -> Result<Vec<AuditEntry>, CoreError> {
        if after == 0 {
            let span = format!(
                "since {} until {}",
                period.since.map_or("the start".into(), iso_time),
                period.until.map_or("now".into(), iso_time)
            );
            self.audit(actor, "audit_exported", "", Some(&span)).await;
        }
        Ok(self
            .store
            .audit_entries_after(after, period.since, period.until, EXPORT_PAGE)
            .await?)
    }

    /// Removes the entries older than `audit.retention_days` (none when it
    /// is 0); returns how many went.
    pub async fn forget_old_audit(&self) -> Result<u64, CoreError> {
        let days = i64::from(self.config.audit.retention_days);
        if days == 0 {
            return Ok(0);
        }
        Ok(self
            .store
            .forget_audit_before(now() - days * 86_400)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(actor: &str, detail: &str) -> AuditEntry {
        AuditEntry {
            id: 7,
            at: 1_795_000_000,
            actor: Some(actor.into()),
            action: "sign_in_failed".into(),
            target: None,
            client_address: Some("192.0.2.7".into()),
            detail: Some(detail.into()),
            repeats: 2,
        }
    }

    #[test]
    fn days_are_read_whole_and_the_last_day_is_included() {
        let p = Period::parse("2026-11-18", "2026-11-18").expect("dates");
        assert_eq!(p.since, Some(1_795_000_000 - 40_000));
        assert_eq!(p.until, Some(1_795_000_000 - 40_000 + 86_399));
        assert_eq!(Period::parse(" ", "").expect("open"), Period::default());
        for bad in [
            "yesterday",
            "2023-02-29",
            "2026-13-01",
            "2026-1-1",
            "2026-11-18x",
        ] {
            assert!(Period::parse(bad, "").is_err(), "{bad}");
        }
    }

    #[test]
    fn a_csv_row_quotes_what_it_must_and_never_runs_as_a_formula() {
        let row = Format::Csv.entry(&entry("=HYPERLINK(\"http://x\")", "a,b\r\nc"), true);
        assert_eq!(
            row,
            "7,1795000000,2026-11-18T11:06:40Z,\"'=HYPERLINK(\"\"http://x\"\")\",sign_in_failed,,\
             192.0.2.7,\"a,b\r\nc\",2\r\n"
        );
        for danger in ["+1", "-1", "@SUM(A1)", "\tx"] {
            let row = Format::Csv.entry(&entry(danger, ""), true);
            assert!(row.contains(&format!("\"'{danger}\"")), "{row}");
        }
        assert_eq!(Format::Csv.start().matches(',').count(), 8);
    }

    #[test]
    fn a_json_export_is_one_array_of_every_entry() {
        let f = Format::Json;
        let text = [
            f.start().to_owned(),
            f.entry(&entry("a@example.org", "x"), true),
            f.entry(&entry("\"b\"", "y"), false),
            f.end().to_owned(),
        ]
        .concat();
        let parsed: serde_json::Value = serde_json::from_str(&text).expect("json");
        let rows = parsed.as_array().expect("array");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1]["actor"], "\"b\"");
        assert_eq!(rows[0]["time"], "2026-11-18T11:06:40Z");
        let empty: serde_json::Value =
            serde_json::from_str(&[f.start(), f.end()].concat()).expect("empty");
        assert_eq!(empty, serde_json::json!([]));
        assert!(Format::parse("xml").is_err());
    }
}
