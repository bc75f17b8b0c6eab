//! The session cookie, built in one place: HttpOnly, SameSite=Lax, and over
//! TLS `Secure` with the `__Host-` prefix (no Domain, Path=/).

pub fn name(tls: bool) -> &'static str {
    if tls {
        "__Host-estafette"
    } else {
        "estafette"
    }
}

/// `Set-Cookie` value carrying `value` (a session token).
pub fn set(value: &str, tls: bool) -> String {
    let secure = if tls { "; Secure" } else { "" };
    format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax{secure}",
        name(tls)
    )
}

/// `Set-Cookie` value that removes the cookie.
pub fn clear(tls: bool) -> String {
    let secure = if tls { "; Secure" } else { "" };
    format!(
        "{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}",
        name(tls)
    )
}

/// `Set-Cookie` value of a device cookie (see `estafette_auth::device`):
/// kept a year, sent back to Estafette only.
pub fn set_device(name: &str, value: &str, tls: bool) -> String {
    let (prefix, secure) = if tls {
        ("__Host-", "; Secure")
    } else {
        ("", "")
    };
    format!("{prefix}{name}={value}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Strict{secure}")
}

/// Whether a request cookie of this name is a device cookie.
pub fn is_device(name: &str) -> bool {
    estafette_auth::device::is_device_cookie(name)
}

/// The session cookie's value in a `Cookie` request header.
pub fn find(header: &str, tls: bool) -> Option<&str> {
    let wanted = name(tls);
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == wanted).then_some(v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_http_only_and_host_bound_over_tls() {
        assert_eq!(
            set("abc", false),
            "estafette=abc; Path=/; HttpOnly; SameSite=Lax"
        );
        let tls = set("abc", true);
        assert!(
            tls.starts_with("__Host-estafette=abc;") && tls.ends_with("; Secure"),
            "{tls}"
        );
        assert!(clear(false).contains("Max-Age=0"));
        assert_eq!(find("a=1; estafette=tok; b=2", false), Some("tok"));
        assert_eq!(find("xestafette=tok", false), None);
        assert_eq!(find("estafette=tok", true), None);
    }
}
