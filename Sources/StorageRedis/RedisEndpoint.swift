import Foundation

/// Where Redis is, from a `redis://[[user]:password@]host[:port][/database]` URL.
public struct RedisEndpoint: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String?
    public var password: String?
    public var database: Int

    public init(url text: String) throws {
        guard let components = URLComponents(string: text), components.scheme == "redis" else {
            throw RedisError(description: "not a redis:// URL: \(text)")
        }
        guard let host = components.host, !host.isEmpty else { throw RedisError(description: "no host in \(text)") }
        self.host = host
        port = components.port ?? 6379
        guard (1...65_535).contains(port) else { throw RedisError(description: "port \(port) is out of range") }
        user = components.user.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding }
        password = components.password.flatMap { $0.removingPercentEncoding }
        let path = components.path.drop { $0 == "/" }
        if path.isEmpty {
            database = 0
        } else if let number = Int(path), number >= 0 {
            database = number
        } else {
            throw RedisError(description: "the database in \(text) is not a number")
        }
    }
}
