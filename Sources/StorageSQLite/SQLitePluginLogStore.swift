import Foundation
import GRDB
public import Storage
import Synchronization

/// Plugin log entries in SQLite, buffered in memory until ``flush()``: `append` never waits for the disk.
public final class SQLitePluginLogStore: PluginLogSink {
    private let database: SQLiteDatabase
    private let buffer = Mutex<[PluginLogEntry]>([])

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func append(_ entry: PluginLogEntry) {
        buffer.withLock { $0.append(entry) }
    }

    /// Writes the buffered entries in one transaction.
    public func flush() async throws {
        let entries = buffer.withLock { buffer in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        guard !entries.isEmpty else { return }
        try await database.pool.write { db in
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO plugin_log_entry (id, team_id, plugin_id, plugin_config_id, timestamp, source, type, message,
                                                  instance_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for entry in entries {
                try insert.execute(arguments: [
                    entry.id.uuidString, entry.teamID, entry.pluginID, entry.pluginConfigID, entry.timestamp,
                    entry.source.rawValue, entry.type.rawValue, entry.message, entry.instanceID.uuidString,
                ])
            }
        }
    }
}
