//! The search form of the mail page: words, the filters, all folders.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api::labels::LabelChoice;
use crate::api::mail::ListRequest;
use crate::components::form_query;
use crate::components::labels::name as label_name;
use crate::error::AppError;
use crate::i18n::use_texts;
use crate::urls::folder_href;

#[component]
pub fn SearchForm(
    request: Memo<ListRequest>,
    labels: Resource<Result<LabelChoice, AppError>>,
) -> impl IntoView {
    let t = use_texts();
    let r = move || request.get();
    let f = move || request.get().search;
    // A search is a new address for the list (what the form alone would do
    // without the bundle), reached without reloading the page.
    let navigate = use_navigate();
    let search = move |ev: leptos::ev::SubmitEvent| {
        if let Some(query) = form_query(&ev) {
            ev.prevent_default();
            navigate(&format!("/?{query}"), Default::default());
        }
    };
    view! {
        <form method="get" action="/" class="search" role="search" on:submit=search>
            <input type="hidden" name="folder" prop:value=move || r().folder/>
            <input
                type="search" id="search" name="q" aria-label=t.search
                placeholder=t.search_placeholder prop:value=move || f().q
            />
            <button type="submit">{t.search}</button>
            <details class="filters" open=move || f().is_active()>
                <summary>"…"</summary>
                <label><input type="checkbox" name="unread" prop:checked=move || f().unread/>" " {t.only_unread}</label>
                <label><input type="checkbox" name="flagged" prop:checked=move || f().flagged/>" " {t.only_flagged}</label>
                <label><input type="checkbox" name="attachment" prop:checked=move || f().attachment/>" " {t.only_attachments}</label>
                <label>{t.with_label}" "
                    <select name="label" prop:value=move || f().label>
                        <option value="">{t.any_label}</option>
                        <Transition fallback=|| ()>
                            {move || {
                                let mut offered = labels.get().and_then(Result::ok).map(|c| c.labels).unwrap_or_default();
                                let current = f().label;
                                if !current.is_empty() && !offered.contains(&current) {
                                    offered.push(current.clone());
                                }
                                offered.into_iter().map(|k| view! {
                                    <option value=k.clone() selected=k == current>{label_name(&k, t)}</option>
                                }).collect_view()
                            }}
                        </Transition>
                    </select>
                </label>
                <label>{t.since}" " <input type="date" name="since" prop:value=move || f().since/></label>
                <label>{t.before}" " <input type="date" name="before" prop:value=move || f().before/></label>
                <label><input type="checkbox" name="everywhere" prop:checked=move || f().everywhere/>" " {t.all_folders}</label>
            </details>
            {move || f().is_active().then(|| view! {
                <a href=folder_href(&r().folder)>{t.clear_search}</a>
            })}
        </form>
    }
}
