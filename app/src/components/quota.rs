//! How full the mailbox is, below the folder list: a meter and the sizes,
//! and a warning from nine tenths on. Nothing where the server keeps no quota.

use leptos::prelude::*;

use crate::api::mail::quota;
use crate::i18n::{human_size, use_texts};

/// Reloads with the folder list (`refresh`).
#[component]
pub fn QuotaMeter(refresh: RwSignal<u32>) -> impl IntoView {
    let t = use_texts();
    let usage = Resource::new(move || refresh.get(), |_| quota());
    view! {
        <Transition fallback=|| ()>
            {move || usage.get().and_then(Result::ok).flatten().map(|q| {
                let text = t
                    .quota_used
                    .replace("{used}", &human_size(q.used))
                    .replace("{limit}", &human_size(q.limit))
                    .replace("{percent}", &q.percent.to_string());
                view! {
                    <div class="quota" class:nearly-full=q.nearly_full>
                        <meter
                            min="0" max="100" low="75" high="90" optimum="0"
                            value=q.percent.to_string() aria-label=t.quota
                        ></meter>
                        <p class="muted">{text}</p>
                        {q.nearly_full.then(|| view! {
                            <p class="warning" role="status">{t.quota_nearly_full}</p>
                        })}
                    </div>
                }
            })}
        </Transition>
    }
}
