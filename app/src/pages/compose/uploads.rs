//! The form's attachments: each file streamed to `/upload` with its
//! progress, listed with its size, refused when it passes the limit.

use leptos::prelude::*;
use serde::Deserialize;

use crate::i18n::{human_size, use_texts};

/// An attachment of the form: uploading, uploaded (with the server's id) or refused.
#[derive(Debug, Clone, Copy)]
pub struct Attached {
    pub key: u32,
    pub name: StoredValue<String>,
    pub size: f64,
    /// 0.0 to 1.0.
    pub progress: RwSignal<f64>,
    pub id: RwSignal<Option<String>>,
    pub error: RwSignal<Option<String>>,
}

impl Attached {
    /// A file of the form, `done` (its upload's id) or about to be sent.
    pub fn new(key: u32, name: String, size: f64, id: Option<String>) -> Self {
        let done = id.is_some();
        Attached {
            key,
            name: StoredValue::new(name),
            size,
            progress: RwSignal::new(if done { 1.0 } else { 0.0 }),
            id: RwSignal::new(id),
            error: RwSignal::new(None),
        }
    }
}

/// What `POST /upload` answers.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct Uploaded {
    id: String,
}

/// Sends one file to `/upload`: `progress` from 0.0 to 1.0 as it goes, then
/// `done` with the upload's id, or why it was not taken.
#[cfg(feature = "hydrate")]
pub fn send_file(
    file: &leptos::web_sys::File,
    progress: impl Fn(f64) + 'static,
    done: impl FnOnce(Result<String, String>) + 'static,
) {
    use leptos::wasm_bindgen::closure::Closure;
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys::{ProgressEvent, XmlHttpRequest};

    let Ok(xhr) = XmlHttpRequest::new() else {
        return done(Err("This browser cannot upload files.".into()));
    };
    if xhr
        .open(
            "POST",
            &crate::urls::new_upload(&file.name(), &file.type_()),
        )
        .is_err()
    {
        return done(Err("The upload could not start.".into()));
    }
    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
        if e.length_computable() && e.total() > 0.0 {
            progress(e.loaded() / e.total());
        }
    });
    if let Ok(target) = xhr.upload() {
        target.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    let done = std::rc::Rc::new(std::cell::Cell::new(Some(done)));
    let finished = {
        let (xhr, done) = (xhr.clone(), done.clone());
        Closure::<dyn FnMut()>::new(move || {
            let text = xhr.response_text().ok().flatten().unwrap_or_default();
            let outcome = match xhr.status().unwrap_or(0) {
                201 => serde_json::from_str::<Uploaded>(&text)
                    .map(|u| u.id)
                    .map_err(|_| "The server's answer was not understood.".to_owned()),
                0 => Err("The server could not be reached.".to_owned()),
                _ => Err(text),
            };
            if let Some(done) = done.take() {
                done(outcome);
            }
        })
    };
    xhr.set_onloadend(Some(finished.as_ref().unchecked_ref()));
    if xhr.send_with_opt_blob(Some(file)).is_err() {
        if let Some(done) = done.take() {
            done(Err("The upload could not start.".into()));
        }
    }
    // The browser calls them later; they live as long as the page.
    progress.forget();
    finished.forget();
}

/// Sends an attachment of the form, its progress bar following.
#[cfg(feature = "hydrate")]
pub fn upload(file: leptos::web_sys::File, a: Attached) {
    send_file(
        &file,
        move |p| a.progress.set(p),
        move |outcome| match outcome {
            Ok(id) => {
                a.progress.set(1.0);
                a.id.set(Some(id));
            }
            Err(why) => a.error.set(Some(why)),
        },
    );
}

/// Drops an upload the form no longer holds, so the server can forget it.
pub fn forget(id: &str) {
    #[cfg(feature = "hydrate")]
    if let Ok(xhr) = leptos::web_sys::XmlHttpRequest::new() {
        if xhr.open("DELETE", &crate::urls::upload(id)).is_ok() {
            let _ = xhr.send();
        }
    }
    let _ = id;
}

/// The attachments with their progress, error and Remove.
#[component]
pub fn AttachmentList(
    files: RwSignal<Vec<Attached>>,
    remove: impl Fn(Attached) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = use_texts();
    view! {
        <ul class="uploads" aria-label=t.attachments>
            <For each=move || files.get() key=|a| a.key let:a>
                <li class="upload" class:failed=move || a.error.get().is_some()>
                    <span class="name">{a.name.get_value()}</span>
                    <span class="muted">{format!(" {}", human_size(a.size as u64))}</span>
                    <progress max="1" prop:value=move || a.progress.get()
                        aria-label=format!("{} {}", t.uploading, a.name.get_value())></progress>
                    {move || a.error.get().map(|e| view! { <span class="error" role="alert">{crate::i18n::translate(&e, t)}</span> })}
                    <button type="button" class="link" on:click=move |_| remove(a)>{t.remove}</button>
                </li>
            </For>
        </ul>
    }
}
