import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where plugins' `fetch` may go. By default only to globally reachable addresses: loopback,
/// private, link-local, shared (CGNAT), multicast, reserved and cloud metadata addresses are
/// refused (DESIGN.md, Safety) unless the operator allows them here.
public struct FetchPolicy: Sendable, Equatable {
    /// The server's setting for the allowed hosts and networks.
    public static let environmentVariable = "QUILL_FETCH_ALLOW"

    /// Host names plugins may fetch whatever they resolve to (lowercase, no trailing dot).
    public var allowedHosts: Set<String>
    /// Address ranges plugins may reach although they are forbidden by default.
    public var allowedNetworks: [Network]
    /// `QUILL_FETCH_MAX_RESPONSE_BYTES`: the largest response body, after decompression; a bigger one
    /// fails the fetch as soon as it passes the bound. Default 10 MiB.
    public var maximumResponseSize: Int
    /// `QUILL_FETCH_MAX_REQUEST_BYTES`: the largest request body a plugin may send. Default 10 MiB.
    public var maximumRequestSize: Int
    /// The Quill server's own host and port, for `posthog.api`: reachable whatever it resolves to,
    /// but only under `/api/`, since its other paths (`/metrics`, `/_ready`, the web UI) are the operator's.
    private var ownServer: HostAndPort?

    private struct HostAndPort: Sendable, Equatable {
        var host: String
        var port: Int
    }

    public init(
        allowedHosts: Set<String> = [], allowedNetworks: [Network] = [], maximumResponseSize: Int = 10 << 20,
        maximumRequestSize: Int = 10 << 20
    ) {
        self.allowedHosts = Set(allowedHosts.map(Self.normalized))
        self.allowedNetworks = allowedNetworks
        self.maximumResponseSize = maximumResponseSize
        self.maximumRequestSize = maximumRequestSize
    }

    /// Reads `QUILL_FETCH_ALLOW`'s value: a comma-separated list of host names, IP addresses and
    /// CIDR networks, e.g. `127.0.0.1,10.0.0.0/8,api.internal`.
    ///
    /// - Throws: ``FetchPolicyError`` naming the first entry that is none of these.
    public init(environmentValue: String) throws(FetchPolicyError) {
        var hosts: Set<String> = []
        var networks: [Network] = []
        for entry in environmentValue.split(separator: ",") {
            let text = entry.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            if let network = Network(text) {
                networks.append(network)
            } else if !text.contains("/"), !text.contains(":"), text.allSatisfy(Self.isHostNameCharacter) {
                hosts.insert(Self.normalized(text))
            } else {
                throw FetchPolicyError(
                    description: "\(Self.environmentVariable): '\(text)' is not a host name, an IP address or a CIDR network")
            }
        }
        self.init(allowedHosts: hosts, allowedNetworks: networks)
    }

    /// This policy, also allowing the Quill server at `url` (its host and port), under `/api/` only.
    func allowingOwnServer(at url: URL) -> FetchPolicy {
        guard let host = url.host else { return self }
        var policy = self
        policy.ownServer = HostAndPort(host: Self.normalized(host), port: url.port ?? (url.scheme == "https" ? 443 : 80))
        return policy
    }

    /// Resolves `host` and checks every address it has (each must be allowed), off the script thread.
    ///
    /// - Parameter path: The request's path as sent (percent-encoded): the Quill server itself is
    ///   reachable only under `/api/`, even at an address the operator allows.
    /// - Returns: The addresses to connect to, in resolver order, so the connection goes where the check looked.
    /// - Throws: ``FetchFailure`` for a refused address or a name that doesn't resolve.
    func checkedAddresses(of host: String, port: Int, path: String, url: String) async throws -> [FetchAddress] {
        let name = Self.normalized(host)
        let namesOwnServer = ownServer == HostAndPort(host: name, port: port)
        let hostAllowed = allowedHosts.contains(name) || namesOwnServer
        if ForbiddenAddresses.hostNames.contains(name), !hostAllowed {
            throw refusal(url: url, what: "host \(name) (cloud metadata)")
        }
        let addresses: [FetchAddress]
        if let literal = FetchAddress(host) {
            addresses = [literal]
        } else {
            addresses = try await HostResolver.addresses(of: host, url: url)
        }
        if namesOwnServer || addresses.contains(where: { isOwnServer($0, port: port) }), !Self.isUnderAPI(path) {
            throw FetchFailure.system(
                url: url, reason: "this Quill server answers plugins only under /api/ (posthog.api)", code: "ERR_ADDRESS_NOT_ALLOWED")
        }
        if !hostAllowed {
            for address in addresses {
                guard let reason = ForbiddenAddresses.reason(for: address),
                    !allowedNetworks.contains(where: { $0.contains(address) })
                else { continue }
                let via = FetchAddress(host) == nil ? "host \(name) resolves to " : ""
                throw refusal(url: url, what: "\(via)address \(address):\(port) (\(reason))")
            }
        }
        return addresses
    }

    /// Whether `address` and `port` reach the Quill server: its own address, or any loopback
    /// address when it listens on loopback (or on every interface, which it is reached by).
    private func isOwnServer(_ address: FetchAddress, port: Int) -> Bool {
        guard let ownServer, port == ownServer.port, let ownAddress = FetchAddress(ownServer.host) else { return false }
        let loopback = { (address: FetchAddress) in ForbiddenAddresses.reason(for: address) == "loopback" }
        return address == ownAddress || (loopback(ownAddress) && loopback(address))
    }

    /// Whether a path as sent stays under `/api/`: no `.` or `..` segment, plain or percent-encoded,
    /// and no encoded slash that a server might read as one.
    static func isUnderAPI(_ path: String) -> Bool {
        guard path.hasPrefix("/api/") else { return false }
        return !path.split(separator: "/").contains { segment in
            let decoded = segment.removingPercentEncoding ?? String(segment)
            return decoded == "." || decoded == ".." || decoded.contains("/") || decoded.contains("\\")
        }
    }

    private func refusal(url: String, what: String) -> FetchFailure {
        .system(
            url: url,
            reason: "\(what) is not allowed for plugins; the operator can allow it with \(Self.environmentVariable)",
            code: "ERR_ADDRESS_NOT_ALLOWED")
    }

    private static func normalized(_ host: String) -> String {
        var name = host.lowercased()
        while name.hasSuffix(".") { name.removeLast() }
        return name
    }

    private static func isHostNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "-._".contains(character))
    }
}

/// A `QUILL_FETCH_ALLOW` value that can't be read.
public struct FetchPolicyError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Name resolution with `getaddrinfo`, which blocks: it runs on a Dispatch thread, never on a
/// script thread or Swift's cooperative pool, and a cancelled caller stops waiting for it at once.
enum HostResolver {
    private enum State {
        case waiting(CheckedContinuation<[FetchAddress], any Error>?)
        case finished
    }

    static func addresses(of host: String, url: String) async throws -> [FetchAddress] {
        let state = Mutex(State.waiting(nil))
        let finish: @Sendable (Result<[FetchAddress], any Error>) -> Void = { result in
            let waiter: CheckedContinuation<[FetchAddress], any Error>?? = state.withLock { state in
                guard case .waiting(let waiter) = state else { return nil }
                state = .finished
                return .some(waiter)
            }
            waiter??.resume(with: result)
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let finishedAlready = state.withLock { state in
                    guard case .waiting = state else { return true }
                    state = .waiting(continuation)
                    return false
                }
                if finishedAlready {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                DispatchQueue.global().async { finish(Result<[FetchAddress], any Error> { try lookUp(host, url: url) }) }
            }
        } onCancel: {
            finish(.failure(CancellationError()))
        }
    }

    private static func lookUp(_ host: String, url: String) throws(FetchFailure) -> [FetchAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        defer { if let list { freeaddrinfo(list) } }
        guard status == 0 else {
            let code = status == EAI_AGAIN ? "EAI_AGAIN" : "ENOTFOUND"
            throw .system(url: url, reason: "getaddrinfo \(code) \(host)", code: code)
        }
        var addresses: [FetchAddress] = []
        var entry = list
        while let current = entry {
            if let address = current.pointee.ai_addr {
                switch current.pointee.ai_family {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                        addresses.append(FetchAddress(ipv4: UInt32(bigEndian: $0.pointee.sin_addr.s_addr)))
                    }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                        let bytes = withUnsafeBytes(of: $0.pointee.sin6_addr) { Array($0) }
                        addresses.append(FetchAddress(bits: bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }))
                    }
                default: break
                }
            }
            entry = current.pointee.ai_next
        }
        guard !addresses.isEmpty else {
            throw .system(url: url, reason: "getaddrinfo ENOTFOUND \(host)", code: "ENOTFOUND")
        }
        return addresses
    }
}
