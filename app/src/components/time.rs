use leptos::prelude::*;

use crate::dates::{compact_utc, format_time};
#[cfg(feature = "hydrate")]
use crate::dates::{compact_with_intl, format_at_offset, format_with_intl};
use crate::prefs::use_prefs;

/// Minutes east of UTC of the browser's time zone at `unix` (daylight
/// saving included).
#[cfg(feature = "hydrate")]
fn browser_offset(unix: i64) -> i64 {
    let date = js_sys::Date::new(&leptos::wasm_bindgen::JsValue::from_f64(
        unix as f64 * 1000.0,
    ));
    -(date.get_timezone_offset() as i64)
}

/// A time: UTC as rendered by the server, then, once the page is live (an
/// effect runs after hydration, so both agree first), in the user's time zone
/// and date format.
#[component]
pub fn LocalTime(unix: i64) -> impl IntoView {
    let local = RwSignal::new(false);
    Effect::new(move |_| local.set(true));
    let prefs = use_prefs();
    let text = move || {
        #[cfg(feature = "hydrate")]
        if local.try_get() == Some(true) {
            return prefs
                .with(|p| {
                    format_with_intl(
                        unix,
                        p.language.as_deref().unwrap_or("en"),
                        &p.time_zone,
                        p.date_format,
                    )
                })
                .unwrap_or_else(|| format_at_offset(unix, browser_offset(unix)));
        }
        prefs.track();
        format_time(unix)
    };
    view! { <time datetime=format!("{}Z", crate::dates::format_at_offset(unix, 0).replace(' ', "T"))>{text}</time> }
}

/// A date of the message list, as short as its nearness allows (`14:05`,
/// `18 Nov`, `18/11/2025`): in UTC as the server writes it, then in the
/// user's zone and language once the page is live; the whole date on hover.
#[component]
pub fn CompactTime(unix: i64) -> impl IntoView {
    let local = RwSignal::new(false);
    Effect::new(move |_| local.set(true));
    let prefs = use_prefs();
    let months = crate::i18n::use_texts().months_short;
    let now = crate::dates::now();
    let text = move || {
        #[cfg(feature = "hydrate")]
        if local.try_get() == Some(true) {
            if let Some(text) = prefs.with(|p| {
                compact_with_intl(
                    unix,
                    now,
                    p.language.as_deref().unwrap_or("en"),
                    &p.time_zone,
                    p.date_format,
                )
            }) {
                return text;
            }
        }
        prefs.with(|p| compact_utc(unix, now, months, p.date_format))
    };
    let whole = move || {
        #[cfg(feature = "hydrate")]
        if local.try_get() == Some(true) {
            if let Some(text) = prefs.with(|p| {
                format_with_intl(
                    unix,
                    p.language.as_deref().unwrap_or("en"),
                    &p.time_zone,
                    p.date_format,
                )
            }) {
                return text;
            }
        }
        format_time(unix)
    };
    view! {
        <time datetime=format!("{}Z", crate::dates::format_at_offset(unix, 0).replace(' ', "T")) title=whole>{text}</time>
    }
}
