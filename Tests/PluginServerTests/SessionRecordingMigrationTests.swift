import Foundation
import GRDB
import QuillTestSupport
@testable import StorageSQLite
import Testing

/// The migration that indexes events by session: events stored before it are found by session afterwards.
@Suite struct SessionRecordingMigrationTests {
    @Test func eventsStoredBeforeTheMigrationGetTheirSessionID() throws {
        let folder = try TemporaryFolder()
        let queue = try DatabaseQueue(path: folder.url.appending(path: "before.sqlite").path)
        try SQLiteDatabase.migrator.migrate(queue, upTo: "v9: ingestion log acceptance time")
        let properties = [
            "recorded": #"{"$session_id":"0192b1f4-aaaa-7000-8000-000000000001","$snapshot_data":[{"type":2}]}"#,
            "numeric": #"{"$session_id":42}"#,
            "empty": #"{"$session_id":""}"#,
            "too long": #"{"$session_id":"\#(String(repeating: "s", count: 201))"}"#,
            "nested only": #"{"inner":{"$session_id":"s"}}"#,
            "none": #"{"plan":"free"}"#,
            "not JSON": #"{"$session_id":"#,
        ]
        try queue.write { db in
            for (uuid, text) in properties {
                try db.execute(
                    sql: """
                        INSERT INTO event (team_id, uuid, event, distinct_id, timestamp, properties, data)
                        VALUES (1, ?, 'e', 'd', '2026-01-01T00:00:00.000Z', ?, x'7b7d')
                        """,
                    arguments: [uuid, text])
            }
        }
        try SQLiteDatabase.migrator.migrate(queue)
        let sessions = try queue.read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT uuid, session_id FROM event").map {
                ($0["uuid"] as String, $0["session_id"] as String?)
            })
        }
        #expect(sessions["recorded"] == "0192b1f4-aaaa-7000-8000-000000000001")
        for uuid in properties.keys where uuid != "recorded" { #expect(sessions[uuid] == .some(nil), "\(uuid)") }
    }
}
