import Foundation
import GRDB
public import Storage
import Synchronization

/// Plugin log entries in SQLite, buffered in memory until ``flush()``: `append` never waits for the disk.
///
/// Each config keeps its newest `entriesPerConfig` entries; pruning seeks the config's index, when the buffer
/// says the config is due (``PluginLogBuffer``).
public final class SQLitePluginLogStore: PluginLogStore {
    private let database: SQLiteDatabase
    private let entriesPerConfig: Int
    private let buffer: Mutex<PluginLogBuffer>

    /// - Parameter entriesPerConfig: `QUILL_PLUGIN_LOG_ENTRIES`, the entries kept per config.
    public init(database: SQLiteDatabase, entriesPerConfig: Int = PluginLogLimits().entriesPerConfig) {
        self.database = database
        self.entriesPerConfig = max(1, entriesPerConfig)
        buffer = Mutex(PluginLogBuffer(entriesPerConfig: self.entriesPerConfig))
    }

    public func append(_ entry: PluginLogEntry) {
        buffer.withLock { $0.append(entry) }
    }

    /// Writes the buffered entries in one transaction, and prunes the configs that are due.
    public func flush() async throws {
        let (entries, due) = buffer.withLock { $0.take() }
        guard !entries.isEmpty else { return }
        try await database.pool.write { [entriesPerConfig] db in
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
            // Newest first on (plugin_config_id, timestamp): everything past the kept ones goes.
            let prune = try db.cachedStatement(
                sql: """
                    DELETE FROM plugin_log_entry WHERE rowid IN (
                        SELECT rowid FROM plugin_log_entry WHERE plugin_config_id = ?
                        ORDER BY timestamp DESC, rowid DESC LIMIT -1 OFFSET ?)
                    """)
            for id in due {
                try prune.execute(arguments: [id, entriesPerConfig])
            }
        }
    }
}
