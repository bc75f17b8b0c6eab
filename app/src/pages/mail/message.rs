use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::head::{AddSender, Attachments, CutShort, MessageHead, RemoteBar};
use crate::actions::{report, run, Act, MoveSelect};
use crate::api::labels::labels;
use crate::api::mail::{folders, mark, outline, trust_sender};
use crate::components::icons::{Glyph, Icon};
#[cfg(feature = "hydrate")]
use crate::components::labels::built_in;
use crate::components::labels::MessageLabels;
use crate::components::threat_banner::ThreatBanner;
use crate::components::unsubscribe::Unsubscribe;
use crate::components::AppShell;
use crate::components::{use_toaster, ErrorNote};
use crate::i18n::use_texts;
use crate::keys::{tip, Command};
use crate::urls::{self, folder_href};
use estafette_wire::{Destination, Mark, Start};

/// One message on its own page.
#[component]
pub fn MessagePage() -> impl IntoView {
    let query = use_query_map();
    let folder = Signal::derive(move || {
        query
            .with(|q| q.get("folder"))
            .unwrap_or_else(|| "INBOX".into())
    });
    let uid = Signal::derive(move || {
        query
            .with(|q| q.get("uid"))
            .and_then(|u| u.parse::<u32>().ok())
            .unwrap_or(0)
    });
    let back = Signal::derive(move || folder_href(&folder.get()));
    view! {
        <AppShell>
            <main class="message-page" id="main">
                <MessageView folder uid back in_pane=false changed=Callback::new(|()| ())/>
            </main>
        </AppShell>
    }
}

/// The message view, from a part of the bundle of its own: the mailbox loads
/// it when a message is first opened beside the list (see `MailPage`), so
/// the way in (sign-in, then the list) does not carry it.
#[lazy]
pub fn message_view_part(
    folder: Signal<String>,
    uid: Signal<u32>,
    back: Signal<String>,
    changed: Callback<()>,
) -> AnyView {
    view! { <MessageView folder uid back in_pane=true changed/> }.into_any()
}

/// One message: actions, attachments, and the sanitised document in a
/// sandboxed frame (no scripts, no forms, its own CSP; links open in a new
/// tab). In the reading pane the list's shortcuts act on it; on its own page
/// it has its own. `back` is where leaving it leads; `changed` runs after an
/// action (the list beside it reloads).
#[component]
pub fn MessageView(
    folder: Signal<String>,
    uid: Signal<u32>,
    back: Signal<String>,
    in_pane: bool,
    changed: Callback<()>,
) -> impl IntoView {
    let t = use_texts();
    let refresh = RwSignal::new(0u32);
    let info = Resource::new(
        move || (folder.get(), uid.get(), refresh.get()),
        |(f, u, _)| outline(f, u),
    );
    let folder_list = Resource::new(|| (), |_| folders());
    let remote = RwSignal::new(false);
    let toaster = use_toaster();
    let navigate = use_navigate();
    // Opened beside the list: it is read now, and the list shows it so.
    Effect::new(move |_| {
        if in_pane && info.get().and_then(Result::ok).is_some_and(|o| o.unread) {
            let (f, u) = (folder.get_untracked(), uid.get_untracked());
            leptos::task::spawn_local(async move {
                if mark(f, u.to_string(), Mark::Seen, true).await.is_ok() {
                    changed.run(());
                }
            });
        }
    });
    let act = move |a: Act| {
        let leaves = a.leaves();
        let keys = vec![(folder.get_untracked(), uid.get_untracked())];
        if leaves {
            navigate(&back.get_untracked(), Default::default());
        }
        leptos::task::spawn_local(async move {
            let result = run(a, keys, t).await;
            if !leaves && result.is_ok() {
                refresh.update(|n| *n += 1);
            }
            report(result, toaster, move || changed.run(()));
        });
    };
    let act = StoredValue::new(act);
    let run_act = move |a: Act| act.with_value(|f| f(a));
    let folder_labels = Resource::new(move || (folder.get(), refresh.get()), |(f, _)| labels(f));
    // Added, or removed when the message has it (keys 1 to 5).
    #[cfg(feature = "hydrate")]
    let toggle_label = move |label: String| {
        let has = info
            .get_untracked()
            .and_then(Result::ok)
            .is_some_and(|o| o.labels.iter().any(|l| l.eq_ignore_ascii_case(&label)));
        run_act(Act::Label(label, !has));
    };

    #[cfg(feature = "hydrate")]
    if !in_pane {
        let handle = window_event_listener(leptos::ev::keydown, move |e| {
            if !crate::components::shortcut_key(&e) {
                return;
            }
            let flagged = info
                .get_untracked()
                .and_then(Result::ok)
                .is_some_and(|o| o.flagged);
            match crate::keys::command(&e.key()) {
                Some(Command::Archive) => run_act(Act::SendTo(Destination::Archive)),
                Some(Command::Delete) => run_act(Act::SendTo(Destination::Trash)),
                Some(Command::ToggleFlag) => run_act(Act::Mark(Mark::Flagged, !flagged)),
                Some(Command::MarkUnread) => run_act(Act::Mark(Mark::Seen, false)),
                Some(Command::Label(n)) => toggle_label(built_in(n)),
                _ => {}
            }
        });
        on_cleanup(move || handle.remove());
    }

    let trust = move |address: String| {
        leptos::task::spawn_local(async move {
            match trust_sender(address).await {
                Ok(()) => {
                    remote.set(true);
                    refresh.update(|n| *n += 1);
                }
                Err(e) => toaster.error(&e),
            }
        });
    };
    let frame = move || urls::frame(&folder.get(), uid.get(), remote.get());
    let subject = move || {
        info.get()
            .and_then(Result::ok)
            .map(|o| o.subject)
            .unwrap_or_else(|| t.message.to_owned())
    };
    // The frame's name follows the subject once it is known (read in an
    // effect: outside a transition the resource is not awaited, and the
    // server's page and the browser's would differ).
    let frame_title = RwSignal::new(t.message.to_owned());
    Effect::new(move |_| {
        if let Some(Ok(o)) = info.get() {
            frame_title.set(o.subject);
        }
    });
    view! {
        <Transition fallback=move || view! { <Title text=t.message/> }>
            {move || view! { <Title text=subject()/> }}
        </Transition>
        <article class="message-view" aria-label=t.message>
            // Beside the list only on a phone, where the list is hidden.
            <a class="back" class:beside-list=in_pane href=move || back.get()>
                <Icon glyph=Glyph::Back/>" "{move || t.back_to.replace("{folder}", &folder.get())}
            </a>
            <div class="toolbar message-actions" role="toolbar" aria-label=t.message_actions>
                <a class="button" href=move || urls::compose_from(&folder.get(), uid.get(), Start::Reply)>{t.reply}</a>
                <a class="button" href=move || urls::compose_from(&folder.get(), uid.get(), Start::ReplyAll)>{t.reply_all}</a>
                <a class="button" href=move || urls::compose_from(&folder.get(), uid.get(), Start::Forward)>{t.forward}</a>
                <button type="button" title=tip(t.archive, Command::Archive) on:click=move |_| run_act(Act::SendTo(Destination::Archive))>{t.archive}</button>
                <button type="button" class="danger" title=tip(t.delete, Command::Delete) on:click=move |_| run_act(Act::SendTo(Destination::Trash))>{t.delete}</button>
                <button type="button" on:click=move |_| run_act(Act::SendTo(Destination::Junk))>{t.junk}</button>
                <button type="button" title=tip(t.mark_unread, Command::MarkUnread) on:click=move |_| run_act(Act::Mark(Mark::Seen, false))>{t.mark_unread}</button>
                <Transition fallback=|| ()>
                    {move || info.get().and_then(Result::ok).map(|o| {
                        let (label, on) = if o.flagged { (t.unflag, false) } else { (t.flag, true) };
                        view! {
                            <button type="button" aria-pressed=o.flagged.to_string() title=tip(label, Command::ToggleFlag)
                                on:click=move |_| run_act(Act::Mark(Mark::Flagged, on))>{label}</button>
                        }
                    })}
                </Transition>
                <MoveSelect label=t.move_to folder_list act=run_act/>
                // What is needed less often.
                <details class="more-actions">
                    <summary>{t.more_actions}</summary>
                    <div class="menu">
                        <a href=move || urls::compose_from(&folder.get(), uid.get(), Start::ForwardAsAttachment)>{t.forward_as_attachment}</a>
                        <a href=move || urls::filter_like(&folder.get(), uid.get())>{t.filter_like_this}</a>
                        <a href=move || urls::source(&folder.get(), uid.get()) target="_blank" rel="noopener">{t.view_source}</a>
                        <a href=move || urls::original(&folder.get(), uid.get()) download>{t.download_original}</a>
                        <button type="button" class="link" on:click=move |_| { let _ = window().print(); }>{t.print}</button>
                    </div>
                </details>
            </div>
            <Transition fallback=move || view! { <p class="muted loading">{t.loading}</p> }>
                {move || info.get().map(|r| match r {
                    Ok(o) => view! {
                        <MessageHead outline=o.clone()/>
                        <AddSender from=o.from.clone() address=o.from_address.clone()/>
                        <MessageLabels labels=o.labels.clone() folder=folder.get() choice=folder_labels
                            apply=move |label, on| run_act(Act::Label(label, on))/>
                        <ThreatBanner warnings=o.warnings.clone()/>
                        {o.unsubscribe.clone().map(|offer| view! {
                            <Unsubscribe offer folder=folder.get() uid=uid.get()/>
                        })}
                        <RemoteBar outline=o.clone() remote trust/>
                        {o.truncated.then(|| view! { <CutShort folder=folder.get() uid=uid.get()/> })}
                        <Attachments attachments=o.attachments folder=folder.get() uid=uid.get()/>
                    }.into_any(),
                    Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                })}
            </Transition>
            <iframe
                class="message-frame"
                title=frame_title
                src=frame
                sandbox="allow-popups allow-popups-to-escape-sandbox"
                referrerpolicy="no-referrer"
            ></iframe>
        </article>
    }
}
