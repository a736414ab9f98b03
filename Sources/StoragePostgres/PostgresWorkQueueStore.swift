import Foundation
import Storage

/// The work queue in PostgreSQL, shared by every instance: leases take rows with `FOR UPDATE SKIP LOCKED`, so
/// two instances never lease one item, and neither waits for the other.
struct PostgresWorkQueueStore: WorkQueueStore {
    let database: PostgresDatabase

    func enqueue(_ items: [NewWorkItem]) async throws {
        guard !items.isEmpty else { return }
        try await database.transaction { db in try await Self.insert(items, in: db) }
    }

    func enqueue(_ item: NewWorkItem, ifFewerThan maximumQueued: Int) async throws -> Bool {
        try await database.transaction { db in
            // Two instances counting at once must not both pass the bound: one config's count at a time.
            try await db.execute("SELECT pg_advisory_xact_lock(?::integer, ?::integer)", [Int(7_101_969), item.pluginConfigID])
            let queued = try await db.value(
                """
                SELECT COUNT(*) FROM work_item
                WHERE plugin_config_id = ? AND kind = ? AND status IN ('pending', 'leased', 'buffered')
                """, [item.pluginConfigID, item.kind.rawValue], as: Int.self) ?? 0
            guard queued < maximumQueued else { return false }
            try await Self.insert([item], in: db)
            return true
        }
    }

    /// Inserts items in the caller's transaction (ingestion commits them with the events).
    static func insert(_ items: [NewWorkItem], in db: SQLTransaction) async throws {
        let now = Date()
        try await db.insertRows(
            "INSERT INTO work_item (kind, plugin_config_id, team_id, payload, run_at, status, created_at) VALUES",
            items.map { item in
                let status: WorkItem.Status = item.kind == .exportEvent ? .buffered : .pending
                return [item.kind.rawValue, item.pluginConfigID, item.teamID, Bytes(item.payload), item.runAt, status.rawValue, now]
            })
    }

    func lease(now: Date, until leaseEnd: Date, limit: Int, perConfig: Int, excluding: Set<Int>) async throws -> [WorkItem] {
        try await database.transaction { db in
            // Each step seeks the next config with pending items in `work_item_config_due`.
            let configs: [Int] = try await db.rows(
                """
                WITH RECURSIVE config(id) AS (
                    SELECT (SELECT MIN(plugin_config_id) FROM work_item WHERE status = 'pending')
                    UNION ALL
                    SELECT (SELECT MIN(plugin_config_id) FROM work_item WHERE status = 'pending' AND plugin_config_id > config.id)
                    FROM config WHERE config.id IS NOT NULL
                )
                SELECT id FROM config WHERE id IS NOT NULL
                """, []
            ).map { try $0["id"] }
            var rows: [SQLRow] = []
            for config in configs where !excluding.contains(config) {
                rows += try await db.rows(
                    """
                    SELECT * FROM work_item WHERE status = 'pending' AND plugin_config_id = ? AND run_at <= ?
                    ORDER BY run_at, id LIMIT ? FOR UPDATE SKIP LOCKED
                    """, [config, now, perConfig])
            }
            // Items of a crashed worker: few, as leases are bounded by the workers' concurrency.
            rows += try await db.rows(
                """
                SELECT * FROM work_item WHERE status = 'leased' AND lease_until <= ? ORDER BY run_at, id LIMIT ?
                FOR UPDATE SKIP LOCKED
                """, [now, limit])
            var leasedPerConfig: [Int: Int] = [:]
            let items = try rows.map(WorkItem.init(row:))
                .filter { !excluding.contains($0.pluginConfigID) }
                .sorted { ($0.runAt, $0.id) < ($1.runAt, $1.id) }
                .filter { item in
                    let count = leasedPerConfig[item.pluginConfigID, default: 0] + 1
                    leasedPerConfig[item.pluginConfigID] = count
                    return count <= perConfig
                }
                .prefix(limit)
            guard !items.isEmpty else { return [] }
            try await db.execute(
                "UPDATE work_item SET status = 'leased', lease_until = ? WHERE id IN (\(items.map { _ in "?" }.joined(separator: ",")))",
                [leaseEnd] + items.map(\.id))
            return items.map { item in
                var leased = item
                leased.status = .leased
                return leased
            }
        }
    }

    func release(_ id: Int64) async throws {
        try await database.execute("UPDATE work_item SET status = 'pending', lease_until = NULL WHERE id = ?", [id])
    }

    func renewLease(_ id: Int64, until leaseEnd: Date) async throws {
        try await database.execute("UPDATE work_item SET lease_until = ? WHERE id = ? AND status = 'leased'", [leaseEnd, id])
    }

    func complete(_ id: Int64) async throws {
        try await database.execute("DELETE FROM work_item WHERE id = ?", [id])
    }

    func retry(_ id: Int64, at runAt: Date, error: String) async throws {
        try await database.execute(
            """
            UPDATE work_item SET status = 'pending', run_at = ?, attempts = attempts + 1, last_error = ?, lease_until = NULL
            WHERE id = ?
            """, [runAt, error, id])
    }

    func bury(_ id: Int64, error: String) async throws {
        try await database.execute(
            "UPDATE work_item SET status = 'dead', attempts = attempts + 1, last_error = ?, lease_until = NULL WHERE id = ?",
            [error, id])
    }

    func deadLetters(pluginConfigID: Int) async throws -> [WorkItem] {
        try await database.rows("SELECT * FROM work_item WHERE plugin_config_id = ? AND status = 'dead' ORDER BY id", [pluginConfigID])
            .map(WorkItem.init(row:))
    }

    func queuedItems(pluginConfigID: Int) async throws -> [WorkItem] {
        try await database.rows("SELECT * FROM work_item WHERE plugin_config_id = ? AND status != 'dead' ORDER BY id", [pluginConfigID])
            .map(WorkItem.init(row:))
    }

    func replay(pluginConfigID: Int, ids: [Int64]?, now: Date) async throws -> Int {
        var sql = """
            UPDATE work_item SET status = 'pending', attempts = 0, run_at = ?, lease_until = NULL
            WHERE plugin_config_id = ? AND status = 'dead'
            """
        var arguments: [any SQLArgument] = [now, pluginConfigID]
        if let ids {
            guard !ids.isEmpty else { return 0 }
            sql += " AND id IN (\(ids.map { _ in "?" }.joined(separator: ",")))"
            arguments += ids as [any SQLArgument]
        }
        return try await database.rows(sql + " RETURNING id", arguments).count
    }

    func exportBuffers() async throws -> [(pluginConfigID: Int, teamID: Int, count: Int, bytes: Int, oldest: Date)] {
        try await database.rows(
            """
            SELECT plugin_config_id, team_id, COUNT(*) AS count, SUM(length(payload))::bigint AS bytes, MIN(run_at) AS oldest
            FROM work_item WHERE status = 'buffered' GROUP BY plugin_config_id, team_id
            """, []
        ).map { row in (try row["plugin_config_id"], try row["team_id"], try row["count"], try row["bytes"], try row["oldest"]) }
    }

    func batchExportEvents(pluginConfigID: Int, maximumBytes: Int, now: Date) async throws -> Int {
        try await database.transaction { db in
            // Locked, so an instance batching the same config at the same moment finds them gone, not doubled.
            let rows = try await db.rows(
                """
                SELECT id, team_id, payload FROM work_item
                WHERE status = 'buffered' AND plugin_config_id = ? ORDER BY id FOR UPDATE SKIP LOCKED
                """, [pluginConfigID])
            guard let teamID = try rows.first.map({ try $0["team_id"] as Int }) else { return 0 }
            let batches = NewWorkItem.exportBatches(
                of: try rows.map { try $0.bytes("payload") }, maximumBytes: maximumBytes, pluginConfigID: pluginConfigID,
                teamID: teamID, runAt: now)
            try await Self.insert(batches, in: db)
            let ids: [any SQLArgument] = try rows.map { try $0["id"] as Int64 }
            try await db.execute("DELETE FROM work_item WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ",")))", ids)
            return batches.count
        }
    }

    func counts() async throws -> [WorkQueueCount] {
        try await database.rows("SELECT kind, status, COUNT(*) AS count, MIN(run_at) AS earliest FROM work_item GROUP BY kind, status", [])
            .compactMap { row in
                guard let kind = WorkKind(rawValue: try row["kind"]), let status = WorkItem.Status(rawValue: try row["status"]) else {
                    return nil
                }
                return WorkQueueCount(kind: kind, status: status, count: try row["count"], earliestRunAt: try row["earliest"])
            }
    }
}

extension WorkItem {
    fileprivate init(row: SQLRow) throws {
        self.init(
            id: try row["id"], kind: WorkKind(rawValue: try row["kind"]) ?? .job, pluginConfigID: try row["plugin_config_id"],
            teamID: try row["team_id"], payload: try row.bytes("payload"), runAt: try row["run_at"], attempts: try row["attempts"],
            status: WorkItem.Status(rawValue: try row["status"]) ?? .pending, lastError: try row["last_error"],
            createdAt: try row["created_at"])
    }
}
