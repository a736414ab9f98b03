#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IP address as 128 bits. An IPv4 address is held in its IPv4-mapped IPv6 form
/// (`::ffff:a.b.c.d`), so one set of ranges covers both families and the mapped spelling of a
/// forbidden IPv4 address is forbidden too.
struct FetchAddress: Hashable, Sendable, CustomStringConvertible {
    let bits: UInt128

    private static let mappedPrefix: UInt128 = 0xFFFF << 32

    init(bits: UInt128) {
        self.bits = bits
    }

    init(ipv4: UInt32) {
        bits = Self.mappedPrefix | UInt128(ipv4)
    }

    /// Parses a numeric IPv4 or IPv6 address (`[…]` brackets allowed), as `inet_pton` does.
    init?(_ text: some StringProtocol) {
        var text = String(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        if inet_pton(AF_INET, text, &ipv4) == 1 {
            self.init(ipv4: UInt32(bigEndian: ipv4.s_addr))
        } else if inet_pton(AF_INET6, text, &ipv6) == 1 {
            self.init(bits: withUnsafeBytes(of: ipv6) { $0.reduce(UInt128(0)) { $0 << 8 | UInt128($1) } })
        } else {
            return nil
        }
    }

    /// The IPv4 address, when this is one (or its mapped form).
    var ipv4: UInt32? {
        bits >> 32 == Self.mappedPrefix >> 32 ? UInt32(truncatingIfNeeded: bits) : nil
    }

    /// `127.0.0.1:80`, `[::1]:80`: the address with a port, as Node's messages write it.
    func described(port: Int) -> String {
        ipv4 == nil ? "[\(self)]:\(port)" : "\(self):\(port)"
    }

    /// `127.0.0.1`, `::1`: the address as `connect` and AsyncHTTPClient take it (no brackets).
    var description: String {
        if let ipv4 {
            return [24, 16, 8, 0].map { String(ipv4 >> $0 & 0xFF) }.joined(separator: ".")
        }
        var bytes = (0..<16).map { UInt8(truncatingIfNeeded: bits >> (8 * (15 - $0))) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &bytes, &text, socklen_t(text.count)) != nil else { return "?" }
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

extension FetchPolicy {
    /// A range of IP addresses in CIDR notation (`10.0.0.0/8`, `fd00::/8`); a bare address is a
    /// range of one.
    public struct Network: Sendable, Hashable, CustomStringConvertible {
        /// The first address of the range: host bits are cleared.
        let address: FetchAddress
        /// Over 128 bits: an IPv4 range's prefix counts the 96 bits of the mapped form.
        let prefixLength: Int

        public init?(_ text: String) {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, let address = FetchAddress(parts[0]) else { return nil }
            let familyBits = address.ipv4 == nil ? 128 : 32
            var length = familyBits
            if parts.count == 2 {
                guard parts[1].allSatisfy(\.isASCII), let given = Int(parts[1]), (0...familyBits).contains(given) else {
                    return nil
                }
                length = given
            }
            prefixLength = length + (128 - familyBits)
            self.address = FetchAddress(bits: address.bits & Self.mask(prefixLength))
        }

        func contains(_ candidate: FetchAddress) -> Bool {
            candidate.bits & Self.mask(prefixLength) == address.bits
        }

        public var description: String {
            "\(address)/\(address.ipv4 == nil ? prefixLength : prefixLength - 96)"
        }

        private static func mask(_ length: Int) -> UInt128 {
            length == 0 ? 0 : UInt128.max << (128 - length)
        }
    }
}

/// The addresses plugins may not fetch unless the operator allows them (DESIGN.md, Safety):
/// IANA's special-purpose ranges that aren't globally reachable, plus cloud metadata services.
enum ForbiddenAddresses {
    /// The first matching range names the reason, so the specific ranges come first.
    private static let ipv4: [(FetchPolicy.Network, String)] = ranges([
        ("169.254.169.254/32", "cloud metadata"), ("0.0.0.0/8", "unspecified"), ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "shared (CGNAT)"), ("127.0.0.0/8", "loopback"), ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"), ("192.0.0.0/24", "reserved"), ("192.0.2.0/24", "reserved"),
        ("192.88.99.0/24", "reserved"), ("192.168.0.0/16", "private"), ("198.18.0.0/15", "reserved"),
        ("198.51.100.0/24", "reserved"), ("203.0.113.0/24", "reserved"), ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
    ])
    /// IPv6 ranges; the IPv4-mapped, NAT64 and 6to4 forms are judged by the IPv4 address they carry.
    private static let ipv6: [(FetchPolicy.Network, String)] = ranges([
        ("::/128", "unspecified"), ("::1/128", "loopback"), ("64:ff9b:1::/48", "reserved"), ("::/8", "reserved"),
        ("100::/64", "reserved"), ("2001::/23", "reserved"), ("2001:db8::/32", "reserved"), ("3fff::/20", "reserved"),
        ("5f00::/16", "reserved"), ("fd00:ec2::254/128", "cloud metadata"), ("fc00::/7", "private"),
        ("fe80::/10", "link-local"), ("fec0::/10", "private"), ("ff00::/8", "multicast"),
    ])
    private static let nat64 = FetchPolicy.Network("64:ff9b::/96")!
    private static let sixToFour = FetchPolicy.Network("2002::/16")!

    /// Host names refused whatever they resolve to: cloud metadata services.
    static let hostNames: Set<String> = ["metadata.google.internal"]

    /// Why `address` is forbidden (`loopback`, `private`, …), or `nil` when it is globally reachable.
    static func reason(for address: FetchAddress) -> String? {
        if let embedded = address.ipv4 ?? embeddedIPv4(address) {
            return ipv4.first { $0.0.contains(FetchAddress(ipv4: embedded)) }?.1
        }
        return ipv6.first { $0.0.contains(address) }?.1
    }

    private static func embeddedIPv4(_ address: FetchAddress) -> UInt32? {
        if nat64.contains(address) { return UInt32(truncatingIfNeeded: address.bits) }
        if sixToFour.contains(address) { return UInt32(truncatingIfNeeded: address.bits >> 80) }
        return nil
    }

    private static func ranges(_ entries: [(String, String)]) -> [(FetchPolicy.Network, String)] {
        entries.map { (FetchPolicy.Network($0.0)!, $0.1) }
    }
}
