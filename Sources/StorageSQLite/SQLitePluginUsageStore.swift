public import Foundation
import GRDB
public import Storage

/// Plugin-seconds in SQLite, one row per team, config and hour.
public struct SQLitePluginUsageStore: PluginUsageStore {
    private let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func add(_ usage: [PluginUsage]) async throws {
        guard !usage.isEmpty else { return }
        try await database.pool.write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO plugin_usage (team_id, plugin_config_id, hour, seconds, calls) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (team_id, plugin_config_id, hour)
                    DO UPDATE SET seconds = seconds + excluded.seconds, calls = calls + excluded.calls
                    """)
            for entry in usage {
                try statement.execute(
                    arguments: [entry.teamID, entry.pluginConfigID, entry.hour, entry.seconds, entry.calls])
            }
        }
    }

    public func usage(teamID: Int, since: Date) async throws -> [PluginUsage] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT team_id, plugin_config_id, hour, seconds, calls FROM plugin_usage
                    WHERE team_id = ? AND hour >= ? ORDER BY hour, plugin_config_id
                    """,
                arguments: [teamID, since]
            ).map { row in
                PluginUsage(
                    teamID: row["team_id"], pluginConfigID: row["plugin_config_id"], hour: row["hour"],
                    seconds: row["seconds"], calls: row["calls"])
            }
        }
    }
}
