//! What the reading view shows around the frame, which holds the body only:
//! one header block (the subject; the sender with initials and always its
//! address; the recipients folded when many; the date), the remote
//! content choice as one quiet bar, the note of a body cut short, and the
//! attachments as cards.

use leptos::prelude::*;

use crate::api::contacts::add_sender;
use crate::api::mail::{AttachmentView, MessageOutline, Person};
use crate::components::icons::{Glyph, Icon};
use crate::components::threat_banner::SenderLine;
use crate::components::{use_toaster, LocalTime};
use crate::i18n::{human_size, number, use_texts};
use crate::urls;

/// Recipients shown before "Show all".
const FOLDED: usize = 3;

/// Up to two initials of a name or, without one, of an address's local
/// part: "Bartholomew Featherstonehaugh" → "BF", "jane.doe@…" → "JD".
pub fn initials(shown: &str) -> String {
    let local = shown.split('@').next().unwrap_or_default();
    let words: Vec<&str> = local
        .split(|c: char| c.is_whitespace() || matches!(c, '.' | '_' | '-' | '"' | '\''))
        .filter(|w| w.chars().next().is_some_and(char::is_alphanumeric))
        .collect();
    let first = |w: &&str| w.chars().next().into_iter().flat_map(char::to_uppercase);
    match words.as_slice() {
        [] => "?".to_owned(),
        [one] => first(one).collect(),
        [one, .., last] => first(one).chain(first(last)).collect(),
    }
}

/// The sender's name as its From gives it (`from` is the list's: the
/// address itself when there is no name), empty when it has none.
fn sender_name(from: &str, address: &str) -> String {
    let name = from.split_once(" <").map_or(from, |(n, _)| n);
    let name = name.trim().trim_matches('"');
    if name.eq_ignore_ascii_case(address) {
        String::new()
    } else {
        name.to_owned()
    }
}

/// The header block: subject, sender, recipients, date, and who vouches
/// for the sender.
#[component]
pub fn MessageHead(outline: MessageOutline) -> impl IntoView {
    let t = use_texts();
    let name = sender_name(&outline.from, &outline.from_address);
    let address = outline.from_address.clone();
    // Initials only from a name that does not pass for an address.
    let avatar = initials(if name.is_empty() || name.contains('@') {
        &address
    } else {
        &name
    });
    // The address is always shown beside the name (a name may pose as an
    // address or a brand), each isolated from the other's writing direction.
    let sender = if name.is_empty() {
        view! { <strong class="sender-name"><bdi>{address}</bdi></strong> }.into_any()
    } else {
        view! {
            <strong class="sender-name"><bdi>{name}</bdi></strong>
            <span class="sender-address"><bdi>{address}</bdi></span>
        }
        .into_any()
    };
    view! {
        <header class="message-head">
            <h1 class="message-subject">{outline.subject.clone()}</h1>
            <div class="sender-row">
                <span class="avatar" aria-hidden="true">{avatar}</span>
                <div class="people">
                    {sender}
                    <Recipients label=t.to people=outline.to more=outline.more_recipients/>
                    <Recipients label=t.cc people=outline.cc more=0/>
                </div>
                {outline.date.map(|d| view! { <span class="sent"><LocalTime unix=d/></span> })}
            </div>
            <SenderLine sender=outline.sender/>
        </header>
    }
}

/// "To" or "Cc" and its people: the first few, then all on asking.
#[component]
fn Recipients(label: &'static str, people: Vec<Person>, more: u32) -> impl IntoView {
    let t = use_texts();
    if people.is_empty() {
        return ().into_any();
    }
    let all = RwSignal::new(false);
    let folded = people.len() > FOLDED;
    let total = people.len() as u64 + u64::from(more);
    let people = StoredValue::new(people);
    let shown = move || {
        let n = if all.get() { usize::MAX } else { FOLDED };
        people.with_value(|p| {
            p.iter()
                .take(n)
                .enumerate()
                .map(|(i, p)| {
                    view! {
                        {(i > 0).then_some(", ")}
                        <bdi class="person" title=p.address.clone()>{p.shown().to_owned()}</bdi>
                    }
                })
                .collect_view()
        })
    };
    let unfold = t.all_recipients.replace("{count}", &number(total));
    let rest = t.more_recipients.replace("{count}", &number(more.into()));
    view! {
        <p class="recipients">
            <span class="muted">{label}" "</span>
            {shown}
            {move || (folded && !all.get()).then(|| view! {
                " "<button type="button" class="link" on:click=move |_| all.set(true)>{unfold.clone()}</button>
            })}
            {move || (more > 0 && (all.get() || !folded)).then(|| view! { " "{rest.clone()} })}
        </p>
    }
    .into_any()
}

/// "Add … to contacts": the sender, as its From names them, kept in one
/// click (a contact with that address already is left as it is).
#[component]
pub fn AddSender(from: String, address: String) -> impl IntoView {
    let t = use_texts();
    let toaster = use_toaster();
    if address.is_empty() {
        return ().into_any();
    }
    let name = sender_name(&from, &address);
    let shown = if name.is_empty() {
        address.clone()
    } else {
        name.clone()
    };
    let label = t.add_to_contacts.replace("{name}", &shown);
    let add = move |_| {
        let (name, address, shown) = (name.clone(), address.clone(), shown.clone());
        leptos::task::spawn_local(async move {
            match add_sender(name, address).await {
                Ok(done) => {
                    let said = if done.new {
                        t.added_to_contacts
                    } else {
                        t.already_in_contacts
                    };
                    toaster.say(said.replace("{name}", &shown));
                }
                Err(e) => toaster.error(&e),
            }
        });
    };
    view! {
        <p class="add-sender">
            <button type="button" class="link" on:click=add>{label}</button>
            " · "
            <a href="/contacts">{t.contacts}</a>
        </p>
    }
    .into_any()
}

/// The remote content choice, one quiet bar while something is blocked:
/// load it this once, or always for this sender. Nothing when the message
/// has none, or once it is loaded.
#[component]
pub fn RemoteBar(
    outline: MessageOutline,
    remote: RwSignal<bool>,
    trust: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = use_texts();
    if outline.remote_content == 0 {
        return ().into_any();
    }
    if outline.trusted {
        return view! { <p class="muted remote-note">{t.images_trusted}</p> }.into_any();
    }
    let address = outline.from_address.clone();
    let blocked = t
        .remote_blocked
        .replace("{count}", &number(outline.remote_content.into()));
    view! {
        <Show when=move || !remote.get()>
            <p class="remote-note" role="note">
                <span>{blocked.clone()}</span>" "
                <button type="button" class="link" on:click=move |_| remote.set(true)>{t.load_images}</button>
                {(!address.is_empty()).then(|| {
                    let address = address.clone();
                    let label = t.always_load_from.replace("{address}", &address);
                    view! {
                        " · "
                        <button type="button" class="link" on:click=move |_| trust(address.clone())>{label}</button>
                    }
                })}
            </p>
        </Show>
    }
    .into_any()
}

/// A body cut short says so, with the way to the whole original.
#[component]
pub fn CutShort(folder: String, uid: u32) -> impl IntoView {
    let t = use_texts();
    view! {
        <p class="remote-note cut-short" role="note">
            {t.too_long}" "
            <a href=urls::source(&folder, uid) target="_blank" rel="noopener">{t.read_original}</a>
        </p>
    }
}

/// The attachments, a card each: its kind, name, size, a look at it when
/// the browser can show it safely, and the download.
#[component]
pub fn Attachments(attachments: Vec<AttachmentView>, folder: String, uid: u32) -> impl IntoView {
    let t = use_texts();
    if attachments.is_empty() {
        return ().into_any();
    }
    view! {
        <section class="attachments" aria-label=t.attachments>
            <h2 class="sr-only">{t.attachments}</h2>
            <ul>
                {attachments.into_iter().map(|a| {
                    let download = urls::part(&folder, uid, &a.section, false);
                    let image = a.content_type.starts_with("image/");
                    let look = a.previewable.then(|| urls::part(&folder, uid, &a.section, true));
                    let thumbnail = look.clone().filter(|_| image).map(|src| view! {
                        <img class="thumbnail" src=src alt="" loading="lazy" decoding="async"/>
                    });
                    let kind = if image { Glyph::Image } else { Glyph::File };
                    view! {
                        <li class="attachment" class:risky=a.risky>
                            {thumbnail.map_or_else(|| view! { <Icon glyph=kind/> }.into_any(), IntoAny::into_any)}
                            <div class="about">
                                <span class="name" title=a.name.clone()>{a.name.clone()}</span>
                                <span class="muted">{format!("{} · {}", human_size(a.size), a.content_type)}</span>
                                {a.risky.then(|| view! {
                                    <strong class="warning"><Icon glyph=Glyph::Warning/>" "{t.risky}</strong>
                                })}
                            </div>
                            <div class="links">
                                {look.map(|href| view! { <a href=href target="_blank" rel="noopener">{t.preview}</a> })}
                                <a class="button" href=download download=a.name.clone() rel="external">
                                    <Icon glyph=Glyph::Download/>" "{t.download}
                                </a>
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::{initials, sender_name};

    #[test]
    fn initials_of_names_and_addresses() {
        assert_eq!(initials("Bartholomew Featherstonehaugh"), "BF");
        assert_eq!(initials("Élodie Lefèvre"), "ÉL");
        assert_eq!(initials("Jean-Pierre de la Tour"), "JT");
        assert_eq!(initials("jane.doe@example.org"), "JD");
        assert_eq!(initials("postmaster@example.org"), "P");
        assert_eq!(initials("\"Quoted\""), "Q");
        assert_eq!(initials("…"), "?");
        assert_eq!(initials(""), "?");
    }

    #[test]
    fn the_senders_name_is_not_its_address() {
        assert_eq!(
            sender_name("Ann <ann@example.org>", "ann@example.org"),
            "Ann"
        );
        assert_eq!(sender_name("\"Ann B\"", "ann@example.org"), "Ann B");
        assert_eq!(sender_name("ann@example.org", "ann@example.org"), "");
        assert_eq!(sender_name("ANN@example.org", "ann@example.org"), "");
    }
}
