//! Dates shown in the UI and parsed from filters. Pure arithmetic, so that
//! it works in the browser too: pages are rendered in UTC on the server and
//! switch to the browser's time zone once hydrated (`LocalTime`).

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

/// `unix` as the browser's `Intl` writes it: in `zone` (empty: the
/// browser's), either as usual in `language` or (`iso`) `2026-11-23 14:05`.
/// `None` if the browser refuses the zone.
#[cfg(feature = "hydrate")]
pub fn format_with_intl(unix: i64, language: &str, zone: &str, format: &str) -> Option<String> {
    use js_sys::{Array, Date, Function, Object, Reflect};
    use leptos::wasm_bindgen::{JsCast, JsValue};
    let options = Object::new();
    let set = |k: &str, v: &str| Reflect::set(&options, &k.into(), &v.into()).ok();
    let locale = if format == "iso" {
        for (k, v) in [
            ("year", "numeric"),
            ("month", "2-digit"),
            ("day", "2-digit"),
            ("hour", "2-digit"),
            ("minute", "2-digit"),
            ("hourCycle", "h23"),
        ] {
            set(k, v)?;
        }
        // Swedish writes dates and times the ISO way.
        "sv-SE"
    } else {
        set("dateStyle", "medium")?;
        set("timeStyle", "short")?;
        language
    };
    if !zone.is_empty() {
        set("timeZone", zone)?;
    }
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let constructor: Function = Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let args = Array::of2(&JsValue::from_str(locale), &options);
    // Constructed through Reflect so that an unknown zone is an error, not a panic.
    let formatter = Reflect::construct(&constructor, &args).ok()?;
    let format: Function = Reflect::get(&formatter, &"format".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let date = Date::new(&JsValue::from_f64(unix as f64 * 1000.0));
    format.call1(&formatter, &date).ok()?.as_string()
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
}
