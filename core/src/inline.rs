//! The images a message shows in its body (`cid:` parts), streamed to the
//! message frame rather than written into it.
//!
//! The frame is sandboxed with an opaque origin, so its image requests carry
//! no cookie. Each frame therefore gets a *grant*: a random token, kept in
//! this instance's memory for [`GRANT_LIFETIME`], naming the session it was
//! made for, one message, and the raster parts of it that the body refers
//! to. Nothing else can be loaded with it, and the session is checked again
//! at each load (a grant dies with its session). Grants are bounded per
//! session and in all, so reloading a frame for ever costs nothing.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use estafette_mail::attachments::Part;

use crate::reading::Download;
use crate::visitor::SignedIn;
use crate::{CoreError, Services};

/// How long a frame's images may be loaded after it was made.
pub const GRANT_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// The most grants one session holds (older ones are dropped first).
const PER_SESSION: usize = 16;
/// The most grants this instance holds.
const IN_ALL: usize = 5_000;
/// The most images one message shows, the largest, and all together: each
/// is read (and scanned) without a click, so a larger one stays an
/// attachment.
const IMAGES_PER_MESSAGE: usize = 50;
const MAX_IMAGE_BYTES: u64 = 10 << 20;
const MAX_IMAGES_BYTES: u64 = 25 << 20;

/// The raster types shown in a body; anything else stays an attachment.
fn raster(content_type: &str) -> bool {
    matches!(
        content_type,
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    )
}

struct Grant {
    /// The session's cookie, to resolve it again at each load (memory only).
    cookie: String,
    session_key: String,
    folder: String,
    uid: u32,
    /// Section and type of each image, by its index in the URL.
    images: Vec<(String, String)>,
    until: Instant,
}

/// Grants made by this instance, oldest first.
#[derive(Default)]
pub struct InlineGrants {
    grants: std::sync::Mutex<(HashMap<String, Grant>, VecDeque<String>)>,
}

/// What the frame may load: the grant's token and, for each `cid:` the body
/// may name, the index of its image.
#[derive(Debug, Default)]
pub struct FrameImages {
    pub token: String,
    pub by_cid: HashMap<String, usize>,
}

/// One image to send: its type and its decoded bytes as they come.
pub struct InlineImage {
    pub content_type: String,
    pub download: Download,
}

/// The parts a frame may show, each with the index of its URL, by
/// Content-ID: raster images within the limits, the first of each id.
type Shown = (Vec<(String, String)>, HashMap<String, usize>);

fn shown_images(parts: &[Part]) -> Shown {
    let mut images = Vec::new();
    let mut by_cid = HashMap::new();
    let mut budget = MAX_IMAGES_BYTES;
    for p in parts.iter().filter(|p| raster(&p.content_type)) {
        let Some(cid) = &p.content_id else { continue };
        if images.len() == IMAGES_PER_MESSAGE
            || by_cid.contains_key(cid)
            || p.size > MAX_IMAGE_BYTES.min(budget)
        {
            continue;
        }
        budget -= p.size;
        by_cid.insert(cid.clone(), images.len());
        images.push((p.section.clone(), p.content_type.clone()));
    }
    (images, by_cid)
}

impl InlineGrants {
    fn insert(&self, token: String, grant: Grant) {
        let Ok(mut guard) = self.grants.lock() else {
            return;
        };
        let (map, order) = &mut *guard;
        let now = Instant::now();
        while order
            .front()
            .is_some_and(|t| map.get(t).is_none_or(|g| g.until <= now))
        {
            if let Some(t) = order.pop_front() {
                map.remove(&t);
            }
        }
        let mine: Vec<String> = order
            .iter()
            .filter(|t| {
                map.get(*t)
                    .is_some_and(|g| g.session_key == grant.session_key)
            })
            .cloned()
            .collect();
        let surplus = (mine.len() + 1).saturating_sub(PER_SESSION);
        for t in mine.into_iter().take(surplus) {
            map.remove(&t);
        }
        order.retain(|t| map.contains_key(t));
        while order.len() >= IN_ALL {
            if let Some(t) = order.pop_front() {
                map.remove(&t);
            }
        }
        order.push_back(token.clone());
        map.insert(token, grant);
    }

    fn find(&self, token: &str, index: usize) -> Option<(String, String, u32, String, String)> {
        let guard = self.grants.lock().ok()?;
        let g = guard.0.get(token).filter(|g| g.until > Instant::now())?;
        let (section, content_type) = g.images.get(index)?.clone();
        Some((
            g.cookie.clone(),
            g.folder.clone(),
            g.uid,
            section,
            content_type,
        ))
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.grants.lock().map(|g| g.0.len()).unwrap_or_default()
    }
}

impl Services {
    /// A grant for the frame of message `uid`: the raster parts with a
    /// Content-ID (the ones a body can name), at most [`IMAGES_PER_MESSAGE`]
    /// of at most [`MAX_IMAGE_BYTES`] each and [`MAX_IMAGES_BYTES`] in all.
    /// Their bytes are not read here.
    pub fn frame_images(
        &self,
        who: &SignedIn,
        folder: &str,
        uid: u32,
        parts: &[Part],
    ) -> FrameImages {
        let (images, by_cid) = shown_images(parts);
        if images.is_empty() {
            return FrameImages::default();
        }
        let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
        self.inline.insert(
            token.clone(),
            Grant {
                cookie: who.0.token.encode(),
                session_key: who.0.key(),
                folder: folder.to_owned(),
                uid,
                images,
                until: Instant::now() + GRANT_LIFETIME,
            },
        );
        FrameImages { token, by_cid }
    }

    /// Image `index` of grant `token`, for a session still signed in; scanned
    /// first when scanning is on, since it is shown without a click.
    pub async fn inline_image(
        self: &Arc<Self>,
        token: &str,
        index: usize,
    ) -> Result<InlineImage, CoreError> {
        let (cookie, folder, uid, section, content_type) = self
            .inline
            .find(token, index)
            .ok_or_else(|| CoreError::NotFound("image".into()))?;
        let who = self.resolve(Some(&cookie)).await?.signed_in()?;
        self.scan_part(&who, &folder, uid, &section).await?;
        let download = self
            .download(&who, &folder, uid, |p| p.section == section)
            .await?;
        Ok(InlineImage {
            content_type,
            download,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(session: &str) -> Grant {
        Grant {
            cookie: String::new(),
            session_key: session.into(),
            folder: "INBOX".into(),
            uid: 1,
            images: vec![("2".into(), "image/png".into())],
            until: Instant::now() + GRANT_LIFETIME,
        }
    }

    #[test]
    fn a_frame_shows_its_images_within_the_limits() {
        let part = |section: &str, cid: Option<&str>, content_type: &str, size: u64| Part {
            section: section.into(),
            name: String::new(),
            content_type: content_type.into(),
            encoded_size: 0,
            size,
            encoding: estafette_mail::attachments::Encoding::Base64,
            content_id: cid.map(str::to_owned),
            inline: true,
            risky: false,
        };
        let mut parts = vec![
            part("2", Some("logo"), "image/png", 1_000),
            part("3", Some("logo"), "image/png", 1_000),
            part("4", Some("page"), "text/html", 1_000),
            part("5", None, "image/png", 1_000),
            part("6", Some("huge"), "image/jpeg", MAX_IMAGE_BYTES + 1),
        ];
        for n in 0..5 {
            parts.push(part(
                &format!("{}", 10 + n),
                Some(&format!("photo{n}")),
                "image/jpeg",
                8 << 20,
            ));
        }
        for n in 0..100 {
            parts.push(part(
                &format!("{}", 100 + n),
                Some(&format!("dot{n}")),
                "image/gif",
                10,
            ));
        }
        let (images, by_cid) = shown_images(&parts);
        assert_eq!(by_cid["logo"], 0);
        assert_eq!(images[0].0, "2", "the first of an id");
        assert!(!by_cid.contains_key("page") && !by_cid.contains_key("huge"));
        // 25 MB in all: three photos of 8 MB, not the others.
        assert_eq!(
            (0..5)
                .filter(|n| by_cid.contains_key(&format!("photo{n}")))
                .count(),
            3
        );
        assert_eq!(images.len(), IMAGES_PER_MESSAGE);
        assert!(images
            .iter()
            .all(|(s, _)| !["3", "4", "5", "6"].contains(&s.as_str())));
    }

    #[test]
    fn grants_are_bounded_per_session_and_name_only_their_images() {
        let grants = InlineGrants::default();
        for n in 0..PER_SESSION + 5 {
            grants.insert(format!("a{n}"), grant("alice"));
        }
        grants.insert("b".into(), grant("bob"));
        assert_eq!(grants.len(), PER_SESSION + 1);
        assert!(grants.find("a0", 0).is_none(), "the oldest went first");
        assert!(grants.find(&format!("a{}", PER_SESSION + 4), 0).is_some());
        assert!(grants.find("b", 0).is_some(), "another session's stay");
        assert!(grants.find("b", 1).is_none(), "no image beyond the grant's");
        assert!(grants.find("c", 0).is_none());
        let mut old = grant("carol");
        old.until = Instant::now();
        grants.insert("old".into(), old);
        assert!(
            grants.find("old", 0).is_none(),
            "an expired grant loads nothing"
        );
    }
}
