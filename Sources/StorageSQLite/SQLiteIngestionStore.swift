public import Foundation
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
                sql: "INSERT INTO ingestion_log (team_id, uuid, distinct_id, payload, accepted_at) VALUES (?, ?, ?, ?, ?)")
            let now = Date().timeIntervalSince1970
            return try records.map { record in
                try statement.execute(arguments: [record.teamID, record.uuid, record.distinctID, Data(record.payload), now])
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
                    SELECT seq, team_id, uuid, distinct_id, payload, crashes FROM ingestion_log
                    WHERE team_id = ? AND seq > ? ORDER BY seq LIMIT ?
                    """,
                arguments: [teamID, sequence, limit]
            ).map { row in
                IngestionRecord(
                    sequence: row["seq"], teamID: row["team_id"], uuid: row["uuid"], distinctID: row["distinct_id"],
                    payload: Array(row["payload"] as Data), crashes: row["crashes"])
            }
        }
    }

    public func commit(_ outcomes: [IngestionOutcome]) async throws {
        guard !outcomes.isEmpty else { return }
        try await database.pool.write { db in
            let insertEvent = try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO event (team_id, uuid, event, distinct_id, timestamp, properties, data, session_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            let insertDropped = try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO dropped_event (team_id, uuid, event, distinct_id, dropped_by, created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """)
            let removeFromLog = try db.cachedStatement(sql: "DELETE FROM ingestion_log WHERE seq = ?")
            let countWarning = try db.cachedStatement(
                sql: """
                    INSERT INTO ingestion_warning (team_id, type, hour, count, last_seen, last_details) VALUES (?, ?, ?, 1, ?, ?)
                    ON CONFLICT (team_id, type, hour) DO UPDATE
                    SET count = count + 1, last_seen = excluded.last_seen, last_details = excluded.last_details
                    """)
            let now = Date()
            let hour = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
            var warned = false
            for outcome in outcomes {
                for warning in outcome.warnings {
                    try countWarning.execute(arguments: [outcome.teamID, warning.type, hour, now, warning.details])
                    warned = true
                }
                switch outcome.result {
                case .stored(let event):
                    try insertEvent.execute(arguments: [
                        outcome.teamID, outcome.uuid, event.event, event.distinctID, event.timestamp, event.properties,
                        Data(event.data), event.sessionID,
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
            // Warnings are kept 30 days: a project that keeps sending bad timestamps fills one row an hour per type.
            if warned {
                try db.execute(sql: "DELETE FROM ingestion_warning WHERE hour < ?", arguments: [now.addingTimeInterval(-30 * 86_400)])
            }
        }
    }

    public func markInFlight(teamID: Int, sequences: ClosedRange<Int64>) async throws {
        try await database.inFlightMarks.write { db in
            try db.execute(
                sql: """
                    INSERT INTO in_flight (team_id, first_seq, last_seq, mark) VALUES (?, ?, ?, ?)
                    ON CONFLICT (team_id) DO UPDATE SET first_seq = excluded.first_seq, last_seq = excluded.last_seq, mark = excluded.mark
                    """,
                arguments: [teamID, sequences.lowerBound, sequences.upperBound, Int64.random(in: 1...Int64.max)])
        }
    }

    public func clearInFlight(teamID: Int) async throws {
        try await database.inFlightMarks.write { db in
            try db.execute(sql: "DELETE FROM in_flight WHERE team_id = ?", arguments: [teamID])
        }
    }

    public func recoverInFlight(teamID: Int, quarantineAfter crashes: Int) async throws -> [QuarantinedEvent] {
        guard
            let (firstSequence, lastSequence, mark) = try await database.inFlightMarks.read({ db in
                try Row.fetchOne(db, sql: "SELECT first_seq, last_seq, mark FROM in_flight WHERE team_id = ?", arguments: [teamID])
                    .map { ($0["first_seq"] as Int64, $0["last_seq"] as Int64, $0["mark"] as Int64) }
            })
        else { return [] }
        let quarantined = try await database.pool.write { db in
            // A row already counted under this mark was counted by a recovery that died before removing the mark.
            try db.execute(
                sql: """
                    UPDATE ingestion_log SET crashes = crashes + 1, crash_mark = ?
                    WHERE team_id = ? AND seq BETWEEN ? AND ? AND crash_mark IS NOT ?
                    """,
                arguments: [mark, teamID, firstSequence, lastSequence, mark])
            let now = Date()
            let poisoned = try Row.fetchAll(
                db, sql: "SELECT seq, uuid, distinct_id, payload, crashes FROM ingestion_log WHERE team_id = ? AND crashes >= ?",
                arguments: [teamID, crashes])
            return try poisoned.map { row in
                try db.execute(
                    sql: """
                        INSERT INTO quarantined_event (team_id, uuid, distinct_id, payload, crashes, quarantined_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [teamID, row["uuid"] as String, row["distinct_id"] as String, row["payload"] as Data, row["crashes"] as Int, now])
                let id = db.lastInsertedRowID
                try db.execute(sql: "DELETE FROM ingestion_log WHERE seq = ?", arguments: [row["seq"] as Int64])
                return QuarantinedEvent(
                    id: id, teamID: teamID, uuid: row["uuid"], distinctID: row["distinct_id"], payload: Array(row["payload"] as Data),
                    crashes: row["crashes"], quarantinedAt: now)
            }
        }
        try await database.inFlightMarks.write { db in
            try db.execute(sql: "DELETE FROM in_flight WHERE team_id = ? AND mark = ?", arguments: [teamID, mark])
        }
        return quarantined
    }

    public func quarantinedEvents(teamID: Int, limit: Int) async throws -> [QuarantinedEvent] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, team_id, uuid, distinct_id, payload, crashes, quarantined_at FROM quarantined_event
                    WHERE team_id = ? ORDER BY id DESC LIMIT ?
                    """,
                arguments: [teamID, limit]
            ).map(Self.quarantinedEvent)
        }
    }

    public func releaseQuarantinedEvent(id: Int64, teamID: Int) async throws -> IngestionRecord? {
        try await database.pool.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT uuid, distinct_id, payload FROM quarantined_event WHERE id = ? AND team_id = ?",
                    arguments: [id, teamID])
            else { return nil }
            var record = IngestionRecord(
                teamID: teamID, uuid: row["uuid"], distinctID: row["distinct_id"], payload: Array(row["payload"] as Data))
            try db.execute(
                sql: "INSERT INTO ingestion_log (team_id, uuid, distinct_id, payload, accepted_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [teamID, record.uuid, record.distinctID, Data(record.payload), Date().timeIntervalSince1970])
            record.sequence = db.lastInsertedRowID
            try db.execute(sql: "DELETE FROM quarantined_event WHERE id = ?", arguments: [id])
            return record
        }
    }

    public func quarantinedCount() async throws -> Int {
        try await database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM quarantined_event") ?? 0 }
    }

    public func ingestionWarnings(teamID: Int, since date: Date) async throws -> [IngestionWarningSummary] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT type, hour, count, last_seen, last_details FROM ingestion_warning
                    WHERE team_id = ? AND hour >= ? ORDER BY hour DESC, type
                    """,
                arguments: [teamID, Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 3600).rounded(.down) * 3600)]
            ).map { row in
                IngestionWarningSummary(
                    type: row["type"], hour: row["hour"], count: row["count"], lastSeen: row["last_seen"],
                    lastDetails: row["last_details"])
            }
        }
    }

    private static func quarantinedEvent(_ row: Row) -> QuarantinedEvent {
        QuarantinedEvent(
            id: row["id"], teamID: row["team_id"], uuid: row["uuid"], distinctID: row["distinct_id"],
            payload: Array(row["payload"] as Data), crashes: row["crashes"], quarantinedAt: row["quarantined_at"])
    }

    public func events(_ query: EventQuery) async throws -> [(event: StoredEvent, cursor: EventCursor)] {
        try await database.pool.read { db in
            var conditions = ["team_id = ?"]
            var arguments: StatementArguments = [query.teamID]
            let filters: [(condition: String, value: String?)] = [
                ("event = ?", query.event), ("distinct_id = ?", query.distinctID), ("session_id = ?", query.sessionID),
                ("timestamp > ?", query.after), ("timestamp < ?", query.before),
            ]
            for filter in filters {
                guard let value = filter.value else { continue }
                conditions.append(filter.condition)
                _ = arguments.append(contentsOf: [value])
            }
            if let cursor = query.cursor {
                conditions.append("(timestamp < ? OR (timestamp = ? AND id < ?))")
                _ = arguments.append(contentsOf: [cursor.timestamp, cursor.timestamp, cursor.position])
            }
            _ = arguments.append(contentsOf: [query.limit])
            let sql = """
                SELECT id, team_id, uuid, event, distinct_id, timestamp, properties, data, session_id FROM event
                WHERE \(conditions.joined(separator: " AND ")) ORDER BY timestamp DESC, id DESC LIMIT ?
                """
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                let event = StoredEvent(
                    uuid: row["uuid"], teamID: row["team_id"], event: row["event"], distinctID: row["distinct_id"],
                    timestamp: row["timestamp"], properties: row["properties"], data: Array(row["data"] as Data),
                    sessionID: row["session_id"])
                return (event, EventCursor(timestamp: event.timestamp, position: row["id"]))
            }
        }
    }

    public func oldestPendingAcceptance() async throws -> Date? {
        try await database.pool.read { db in
            try Double.fetchOne(db, sql: "SELECT accepted_at FROM ingestion_log ORDER BY seq LIMIT 1").map {
                Date(timeIntervalSince1970: $0)
            }
        }
    }

    public func pendingCount() async throws -> Int {
        try await database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ingestion_log") ?? 0 }
    }

    /// One process uses the file: every claim is granted.
    public func claimTeam(_ teamID: Int, holder: String, for duration: Duration) async throws -> TeamLease? {
        TeamLease(teamID: teamID, holder: holder, token: 1)
    }

    public func releaseTeam(_ lease: TeamLease) async throws {}
}
