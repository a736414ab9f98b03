import Foundation
import GRDB
public import Storage
import Synchronization

/// Plugin log entries in SQLite, buffered in memory until ``flush()``: `append` never waits for the disk.
///
/// Each config keeps its newest `entriesPerConfig` entries. Pruning seeks the config's index, and runs
/// for a config only once it has written a tenth of that since its last pruning (and on its first
/// flush, for what an earlier run left), so the table holds at most 110 % of the bound per config.
public final class SQLitePluginLogStore: PluginLogStore {
    private struct State {
        var buffer: [PluginLogEntry] = []
        /// Entries each config has written since its last pruning; a config not in it is pruned on its next flush.
        var writtenSincePruning: [Int: Int] = [:]
    }

    private let database: SQLiteDatabase
    private let entriesPerConfig: Int
    private let state = Mutex(State())

    /// - Parameter entriesPerConfig: `QUILL_PLUGIN_LOG_ENTRIES`, the entries kept per config.
    public init(database: SQLiteDatabase, entriesPerConfig: Int = PluginLogLimits().entriesPerConfig) {
        self.database = database
        self.entriesPerConfig = max(1, entriesPerConfig)
    }

    public func append(_ entry: PluginLogEntry) {
        state.withLock { $0.buffer.append(entry) }
    }

    /// Writes the buffered entries in one transaction, and prunes the configs that are due.
    public func flush() async throws {
        let pruningBatch = max(1, entriesPerConfig / 10)
        let (entries, due) = state.withLock { state in
            defer { state.buffer.removeAll(keepingCapacity: true) }
            var due: [Int] = []
            for (id, count) in Dictionary(state.buffer.map { ($0.pluginConfigID, 1) }, uniquingKeysWith: +) {
                let written = state.writtenSincePruning[id].map { $0 + count } ?? pruningBatch
                if written >= pruningBatch { due.append(id) }
                state.writtenSincePruning[id] = written >= pruningBatch ? 0 : written
            }
            return (state.buffer, due)
        }
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
