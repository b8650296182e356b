//! Who sent a request (`domain::client` does the rules; this reads the request).

use actix_web::HttpRequest;

use crate::domain::client::{client_ip, TrustedNet};

/// The client's address: the peer, or, behind a trusted proxy
/// (`KHABAR_TRUSTED_PROXIES`), the right-most `X-Forwarded-For` address
/// that is not a trusted proxy. `also_trust_peer` trusts the peer as one
/// more proxy (comments' older `KHABAR_COMMENT_TRUST_FORWARDED`).
pub fn client_address(
    req: &HttpRequest,
    trusted: &[TrustedNet],
    also_trust_peer: bool,
) -> std::net::IpAddr {
    let peer = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    if also_trust_peer {
        let mut with_peer = trusted.to_vec();
        with_peer.push(TrustedNet::host(peer));
        client_ip(peer, &forwarded, &with_peer)
    } else {
        client_ip(peer, &forwarded, trusted)
    }
}
