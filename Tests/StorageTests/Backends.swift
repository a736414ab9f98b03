import Foundation
import Logging
import QuillTestSupport
import Storage
import StoragePostgres
import StorageSQLite
import Testing

/// The backends every store test runs against: a fresh SQLite file, and a fresh database on the test
/// process's throw-away PostgreSQL server.
enum BackendKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    static func postgresBackend(url: String) async throws -> any StorageBackend {
        try await PostgresBackend(url: url, logger: quietLogger)
    }

    /// Another instance on the same database as `backend` (PostgreSQL only: SQLite is one process's file).
    func instance(on backend: OpenBackend) async throws -> any StorageBackend {
        guard let url = backend.url else { throw BackendError(description: "only PostgreSQL is shared by instances") }
        return try await Self.postgresBackend(url: url)
    }

    /// A new, empty backend of this kind; the folder (SQLite) lives as long as the returned holder.
    func open(limits: StoreLimits = StoreLimits()) async throws -> OpenBackend {
        switch self {
        case .sqlite:
            let folder = try TemporaryFolder()
            return OpenBackend(
                storage: try SQLiteBackend(path: folder.url.appending(path: "quill.sqlite").path, limits: limits), folder: folder,
                url: nil)
        case .postgres:
            let url = try await PostgresTestServer.shared().createDatabase()
            return OpenBackend(storage: try await PostgresBackend(url: url, limits: limits, logger: quietLogger), folder: nil, url: url)
        }
    }
}

/// A backend and what keeps it alive.
struct OpenBackend: Sendable {
    let storage: any StorageBackend
    let folder: TemporaryFolder?
    /// The PostgreSQL database's URL, for a second instance on the same database.
    let url: String?
}

let quietLogger = Logger(label: "quill.storage-tests") { _ in SwiftLogNoOpLogHandler() }

struct BackendError: Error, CustomStringConvertible {
    var description: String
}
