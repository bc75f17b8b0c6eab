//! The message view's line for mail from a list: the ways out it offers
//! (`List-Unsubscribe`). One click is done by the server (it reads the
//! address from the message again, and asks once); a `mailto:` address
//! opens the compose form filled in; a page opens in a new tab. Nothing
//! happens without the reader's click.

use leptos::prelude::*;

use crate::api::mail::{unsubscribe, UnsubscribeDone, UnsubscribeOffer};
use crate::components::use_toaster;
use crate::i18n::use_texts;

#[component]
pub fn Unsubscribe(offer: UnsubscribeOffer, folder: String, uid: u32) -> impl IntoView {
    let t = use_texts();
    let toaster = use_toaster();
    let asking = RwSignal::new(false);
    let done = RwSignal::new(None::<UnsubscribeDone>);
    let host = offer.host.clone();
    let ask = move |_| {
        if asking.get_untracked() || done.get_untracked().is_some() {
            return;
        }
        asking.set(true);
        let folder = folder.clone();
        leptos::task::spawn_local(async move {
            match unsubscribe(folder, uid).await {
                Ok(d) => done.set(Some(d)),
                Err(e) => toaster.error(&e),
            }
            asking.set(false);
        });
    };
    let said = move || {
        done.get().map(|d| {
            let text = if d.already {
                t.unsubscribed_already
            } else {
                t.unsubscribed
            };
            text.replace("{host}", &d.host)
        })
    };
    let about = if host.is_empty() {
        t.from_a_list.to_owned()
    } else {
        t.from_a_list_at.replace("{host}", &host)
    };
    view! {
        <p class="unsubscribe-note">
            <span class="muted">{about}</span>
            " "
            {move || match said() {
                Some(text) => view! { <span role="status">{text}</span> }.into_any(),
                None if offer.one_click => view! {
                    <button type="button" class="link" disabled=move || asking.get() on:click=ask.clone()>
                        {move || if asking.get() { t.unsubscribing } else { t.unsubscribe }}
                    </button>
                }.into_any(),
                None => match (offer.compose.clone(), offer.web.clone()) {
                    (Some(compose), _) => view! { <a href=compose>{t.unsubscribe_by_mail}</a> }.into_any(),
                    (None, Some(web)) => view! {
                        <a href=web target="_blank" rel="noopener noreferrer">{t.unsubscribe_on_page}</a>
                    }.into_any(),
                    (None, None) => ().into_any(),
                },
            }}
        </p>
    }
}
