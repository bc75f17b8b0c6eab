//! The mail view's reminder that automatic replies are on, with a one-click
//! way to turn them off.

use leptos::prelude::*;

use crate::api::filters::{turn_off_vacation, vacation_banner};
use crate::components::use_toaster;
use crate::i18n::use_texts;

#[component]
pub fn VacationBanner() -> impl IntoView {
    let t = use_texts();
    let toaster = use_toaster();
    let changed = RwSignal::new(0u32);
    let banner = Resource::new(move || changed.get(), |_| vacation_banner());
    let off = move |_| {
        leptos::task::spawn_local(async move {
            match turn_off_vacation().await {
                Ok(()) => {
                    toaster.say(t.vacation_turned_off);
                    changed.update(|n| *n += 1);
                }
                Err(e) => toaster.error(&e),
            }
        });
    };
    view! {
        <Transition fallback=|| ()>
            {move || banner.get().and_then(Result::ok).flatten().map(|end| {
                let text = if end.is_empty() {
                    t.vacation_banner.to_owned()
                } else {
                    t.vacation_banner_until.replace("{date}", &end)
                };
                view! {
                    <div class="banner" role="status">
                        <span>{text}</span>" "
                        <a href="/settings/filters">{t.filters_title}</a>" "
                        <button type="button" on:click=off>{t.turn_off}</button>
                    </div>
                }
            })}
        </Transition>
    }
}
