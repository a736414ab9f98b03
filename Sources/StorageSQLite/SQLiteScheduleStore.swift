public import Foundation
import GRDB
public import Storage

/// Scheduled runs in SQLite: the primary key (config, task, boundary) makes a claim exclusive.
public struct SQLiteScheduleStore: ScheduleStore {
    private let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func claim(
        pluginConfigID: Int, task: String, boundary: Date, now: Date, staleBefore: Date
    ) async throws -> ScheduledRun.Outcome? {
        try await database.pool.write { db in
            let unfinished = try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM scheduled_run
                    WHERE plugin_config_id = ? AND task = ? AND outcome = 'running' AND started_at > ?
                    """,
                arguments: [pluginConfigID, task, staleBefore]) ?? 0
            let outcome: ScheduledRun.Outcome = unfinished > 0 ? .skipped : .running
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO scheduled_run (plugin_config_id, task, boundary, started_at, finished_at, outcome)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [pluginConfigID, task, boundary, now, outcome == .skipped ? now : nil, outcome.rawValue])
            return db.changesCount > 0 ? outcome : nil
        }
    }

    public func finish(
        pluginConfigID: Int, task: String, boundary: Date, at: Date, outcome: ScheduledRun.Outcome, error: String?
    ) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    UPDATE scheduled_run SET finished_at = ?, outcome = ?, error = ?
                    WHERE plugin_config_id = ? AND task = ? AND boundary = ?
                    """,
                arguments: [at, outcome.rawValue, error, pluginConfigID, task, boundary])
        }
    }

    public func runs(pluginConfigID: Int, limit: Int) async throws -> [ScheduledRun] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM scheduled_run WHERE plugin_config_id = ? ORDER BY boundary DESC, task LIMIT ?",
                arguments: [pluginConfigID, limit]
            ).map { row in
                ScheduledRun(
                    pluginConfigID: row["plugin_config_id"], task: row["task"], boundary: row["boundary"],
                    startedAt: row["started_at"], finishedAt: row["finished_at"],
                    outcome: ScheduledRun.Outcome(rawValue: row["outcome"]) ?? .failed, error: row["error"])
            }
        }
    }
}
