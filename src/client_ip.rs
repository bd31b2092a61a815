//! The address of the client a request comes from: the TCP peer, or — only when that peer is a
//! proxy listed in `TRUSTED_PROXIES` — the nearest address in `X-Forwarded-For` that is not one
//! of those proxies. Anyone can write `X-Forwarded-For`, so without trusted proxies it is ignored.

use std::future::{Ready, ready};
use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use ipnet::IpNet;

use crate::error::AppError;

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of addresses or networks (`10.0.0.0/8, 127.0.0.1`).
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| s.to_owned())
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address, given the TCP peer and the `X-Forwarded-For` headers in order.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        // Each proxy appends the address it received from: read from the right, skipping our
        // own proxies; the first other address is the client. Garbage stops the walk.
        let hops = forwarded_for
            .iter()
            .flat_map(|h| h.split(','))
            .map(str::trim)
            .rev();
        let mut client = peer;
        for hop in hops {
            match hop.parse::<IpAddr>() {
                Ok(ip) => {
                    client = ip;
                    if !self.trusts(ip) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        client
    }
}

/// The client's address, as [`TrustedProxies::client`] decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    pub fn of(req: &HttpRequest) -> Result<Self, AppError> {
        let peer = req
            .peer_addr()
            .map(|a| a.ip())
            .ok_or_else(|| anyhow::anyhow!("a request without a peer address"))?;
        let forwarded: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .collect();
        let ip = match req.app_data::<web::Data<TrustedProxies>>() {
            Some(trusted) => trusted.client(peer, &forwarded),
            None => peer,
        };
        Ok(Self(ip))
    }
}

impl FromRequest for ClientIp {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::of(req))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("203.0.113.9"), &["198.51.100.1"]),
            ip("203.0.113.9")
        );
        let trusted = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1").unwrap_or_default();
        assert_eq!(
            trusted.client(ip("203.0.113.9"), &["198.51.100.1"]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn the_client_is_the_nearest_untrusted_hop() {
        let trusted = TrustedProxies::parse("10.0.0.0/8,127.0.0.1").unwrap_or_default();
        // The client forged the first entry; our proxies added the rest.
        assert_eq!(
            trusted.client(ip("127.0.0.1"), &["1.2.3.4, 198.51.100.7", "10.1.2.3"]),
            ip("198.51.100.7")
        );
        assert_eq!(trusted.client(ip("127.0.0.1"), &[]), ip("127.0.0.1"));
        assert_eq!(
            trusted.client(ip("127.0.0.1"), &["not-an-ip, 10.0.0.1"]),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn a_bad_entry_is_named() {
        assert_eq!(
            TrustedProxies::parse("10.0.0.0/8, proxy.local").map(|_| ()),
            Err("proxy.local".to_owned())
        );
    }
}
