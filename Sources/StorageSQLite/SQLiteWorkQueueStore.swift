public import Foundation
import GRDB
public import Storage

/// The work queue in SQLite.
public struct SQLiteWorkQueueStore: WorkQueueStore {
    private let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func enqueue(_ items: [NewWorkItem]) async throws {
        guard !items.isEmpty else { return }
        try await database.pool.write { db in try Self.insert(items, in: db) }
    }

    public func enqueue(_ item: NewWorkItem, ifFewerThan maximumQueued: Int) async throws -> Bool {
        try await database.pool.write { db in
            // Counted on the (plugin_config_id, kind, status) index.
            let queued = try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM work_item
                    WHERE plugin_config_id = ? AND kind = ? AND status IN ('pending', 'leased', 'buffered')
                    """,
                arguments: [item.pluginConfigID, item.kind.rawValue]) ?? 0
            guard queued < maximumQueued else { return false }
            try Self.insert([item], in: db)
            return true
        }
    }

    /// Inserts items in the caller's transaction (ingestion commits them with the events).
    static func insert(_ items: [NewWorkItem], in db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO work_item (kind, plugin_config_id, team_id, payload, run_at, status, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
        let now = Date()
        for item in items {
            let status: WorkItem.Status = item.kind == .exportEvent ? .buffered : .pending
            try statement.execute(arguments: [
                item.kind.rawValue, item.pluginConfigID, item.teamID, Data(item.payload), item.runAt, status.rawValue, now,
            ])
        }
    }

    public func lease(now: Date, until leaseEnd: Date, limit: Int, perConfig: Int, excluding: Set<Int>) async throws
        -> [WorkItem]
    {
        try await database.pool.write { db in
            // Each step seeks the next config with pending items in `work_item_config_due`.
            let configs = try Int.fetchAll(
                db,
                sql: """
                    WITH RECURSIVE config(id) AS (
                        SELECT (SELECT MIN(plugin_config_id) FROM work_item WHERE status = 'pending')
                        UNION ALL
                        SELECT (SELECT MIN(plugin_config_id) FROM work_item WHERE status = 'pending' AND plugin_config_id > config.id)
                        FROM config WHERE config.id IS NOT NULL
                    )
                    SELECT id FROM config WHERE id IS NOT NULL
                    """)
            let due = try db.cachedStatement(
                sql: """
                    SELECT * FROM work_item WHERE status = 'pending' AND plugin_config_id = ? AND run_at <= ?
                    ORDER BY run_at, id LIMIT ?
                    """)
            var rows: [Row] = []
            for config in configs where !excluding.contains(config) {
                rows += try Row.fetchAll(due, arguments: [config, now, perConfig])
            }
            // Items of a crashed worker: few, as leases are bounded by the workers' concurrency.
            rows += try Row.fetchAll(
                db, sql: "SELECT * FROM work_item WHERE status = 'leased' AND lease_until <= ? ORDER BY run_at, id LIMIT ?",
                arguments: [now, limit]
            ).filter { !excluding.contains($0["plugin_config_id"]) }
            var leasedPerConfig: [Int: Int] = [:]
            let items = rows.map(WorkItem.init(row:))
                .sorted { ($0.runAt, $0.id) < ($1.runAt, $1.id) }
                .filter { item in
                    let count = leasedPerConfig[item.pluginConfigID, default: 0] + 1
                    leasedPerConfig[item.pluginConfigID] = count
                    return count <= perConfig
                }
                .prefix(limit)
            let update = try db.cachedStatement(sql: "UPDATE work_item SET status = 'leased', lease_until = ? WHERE id = ?")
            for item in items { try update.execute(arguments: [leaseEnd, item.id]) }
            return items.map { item in
                var leased = item
                leased.status = .leased
                return leased
            }
        }
    }

    public func release(_ id: Int64) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "UPDATE work_item SET status = 'pending', lease_until = NULL WHERE id = ?", arguments: [id])
        }
    }

    public func renewLease(_ id: Int64, until leaseEnd: Date) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: "UPDATE work_item SET lease_until = ? WHERE id = ? AND status = 'leased'", arguments: [leaseEnd, id])
        }
    }

    public func complete(_ id: Int64) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "DELETE FROM work_item WHERE id = ?", arguments: [id])
        }
    }

    public func retry(_ id: Int64, at runAt: Date, error: String) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    UPDATE work_item SET status = 'pending', run_at = ?, attempts = attempts + 1, last_error = ?,
                                         lease_until = NULL
                    WHERE id = ?
                    """,
                arguments: [runAt, error, id])
        }
    }

    public func bury(_ id: Int64, error: String) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    UPDATE work_item SET status = 'dead', attempts = attempts + 1, last_error = ?, lease_until = NULL
                    WHERE id = ?
                    """,
                arguments: [error, id])
        }
    }

    public func deadLetters(pluginConfigID: Int) async throws -> [WorkItem] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM work_item WHERE plugin_config_id = ? AND status = 'dead' ORDER BY id",
                arguments: [pluginConfigID]
            ).map(WorkItem.init(row:))
        }
    }

    public func queuedItems(pluginConfigID: Int) async throws -> [WorkItem] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM work_item WHERE plugin_config_id = ? AND status != 'dead' ORDER BY id",
                arguments: [pluginConfigID]
            ).map(WorkItem.init(row:))
        }
    }

    public func replay(pluginConfigID: Int, ids: [Int64]?, now: Date) async throws -> Int {
        try await database.pool.write { db in
            var sql = """
                UPDATE work_item SET status = 'pending', attempts = 0, run_at = ?, lease_until = NULL
                WHERE plugin_config_id = ? AND status = 'dead'
                """
            var arguments: StatementArguments = [now, pluginConfigID]
            if let ids {
                sql += " AND id IN (\(ids.map { _ in "?" }.joined(separator: ",")))"
                _ = arguments.append(contentsOf: StatementArguments(ids))
            }
            try db.execute(sql: sql, arguments: arguments)
            return db.changesCount
        }
    }

    public func exportBuffers() async throws -> [(pluginConfigID: Int, teamID: Int, count: Int, bytes: Int, oldest: Date)] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT plugin_config_id, team_id, COUNT(*) AS count, SUM(length(payload)) AS bytes, MIN(run_at) AS oldest
                    FROM work_item WHERE status = 'buffered' GROUP BY plugin_config_id, team_id
                    """
            ).map { row in (row["plugin_config_id"], row["team_id"], row["count"], row["bytes"], row["oldest"]) }
        }
    }

    public func batchExportEvents(pluginConfigID: Int, maximumBytes: Int, now: Date) async throws -> Int {
        try await database.pool.write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, team_id, payload FROM work_item
                    WHERE status = 'buffered' AND plugin_config_id = ? ORDER BY id
                    """,
                arguments: [pluginConfigID])
            guard let teamID = rows.first?["team_id"] as Int? else { return 0 }
            let batches = NewWorkItem.exportBatches(
                of: rows.map { Array($0["payload"] as Data) }, maximumBytes: maximumBytes, pluginConfigID: pluginConfigID,
                teamID: teamID, runAt: now)
            try Self.insert(batches, in: db)
            let ids = rows.map { $0["id"] as Int64 }
            try db.execute(
                sql: "DELETE FROM work_item WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ",")))",
                arguments: StatementArguments(ids))
            return batches.count
        }
    }

    public func counts() async throws -> [WorkQueueCount] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT kind, status, COUNT(*) AS count, MIN(run_at) AS earliest FROM work_item GROUP BY kind, status"
            )
            .compactMap { row in
                guard let kind = WorkKind(rawValue: row["kind"]), let status = WorkItem.Status(rawValue: row["status"]) else {
                    return nil
                }
                return WorkQueueCount(kind: kind, status: status, count: row["count"], earliestRunAt: row["earliest"])
            }
        }
    }
}

extension WorkItem {
    fileprivate init(row: Row) {
        self.init(
            id: row["id"], kind: WorkKind(rawValue: row["kind"]) ?? .job, pluginConfigID: row["plugin_config_id"],
            teamID: row["team_id"], payload: Array(row["payload"] as Data), runAt: row["run_at"], attempts: row["attempts"],
            status: WorkItem.Status(rawValue: row["status"]) ?? .pending, lastError: row["last_error"],
            createdAt: row["created_at"])
    }
}
