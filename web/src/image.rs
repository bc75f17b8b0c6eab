//! What an image is, read from its bytes (never from what the sender's
//! server says): the raster formats browsers show without running anything.

/// The type of an image in one of the formats shown, from its first bytes.
/// SVG (which can carry scripts and remote references) and everything else
/// is not an image here.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let at = |from: usize, magic: &[u8]| bytes.get(from..from + magic.len()) == Some(magic);
    if at(0, b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if at(0, b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        Some("image/gif")
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        Some("image/webp")
    } else if at(4, b"ftypavif") || at(4, b"ftypavis") {
        Some("image/avif")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raster_images_are_known_by_their_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"), Some("image/jpeg"));
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0"), Some("image/gif"));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"\0\0\0\x1cftypavif\0\0\0\0"), Some("image/avif"));
    }

    #[test]
    fn anything_else_is_not_an_image_whatever_it_claims() {
        for bytes in [
            &b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"[..],
            b"<html><script>alert(1)</script>",
            b"GIF8",
            b"RIFF\0\0\0\0WAVE",
            b"%PDF-1.7",
            b"",
            b"\xff\xd8",
        ] {
            assert_eq!(sniff(bytes), None);
        }
    }
}
