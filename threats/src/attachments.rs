//! Attachments that can run code or fish for passwords when opened:
//! executables, scripts, shortcuts, macro documents, disk images, HTML
//! (a login form in a file), names that hide their real extension (a
//! double extension, right-to-left characters), and archives holding any
//! of these (see [`crate::archive`]).

use std::borrow::Cow;

use crate::archive;

/// An attachment as the message view knows it (BODYSTRUCTURE), with its
/// bytes when it is an archive no larger than [`archive::MAX_ARCHIVE_BYTES`]
/// (see [`wants_content`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentInput<'a> {
    pub name: String,
    pub content_type: String,
    /// Decoded size in bytes (an estimate is fine).
    pub size: u64,
    pub content: Option<Cow<'a, [u8]>>,
}

/// What is wrong with a file, as a machine word and in English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Risk {
    pub reason: &'static str,
    pub what: &'static str,
}

const fn risk(reason: &'static str, what: &'static str) -> Risk {
    Risk { reason, what }
}

const EXECUTABLE: Risk = risk("executable", "a program");
const SCRIPT: Risk = risk("script", "a script");
const SHORTCUT: Risk = risk("shortcut", "a shortcut that runs a program");
const MACRO: Risk = risk("macro", "a document with macros");
const DISK_IMAGE: Risk = risk("disk-image", "a disk image");
const HTML: Risk = risk("html", "a web page (it can imitate a sign-in form)");
const UNKNOWN_ARCHIVE: Risk = risk("unknown-archive", "an archive Estafette cannot look inside");

fn by_extension(ext: &str) -> Option<Risk> {
    Some(match ext {
        "exe" | "com" | "scr" | "pif" | "msi" | "msp" | "msix" | "msixbundle" | "appx"
        | "appxbundle" | "dll" | "cpl" | "ocx" | "sys" | "drv" | "jar" | "apk" | "xapk" | "app"
        | "pkg" | "deb" | "rpm" | "gadget" | "xll" | "elf" | "run" => EXECUTABLE,
        "bat" | "cmd" | "js" | "jse" | "vbs" | "vbe" | "wsf" | "wsh" | "wsc" | "ps1" | "psm1"
        | "psd1" | "ps1xml" | "hta" | "sh" | "bash" | "command" | "applescript" | "scpt"
        | "reg" | "inf" | "sct" | "msc" | "mshta" | "chm" => SCRIPT,
        "lnk" | "url" | "scf" | "website" | "desktop" | "library-ms" | "settingcontent-ms"
        | "appref-ms" | "application" => SHORTCUT,
        "docm" | "dotm" | "xlsm" | "xltm" | "xlam" | "xlsb" | "pptm" | "potm" | "ppam" | "ppsm"
        | "sldm" | "one" => MACRO,
        "iso" | "img" | "vhd" | "vhdx" | "dmg" | "udf" => DISK_IMAGE,
        "html" | "htm" | "xhtml" | "xht" | "shtml" | "mht" | "mhtml" | "svg" | "svgz" => HTML,
        "rar" | "7z" | "ace" | "arj" | "cab" | "lzh" | "lha" | "uue" | "xxe" | "r00" | "r01" => {
            UNKNOWN_ARCHIVE
        }
        _ => return None,
    })
}

fn by_content_type(ct: &str) -> Option<Risk> {
    let ct = ct.to_ascii_lowercase();
    let ct = ct.split(';').next().unwrap_or_default().trim();
    Some(match ct {
        "application/x-msdownload"
        | "application/x-msdos-program"
        | "application/x-dosexec"
        | "application/x-executable"
        | "application/x-ms-installer"
        | "application/x-msi"
        | "application/vnd.microsoft.portable-executable"
        | "application/java-archive"
        | "application/vnd.android.package-archive" => EXECUTABLE,
        "application/javascript"
        | "application/x-javascript"
        | "text/javascript"
        | "application/x-sh"
        | "application/x-shellscript"
        | "application/hta"
        | "text/vbscript"
        | "application/x-bat" => SCRIPT,
        "application/x-ms-shortcut" => SHORTCUT,
        "application/x-iso9660-image" | "application/x-apple-diskimage" => DISK_IMAGE,
        "text/html" | "application/xhtml+xml" | "image/svg+xml" | "multipart/related+html" => HTML,
        "application/x-rar-compressed"
        | "application/vnd.rar"
        | "application/x-7z-compressed"
        | "application/vnd.ms-cab-compressed" => UNKNOWN_ARCHIVE,
        _ if ct.contains("macroenabled") => MACRO,
        _ => return None,
    })
}

/// Extensions a double extension pretends to be.
const DOCUMENT_EXTENSIONS: &[&str] = &[
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "rtf", "txt", "csv", "jpg",
    "jpeg", "png", "gif", "bmp", "tif", "tiff", "heic", "mp3", "mp4", "mov", "avi", "wav", "zip",
    "eml", "msg", "html", "htm",
];

/// Right-to-left overrides, embeddings, isolates and marks: they make
/// `invoice_fdp.exe` read as `invoice_exe.pdf`.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
    )
}

/// What a file name shows: its last extensions, lowercased (Windows drops
/// trailing dots and spaces, so `a.exe. ` is `a.exe`).
fn extensions(name: &str) -> (String, Option<String>) {
    let name = name.trim_end_matches(['.', ' ', '\t', '\0']);
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let mut parts = base.rsplit('.');
    let last = parts.next().unwrap_or_default();
    if !base.contains('.') {
        return (String::new(), None);
    }
    let before = parts.next().filter(|_| base.matches('.').count() >= 2);
    (
        last.trim().to_ascii_lowercase(),
        before.map(|b| b.trim().to_ascii_lowercase()),
    )
}

/// Whether a name is that of a zip archive (looked inside).
pub fn is_zip(name: &str, content_type: &str) -> bool {
    let (ext, _) = extensions(name);
    let ct = content_type.to_ascii_lowercase();
    ext == "zip" || ct.contains("/zip") || ct.contains("x-zip")
}

/// Whether a single-file compressed name (`x.exe.gz`) hides a risky file.
fn compressed_inner(name: &str) -> Option<&str> {
    let lower = name.to_ascii_lowercase();
    [".gz", ".bz2", ".xz", ".z", ".zst", ".lz"]
        .iter()
        .find(|s| lower.ends_with(*s))
        .map(|s| &name[..name.len() - s.len()])
}

/// The risk of a file by its name and type alone, with the double
/// extension or bidi characters that made it worse.
pub fn name_risk(name: &str, content_type: &str) -> Option<(Risk, Option<&'static str>)> {
    let trick = if name.chars().any(is_bidi_control) {
        Some("bidi-control")
    } else {
        None
    };
    let visible: String = name.chars().filter(|c| !is_bidi_control(*c)).collect();
    let (ext, before) = extensions(&visible);
    let found = by_extension(&ext)
        .or_else(|| by_content_type(content_type))
        .or_else(|| {
            compressed_inner(&visible)
                .and_then(|inner| name_risk(inner, "application/octet-stream"))
                .map(|(r, _)| r)
        });
    match found {
        Some(r) => {
            let double = before
                .filter(|b| DOCUMENT_EXTENSIONS.contains(&b.as_str()) && *b != ext)
                .map(|_| "double-extension");
            Some((r, trick.or(double)))
        }
        // Bidi characters in a name are a trick whatever the extension.
        None if trick.is_some() => Some((
            risk("bidi-control", "a file whose name hides its real type"),
            trick,
        )),
        None => None,
    }
}

/// Whether the message view should fetch this attachment's bytes for the
/// analysis: a zip no larger than the cap.
pub fn wants_content(name: &str, content_type: &str, size: u64) -> bool {
    is_zip(name, content_type) && size <= archive::MAX_ARCHIVE_BYTES
}

/// What was found in one attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub reason: &'static str,
    pub detail: String,
    /// The entry of an archive concerned, if any.
    pub entry: Option<String>,
}

/// Checks one attachment; `None` when nothing is wrong with it.
pub fn assess(a: &AttachmentInput<'_>, budget: &mut archive::Budget) -> Option<Finding> {
    let shown = crate::report::printable(&a.name);
    if let Some((risk, trick)) = name_risk(&a.name, &a.content_type) {
        let detail = match trick {
            Some("double-extension") => format!(
                "“{shown}” is {} disguised as a document by a double extension",
                risk.what
            ),
            Some(_) => format!(
                "“{shown}” is {}, and its name uses right-to-left characters to hide its real extension",
                risk.what
            ),
            None => format!("“{shown}” is {}", risk.what),
        };
        return Some(Finding {
            reason: trick.unwrap_or(risk.reason),
            detail,
            entry: None,
        });
    }
    if !is_zip(&a.name, &a.content_type) {
        return None;
    }
    let outcome = match &a.content {
        Some(bytes) => archive::inspect(bytes, budget),
        None => archive::Outcome::TooLarge,
    };
    archive::finding(&shown, outcome, a.size)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(name: &str, ct: &str) -> Option<&'static str> {
        let a = AttachmentInput {
            name: name.into(),
            content_type: ct.into(),
            size: 10,
            content: None,
        };
        assess(&a, &mut archive::Budget::default()).map(|f| f.reason)
    }

    #[test]
    fn risky_files_are_named() {
        let cases = [
            ("setup.exe", "application/octet-stream", "executable"),
            ("SETUP.EXE", "application/octet-stream", "executable"),
            ("run.exe. ", "application/octet-stream", "executable"),
            ("invoice.pdf.exe", "application/pdf", "double-extension"),
            (
                "invoice.pdf      .scr",
                "application/pdf",
                "double-extension",
            ),
            ("photo.jpg.js", "image/jpeg", "double-extension"),
            ("update.vbs", "text/plain", "script"),
            ("notes.ps1", "text/plain", "script"),
            ("report.docm", "application/octet-stream", "macro"),
            (
                "report.bin2",
                "application/vnd.ms-excel.sheet.macroEnabled.12",
                "macro",
            ),
            ("disk.iso", "application/octet-stream", "disk-image"),
            ("Disk.IMG", "application/octet-stream", "disk-image"),
            ("secure-message.html", "text/html", "html"),
            ("login.htm", "application/octet-stream", "html"),
            ("scan.pdf", "text/html", "html"),
            ("part-3", "application/x-msdownload", "executable"),
            (
                "invoice\u{202e}fdp.exe",
                "application/octet-stream",
                "bidi-control",
            ),
            ("invoice\u{202e}gpj.txt", "text/plain", "bidi-control"),
            ("shortcut.lnk", "application/octet-stream", "shortcut"),
            ("archive.rar", "application/octet-stream", "unknown-archive"),
            ("payload.exe.gz", "application/gzip", "executable"),
            ("archive.zip", "application/zip", "archive-too-large"),
        ];
        for (name, ct, expected) in cases {
            assert_eq!(reason(name, ct), Some(expected), "{name:?}");
        }
    }

    #[test]
    fn ordinary_files_pass() {
        for (name, ct) in [
            ("report.pdf", "application/pdf"),
            ("photo.jpeg", "image/jpeg"),
            (
                "budget.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            ("letter.docx", "application/octet-stream"),
            ("notes.txt", "text/plain"),
            ("v1.2.pdf", "application/pdf"),
            ("logs.tar.gz", "application/gzip"),
            ("data.csv.gz", "application/gzip"),
            ("invite.ics", "text/calendar"),
            ("part-2", "application/octet-stream"),
            ("message.eml", "message/rfc822"),
            ("noext", "application/octet-stream"),
        ] {
            assert_eq!(reason(name, ct), None, "{name}");
        }
    }
}
