//! The client's address behind reverse proxies. Only when the connection
//! comes from a proxy the configuration trusts (`server.trusted_proxies`) are
//! `Forwarded` (RFC 7239) or `X-Forwarded-For` read, and then the client is
//! the right-most address of the chain that is not itself a trusted proxy:
//! whatever a client writes to the left of it is its own claim.

use std::net::IpAddr;

use ipnet::IpNet;

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// CIDR ranges or single addresses (`10.0.0.0/8`, `127.0.0.1`, `::1`).
    pub fn parse(list: &[String]) -> Result<Self, String> {
        list.iter()
            .map(|entry| {
                let entry = entry.trim();
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("`{entry}` is not an address or a CIDR range"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    pub fn trusts(&self, addr: IpAddr) -> bool {
        let addr = canonical(addr);
        self.0.iter().any(|net| net.contains(&addr))
    }

    /// The client of a connection from `peer` carrying these headers (each
    /// header's lines in order).
    pub fn client(&self, peer: IpAddr, forwarded: &[&str], x_forwarded_for: &[&str]) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let chain: Vec<Option<IpAddr>> = if !forwarded.is_empty() {
            forwarded.iter().flat_map(|h| forwarded_for(h)).collect()
        } else {
            x_forwarded_for
                .iter()
                .flat_map(|h| h.split(','))
                .map(|a| parse_addr(a.trim()))
                .collect()
        };
        let mut nearest = peer;
        for hop in chain.into_iter().rev() {
            match hop {
                Some(addr) if self.trusts(addr) => nearest = addr,
                Some(addr) => return addr,
                // An address a proxy hid ("unknown", "_secret"): the nearest
                // address known is as close to the client as one can say.
                None => return nearest,
            }
        }
        nearest
    }
}

/// IPv4 written as IPv6 (`::ffff:10.0.0.1`) is the IPv4 address.
fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    }
}

/// The `for=` values of a `Forwarded` header, in order.
fn forwarded_for(header: &str) -> Vec<Option<IpAddr>> {
    header
        .split(',')
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| parse_addr(v.trim().trim_matches('"')))
            })
        })
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]`, `[2001:db8::1]:4711`, `2001:db8::1`.
fn parse_addr(s: &str) -> Option<IpAddr> {
    if let Ok(addr) = s.parse::<IpAddr>() {
        return Some(canonical(addr));
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok().map(canonical);
    }
    let (host, port) = s.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse().ok().map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap_or_default()
    }

    #[test]
    fn headers_count_only_from_trusted_proxies() {
        let none = proxies(&[]);
        assert_eq!(
            none.client(ip("10.0.0.9"), &[], &["1.2.3.4"]),
            ip("10.0.0.9")
        );
        let p = proxies(&["127.0.0.1", "10.0.0.0/8"]);
        // A stranger's own header is ignored.
        assert_eq!(
            p.client(ip("203.0.113.5"), &[], &["1.2.3.4"]),
            ip("203.0.113.5")
        );
        // Through the proxy: the address the proxy appended.
        assert_eq!(
            p.client(ip("127.0.0.1"), &[], &["198.51.100.7"]),
            ip("198.51.100.7")
        );
        // A client's forged entries stand left of the real one.
        assert_eq!(
            p.client(ip("127.0.0.1"), &[], &["6.6.6.6, 7.7.7.7", "198.51.100.7"]),
            ip("198.51.100.7")
        );
        // Two trusted proxies in a row.
        assert_eq!(
            p.client(ip("127.0.0.1"), &[], &["198.51.100.7, 10.1.2.3"]),
            ip("198.51.100.7")
        );
        // Only proxies: the farthest one.
        assert_eq!(
            p.client(ip("127.0.0.1"), &[], &["10.1.2.3"]),
            ip("10.1.2.3")
        );
        // No header: the proxy itself.
        assert_eq!(p.client(ip("127.0.0.1"), &[], &[]), ip("127.0.0.1"));
        // Hidden or junk entries do not let a client choose.
        assert_eq!(
            p.client(ip("127.0.0.1"), &[], &["6.6.6.6, unknown"]),
            ip("127.0.0.1")
        );
        assert_eq!(
            p.client(ip("::ffff:127.0.0.1"), &[], &["198.51.100.7"]),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn forwarded_is_read_as_rfc_7239_says() {
        let p = proxies(&["127.0.0.1/32"]);
        let h = r#"for=6.6.6.6;proto=https, For="[2001:db8:cafe::17]:4711";by=127.0.0.1"#;
        assert_eq!(
            p.client(ip("127.0.0.1"), &[h], &["9.9.9.9"]),
            ip("2001:db8:cafe::17")
        );
        assert_eq!(
            p.client(ip("127.0.0.1"), &["for=198.51.100.7:80"], &[]),
            ip("198.51.100.7")
        );
        assert_eq!(
            p.client(ip("127.0.0.1"), &["for=_hidden"], &[]),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn bad_entries_are_refused() {
        assert!(TrustedProxies::parse(&["10.0.0.0/33".into()]).is_err());
        assert!(TrustedProxies::parse(&["proxy.example".into()]).is_err());
        assert!(TrustedProxies::parse(&["::1".into(), "fd00::/8".into()]).is_ok());
    }
}
