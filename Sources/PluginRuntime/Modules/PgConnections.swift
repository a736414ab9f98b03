import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Where and how a `pg` client connects, as the module read it from the plugin's options.
struct PgConnectionSettings: Sendable {
    enum TLS: Sendable {
        case disabled
        /// node-postgres's `ssl: true` or `{…}`: `verify` false for `rejectUnauthorized: false`; `ca` a PEM to trust.
        case required(verify: Bool, ca: [UInt8]?)
    }

    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String?
    var tls: TLS
    /// Startup parameters node-postgres sends from its options (`application_name`, `statement_timeout`, …).
    var startupParameters: [(String, String)]
}

/// What one query returned: node-postgres's `command` and `rowCount`, the columns and the rows' values.
struct PgQueryResult: Sendable {
    var command: String
    var rowCount: Int?
    var fields: [(name: String, dataTypeID: Int)]
    var rows: [[PgValue]]
}

/// A failure handed to JavaScript, which makes node-postgres's error of it: a `DatabaseError` when the
/// server sent one (its fields by node-postgres's names), else an `Error` with a Node `code`.
struct PgFailure: Error, Sendable {
    var message: String
    /// `ECONNREFUSED`, `ERR_ADDRESS_NOT_ALLOWED`, …; the SQLSTATE is among `serverFields` as `code`.
    var code: String?
    /// node-postgres's `DatabaseError` fields (`severity`, `code`, `detail`, `table`, …) when the server reported it.
    var serverFields: [(String, String)]?
}

/// One plugin VM's PostgreSQL connections, by the id JavaScript knows them by.
///
/// The VM closes them all when it goes (``closeAll()``): no connection outlives the plugin that opened it.
/// A connection that completes after that is closed at once.
///
/// A connection's queries and its end run one at a time in the order the plugin asked for them, as node-postgres
/// queues them: each takes its ``Turn`` on the script thread. The order is kept here rather than in JavaScript,
/// where a call given up on at its time limit would never let the next query go.
final class PgConnections: Sendable {
    private struct State {
        var nextID = 1
        var open: [Int: OpenConnection] = [:]
        var isClosed = false
    }

    fileprivate struct OpenConnection: Sendable {
        let connection: PostgresConnection
        let sequence = OperationSequence()
    }

    /// A place in one connection's sequence of queries; `open` is `nil` for a connection that is gone.
    struct Turn: Sendable {
        fileprivate let open: OpenConnection?
        fileprivate let ticket: UInt64
    }

    private let state = Mutex(State())
    private static let logger = Logger(label: "quill.plugins.pg", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Connects to the first address of `settings.host` that the policy allows and that answers, each attempt
    /// (TCP, TLS and start-up) within `timeLimit`, and returns the new connection's id.
    func connect(_ settings: PgConnectionSettings, policy: FetchPolicy, timeLimit: Duration) async throws(PgFailure) -> Int {
        let connection: PostgresConnection
        do {
            connection = try await Self.open(settings, policy: policy, timeLimit: timeLimit)
        } catch {
            throw Self.failure(error, address: "\(settings.host):\(settings.port)")
        }
        let id: Int? = state.withLock { state in
            guard !state.isClosed else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.open[id] = OpenConnection(connection: connection)
            return id
        }
        guard let id else {
            try? await connection.close()
            throw PgFailure(message: "Connection terminated: the plugin was unloaded", code: nil)
        }
        return id
    }

    /// Takes the next place in connection `id`'s sequence; call it when the plugin asks, and pass the turn to
    /// ``query(_:text:parameters:maximumSize:)`` or ``end(_:id:)``, or give it up with ``pass(_:)``.
    func turn(_ id: Int) -> Turn {
        let open = state.withLock { $0.open[id] }
        return Turn(open: open, ticket: open?.sequence.ticket() ?? 0)
    }

    /// Gives up a turn that won't run (its promise couldn't be made), so the connection's later queries still go.
    func pass(_ turn: Turn) {
        guard let sequence = turn.open?.sequence else { return }
        Task { try? await sequence.run(turn.ticket) {} }
    }

    /// Runs `text` with `parameters` in its turn; results come in binary and are read as node-postgres's default
    /// parsers read them (``PgValue``). A result over `maximumSize` bytes fails the query.
    func query(_ turn: Turn, text: String, parameters: [PgParameter?], maximumSize: Int) async throws(PgFailure)
        -> PgQueryResult
    {
        guard let open = turn.open else { throw PgFailure(message: "Client was closed and is not queryable", code: nil) }
        var bindings = PostgresBindings(capacity: parameters.count)
        for parameter in parameters { bindings.append(parameter) }
        let query = PostgresQuery(unsafeSQL: text, binds: bindings)
        let collected = CollectedRows(maximumSize: maximumSize)
        do {
            let metadata = try await open.sequence.run(turn.ticket) {
                try await open.connection.query(query, logger: Self.logger) { row in try collected.append(row) }.get()
            }
            // node-postgres's command is the tag's first word, its rowCount the tag's count (null when none).
            let command = metadata.command.split(separator: " ").first.map(String.init) ?? metadata.command
            return collected.result(command: command, rowCount: metadata.rows)
        } catch {
            throw Self.failure(error, address: nil)
        }
    }

    /// Closes connection `id` (node-postgres's `end`) in its turn, after the queries asked for before it; one
    /// already gone is fine.
    func end(_ turn: Turn, id: Int) async {
        guard let open = turn.open else { return }
        try? await open.sequence.run(turn.ticket) {
            state.withLock { _ = $0.open.removeValue(forKey: id) }
            try await open.connection.close()
        }
    }

    /// Closes every connection, now and as later ones complete.
    func closeAll() {
        let connections = state.withLock { state in
            state.isClosed = true
            defer { state.open = [:] }
            return state.open.values.map(\.connection)
        }
        for connection in connections {
            // Closing goes on the connection's event loop, which nothing needs to wait for; the connection must live
            // until it is closed.
            connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
        }
    }

    private static func open(_ settings: PgConnectionSettings, policy: FetchPolicy, timeLimit: Duration) async throws
        -> PostgresConnection
    {
        let url = "postgres://\(settings.host):\(settings.port)"
        // An IPv6 address comes bracketed from a connection string's URL.
        let bracketed = settings.host.hasPrefix("[") && settings.host.hasSuffix("]")
        let host = bracketed ? String(settings.host.dropFirst().dropLast()) : settings.host
        let addresses: [FetchAddress]
        do {
            addresses = try await policy.checkedAddresses(of: host, port: settings.port, path: "", url: url)
        } catch let failure as FetchFailure {
            throw PgFailure(message: failure.message, code: failure.code)
        }
        let tls: PostgresConnection.Configuration.TLS
        switch settings.tls {
        case .disabled:
            tls = .disable
        case .required(let verify, let ca):
            var configuration = TLSConfiguration.makeClientConfiguration()
            if !verify { configuration.certificateVerification = .none }
            if let ca { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca)) }
            tls = .require(try NIOSSLContext(configuration: configuration))
        }
        // Like Node, an address that doesn't answer gives way to the next; the last one's failure is the connect's.
        var unreachable: (any Error)?
        for address in addresses {
            // The address just checked, so a second DNS answer can't send the connection elsewhere; TLS still names the host.
            var configuration = PostgresConnection.Configuration(
                host: address.description, port: settings.port, username: settings.user, password: settings.password,
                database: settings.database, tls: tls)
            if FetchAddress(host) == nil { configuration.options.tlsServerName = host }
            configuration.options.connectTimeout = TimeAmount(timeLimit)
            configuration.options.additionalStartupParameters = settings.startupParameters
            do {
                return try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            } catch {
                guard let code = systemCode(of: error), FetchClient.connectCodes.contains(code) else { throw error }
                unreachable = PgFailure(message: "connect \(code) \(address.described(port: settings.port))", code: code)
            }
        }
        throw unreachable ?? PgFailure(message: "getaddrinfo ENOTFOUND \(host)", code: "ENOTFOUND")
    }

    /// Node's wording for what went wrong, as node-postgres reports it.
    private static func failure(_ error: any Error, address: String?) -> PgFailure {
        if let failure = error as? PgFailure { return failure }
        guard let error = error as? PSQLError else {
            return PgFailure(message: String(describing: error), code: nil)
        }
        switch error.code {
        case .server:
            let info = error.serverInfo
            let fields = serverFields.compactMap { name, field in info?[field].map { (name, $0) } }
            return PgFailure(message: info?[.message] ?? "unknown server error", code: nil, serverFields: fields)
        case .sslUnsupported:
            return PgFailure(message: "The server does not support SSL connections", code: nil)
        case .serverClosedConnection, .uncleanShutdown:
            return PgFailure(message: "Connection terminated unexpectedly", code: nil)
        case .clientClosedConnection:
            return PgFailure(message: "Client was closed and is not queryable", code: nil)
        case .tooManyParameters:
            return PgFailure(message: "too many parameters: PostgreSQL takes at most 65535", code: nil)
        default:
            if let tls = error.underlying as? NIOSSLError {
                let reason = String(describing: tls)
                return PgFailure(
                    message: reason.contains("CERTIFICATE_VERIFY_FAILED")
                        ? "the server's certificate could not be verified (ssl: { rejectUnauthorized: false } accepts it unchecked)"
                        : "TLS handshake failed: \(reason)", code: nil)
            }
            if let code = systemCode(of: error), let address {
                return PgFailure(message: "connect \(code) \(address)", code: code)
            }
            return PgFailure(message: error.underlying.map { String(describing: $0) } ?? String(describing: error.code), code: nil)
        }
    }

    /// Node's code for the system error under `error` (`ECONNREFUSED`, …), if it is one.
    private static func systemCode(of error: any Error) -> String? {
        switch error {
        case let error as PSQLError:
            return error.underlying.flatMap(systemCode)
        case let error as NIOConnectionError:
            return error.connectionErrors.lazy.compactMap { systemCode(of: $0.error) }.first
        case let error as ChannelError:
            if case .connectTimeout = error { return "ETIMEDOUT" }
            return nil
        case let error as IOError:
            return error.nodeCode
        default:
            return nil
        }
    }

    /// node-postgres's `DatabaseError` property for each field of the server's error.
    private static let serverFields: [(String, PSQLError.ServerInfo.Field)] = [
        ("severity", .localizedSeverity), ("code", .sqlState), ("detail", .detail), ("hint", .hint), ("position", .position),
        ("internalPosition", .internalPosition), ("internalQuery", .internalQuery), ("where", .locationContext),
        ("schema", .schemaName), ("table", .tableName), ("column", .columnName), ("dataType", .dataTypeName),
        ("constraint", .constraintName), ("file", .file), ("line", .line), ("routine", .routine),
    ]
}

/// The rows of one query as they arrive, on the connection's event loop, within a bound on their size.
private final class CollectedRows: Sendable {
    private struct State {
        var fields: [(name: String, dataTypeID: Int)] = []
        var rows: [[PgValue]] = []
        var size = 0
    }

    private let state = Mutex(State())
    private let maximumSize: Int

    init(maximumSize: Int) {
        self.maximumSize = maximumSize
    }

    func append(_ row: PostgresRow) throws(PgFailure) {
        try state.withLock { (state: inout State) throws(PgFailure) in
            if state.fields.isEmpty {
                state.fields = row.map { (name: $0.columnName, dataTypeID: Int($0.dataType.rawValue)) }
            }
            state.size += row.reduce(0) { $0 + ($1.bytes?.readableBytes ?? 0) }
            guard state.size <= maximumSize else {
                throw PgFailure(message: "query result over limit: \(maximumSize) bytes (QUILL_FETCH_MAX_RESPONSE_BYTES)", code: nil)
            }
            state.rows.append(row.map { PgValue(binary: $0.bytes, type: $0.dataType.rawValue) })
        }
    }

    func result(command: String, rowCount: Int?) -> PgQueryResult {
        state.withLock { PgQueryResult(command: command, rowCount: rowCount, fields: $0.fields, rows: $0.rows) }
    }
}
