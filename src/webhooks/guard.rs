//! Where webhooks may send: http(s) only, and in production (unless
//! `FOLIO_WEBHOOK_ALLOW_PRIVATE=true`) never to an internal address
//! ([`super::addresses`]), so a webhook cannot reach folio's own network. Checked
//! when a URL is saved and again on every send: a host given by name is checked by
//! the resolver the sending client connects through ([`super::resolver`]), since DNS
//! can change in between.

use std::net::IpAddr;

use reqwest::Url;
use url::Host;

use super::addresses::{is_internal, Refusal, INTERNAL};
use super::resolver::Hosts;

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

/// The address `url` names, when its host is written as one.
fn literal(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        Host::Domain(_) => None,
    }
}

/// Refuses `url` when its host is written as an internal address (unless allowed): a
/// client connects to such an address without asking the resolver.
pub fn check_literal(hosts: &Hosts, url: &Url) -> Result<(), Refusal> {
    match literal(url) {
        Some(ip) if !hosts.allow_private && is_internal(ip) => Err(INTERNAL.into()),
        _ => Ok(()),
    }
}

/// Refuses `url` when its host is or resolves to an internal address (unless allowed),
/// or does not resolve within the deadline.
pub async fn check(hosts: &Hosts, url: &Url) -> Result<(), Refusal> {
    check_literal(hosts, url)?;
    match url.host() {
        Some(Host::Domain(name)) if !hosts.allow_private => hosts.checked(name).await.map(drop),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_with_a_host_are_accepted() {
        assert!(parse("https://hooks.example.com/folio").is_ok());
        for bad in ["ftp://example.com/", "file:///etc/passwd", "not a url", "https://user:pw@example.com/"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn addresses_written_in_a_url_are_read_as_a_client_reads_them() {
        for (url, ip) in [
            ("http://0x7f.1/", "127.0.0.1"),
            ("http://2130706433/", "127.0.0.1"),
            ("http://[::127.0.0.1]/", "::7f00:1"),
            ("http://[64:ff9b::169.254.169.254]/", "64:ff9b::a9fe:a9fe"),
        ] {
            let parsed = parse(url).ok().and_then(|u| literal(&u));
            assert_eq!(parsed, ip.parse().ok(), "{url}");
        }
    }
}
