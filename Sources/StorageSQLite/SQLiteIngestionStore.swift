import Foundation
import GRDB
public import Storage

/// The ingestion log and the stored events in SQLite.
public struct SQLiteIngestionStore: IngestionStore {
    private let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func append(_ records: [IngestionRecord]) async throws -> [Int64] {
        try await database.pool.write { db in
            let statement = try db.cachedStatement(
                sql: "INSERT INTO ingestion_log (team_id, uuid, distinct_id, payload) VALUES (?, ?, ?, ?)")
            return try records.map { record in
                try statement.execute(arguments: [record.teamID, record.uuid, record.distinctID, Data(record.payload)])
                return db.lastInsertedRowID
            }
        }
    }

    public func teamsWithPendingEvents() async throws -> [Int] {
        try await database.pool.read { db in
            try Int.fetchAll(db, sql: "SELECT DISTINCT team_id FROM ingestion_log ORDER BY team_id")
        }
    }

    public func pendingEvents(teamID: Int, after sequence: Int64, limit: Int) async throws -> [IngestionRecord] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, team_id, uuid, distinct_id, payload FROM ingestion_log
                    WHERE team_id = ? AND seq > ? ORDER BY seq LIMIT ?
                    """,
                arguments: [teamID, sequence, limit]
            ).map { row in
                IngestionRecord(
                    sequence: row["seq"], teamID: row["team_id"], uuid: row["uuid"], distinctID: row["distinct_id"],
                    payload: Array(row["payload"] as Data))
            }
        }
    }

    public func commit(_ outcomes: [IngestionOutcome]) async throws {
        guard !outcomes.isEmpty else { return }
        try await database.pool.write { db in
            let insertEvent = try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO event (team_id, uuid, event, distinct_id, timestamp, properties, data)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            let insertDropped = try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO dropped_event (team_id, uuid, event, distinct_id, dropped_by, created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """)
            let removeFromLog = try db.cachedStatement(sql: "DELETE FROM ingestion_log WHERE seq = ?")
            let now = Date()
            for outcome in outcomes {
                switch outcome.result {
                case .stored(let event):
                    try insertEvent.execute(arguments: [
                        outcome.teamID, outcome.uuid, event.event, event.distinctID, event.timestamp, event.properties,
                        Data(event.data),
                    ])
                    // A duplicate uuid was ignored: its work was queued the first time.
                    if db.changesCount > 0 { try SQLiteWorkQueueStore.insert(outcome.work, in: db) }
                case .dropped(let event, let droppedBy):
                    try insertDropped.execute(arguments: [
                        outcome.teamID, outcome.uuid, event, outcome.distinctID, droppedBy, now,
                    ])
                    if db.changesCount > 0 { try SQLiteWorkQueueStore.insert(outcome.work, in: db) }
                }
                try removeFromLog.execute(arguments: [outcome.sequence])
            }
        }
    }

    public func events(_ query: EventQuery) async throws -> [(event: StoredEvent, cursor: EventCursor)] {
        try await database.pool.read { db in
            var conditions = ["team_id = ?"]
            var arguments: StatementArguments = [query.teamID]
            let filters: [(condition: String, value: String?)] = [
                ("event = ?", query.event), ("distinct_id = ?", query.distinctID),
                ("timestamp > ?", query.after), ("timestamp < ?", query.before),
            ]
            for filter in filters {
                guard let value = filter.value else { continue }
                conditions.append(filter.condition)
                _ = arguments.append(contentsOf: [value])
            }
            if let cursor = query.cursor {
                conditions.append("(timestamp < ? OR (timestamp = ? AND id < ?))")
                _ = arguments.append(contentsOf: [cursor.timestamp, cursor.timestamp, cursor.rowID])
            }
            _ = arguments.append(contentsOf: [query.limit])
            let sql = """
                SELECT id, team_id, uuid, event, distinct_id, timestamp, properties, data FROM event
                WHERE \(conditions.joined(separator: " AND ")) ORDER BY timestamp DESC, id DESC LIMIT ?
                """
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                let event = StoredEvent(
                    uuid: row["uuid"], teamID: row["team_id"], event: row["event"], distinctID: row["distinct_id"],
                    timestamp: row["timestamp"], properties: row["properties"], data: Array(row["data"] as Data))
                return (event, EventCursor(timestamp: event.timestamp, rowID: row["id"]))
            }
        }
    }

    public func pendingCount() async throws -> Int {
        try await database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ingestion_log") ?? 0 }
    }
}
