//! Where webhooks may send: http(s) only, and in production (unless
//! `FOLIO_WEBHOOK_ALLOW_PRIVATE=true`) never to loopback, private, link-local or
//! otherwise internal addresses, so a webhook cannot reach folio's own network.
//! Checked when a URL is saved and again on every delivery, by the resolver the
//! sending client uses, since DNS can change in between.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

/// Why a URL cannot be a webhook's.
pub type Refusal = String;

/// Parses `text` as an absolute http(s) URL with a host.
pub fn parse(text: &str) -> Result<Url, Refusal> {
    let url = Url::parse(text).map_err(|e| format!("is not an absolute URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http or https URL".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials".into());
    }
    Ok(url)
}

fn v4_internal(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Carrier-grade NAT, 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // Benchmarking, 198.18.0.0/15; reserved 240.0.0.0/4.
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240
}

/// Loopback, private, link-local, unique-local and other addresses no public
/// endpoint has (IPv4-mapped IPv6 judged as the IPv4 address it carries).
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_internal(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4_internal(v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || v6 == Ipv6Addr::UNSPECIFIED
        }
    }
}

/// Resolves `url`'s host and refuses it when any address it has is internal.
pub async fn check_public(url: &Url) -> Result<(), Refusal> {
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| format!("its host cannot be resolved ({e})"))?
            .collect(),
    };
    if addresses.is_empty() {
        return Err("its host resolves to no address".into());
    }
    match addresses.iter().find(|a| is_internal(a.ip())) {
        Some(found) => Err(format!(
            "resolves to {}, a loopback, private or link-local address (FOLIO_WEBHOOK_ALLOW_PRIVATE=true allows it)",
            found.ip()
        )),
        None => Ok(()),
    }
}

/// The sending client's resolver in production: a name that resolves to any internal
/// address is not connected to at all.
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(found) = addresses.iter().find(|a| is_internal(a.ip())) {
                return Err(format!("{host} resolves to the internal address {}", found.ip()).into());
            }
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_known_and_public_ones_pass() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:10.0.0.1",
            "100.64.0.1",
        ] {
            assert!(is_internal(internal.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))), "{internal}");
        }
        for public in ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"] {
            assert!(!is_internal(public.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))), "{public}");
        }
    }

    #[test]
    fn only_http_urls_with_a_host_are_accepted() {
        assert!(parse("https://hooks.example.com/folio").is_ok());
        for bad in ["ftp://example.com/", "file:///etc/passwd", "not a url", "https://user:pw@example.com/"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
