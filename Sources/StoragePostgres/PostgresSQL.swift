import Foundation
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// A value bound to a `?` of a statement.
protocol SQLArgument: Sendable {
    func bind(to bindings: inout PostgresBindings) throws
}

extension Int: SQLArgument {
    func bind(to bindings: inout PostgresBindings) { bindings.append(self) }
}
extension Int64: SQLArgument {
    func bind(to bindings: inout PostgresBindings) { bindings.append(self) }
}
extension String: SQLArgument {
    func bind(to bindings: inout PostgresBindings) { bindings.append(self) }
}
extension Bool: SQLArgument {
    func bind(to bindings: inout PostgresBindings) { bindings.append(self) }
}
extension Double: SQLArgument {
    func bind(to bindings: inout PostgresBindings) { bindings.append(self) }
}
extension Date: SQLArgument {
    func bind(to bindings: inout PostgresBindings) { bindings.append(self) }
}
extension Data: SQLArgument {
    func bind(to bindings: inout PostgresBindings) { bindings.append(ByteBuffer(bytes: self)) }
}
extension Optional: SQLArgument where Wrapped: SQLArgument {
    func bind(to bindings: inout PostgresBindings) throws {
        if let value = self { try value.bind(to: &bindings) } else { bindings.appendNull() }
    }
}

/// Bytes stored as `bytea` (a `[UInt8]` alone would be bound as an array of chars).
struct Bytes: SQLArgument {
    var bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func bind(to bindings: inout PostgresBindings) { bindings.append(ByteBuffer(bytes: bytes)) }
}

/// A statement written with `?` placeholders, as the SQLite stores write theirs, numbered `$1…` for PostgreSQL.
func statement(_ sql: String, _ arguments: [any SQLArgument] = []) throws -> PostgresQuery {
    var bindings = PostgresBindings(capacity: arguments.count)
    for argument in arguments { try argument.bind(to: &bindings) }
    var numbered = ""
    numbered.reserveCapacity(sql.utf8.count + arguments.count * 2)
    var index = 0
    var inQuotes = false
    for character in sql {
        if character == "'" { inQuotes.toggle() }
        if character == "?" && !inQuotes {
            index += 1
            numbered += "$\(index)"
        } else {
            numbered.append(character)
        }
    }
    precondition(index == arguments.count, "\(index) placeholders for \(arguments.count) arguments in: \(sql)")
    return PostgresQuery(unsafeSQL: numbered, binds: bindings)
}

/// A row read by column name.
struct SQLRow {
    private let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) { self.row = row.makeRandomAccess() }

    subscript<Value: PostgresDecodable>(_ column: String) -> Value {
        get throws { try row[column].decode(Value.self) }
    }

    /// A `bytea` column's bytes.
    func bytes(_ column: String) throws -> [UInt8] {
        Array(try row[column].decode(ByteBuffer.self).readableBytesView)
    }

    func data(_ column: String) throws -> Data {
        Data(try row[column].decode(ByteBuffer.self).readableBytesView)
    }
}

/// Where statements run: the pool (each on any connection) or one connection inside a transaction.
protocol SQLExecutor: Sendable {
    func rows(_ sql: String, _ arguments: [any SQLArgument]) async throws -> [SQLRow]
}

extension SQLExecutor {
    func execute(_ sql: String, _ arguments: [any SQLArgument] = []) async throws {
        _ = try await rows(sql, arguments)
    }

    func row(_ sql: String, _ arguments: [any SQLArgument] = []) async throws -> SQLRow? {
        try await rows(sql, arguments).first
    }

    /// The first column of the first row.
    func value<Value: PostgresDecodable>(_ sql: String, _ arguments: [any SQLArgument] = [], as type: Value.Type = Value.self)
        async throws -> Value?
    {
        guard let row = try await rows(sql, arguments).first else { return nil }
        return try row.first(as: Value.self)
    }
}

extension SQLExecutor {
    /// Inserts `rows` (each one value per column) with as few statements as PostgreSQL's 65,535 parameters allow:
    /// `start` is the statement up to `VALUES`, `end` what follows the rows (`ON CONFLICT …`, `RETURNING …`).
    @discardableResult
    func insertRows(_ start: String, _ rows: [[any SQLArgument]], _ end: String = "") async throws -> [SQLRow] {
        guard let columns = rows.first?.count, columns > 0 else { return [] }
        let placeholders = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        let rowsPerStatement = 65_535 / columns
        var returned: [SQLRow] = []
        for chunkStart in stride(from: 0, to: rows.count, by: rowsPerStatement) {
            let chunk = rows[chunkStart..<min(chunkStart + rowsPerStatement, rows.count)]
            returned += try await self.rows(
                "\(start) \(Array(repeating: placeholders, count: chunk.count).joined(separator: ", ")) \(end)",
                chunk.flatMap { $0 })
        }
        return returned
    }
}

extension SQLRow {
    fileprivate func first<Value: PostgresDecodable>(as type: Value.Type) throws -> Value {
        try row[0].decode(Value.self)
    }
}

extension PostgresDatabase: SQLExecutor {
    func rows(_ sql: String, _ arguments: [any SQLArgument] = []) async throws -> [SQLRow] {
        let query = try statement(sql, arguments)
        return try await withConnection { [logger] connection in
            try await connection.query(query, logger: logger).collect().map(SQLRow.init)
        }
    }

    /// Runs `body` in one transaction on one connection: committed when it returns, rolled back when it throws
    /// (its own error comes out, not a wrapper).
    func transaction<Result: Sendable>(_ body: @escaping @Sendable (SQLTransaction) async throws -> Result) async throws -> Result {
        try await withConnection { [logger] connection in
            let transaction = SQLTransaction(connection: connection, logger: logger)
            try await transaction.execute("BEGIN")
            do {
                let result = try await body(transaction)
                try await transaction.execute("COMMIT")
                return result
            } catch {
                try? await transaction.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs `body` on a pooled connection. When no connection is to be had within ``connectionWait`` (the server
    /// is down or every connection busy) it throws at once rather than wait for the pool to give up: capture then
    /// answers 503, and the next request tries again.
    private func withConnection<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result)
        async throws -> Result
    {
        let started = StartedFlag()
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { [client] in
                try await client.withConnection { connection in
                    started.set()
                    return try await body(connection)
                }
            }
            group.addTask { [connectionWait] in
                try await Task.sleep(for: connectionWait)
                guard started.isSet else { throw PostgresDatabaseError("no connection to PostgreSQL within \(connectionWait)") }
                return nil
            }
            while let result = try await group.next() {
                if let result {
                    group.cancelAll()
                    return result
                }
            }
            throw CancellationError()
        }
    }
}

/// Whether a connection was had: set once, read by the deadline.
private final class StartedFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// One connection inside `BEGIN … COMMIT`.
struct SQLTransaction: SQLExecutor {
    let connection: PostgresConnection
    let logger: Logger

    func rows(_ sql: String, _ arguments: [any SQLArgument] = []) async throws -> [SQLRow] {
        try await connection.query(try statement(sql, arguments), logger: logger).collect().map(SQLRow.init)
    }
}
