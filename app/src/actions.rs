//! The action runner: what the toolbar, the keys and a drop do to chosen
//! messages (mark, label, archive, move…), folder by folder, and the toast
//! that says what was done, with Undo when it can be undone. The list and
//! the message view both act through it.

use estafette_wire::{Destination, Mark};
use leptos::prelude::*;

use crate::api::labels::set_label;
use crate::api::mail::{mark, move_messages, send_to, FolderView, MessageRow, Moved};
use crate::components::labels::name as label_name;
use crate::components::Toaster;
use crate::error::AppError;
use crate::i18n::{use_texts, Texts};

/// A message named by its folder and UID.
pub type Key = (String, u32);

/// Messages chosen for an action, grouped by folder as `(folder, "uid,uid")`.
fn by_folder(keys: &[Key]) -> Vec<(String, String)> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (folder, uid) in keys {
        match groups.iter_mut().find(|(f, _)| f == folder) {
            Some((_, uids)) => uids.push(uid.to_string()),
            None => groups.push((folder.clone(), vec![uid.to_string()])),
        }
    }
    groups
        .into_iter()
        .map(|(f, uids)| (f, uids.join(",")))
        .collect()
}

/// An action of the toolbar or the keyboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    Mark(Mark, bool),
    /// Adds (`true`) or removes a label.
    Label(String, bool),
    SendTo(Destination),
    Move(String),
}

impl Act {
    /// Whether the messages leave the folder.
    pub fn leaves(&self) -> bool {
        matches!(self, Act::SendTo(_) | Act::Move(_))
    }
}

/// Whether every message of `keys` has `label`, as `rows` show them.
pub fn all_have(rows: &[MessageRow], keys: &[Key], label: &str) -> bool {
    keys.iter().all(|(folder, uid)| {
        rows.iter().any(|m| {
            &m.folder == folder
                && m.uid == *uid
                && m.labels.iter().any(|l| l.eq_ignore_ascii_case(label))
        })
    })
}

/// What an action did: its text, and how to undo it (moves whose new UIDs
/// are known: `(where they are, their UIDs, where they were)`).
pub struct Done {
    pub text: String,
    pub undo: Option<Vec<(String, String, String)>>,
}

/// Runs `act` on `keys`, folder by folder.
pub async fn run(act: Act, keys: Vec<Key>, t: &'static Texts) -> Result<Done, AppError> {
    let mut text = String::new();
    let mut labelled = None;
    let mut undo = Some(Vec::new());
    let mut moved = |from: String, to: Option<Moved>| match to {
        Some(Moved { folder, uids }) => {
            text = t.moved_to.replace("{folder}", &folder);
            match (undo.as_mut(), uids) {
                (Some(list), Some(uids)) => list.push((folder, uids, from)),
                _ => undo = None,
            }
        }
        None => {
            text = t.deleted.to_owned();
            undo = None;
        }
    };
    for (folder, uids) in by_folder(&keys) {
        match &act {
            Act::Mark(which, on) => mark(folder, uids, *which, *on).await?,
            Act::Label(label, on) => {
                set_label(folder, uids, label.clone(), *on).await?;
                let said = if *on { t.label_added } else { t.label_removed };
                labelled = Some(said.replace("{label}", &label_name(label, t)));
            }
            Act::SendTo(to) => {
                let went = send_to(folder.clone(), uids, *to).await?;
                moved(folder, went);
            }
            Act::Move(target) => {
                let went = move_messages(folder.clone(), uids, target.clone()).await?;
                moved(folder, Some(went));
            }
        }
    }
    let undo = undo.filter(|u| !u.is_empty());
    let text = labelled.unwrap_or(text);
    Ok(Done { text, undo })
}

/// Shows what an action did as a toast (with Undo when it can be undone);
/// `changed` runs after the action and after its undoing. Both are taken
/// when the page is made: the page may be gone when the action ends.
pub fn report(
    result: Result<Done, AppError>,
    toaster: Toaster,
    changed: impl Fn() + Copy + Send + Sync + 'static,
) {
    match result {
        Ok(Done { text, .. }) if text.is_empty() => {}
        Ok(Done {
            text,
            undo: Some(moves),
        }) => toaster.undoable(text, move || {
            let moves = moves.clone();
            leptos::task::spawn_local(async move {
                for (from, uids, to) in moves {
                    if let Err(e) = move_messages(from, uids, to).await {
                        toaster.error(&e);
                    }
                }
                changed();
            });
        }),
        Ok(Done { text, undo: None }) => toaster.say(text),
        Err(e) => toaster.error(&e),
    }
    changed();
}

/// "Move to…": the folders to choose from; choosing one runs the move.
#[component]
pub fn MoveSelect(
    label: &'static str,
    folder_list: Resource<Result<Vec<FolderView>, AppError>>,
    act: impl Fn(Act) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = use_texts();
    view! {
        <select
            aria-label=label
            prop:value=""
            on:change=move |e| {
                let target = event_target_value(&e);
                if !target.is_empty() {
                    act(Act::Move(target));
                }
            }
        >
            <option value="">{t.move_to}</option>
            <Transition fallback=|| ()>
                {move || folder_list.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|f| view! {
                    <option value=f.name.clone()>{f.name.clone()}</option>
                }).collect_view()}
            </Transition>
        </select>
    }
}
