import Foundation
import Storage
import Synchronization

/// Plugin log entries in PostgreSQL, buffered in memory until ``flush()``: `append` never waits for the database.
/// Each config keeps its newest entries, pruned when the buffer says the config is due (``PluginLogBuffer``).
final class PostgresPluginLogStore: PluginLogStore {
    private let database: PostgresDatabase
    private let entriesPerConfig: Int
    private let buffer: Mutex<PluginLogBuffer>

    init(database: PostgresDatabase, entriesPerConfig: Int) {
        self.database = database
        self.entriesPerConfig = max(1, entriesPerConfig)
        buffer = Mutex(PluginLogBuffer(entriesPerConfig: self.entriesPerConfig))
    }

    func append(_ entry: PluginLogEntry) {
        buffer.withLock { $0.append(entry) }
    }

    func flush() async throws {
        let (entries, due) = buffer.withLock { $0.take() }
        guard !entries.isEmpty else { return }
        try await database.transaction { [entriesPerConfig] db in
            for entry in entries {
                try await db.execute(
                    """
                    INSERT INTO plugin_log_entry (id, team_id, plugin_id, plugin_config_id, timestamp, source, type, message,
                                                  instance_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
                    """,
                    [
                        entry.id.uuidString, entry.teamID, entry.pluginID, entry.pluginConfigID, entry.timestamp,
                        entry.source.rawValue, entry.type.rawValue, entry.message, entry.instanceID.uuidString,
                    ])
            }
            // Newest first on (plugin_config_id, timestamp): everything past the kept ones goes.
            for id in due {
                try await db.execute(
                    """
                    DELETE FROM plugin_log_entry WHERE position IN (
                        SELECT position FROM plugin_log_entry WHERE plugin_config_id = ?
                        ORDER BY timestamp DESC, position DESC OFFSET ?)
                    """, [id, entriesPerConfig])
            }
        }
    }
}
