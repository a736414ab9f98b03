import Foundation
import Storage

/// The ingestion log and the stored events in PostgreSQL.
struct PostgresIngestionStore: IngestionStore {
    let database: PostgresDatabase

    func append(_ records: [IngestionRecord]) async throws -> [Int64] {
        guard !records.isEmpty else { return [] }
        let now = Date().timeIntervalSince1970
        return try await database.transaction { db in
            // A team's appends take turns, so its sequence numbers are handed out in the order they commit: a reader
            // going through the log in sequence order never passes an event that commits later with a lower number
            // (instances append to one team's log at once). Locked in team order, so two appends can't deadlock.
            for teamID in Set(records.map(\.teamID)).sorted() {
                try await db.execute("SELECT pg_advisory_xact_lock(?::integer, ?::integer)", [Int(7_101_971), teamID])
            }
            // Sequence numbers are drawn row by row in the order of VALUES, and RETURNING gives them in that order.
            return try await db.insertRows(
                "INSERT INTO ingestion_log (team_id, uuid, distinct_id, payload, accepted_at) VALUES",
                records.map { [$0.teamID, $0.uuid, $0.distinctID, Bytes($0.payload), now] as [any SQLArgument] }, "RETURNING seq"
            ).map { try $0["seq"] as Int64 }
        }
    }

    func teamsWithPendingEvents() async throws -> [Int] {
        // Each step seeks the next team in `ingestion_log_team`, rather than reading a large log whole.
        try await database.rows(
            """
            WITH RECURSIVE team(id) AS (
                SELECT (SELECT MIN(team_id) FROM ingestion_log)
                UNION ALL
                SELECT (SELECT MIN(team_id) FROM ingestion_log WHERE team_id > team.id) FROM team WHERE team.id IS NOT NULL
            )
            SELECT id FROM team WHERE id IS NOT NULL
            """, []
        ).map { try $0["id"] }
    }

    func claimTeam(_ teamID: Int, holder: String, for duration: Duration) async throws -> TeamLease? {
        let milliseconds = Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        // A renewal by the holder keeps the token; a new holder (after the lease ran out) gets the next one.
        return try await database.value(
            """
            INSERT INTO team_lease (team_id, holder, token, expires_at) VALUES (?, ?, 1, now() + ? * interval '1 millisecond')
            ON CONFLICT (team_id) DO UPDATE SET
                token = CASE WHEN team_lease.holder = excluded.holder AND team_lease.expires_at > now()
                    THEN team_lease.token ELSE team_lease.token + 1 END,
                holder = excluded.holder, expires_at = excluded.expires_at
            WHERE team_lease.holder = excluded.holder OR team_lease.expires_at <= now()
            RETURNING token
            """, [teamID, holder, milliseconds], as: Int64.self
        ).map { TeamLease(teamID: teamID, holder: holder, token: $0) }
    }

    func releaseTeam(_ lease: TeamLease) async throws {
        // Ended, not deleted: the next holder's token must still be greater.
        try await database.execute(
            "UPDATE team_lease SET expires_at = now() WHERE team_id = ? AND holder = ? AND token = ?",
            [lease.teamID, lease.holder, lease.token])
    }

    func pendingEvents(teamID: Int, after sequence: Int64, limit: Int) async throws -> [IngestionRecord] {
        try await database.rows(
            """
            SELECT seq, team_id, uuid, distinct_id, payload, crashes FROM ingestion_log
            WHERE team_id = ? AND seq > ? ORDER BY seq LIMIT ?
            """, [teamID, sequence, limit]
        ).map { row in
            IngestionRecord(
                sequence: try row["seq"], teamID: try row["team_id"], uuid: try row["uuid"], distinctID: try row["distinct_id"],
                payload: try row.bytes("payload"), crashes: try row["crashes"])
        }
    }

    func commit(_ outcomes: [IngestionOutcome]) async throws {
        guard !outcomes.isEmpty else { return }
        let now = Date()
        let hour = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
        try await database.transaction { db in
            // Outcomes made under a lease another instance has since taken stay in the log for it. The rows are
            // locked until the commit, so no one takes a team between this check and the commit.
            var valid = Set<TeamLease>()
            let leases = Set(outcomes.compactMap(\.lease))
            if !leases.isEmpty {
                let teams = Set(leases.map(\.teamID))
                for row in try await db.rows(
                    "SELECT team_id, holder, token FROM team_lease WHERE team_id IN (\(teams.map { _ in "?" }.joined(separator: ","))) FOR SHARE",
                    teams.sorted() as [any SQLArgument])
                {
                    valid.insert(TeamLease(teamID: try row["team_id"], holder: try row["holder"], token: try row["token"]))
                }
            }
            let committed = outcomes.filter { outcome in outcome.lease.map(valid.contains) ?? true }
            guard !committed.isEmpty else { return }
            // A few multi-row statements a batch, not a few statements an event: round trips are what cost here.
            var warnings: [String: (teamID: Int, type: String, count: Int, details: String)] = [:]
            for outcome in committed {
                for warning in outcome.warnings {
                    let key = "\(outcome.teamID) \(warning.type)"
                    warnings[key] = (outcome.teamID, warning.type, (warnings[key]?.count ?? 0) + 1, warning.details)
                }
            }
            if !warnings.isEmpty {
                try await db.insertRows(
                    "INSERT INTO ingestion_warning (team_id, type, hour, count, last_seen, last_details) VALUES",
                    warnings.values.sorted { ($0.teamID, $0.type) < ($1.teamID, $1.type) }.map {
                        [$0.teamID, $0.type, hour, $0.count, now, $0.details] as [any SQLArgument]
                    },
                    """
                    ON CONFLICT (team_id, type, hour) DO UPDATE SET count = ingestion_warning.count + excluded.count,
                        last_seen = excluded.last_seen, last_details = excluded.last_details
                    """)
                // Warnings are kept 30 days: a project that keeps sending bad timestamps fills one row an hour per type.
                try await db.execute("DELETE FROM ingestion_warning WHERE hour < ?", [now.addingTimeInterval(-30 * 86_400)])
            }
            var storedRows: [[any SQLArgument]] = []
            var droppedRows: [[any SQLArgument]] = []
            for outcome in committed {
                switch outcome.result {
                case .stored(let event):
                    storedRows.append([
                        outcome.teamID, outcome.uuid, event.event, event.distinctID, event.timestamp, event.properties,
                        Bytes(event.data), event.sessionID,
                    ])
                case .dropped(let event, let droppedBy):
                    droppedRows.append([outcome.teamID, outcome.uuid, event, outcome.distinctID, droppedBy, now])
                }
            }
            var inserted = Set<String>()
            for row in try await db.insertRows(
                "INSERT INTO event (team_id, uuid, event, distinct_id, timestamp, properties, data, session_id) VALUES",
                storedRows, "ON CONFLICT (team_id, uuid) DO NOTHING RETURNING team_id, uuid")
                + (try await db.insertRows(
                    "INSERT INTO dropped_event (team_id, uuid, event, distinct_id, dropped_by, created_at) VALUES", droppedRows,
                    "ON CONFLICT (team_id, uuid) DO NOTHING RETURNING team_id, uuid"))
            {
                inserted.insert("\(try row["team_id"] as Int) \(try row["uuid"] as String)")
            }
            // A uuid already stored (or twice in this batch) brings its work once: the first time.
            var work: [NewWorkItem] = []
            for outcome in committed where inserted.remove("\(outcome.teamID) \(outcome.uuid)") != nil {
                work += outcome.work
            }
            try await PostgresWorkQueueStore.insert(work, in: db)
            let sequences = committed.map(\.sequence)
            for start in stride(from: 0, to: sequences.count, by: 10_000) {
                let chunk = sequences[start..<min(start + 10_000, sequences.count)]
                try await db.execute(
                    "DELETE FROM ingestion_log WHERE seq IN (\(chunk.map { _ in "?" }.joined(separator: ",")))", Array(chunk))
            }
        }
    }

    func markInFlight(teamID: Int, sequences: ClosedRange<Int64>) async throws {
        try await database.execute(
            """
            INSERT INTO in_flight (team_id, first_seq, last_seq, mark) VALUES (?, ?, ?, ?)
            ON CONFLICT (team_id) DO UPDATE SET first_seq = excluded.first_seq, last_seq = excluded.last_seq, mark = excluded.mark
            """, [teamID, sequences.lowerBound, sequences.upperBound, Int64.random(in: 1...Int64.max)])
    }

    func clearInFlight(teamID: Int) async throws {
        try await database.execute("DELETE FROM in_flight WHERE team_id = ?", [teamID])
    }

    func recoverInFlight(teamID: Int, quarantineAfter crashes: Int) async throws -> [QuarantinedEvent] {
        try await database.transaction { db in
            guard let mark = try await db.row("SELECT first_seq, last_seq, mark FROM in_flight WHERE team_id = ? FOR UPDATE", [teamID])
            else { return [] }
            let markValue: Int64 = try mark["mark"]
            // A row already counted under this mark was counted by a recovery that died before removing the mark.
            try await db.execute(
                """
                UPDATE ingestion_log SET crashes = crashes + 1, crash_mark = ?
                WHERE team_id = ? AND seq BETWEEN ? AND ? AND crash_mark IS DISTINCT FROM ?
                """, [markValue, teamID, try mark["first_seq"] as Int64, try mark["last_seq"] as Int64, markValue])
            let now = Date()
            var quarantined: [QuarantinedEvent] = []
            for row in try await db.rows(
                "SELECT seq, uuid, distinct_id, payload, crashes FROM ingestion_log WHERE team_id = ? AND crashes >= ? ORDER BY seq",
                [teamID, crashes])
            {
                let payload = try row.bytes("payload")
                let id = try await db.value(
                    """
                    INSERT INTO quarantined_event (team_id, uuid, distinct_id, payload, crashes, quarantined_at)
                    VALUES (?, ?, ?, ?, ?, ?) RETURNING id
                    """,
                    [teamID, try row["uuid"] as String, try row["distinct_id"] as String, Bytes(payload), try row["crashes"] as Int, now],
                    as: Int64.self)!
                try await db.execute("DELETE FROM ingestion_log WHERE seq = ?", [try row["seq"] as Int64])
                quarantined.append(
                    QuarantinedEvent(
                        id: id, teamID: teamID, uuid: try row["uuid"], distinctID: try row["distinct_id"], payload: payload,
                        crashes: try row["crashes"], quarantinedAt: now))
            }
            try await db.execute("DELETE FROM in_flight WHERE team_id = ? AND mark = ?", [teamID, markValue])
            return quarantined
        }
    }

    func quarantinedEvents(teamID: Int, limit: Int) async throws -> [QuarantinedEvent] {
        try await database.rows(
            """
            SELECT id, team_id, uuid, distinct_id, payload, crashes, quarantined_at FROM quarantined_event
            WHERE team_id = ? ORDER BY id DESC LIMIT ?
            """, [teamID, limit]
        ).map { row in
            QuarantinedEvent(
                id: try row["id"], teamID: try row["team_id"], uuid: try row["uuid"], distinctID: try row["distinct_id"],
                payload: try row.bytes("payload"), crashes: try row["crashes"], quarantinedAt: try row["quarantined_at"])
        }
    }

    func releaseQuarantinedEvent(id: Int64, teamID: Int) async throws -> IngestionRecord? {
        try await database.transaction { db in
            guard
                let row = try await db.row(
                    "DELETE FROM quarantined_event WHERE id = ? AND team_id = ? RETURNING uuid, distinct_id, payload", [id, teamID])
            else { return nil }
            var record = IngestionRecord(
                teamID: teamID, uuid: try row["uuid"], distinctID: try row["distinct_id"], payload: try row.bytes("payload"))
            try await db.execute("SELECT pg_advisory_xact_lock(?::integer, ?::integer)", [Int(7_101_971), teamID])
            record.sequence = try await db.value(
                "INSERT INTO ingestion_log (team_id, uuid, distinct_id, payload, accepted_at) VALUES (?, ?, ?, ?, ?) RETURNING seq",
                [teamID, record.uuid, record.distinctID, Bytes(record.payload), Date().timeIntervalSince1970], as: Int64.self)
            return record
        }
    }

    func quarantinedCount() async throws -> Int {
        try await database.value("SELECT COUNT(*) FROM quarantined_event", as: Int.self) ?? 0
    }

    func ingestionWarnings(teamID: Int, since date: Date) async throws -> [IngestionWarningSummary] {
        try await database.rows(
            """
            SELECT type, hour, count, last_seen, last_details FROM ingestion_warning
            WHERE team_id = ? AND hour >= ? ORDER BY hour DESC, type
            """, [teamID, Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 3600).rounded(.down) * 3600)]
        ).map { row in
            IngestionWarningSummary(
                type: try row["type"], hour: try row["hour"], count: try row["count"], lastSeen: try row["last_seen"],
                lastDetails: try row["last_details"])
        }
    }

    func events(_ query: EventQuery) async throws -> [(event: StoredEvent, cursor: EventCursor)] {
        var conditions = ["team_id = ?"]
        var arguments: [any SQLArgument] = [query.teamID]
        let filters: [(condition: String, value: String?)] = [
            ("event = ?", query.event), ("distinct_id = ?", query.distinctID), ("session_id = ?", query.sessionID),
            ("timestamp > ?", query.after), ("timestamp < ?", query.before),
        ]
        for filter in filters {
            guard let value = filter.value else { continue }
            conditions.append(filter.condition)
            arguments.append(value)
        }
        if let cursor = query.cursor {
            conditions.append("(timestamp < ? OR (timestamp = ? AND id < ?))")
            arguments += [cursor.timestamp, cursor.timestamp, cursor.position] as [any SQLArgument]
        }
        arguments.append(query.limit)
        return try await database.rows(
            """
            SELECT id, team_id, uuid, event, distinct_id, timestamp, properties, data, session_id FROM event
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY timestamp DESC, id DESC LIMIT ?
            """, arguments
        ).map { row in
            let event = StoredEvent(
                uuid: try row["uuid"], teamID: try row["team_id"], event: try row["event"], distinctID: try row["distinct_id"],
                timestamp: try row["timestamp"], properties: try row["properties"], data: try row.bytes("data"),
                sessionID: try row["session_id"])
            return (event, EventCursor(timestamp: event.timestamp, position: try row["id"]))
        }
    }

    func oldestPendingAcceptance() async throws -> Date? {
        try await database.value("SELECT accepted_at FROM ingestion_log ORDER BY seq LIMIT 1", as: Double?.self)?
            .map { Date(timeIntervalSince1970: $0) }
    }

    func pendingCount() async throws -> Int {
        try await database.value("SELECT COUNT(*) FROM ingestion_log", as: Int.self) ?? 0
    }
}
