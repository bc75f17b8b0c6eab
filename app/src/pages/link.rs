//! The page a suspicious link of a message passes through: it names where
//! the link really leads (decided again on the server, whatever the URL
//! says) and lets the reader go on, or not.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::defence::{check_link, LinkCheck};
use crate::components::ErrorNote;
use crate::i18n::{fill, use_texts, Texts};

fn why(c: &LinkCheck, t: &Texts) -> String {
    let claimed = c.claimed.clone().unwrap_or_default();
    let imitates = c.imitates.clone().unwrap_or_default();
    match c.reason.as_deref() {
        Some("mismatch" | "ip-address") => fill(t.check_link_mismatch, &[("claimed", &claimed)]),
        Some("userinfo") => fill(t.check_link_userinfo, &[("claimed", &claimed)]),
        Some(_) if !imitates.is_empty() => fill(t.check_link_lookalike, &[("imitates", &imitates)]),
        Some(_) => t.check_link_mixed.to_owned(),
        None => t.check_link_fine.to_owned(),
    }
}

#[component]
pub fn LinkPage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let check = Resource::new(
        move || {
            query.with(|q| {
                (
                    q.get("to").unwrap_or_default(),
                    q.get("shown").unwrap_or_default(),
                )
            })
        },
        |(to, shown)| check_link(to, shown),
    );
    view! {
        <Title text=t.check_link_title/>
        <main class="centered">
            <section class="card wide link-check" aria-labelledby="link-check-title">
                <h1 id="link-check-title">{t.check_link_heading}</h1>
                <Transition fallback=move || view! { <p class="muted">{t.loading}</p> }>
                    {move || check.get().map(|r| match r {
                        Ok(c) => {
                            let warned = c.reason.is_some();
                            let go = fill(t.check_link_go, &[("host", &c.host)]);
                            view! {
                                <p class:warning=warned>{why(&c, t)}</p>
                                <p class="leads-to">{t.check_link_leads_to}" "
                                    <strong class="destination">{c.host.clone()}</strong>
                                    {c.host_ascii.clone().map(|a| view! { " " <span class="muted">"(" {a} ")"</span> })}
                                </p>
                                <details>
                                    <summary>{t.check_link_full}</summary>
                                    <code class="full-url">{c.href.clone()}</code>
                                </details>
                                <p class="muted">{t.check_link_advice}</p>
                                <div class="actions">
                                    <a class="button primary" href="/">{t.back_to_mail}</a>
                                    <a class="button" class:danger=warned href=c.href.clone()
                                        rel="noopener noreferrer nofollow" referrerpolicy="no-referrer">{go}</a>
                                </div>
                            }.into_any()
                        }
                        Err(e) => view! {
                            <ErrorNote error=Signal::derive(move || Some(e.clone()))/>
                            <p><a href="/">{t.back_to_mail}</a></p>
                        }.into_any(),
                    })}
                </Transition>
            </section>
        </main>
    }
}
