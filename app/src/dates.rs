//! Dates shown in the UI and parsed from filters. Pure arithmetic, so that
//! it works in the browser too: pages are rendered in UTC on the server and
//! switch to the browser's time zone once hydrated (`LocalTime`).

use estafette_wire::DateFormat;

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `2026-11-23 10:42 UTC`
pub fn format_time(unix: i64) -> String {
    format!("{} UTC", format_at_offset(unix, 0))
}

/// `2026-11-23 11:42` for a zone `offset_minutes` east of UTC.
pub fn format_at_offset(unix: i64, offset_minutes: i64) -> String {
    let local = unix + offset_minutes * 60;
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    let secs = local.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60
    )
}

/// Now, in seconds since 1970.
pub fn now() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        (js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }
}

/// How the message list writes a date, relative to now in the reader's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nearness {
    /// The same day: the time.
    Today,
    /// The same year: the day and the month.
    ThisYear,
    /// Before: the whole date.
    Before,
}

impl Nearness {
    /// `day` and `today` as `YYYY-MM-DD`.
    fn of(day: &str, today: &str) -> Nearness {
        if day == today {
            Nearness::Today
        } else if day.get(..4) == today.get(..4) {
            Nearness::ThisYear
        } else {
            Nearness::Before
        }
    }
}

/// The list's date of `unix` in UTC as the server writes it (the browser
/// writes it again in the reader's zone): `14:05` today, `18 Nov` this year,
/// `18/11/2025` before; `11-18` and `2025-11-18` as [`DateFormat::Iso`].
pub fn compact_utc(unix: i64, now: i64, months: &str, format: DateFormat) -> String {
    let at = format_at_offset(unix, 0);
    let (day, time) = at.split_once(' ').unwrap_or((&at, ""));
    let (y, rest) = day.split_once('-').unwrap_or((day, ""));
    let (m, d) = rest.split_once('-').unwrap_or((rest, ""));
    let today = format_at_offset(now, 0);
    match (
        Nearness::of(day, today.get(..10).unwrap_or_default()),
        format,
    ) {
        (Nearness::Today, _) => time.to_owned(),
        (Nearness::ThisYear, DateFormat::Iso) => format!("{m}-{d}"),
        (Nearness::ThisYear, DateFormat::Locale) => {
            let month = m
                .parse::<usize>()
                .ok()
                .and_then(|m| months.split_whitespace().nth(m.saturating_sub(1)))
                .unwrap_or(m);
            format!("{} {month}", d.trim_start_matches('0'))
        }
        (Nearness::Before, DateFormat::Iso) => day.to_owned(),
        (Nearness::Before, DateFormat::Locale) => format!("{d}/{m}/{y}"),
    }
}

/// `unix` as the browser's `Intl` writes it in `locale` with `options`, in
/// `zone` (empty: the browser's). `None` if the browser refuses the zone.
#[cfg(feature = "hydrate")]
fn intl(unix: i64, locale: &str, zone: &str, options: &[(&str, &str)]) -> Option<String> {
    use js_sys::{Array, Date, Function, Object, Reflect};
    use leptos::wasm_bindgen::{JsCast, JsValue};
    let object = Object::new();
    for (k, v) in options.iter().chain(&[("timeZone", zone)]) {
        if !v.is_empty() {
            Reflect::set(&object, &(*k).into(), &(*v).into()).ok()?;
        }
    }
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let constructor: Function = Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let args = Array::of2(&JsValue::from_str(locale), &object);
    // Constructed through Reflect so that an unknown zone is an error, not a panic.
    let formatter = Reflect::construct(&constructor, &args).ok()?;
    let format: Function = Reflect::get(&formatter, &"format".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let date = Date::new(&JsValue::from_f64(unix as f64 * 1000.0));
    format.call1(&formatter, &date).ok()?.as_string()
}

/// Swedish writes dates and times the ISO way.
#[cfg(feature = "hydrate")]
const ISO: &str = "sv-SE";

/// `unix` in `zone`, either as usual in `language` or ([`DateFormat::Iso`])
/// `2026-11-23 14:05`.
#[cfg(feature = "hydrate")]
pub fn format_with_intl(
    unix: i64,
    language: &str,
    zone: &str,
    format: DateFormat,
) -> Option<String> {
    if format == DateFormat::Iso {
        let parts = [
            ("year", "numeric"),
            ("month", "2-digit"),
            ("day", "2-digit"),
            ("hour", "2-digit"),
            ("minute", "2-digit"),
            ("hourCycle", "h23"),
        ];
        intl(unix, ISO, zone, &parts)
    } else {
        intl(
            unix,
            language,
            zone,
            &[("dateStyle", "medium"), ("timeStyle", "short")],
        )
    }
}

/// The list's date of `unix` in `zone` and `language` (see [`compact_utc`]).
#[cfg(feature = "hydrate")]
pub fn compact_with_intl(
    unix: i64,
    now: i64,
    language: &str,
    zone: &str,
    format: DateFormat,
) -> Option<String> {
    let day_parts = [
        ("year", "numeric"),
        ("month", "2-digit"),
        ("day", "2-digit"),
    ];
    let day = intl(unix, ISO, zone, &day_parts)?;
    let today = intl(now, ISO, zone, &day_parts)?;
    let iso = format == DateFormat::Iso;
    match Nearness::of(&day, &today) {
        Nearness::Today => {
            // "5:28 PM" in English, "17:28" in French, "17:28" in ISO.
            let (cycle, hour) = if iso {
                ("h23", "2-digit")
            } else {
                ("", "numeric")
            };
            let parts = [("hour", hour), ("minute", "2-digit"), ("hourCycle", cycle)];
            intl(unix, if iso { ISO } else { language }, zone, &parts)
        }
        Nearness::ThisYear if iso => day.get(5..).map(str::to_owned),
        Nearness::ThisYear => intl(
            unix,
            language,
            zone,
            &[("day", "numeric"), ("month", "short")],
        ),
        Nearness::Before if iso => Some(day),
        Nearness::Before => intl(
            unix,
            language,
            zone,
            &[
                ("day", "2-digit"),
                ("month", "2-digit"),
                ("year", "numeric"),
            ],
        ),
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(format_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_at_offset(0, 90), "1970-01-01 01:30");
        assert_eq!(format_at_offset(0, -60), "1969-12-31 23:00");
        assert_eq!(format_time(1_795_000_000), "2026-11-18 11:06 UTC");
    }

    #[test]
    fn the_list_writes_a_date_as_near_as_it_is() {
        let months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec";
        let now = 1_795_000_000; // 2026-11-18 11:06 UTC
        let (locale, iso) = (DateFormat::Locale, DateFormat::Iso);
        for (ago, months, format, written) in [
            (3600, months, locale, "10:06"),
            (12 * 3600, months, locale, "17 Nov"),
            (200 * 86_400, months, locale, "2 May"),
            (400 * 86_400, months, locale, "14/10/2025"),
            (12 * 3600, months, iso, "11-17"),
            (400 * 86_400, months, iso, "2025-10-14"),
            // A date in the future (a wrong clock) is written whole.
            (-400 * 86_400, months, locale, "23/12/2027"),
            // Months a language lacks: the number.
            (12 * 3600, "", locale, "17 11"),
        ] {
            assert_eq!(
                compact_utc(now - ago, now, months, format),
                written,
                "{ago}"
            );
        }
    }
}
