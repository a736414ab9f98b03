import Foundation
public import Logging
public import PostgresNIO

/// Quill's shared database: a pool of connections to one PostgreSQL server, migrated on open.
///
/// Many instances may open it at once; migrations take an advisory lock, so one instance migrates and the
/// others wait and find the work done.
public final class PostgresDatabase: Sendable {
    public let client: PostgresClient
    let logger: Logger
    /// How long a statement waits for a pooled connection before it fails.
    let connectionWait: Duration
    private let running: Task<Void, Never>

    /// Connects to `url` (`postgres://user:password@host:port/database?sslmode=…`), checks the server answers and
    /// runs pending migrations.
    /// - Parameter instanceID: This instance's name, which the triggers record as the origin of the changes it makes.
    public init(url: String, instanceID: String, logger: Logger, connectionWait: Duration = .seconds(5)) async throws {
        var configuration = try Self.configuration(url: url)
        configuration.options.additionalStartupParameters.append(("options", "-c quill.instance=\(instanceID)"))
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.connectionWait = connectionWait
        running = Task { await client.run() }
        do {
            try await migrate()
        } catch {
            running.cancel()
            throw error
        }
    }

    /// Closes every connection; no query may run after it.
    public func close() async {
        running.cancel()
        await running.value
    }

    /// Asks the server for one row, to tell that it is reachable; throws the reason when it isn't.
    public func check() async throws {
        try await execute("SELECT 1")
    }

    /// The client's settings from a `postgres://` URL: `sslmode` `disable`, `prefer` (the default, as libpq's)
    /// or `require`; the password may come from the URL or `PGPASSWORD`.
    static func configuration(url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), components.scheme == "postgres" || components.scheme == "postgresql",
            let host = components.host, !host.isEmpty
        else {
            throw PostgresDatabaseError("expected postgres://user[:password]@host[:port]/database, got \(url.redactingPassword)")
        }
        let database = String(components.path.drop { $0 == "/" })
        let parameters = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let tls: PostgresClient.Configuration.TLS
        switch parameters["sslmode"] ?? "prefer" {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require":
            // libpq's `require` encrypts without checking the certificate; verify-full checks it.
            var insecure = TLSConfiguration.makeClientConfiguration()
            insecure.certificateVerification = .none
            tls = .require(insecure)
        case "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        case let other: throw PostgresDatabaseError("sslmode \(other) is not one of disable, prefer, require, verify-full")
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432,
            username: components.user.flatMap { $0.removingPercentEncoding } ?? "postgres",
            password: components.password?.removingPercentEncoding ?? ProcessInfo.processInfo.environment["PGPASSWORD"],
            database: database.isEmpty ? nil : database, tls: tls)
        configuration.options.maximumConnections = Int(parameters["pool_size"] ?? "") ?? 20
        return configuration
    }
}

extension String {
    /// The URL with its password replaced, for messages.
    var redactingPassword: String {
        guard var components = URLComponents(string: self), components.password != nil else { return self }
        components.password = "…"
        return components.string ?? self
    }
}

public struct PostgresDatabaseError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
