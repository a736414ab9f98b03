import AsyncHTTPClient
import Compression
import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP exchange of a plugin's `fetch`: a single request, no redirects (the `node-fetch`
/// module follows them, each hop a new exchange checked again).
struct FetchRequest: Sendable {
    var url: String
    var method: String
    var headers: [(name: String, value: String)]
    /// The headers the plugin set (and the implied content type), without those node-fetch adds; for a
    /// ``PluginRequestInterceptor``. `nil` when the module didn't say.
    var pluginHeaders: [(name: String, value: String)]? = nil
    /// The URL as the plugin gave it, before node-fetch normalised it; for a ``PluginRequestInterceptor``.
    var rawURL: String? = nil
    var body: [UInt8]?
    /// node-fetch's `timeout` option; `nil` for none. The plugin call's time limit applies anyway.
    var timeout: Duration?
    /// node-fetch's `size` option; 0 for no limit but the policy's.
    var sizeLimit: Int
    /// Whether to decompress a gzip or deflate body (node-fetch's `compress`).
    var decompress: Bool
}

struct FetchResponse: Sendable {
    var status: Int
    var statusText: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]
}

/// A failure handed to JavaScript, which makes a node-fetch `FetchError` (or a `TypeError`) of it.
struct FetchFailure: Error, Sendable {
    var name = "FetchError"
    var message: String
    /// node-fetch's `type`: `system`, `request-timeout`, `max-size`.
    var type: String?
    /// Node's error code for system errors: `ECONNREFUSED`, `ENOTFOUND`, …
    var code: String?

    static func system(url: String, reason: String, code: String?) -> FetchFailure {
        FetchFailure(message: "request to \(url) failed, reason: \(reason)", type: "system", code: code)
    }

    static func timeout(url: String) -> FetchFailure {
        FetchFailure(message: "network timeout at: \(url)", type: "request-timeout")
    }

    static func typeError(_ message: String) -> FetchFailure {
        FetchFailure(name: "TypeError", message: message)
    }
}

enum FetchClient {
    /// Performs `request` within `timeLimit` (the plugin call's) or its own shorter `timeout`.
    static func perform(_ request: FetchRequest, policy: FetchPolicy, timeLimit: Duration) async -> Result<
        FetchResponse, FetchFailure
    > {
        let limit = request.timeout.map { min($0, timeLimit) } ?? timeLimit
        let deadline = ContinuousClock.now + limit
        do {
            // Racing a timer also bounds name resolution, which AsyncHTTPClient's deadline doesn't cover.
            return .success(
                try await withThrowingTaskGroup(of: FetchResponse.self) { group in
                    group.addTask { try await exchange(request, policy: policy, deadline: deadline) }
                    group.addTask {
                        try await Task.sleep(until: deadline, clock: .continuous)
                        throw FetchFailure.timeout(url: request.url)
                    }
                    defer { group.cancelAll() }
                    return try await group.next()!
                })
        } catch {
            return .failure(error as? FetchFailure ?? .system(url: request.url, reason: String(describing: error), code: nil))
        }
    }

    private static func exchange(_ request: FetchRequest, policy: FetchPolicy, deadline: ContinuousClock.Instant) async throws
        -> FetchResponse
    {
        // The host as AsyncHTTPClient reads it, so the address checked is the one it connects to.
        guard let url = URL(string: request.url), let scheme = url.scheme?.lowercased(),
            let host = url.host.map({ $0.hasPrefix("[") && $0.hasSuffix("]") ? String($0.dropFirst().dropLast()) : $0 }),
            !host.isEmpty
        else { throw FetchFailure.typeError("Only absolute URLs are supported") }
        guard scheme == "http" || scheme == "https" else { throw FetchFailure.typeError("Only HTTP(S) protocols are supported") }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        let addresses = try await policy.checkedAddresses(
            of: host, port: port, path: url.path(percentEncoded: true), url: request.url)
        // Like Node's happy eyeballs, an address that can't be reached gives way to the next one;
        // the last one's failure is the fetch's (there is always one address).
        var unreachable: FetchFailure?
        for address in addresses {
            do {
                return try await exchange(request, host: host, port: port, address: address, policy: policy, deadline: deadline)
            } catch let failure as FetchFailure where failure.code.map(connectCodes.contains) == true {
                unreachable = failure
            }
        }
        throw unreachable ?? .system(url: request.url, reason: "getaddrinfo ENOTFOUND \(host)", code: "ENOTFOUND")
    }

    /// Node's codes for a connection that was never made.
    static let connectCodes: Set<String> = ["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT"]

    private static func exchange(
        _ request: FetchRequest, host: String, port: Int, address: FetchAddress, policy: FetchPolicy,
        deadline: ContinuousClock.Instant
    ) async throws -> FetchResponse {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        // One attempt: a refused connection fails the fetch at once, as in Node.
        configuration.connectionPool.retryConnectionEstablishment = false
        // node-fetch speaks HTTP/1.1 only.
        configuration.httpVersion = .http1Only
        // A name connects to the address just checked (keeping Host, SNI and certificate checks for
        // the name), so a second DNS answer can't send the request elsewhere (DNS rebinding).
        if FetchAddress(host) == nil {
            configuration.dnsOverride = [host: address.description]
        }
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let result: Result<FetchResponse, any Error>
        do {
            result = .success(try await send(request, with: client, policy: policy, deadline: deadline))
        } catch {
            result = .failure(error)
        }
        // Every client is shut down: AsyncHTTPClient requires it, and the connection closes with it.
        try? await client.shutdown()
        switch result {
        case .success(let response):
            return response
        case .failure(let failure as FetchFailure):
            throw failure
        case .failure(let error):
            throw describe(error, url: request.url, address: address.described(port: port))
        }
    }

    private static func send(
        _ request: FetchRequest, with client: HTTPClient, policy: FetchPolicy, deadline: ContinuousClock.Instant
    ) async throws -> FetchResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers {
            outgoing.headers.add(name: name, value: value)
        }
        if let body = request.body {
            outgoing.body = .bytes(body)
        }
        let remaining = ContinuousClock.now.duration(to: deadline)
        let response = try await client.execute(outgoing, deadline: .now() + .nanoseconds(remaining.nanoseconds))
        // node-fetch's message, and the setting when the operator's bound is the one passed.
        let sizeIsOperators = request.sizeLimit <= 0 || request.sizeLimit > policy.maximumResponseSize
        let limit = sizeIsOperators ? policy.maximumResponseSize : request.sizeLimit
        let tooBig = FetchFailure(
            message: "content size at \(request.url) over limit: \(limit)\(sizeIsOperators ? " (QUILL_FETCH_MAX_RESPONSE_BYTES)" : "")",
            type: "max-size")
        var body: [UInt8]
        // The body streams in: collecting stops at the first chunk past the bound (or at once for a
        // Content-Length over it), and the connection is closed with the client.
        do {
            body = Array(try await response.body.collect(upTo: limit).readableBytesView)
        } catch is NIOTooManyBytesError {
            throw tooBig
        }
        let headers = response.headers.map { (name: $0.name.lowercased(), value: $0.value) }
        let status = Int(response.status.code)
        // node-fetch's conditions for decompressing; it leaves Content-Encoding as it was.
        let encoding = headers.first { $0.name == "content-encoding" }?.value.lowercased()
        if request.decompress, request.method != "HEAD", status != 204, status != 304, !body.isEmpty, let encoding {
            do {
                switch encoding {
                case "gzip", "x-gzip": body = try Zlib.gunzip(body, maximumOutput: limit)
                // A deflate body may lack the zlib header: its first byte tells.
                case "deflate", "x-deflate":
                    body = body[0] & 0x0F == 0x08 ? try Zlib.inflate(body, maximumOutput: limit) : try Zlib.inflateRaw(body, maximumOutput: limit)
                default: break
                }
            } catch {
                if error.description.hasPrefix("decompressed data exceeds") { throw tooBig }
                throw FetchFailure(
                    message: "Invalid response body while trying to fetch \(request.url): \(error.description)", type: "system",
                    code: "Z_DATA_ERROR")
            }
        }
        return FetchResponse(status: status, statusText: response.status.reasonPhrase, headers: headers, body: body)
    }

    /// Node's wording and code for a failed exchange with `address` (`127.0.0.1:80`).
    private static func describe(_ error: any Error, url: String, address: String) -> FetchFailure {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout: return .timeout(url: url)
            case .connectTimeout: return .system(url: url, reason: "connect ETIMEDOUT \(address)", code: "ETIMEDOUT")
            case .remoteConnectionClosed: return .system(url: url, reason: "socket hang up", code: "ECONNRESET")
            default: return .system(url: url, reason: error.description, code: nil)
            }
        }
        if let code = (error as? IOError)?.nodeCode {
            return .system(url: url, reason: "connect \(code) \(address)", code: code)
        }
        return .system(url: url, reason: String(describing: error), code: nil)
    }
}

extension IOError {
    /// Node's code for a failed connection's system error (`ECONNREFUSED`, …), when it is one Node names.
    var nodeCode: String? {
        switch errnoCode {
        case ECONNREFUSED: "ECONNREFUSED"
        case ECONNRESET: "ECONNRESET"
        case EHOSTUNREACH: "EHOSTUNREACH"
        case ENETUNREACH: "ENETUNREACH"
        case ETIMEDOUT: "ETIMEDOUT"
        default: nil
        }
    }
}

extension Duration {
    /// Whole nanoseconds, for NIO's deadlines; negative once past.
    fileprivate var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
