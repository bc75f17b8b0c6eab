//! The automatic reply: on or off, between two days, what it says, how often.

use leptos::prelude::*;

use super::Loaded;
use crate::api::filters::{save_vacation, FiltersView, VacationView};
use crate::components::{use_toaster, ErrorNote};
use crate::error::AppError;
use crate::i18n::use_texts;

/// The browser's time zone, for an account whose preferences name none.
pub fn browser_zone() -> String {
    #[cfg(feature = "hydrate")]
    {
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                .resolved_options();
        js_sys::Reflect::get(&options, &"timeZone".into())
            .ok()
            .and_then(|z| z.as_string())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

#[component]
pub fn VacationSection(view: FiltersView, loaded: Loaded) -> impl IntoView {
    let t = use_texts();
    let toaster = use_toaster();
    let v = view.vacation;
    let enabled = RwSignal::new(v.enabled);
    let (start, end) = (RwSignal::new(v.start), RwSignal::new(v.end));
    let (subject, message) = (RwSignal::new(v.subject), RwSignal::new(v.message));
    let days = RwSignal::new(v.days.to_string());
    let error = RwSignal::new(None::<AppError>);
    let editable = view.editable;
    let save = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let vacation = VacationView {
            enabled: enabled.get_untracked(),
            start: start.get_untracked(),
            end: end.get_untracked(),
            subject: subject.get_untracked(),
            message: message.get_untracked(),
            days: days.get_untracked().trim().parse().unwrap_or(0),
        };
        leptos::task::spawn_local(async move {
            match save_vacation(vacation, browser_zone()).await {
                Ok(()) => {
                    error.set(None);
                    toaster.say(t.vacation_saved);
                    loaded.again();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section aria-labelledby="vacation-title">
            <h2 id="vacation-title">{t.vacation_heading}</h2>
            <form class="stack narrow" on:submit=save>
                <div class="field check">
                    <input type="checkbox" id="vacation-on" prop:checked=move || enabled.get()
                        on:change=move |e| enabled.set(event_target_checked(&e))/>
                    <label for="vacation-on">{t.vacation_enabled}</label>
                </div>
                <div class="row">
                    <div class="field">
                        <label for="vacation-start">{t.vacation_first_day}</label>
                        <input id="vacation-start" type="date" aria-describedby="vacation-dates-hint" bind:value=start/>
                    </div>
                    <div class="field">
                        <label for="vacation-end">{t.vacation_last_day}</label>
                        <input id="vacation-end" type="date" aria-describedby="vacation-dates-hint" bind:value=end/>
                    </div>
                </div>
                <p id="vacation-dates-hint" class="muted">{t.vacation_dates_hint}</p>
                <label for="vacation-subject">{t.vacation_subject}</label>
                <input id="vacation-subject" type="text" maxlength="200" bind:value=subject/>
                <label for="vacation-message">{t.vacation_message}</label>
                <textarea id="vacation-message" rows="5" bind:value=message></textarea>
                <label for="vacation-days">{t.vacation_days}</label>
                <input id="vacation-days" type="number" min="1" max="30" bind:value=days/>
                <p class="muted">{t.vacation_lists_note}</p>
                <ErrorNote error/>
                <button type="submit" class="primary" disabled=!editable>{t.save_vacation}</button>
            </form>
        </section>
    }
}
