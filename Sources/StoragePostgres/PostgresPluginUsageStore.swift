import Foundation
import Storage

/// Plugin-seconds in PostgreSQL, one row per team, config and hour; every instance adds to the same rows.
struct PostgresPluginUsageStore: PluginUsageStore {
    let database: PostgresDatabase

    func add(_ usage: [PluginUsage]) async throws {
        guard !usage.isEmpty else { return }
        try await database.transaction { db in
            for entry in usage {
                try await db.execute(
                    """
                    INSERT INTO plugin_usage (team_id, plugin_config_id, hour, seconds, calls) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (team_id, plugin_config_id, hour)
                    DO UPDATE SET seconds = plugin_usage.seconds + excluded.seconds, calls = plugin_usage.calls + excluded.calls
                    """, [entry.teamID, entry.pluginConfigID, entry.hour, entry.seconds, entry.calls])
            }
        }
    }

    func usage(teamID: Int, since: Date) async throws -> [PluginUsage] {
        try await database.rows(
            """
            SELECT team_id, plugin_config_id, hour, seconds, calls FROM plugin_usage
            WHERE team_id = ? AND hour >= ? ORDER BY hour, plugin_config_id
            """, [teamID, since]
        ).map { row in
            PluginUsage(
                teamID: try row["team_id"], pluginConfigID: try row["plugin_config_id"], hour: try row["hour"],
                seconds: try row["seconds"], calls: try row["calls"])
        }
    }
}
