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
    Check,
    Cross,
    Question,
    Back,
    File,
    Image,
    Download,
    Menu,
    Pencil,
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
            Glyph::Check => (&["M5 12.5 9.5 17 19 7.5"], false),
            Glyph::Cross => (&["M6 6l12 12", "M18 6 6 18"], false),
            Glyph::Question => (
                &[
                    "M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0Z",
                    "M9.6 9.4a2.5 2.5 0 1 1 3.4 2.3c-.6.3-1 .8-1 1.5v.4",
                    "M12 16.9v.1",
                ],
                false,
            ),
            Glyph::Back => (&["M15 5l-7 7 7 7"], false),
            Glyph::File => (
                &[
                    "M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8Z",
                    "M14 3v5h5",
                ],
                false,
            ),
            Glyph::Image => (
                &[
                    "M5 4h14a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1Z",
                    "M4 16l5-5 5 5 2-2 4 4",
                    "M15 9v.1",
                ],
                false,
            ),
            Glyph::Download => (&["M12 4v11", "M7 10l5 5 5-5", "M5 20h14"], false),
            Glyph::Menu => (&["M4 7h16", "M4 12h16", "M4 17h16"], false),
            Glyph::Pencil => (&["M4 20h4L19 9l-4-4L4 16Z", "M14 6l4 4"], false),
        }
    }
}

/// An icon. With a `label` it is an image of that name;
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
            {paths.iter().map(|d| view! { <path d=*d/> }).collect_view()}
        </svg>
    }
}
