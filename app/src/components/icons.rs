//! The interface's icons: inline SVG drawn with the text's colour, so they
//! never depend on the fonts of the reader's system.

use leptos::prelude::*;

/// One icon of the set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Glyph {
    Attachment,
    Star,
    Warning,
    Reply,
}

impl Glyph {
    /// Its drawing on a 24×24 grid: stroked paths, and whether it is filled.
    fn drawing(self) -> (&'static [&'static str], bool) {
        match self {
            Glyph::Attachment => (
                &["M16 7 8.5 14.5a2.1 2.1 0 0 0 3 3l7.6-7.6a4.2 4.2 0 0 0-6-6L5.5 11.5a6.3 6.3 0 0 0 9 9L20 15"],
                false,
            ),
            Glyph::Star => (
                &["M12 3.2 14.7 8.7 20.8 9.6 16.4 13.9 17.4 20 12 17.1 6.6 20 7.6 13.9 3.2 9.6 9.3 8.7Z"],
                true,
            ),
            Glyph::Warning => (&["M12 3.5 22 20.5H2Z", "M12 9.5v5", "M12 17.6v.1"], false),
            Glyph::Reply => (&["M6 4v7a4 4 0 0 0 4 4h9", "M15 11l4 4-4 4"], false),
        }
    }
}

/// An icon. With a `label` it is an image of that name (and its tooltip);
/// without one it is decoration that assistive technology skips.
#[component]
pub fn Icon(glyph: Glyph, #[prop(optional)] label: Option<&'static str>) -> impl IntoView {
    let (paths, filled) = glyph.drawing();
    let fill = if filled { "currentColor" } else { "none" };
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="16" height="16" fill=fill stroke="currentColor"
            stroke-width="2" stroke-linecap="round" stroke-linejoin="round"
            role=label.map(|_| "img") aria-label=label aria-hidden=label.is_none().then_some("true")
            focusable="false"
        >
            {label.map(|l| view! { <title>{l}</title> })}
            {paths.iter().map(|d| view! { <path d=*d/> }).collect_view()}
        </svg>
    }
}
