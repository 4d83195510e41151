//! Who is asking, as coarsely as abuse control allows: the client's *network*. In-process
//! budgets key it with a hash under a key that exists only in this process's memory; shared
//! budgets hand it to the desk, which keys it with the desk's own secret (`RateClient`).
//! Never stored as such, never logged.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::ConnectInfo;
use axum::http::{HeaderName, Request};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Finds the client's /24 (IPv4) or /64 (IPv6), the unit every budget counts, so one host
/// cannot dodge the limit by rotating addresses within its allocation.
#[derive(Clone)]
pub struct ClientNetwork {
    trusted_header: Option<HeaderName>,
    key: Arc<[u8; 32]>,
}

impl ClientNetwork {
    pub fn new(trusted_header: Option<HeaderName>, key: [u8; 32]) -> Self {
        ClientNetwork {
            trusted_header,
            key: Arc::new(key),
        }
    }

    fn client_ip<T>(&self, request: &Request<T>) -> Option<IpAddr> {
        if let Some(name) = &self.trusted_header
            && let Some(ip) = request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                // The proxy appends the address it saw last; earlier entries are client-supplied.
                .and_then(|v| {
                    v.rsplit(',')
                        .find_map(|part| part.trim().parse::<IpAddr>().ok())
                })
        {
            return Some(ip);
        }
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
    }
}

/// The network part of an address, as bytes.
pub fn network_of(ip: IpAddr) -> Vec<u8> {
    match ip {
        IpAddr::V4(v4) => v4.octets()[..3].to_vec(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.octets()[..3].to_vec(),
            None => v6.octets()[..8].to_vec(),
        },
    }
}

impl ClientNetwork {
    /// The network the request comes from (see `network_of`), or `None` when the server
    /// knows no address for it.
    pub fn network<T>(&self, request: &Request<T>) -> Option<Vec<u8>> {
        self.client_ip(request).map(network_of)
    }

    /// The in-process budgets' key for `network`: meaningless outside this run.
    pub fn local_key(&self, network: &[u8]) -> [u8; 16] {
        let mut key = [0u8; 16];
        // HMAC takes keys of any length; the error branch cannot be reached.
        if let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key[..]) {
            mac.update(network);
            key.copy_from_slice(&mac.finalize().into_bytes()[..16]);
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_in_one_network_share_a_key_and_others_do_not() {
        let extractor =
            ClientNetwork::new(Some(HeaderName::from_static("x-forwarded-for")), [1; 32]);
        let key = |header: &str| {
            let request = Request::builder()
                .header("x-forwarded-for", header)
                .body(())
                .unwrap();
            extractor.local_key(&extractor.network(&request).unwrap())
        };
        assert_eq!(key("203.0.113.5"), key("203.0.113.77"));
        assert_ne!(key("203.0.113.5"), key("203.0.114.5"));
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("spoofed, 198.51.100.1"), key("198.51.100.200"));
        assert_eq!(key("::ffff:203.0.113.5"), key("203.0.113.9"));
    }
}
