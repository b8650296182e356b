//! Who a request comes from: the peer address, or the client a trusted
//! reverse proxy names in `X-Forwarded-For`.

use std::net::IpAddr;
use std::str::FromStr;

/// An address or a network (`10.0.0.0/8`, `::1`) whose requests come from a
/// reverse proxy we trust to tell the client's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedNet {
    addr: IpAddr,
    prefix: u8,
}

impl TrustedNet {
    /// Exactly this address.
    pub fn host(ip: IpAddr) -> Self {
        let addr = canonical(ip);
        TrustedNet {
            addr,
            prefix: if addr.is_ipv4() { 32 } else { 128 },
        }
    }

    /// Whether `ip` is in this network (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

impl FromStr for TrustedNet {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s, None),
        };
        let addr = canonical(
            addr.parse::<IpAddr>()
                .map_err(|_| format!("{s:?} is not an IP address or network"))?,
        );
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?}: the prefix length must be 0 to {max}"))?,
        };
        Ok(TrustedNet { addr, prefix })
    }
}

/// The client's address: the peer, unless the peer is a trusted proxy; then
/// the right-most `X-Forwarded-For` entry that is not itself a trusted proxy
/// (entries further left were written by the client and prove nothing).
pub fn client_ip(peer: IpAddr, forwarded_for: &[&str], trusted: &[TrustedNet]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(peer) {
        return canonical(peer);
    }
    let mut client = canonical(peer);
    for entry in forwarded_for.iter().rev().flat_map(|v| v.rsplit(',')) {
        match entry.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = canonical(ip);
                if !is_trusted(client) {
                    break;
                }
            }
            // Garbage: stop at the last address a trusted hop vouched for.
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_parse_and_match() {
        let net: TrustedNet = "10.0.0.0/8".parse().unwrap();
        assert!(net.contains(ip("10.1.2.3")));
        assert!(!net.contains(ip("11.0.0.1")));
        assert!(net.contains(ip("::ffff:10.0.0.9")));
        let one: TrustedNet = "127.0.0.1".parse().unwrap();
        assert!(one.contains(ip("127.0.0.1")));
        assert!(!one.contains(ip("127.0.0.2")));
        let v6: TrustedNet = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")));
        assert!(!v6.contains(ip("fe80::1")));
        let all: TrustedNet = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("8.8.8.8")));
        for bad in ["", "10.0.0.0/33", "localhost", "1.2.3.4/x", "::/129"] {
            assert!(bad.parse::<TrustedNet>().is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let trusted: Vec<TrustedNet> =
            vec!["127.0.0.1".parse().unwrap(), "10.0.0.0/8".parse().unwrap()];
        // Not a proxy: the header is the client's own claim.
        assert_eq!(
            client_ip(ip("203.0.113.5"), &["1.1.1.1"], &trusted),
            ip("203.0.113.5")
        );
        // Through our proxy: the address it saw.
        assert_eq!(
            client_ip(ip("127.0.0.1"), &["198.51.100.7"], &trusted),
            ip("198.51.100.7")
        );
        // A spoofed left part is skipped: the right-most untrusted entry wins.
        assert_eq!(
            client_ip(
                ip("127.0.0.1"),
                &["6.6.6.6, 198.51.100.7, 10.0.0.2"],
                &trusted
            ),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_ip(ip("127.0.0.1"), &["6.6.6.6", "198.51.100.7"], &trusted),
            ip("198.51.100.7")
        );
        // No header, or garbage: the proxy itself.
        assert_eq!(client_ip(ip("127.0.0.1"), &[], &trusted), ip("127.0.0.1"));
        assert_eq!(
            client_ip(ip("127.0.0.1"), &["nonsense"], &trusted),
            ip("127.0.0.1")
        );
        // Nothing trusted (the default): always the peer.
        assert_eq!(
            client_ip(ip("127.0.0.1"), &["198.51.100.7"], &[]),
            ip("127.0.0.1")
        );
    }
}
