/// A request of a plugin as it made it: what `quill plugin run` writes to its fetch log.
public struct PluginHTTPRequest: Sendable, Equatable {
    public var method: String
    /// The URL as sent (normalised by `node-fetch`).
    public var url: String
    /// The headers the plugin set, plus the content type its body implies; not those node-fetch adds
    /// on its own (`Accept`, `User-Agent`, `Content-Length`, …). Names as the plugin wrote them.
    public var headers: [PluginHTTPHeader]
    public var body: [UInt8]?
    /// The URL as the plugin gave it, when it differs from `url` or is known; `nil` otherwise.
    public var rawURL: String?

    public init(method: String, url: String, headers: [PluginHTTPHeader], body: [UInt8]?, rawURL: String? = nil) {
        self.rawURL = rawURL
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

public struct PluginHTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An answer given to a plugin instead of the network's.
public struct PluginHTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [PluginHTTPHeader]
    public var body: [UInt8]

    public init(status: Int, headers: [PluginHTTPHeader], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Sees every request a plugin makes before it goes anywhere, as `quill plugin run` does to answer
/// them from a mock file and write them to a transcript.
public protocol PluginRequestInterceptor: Sendable {
    /// A `fetch` (each redirect hop is one): the answer to give, or `nil` to send it over the network
    /// through the fetch policy.
    func intercept(_ request: PluginHTTPRequest) async -> PluginHTTPResponse?
    /// A `posthog.api` call, answered without the network.
    /// - Parameter options: The options as the plugin passed them, as JSON (`{}` when absent).
    func api(method: String, path: String, options: [UInt8]) async -> PluginHTTPResponse
}
