//! Which client a request comes from, when reverse proxies stand in front: the
//! peer's address, or, when the peer is a trusted proxy, the right-most
//! `X-Forwarded-For` address that is not one (`FOLIO_TRUSTED_PROXIES`).
//!
//! A proxy appends the address it was connected from, so everything left of the
//! last trusted hop was written by the client and may be made up: it is never used.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;

/// An address (a block of one) or a CIDR block; host bits of a block are ignored.
fn block(text: &str) -> Option<IpNet> {
    text.parse::<IpNet>().ok().map(|net| net.trunc()).or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

/// The proxies whose `X-Forwarded-For` is believed; none by default.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses a comma-separated list of addresses and CIDR blocks; `Err` names the bad entry.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| block(entry).ok_or_else(|| entry.to_owned()))
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// Whether `address` is one of the proxies, whose forwarding headers are believed.
    pub fn trusts(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|block| block.contains(&address))
    }

    /// The client's address: `peer`'s, unless `peer` is trusted and `forwarded_for`
    /// (the `X-Forwarded-For` values, in order) names an untrusted hop before it.
    pub fn client<'a>(&self, peer: IpAddr, forwarded_for: impl Iterator<Item = &'a str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded_for.flat_map(|value| value.split(',')).map(str::trim).collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            // A hop that is no address was not written by a proxy we trust to write
            // addresses: stop at the last one that was.
            let Some(address) = parse_hop(hop) else { break };
            client = address;
            if !self.trusts(address) {
                break;
            }
        }
        client.to_canonical()
    }
}

/// An `X-Forwarded-For` entry: an address, perhaps with a port (`1.2.3.4:5`, `[::1]:5`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>().ok().or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn bad_entries_are_named() {
        for bad in ["nonsense", "10.0.0.0/33", "::/129", "10.0.0.1/", "10.0.0.1/x"] {
            assert_eq!(TrustedProxies::parse(&format!("127.0.0.1, {bad}")).err().as_deref(), Some(bad));
        }
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_hop() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, ::1").expect("valid");
        let client = |peer: &str, hops: &[&str]| proxies.client(ip(peer), hops.iter().copied());
        assert_eq!(client("192.0.2.9", &["203.0.113.7"]), ip("192.0.2.9"), "an untrusted peer is the client");
        assert_eq!(client("10.1.1.1", &["203.0.113.7"]), ip("203.0.113.7"));
        assert_eq!(client("10.1.1.1", &["192.0.2.1, 203.0.113.7, 10.2.2.2"]), ip("203.0.113.7"));
        assert_eq!(client("10.1.1.1", &["192.0.2.1", "203.0.113.7:443"]), ip("203.0.113.7"), "two headers");
        assert_eq!(client("::1", &["[2001:db8::1]:80"]), ip("2001:db8::1"));
        assert_eq!(client("10.1.1.1", &[]), ip("10.1.1.1"), "no header: the proxy itself");
        assert_eq!(client("10.1.1.1", &["203.0.113.7, garbage"]), ip("10.1.1.1"), "garbage is not believed");
        assert_eq!(client("10.1.1.1", &["10.3.3.3"]), ip("10.3.3.3"), "all trusted: the farthest hop");
    }
}
