//! Which addresses no public endpoint has: loopback, private, link-local, shared,
//! unspecified, multicast, reserved and documentation ranges of both families, the
//! IANA special-purpose blocks that are not globally reachable, and every IPv6 form
//! that embeds an IPv4 address (mapped, compatible, translated, NAT64, 6to4, Teredo)
//! when the address it embeds is one of those; and how a URL that reaches one is
//! refused, by the guard and the resolver alike.
//!
//! IPv6 is judged by allocation: only 2000::/3 is global unicast, so anything outside
//! it is internal unless it is one of the embedding forms, judged by what it embeds.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why a URL cannot be a webhook's.
pub type Refusal = String;

/// Why a URL whose host is or resolves to an internal address is refused.
pub const INTERNAL: &str = "is or resolves to an internal address (loopback, private, link-local, reserved or \
     otherwise not public); FOLIO_WEBHOOK_ALLOW_PRIVATE=true allows it";

/// Whether `ip` is an address a webhook may not reach.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_internal(v4),
        IpAddr::V6(v6) => v6_internal(v6),
    }
}

/// Whether `ip` lies in `prefix`/`len`.
fn within_v4(ip: Ipv4Addr, prefix: [u8; 4], len: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(prefix)) & mask
}

fn within_v6(ip: Ipv6Addr, prefix: Ipv6Addr, len: u32) -> bool {
    let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
    u128::from(ip) & mask == u128::from(prefix) & mask
}

/// The IPv4 blocks no public endpoint is in (IANA IPv4 special-purpose registry, and
/// multicast and the reserved 240/4).
const V4_INTERNAL: [([u8; 4], u32); 17] = [
    ([0, 0, 0, 0], 8),       // "this network", unspecified
    ([10, 0, 0, 0], 8),      // private
    ([100, 64, 0, 0], 10),   // shared (carrier-grade NAT)
    ([127, 0, 0, 0], 8),     // loopback
    ([169, 254, 0, 0], 16),  // link-local (cloud metadata lives here)
    ([172, 16, 0, 0], 12),   // private
    ([192, 0, 0, 0], 24),    // IETF protocol assignments
    ([192, 0, 2, 0], 24),    // documentation (TEST-NET-1)
    ([192, 31, 196, 0], 24), // AS112
    ([192, 52, 193, 0], 24), // AMT
    ([192, 88, 99, 0], 24),  // deprecated 6to4 relay anycast
    ([192, 168, 0, 0], 16),  // private
    ([192, 175, 48, 0], 24), // direct delegation AS112
    ([198, 18, 0, 0], 15),   // benchmarking
    ([198, 51, 100, 0], 24), // documentation (TEST-NET-2)
    ([203, 0, 113, 0], 24),  // documentation (TEST-NET-3)
    ([224, 0, 0, 0], 3),     // multicast 224/4 and reserved 240/4, broadcast included
];

fn v4_internal(ip: Ipv4Addr) -> bool {
    V4_INTERNAL.iter().any(|(prefix, len)| within_v4(ip, *prefix, *len))
}

/// The blocks inside 2000::/3 that are not global unicast (those that embed an IPv4
/// address are judged by it instead, in [`embedded_v4`]).
const V6_INTERNAL: [(Ipv6Addr, u32); 3] = [
    // IETF protocol assignments: benchmarking, ORCHID, AMT, anycast services; none
    // is a webhook's address (Teredo, 2001::/32, is judged by what it embeds).
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23),
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20),     // documentation
];

fn v6_internal(ip: Ipv6Addr) -> bool {
    // NAT64 for local use: a translator of the operator's own network, whatever it embeds.
    if within_v6(ip, Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48) {
        return true;
    }
    if let Some(embedded) = embedded_v4(ip) {
        return embedded.iter().any(|v4| v4_internal(*v4));
    }
    let global_unicast = within_v6(ip, Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0), 3);
    !global_unicast || V6_INTERNAL.iter().any(|(prefix, len)| within_v6(ip, *prefix, *len))
}

/// The IPv4 addresses `ip` embeds, when it is one of the forms that carry one: a
/// send to it reaches (or is translated to) that IPv4 address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Vec<Ipv4Addr>> {
    let bits = u128::from(ip);
    let low = Ipv4Addr::from(u32::try_from(bits & 0xffff_ffff).unwrap_or(0));
    let [a, b, c, d, ..] = ip.segments();
    let forms: [(Ipv6Addr, u32); 4] = [
        (Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0), 96),    // IPv4-mapped
        (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 96),         // IPv4-compatible (:: and ::1 too)
        (Ipv6Addr::new(0, 0, 0, 0, 0xffff, 0, 0, 0), 96),    // IPv4-translated (SIIT)
        (Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96), // NAT64, well-known prefix
    ];
    if forms.iter().any(|(prefix, len)| within_v6(ip, *prefix, *len)) {
        return Some(vec![low]);
    }
    let [b0, b1] = b.to_be_bytes();
    let [c0, c1] = c.to_be_bytes();
    if a == 0x2002 {
        // 6to4: the IPv4 address follows the /16.
        return Some(vec![Ipv4Addr::new(b0, b1, c0, c1)]);
    }
    if a == 0x2001 && b == 0 {
        // Teredo: the server's address, then the client's, inverted.
        let [d0, d1] = d.to_be_bytes();
        let client = Ipv4Addr::from(!u32::from(low));
        return Some(vec![Ipv4Addr::new(c0, c1, d0, d1), client]);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or_else(|_| panic!("{text} is not an address"))
    }

    #[test]
    fn internal_addresses_of_both_families_are_refused() {
        let internal = [
            ("0.0.0.0", "unspecified"),
            ("0.1.2.3", "this network"),
            ("10.1.2.3", "private"),
            ("100.64.0.1", "shared"),
            ("100.127.255.254", "shared, last"),
            ("127.0.0.1", "loopback"),
            ("127.255.255.254", "loopback, last"),
            ("169.254.169.254", "link-local metadata"),
            ("172.16.0.1", "private"),
            ("172.31.255.255", "private, last"),
            ("192.0.0.8", "IETF protocol assignments"),
            ("192.0.2.1", "documentation"),
            ("192.88.99.1", "6to4 relay anycast"),
            ("192.168.1.1", "private"),
            ("198.18.0.1", "benchmarking"),
            ("198.19.255.255", "benchmarking, last"),
            ("198.51.100.7", "documentation"),
            ("203.0.113.9", "documentation"),
            ("224.0.0.1", "multicast"),
            ("239.255.255.250", "multicast"),
            ("240.0.0.1", "reserved"),
            ("255.255.255.255", "broadcast"),
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("::127.0.0.1", "IPv4-compatible loopback"),
            ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
            ("::ffff:10.0.0.1", "IPv4-mapped private"),
            ("::ffff:0:7f00:1", "IPv4-translated loopback"),
            ("::ffff:0:a9fe:a9fe", "IPv4-translated metadata"),
            ("64:ff9b::a9fe:a9fe", "NAT64 of the metadata address"),
            ("64:ff9b::7f00:1", "NAT64 of loopback"),
            ("64:ff9b:1::808:808", "NAT64 local use, whatever it embeds"),
            ("2002:a9fe:a9fe::", "6to4 of the metadata address"),
            ("2002:7f00:1::1", "6to4 of loopback"),
            ("2001:0:a9fe:a9fe::1", "Teredo with an internal server"),
            ("2001:0:808:808::80ff:fffe", "Teredo with an internal client (127.0.0.1 inverted)"),
            ("fe80::1", "link-local"),
            ("febf::1", "link-local, last"),
            ("fec0::1", "site-local"),
            ("fc00::1", "unique local"),
            ("fd12:3456::1", "unique local"),
            ("ff02::1", "multicast"),
            ("100::1", "discard-only"),
            ("2001:db8::1", "documentation"),
            ("3fff::1", "documentation"),
            ("3fff:fff::1", "documentation, last"),
            ("2001:2::1", "benchmarking"),
            ("2001:10::1", "ORCHID"),
            ("2001:20::1", "ORCHIDv2"),
            ("2001:1::1", "IETF anycast"),
            ("5f00::1", "SRv6 SIDs"),
            ("4000::1", "reserved, outside global unicast"),
            ("::1:2:3:4", "reserved ::/8"),
        ];
        for (address, what) in internal {
            assert!(is_internal(ip(address)), "{address} ({what}) must be refused");
        }
    }

    #[test]
    fn public_addresses_pass_also_when_embedded() {
        let public = [
            ("8.8.8.8", "public IPv4"),
            ("93.184.216.34", "public IPv4"),
            ("100.63.255.255", "just below shared"),
            ("100.128.0.0", "just above shared"),
            ("172.32.0.1", "just above private"),
            ("192.0.1.1", "just above protocol assignments"),
            ("198.20.0.1", "just above benchmarking"),
            ("223.255.255.255", "just below multicast"),
            ("1.1.1.1", "public IPv4"),
            ("2606:2800:220:1:248:1893:25c8:1946", "global unicast"),
            ("2a00:1450:4001:80b::200e", "global unicast"),
            ("::ffff:8.8.8.8", "IPv4-mapped public"),
            ("::8.8.8.8", "IPv4-compatible public"),
            ("::ffff:0:808:808", "IPv4-translated public"),
            ("64:ff9b::808:808", "NAT64 of a public address"),
            ("2002:808:808::1", "6to4 of a public address"),
            ("2001:0:808:808::f7f7:f7f7", "Teredo, public server and client (8.8.8.8 inverted)"),
            ("2001:200::1", "global unicast past the IETF block"),
            ("3fff:1000::1", "just past the documentation /20"),
        ];
        for (address, what) in public {
            assert!(!is_internal(ip(address)), "{address} ({what}) must pass");
        }
    }
}
