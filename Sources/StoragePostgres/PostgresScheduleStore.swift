import Foundation
import Storage

/// Scheduled runs in PostgreSQL: the primary key (config, task, boundary) makes a claim exclusive across instances.
struct PostgresScheduleStore: ScheduleStore {
    let database: PostgresDatabase

    func claim(pluginConfigID: Int, task: String, boundary: Date, now: Date, staleBefore: Date) async throws -> ScheduledRun.Outcome? {
        try await database.transaction { db in
            let unfinished = try await db.value(
                """
                SELECT COUNT(*) FROM scheduled_run
                WHERE plugin_config_id = ? AND task = ? AND outcome = 'running' AND started_at > ?
                """, [pluginConfigID, task, staleBefore], as: Int.self) ?? 0
            let outcome: ScheduledRun.Outcome = unfinished > 0 ? .skipped : .running
            let claimed = try await db.rows(
                """
                INSERT INTO scheduled_run (plugin_config_id, task, boundary, started_at, finished_at, outcome)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING task
                """, [pluginConfigID, task, boundary, now, outcome == .skipped ? now : nil, outcome.rawValue])
            return claimed.isEmpty ? nil : outcome
        }
    }

    func finish(pluginConfigID: Int, task: String, boundary: Date, at: Date, outcome: ScheduledRun.Outcome, error: String?) async throws {
        try await database.execute(
            """
            UPDATE scheduled_run SET finished_at = ?, outcome = ?, error = ?
            WHERE plugin_config_id = ? AND task = ? AND boundary = ?
            """, [at, outcome.rawValue, error, pluginConfigID, task, boundary])
    }

    func runs(pluginConfigID: Int, limit: Int) async throws -> [ScheduledRun] {
        try await database.rows(
            "SELECT * FROM scheduled_run WHERE plugin_config_id = ? ORDER BY boundary DESC, task LIMIT ?", [pluginConfigID, limit]
        ).map { row in
            ScheduledRun(
                pluginConfigID: try row["plugin_config_id"], task: try row["task"], boundary: try row["boundary"],
                startedAt: try row["started_at"], finishedAt: try row["finished_at"],
                outcome: ScheduledRun.Outcome(rawValue: try row["outcome"]) ?? .failed, error: try row["error"])
        }
    }
}
