import Foundation
import GRDB
public import Storage

/// Action webhooks and REST hooks in SQLite.
public struct SQLiteHookStore: HookStore {
    private let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func actionWebhooks(teamID: Int) async throws -> [ActionWebhook] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM action_webhook WHERE team_id = ? ORDER BY id", arguments: [teamID])
                .map(Self.actionWebhook)
        }
    }

    public func actionWebhook(id: Int, teamID: Int) async throws -> ActionWebhook? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM action_webhook WHERE id = ? AND team_id = ?", arguments: [id, teamID])
                .map(Self.actionWebhook)
        }
    }

    public func createActionWebhook(teamID: Int, settings: ActionWebhook.Settings) async throws -> ActionWebhook {
        try await database.pool.write { db in
            let now = Date()
            try db.execute(
                sql: """
                    INSERT INTO action_webhook (team_id, name, enabled, event, property_filters, service, url, message_format, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    teamID, settings.name, settings.enabled, settings.event, settings.propertyFilters, settings.service.rawValue,
                    settings.url, settings.messageFormat, now,
                ])
            return ActionWebhook(id: Int(db.lastInsertedRowID), teamID: teamID, settings: settings, createdAt: now)
        }
    }

    public func updateActionWebhook(id: Int, teamID: Int, settings: ActionWebhook.Settings) async throws -> ActionWebhook? {
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    UPDATE action_webhook SET name = ?, enabled = ?, event = ?, property_filters = ?, service = ?, url = ?, message_format = ?
                    WHERE id = ? AND team_id = ?
                    """,
                arguments: [
                    settings.name, settings.enabled, settings.event, settings.propertyFilters, settings.service.rawValue, settings.url,
                    settings.messageFormat, id, teamID,
                ])
            guard db.changesCount > 0 else { return nil }
            return try Row.fetchOne(db, sql: "SELECT * FROM action_webhook WHERE id = ?", arguments: [id]).map(Self.actionWebhook)
        }
    }

    public func deleteActionWebhook(id: Int, teamID: Int) async throws -> Bool {
        try await database.pool.write { db in
            try db.execute(sql: "DELETE FROM action_webhook WHERE id = ? AND team_id = ?", arguments: [id, teamID])
            return db.changesCount > 0
        }
    }

    public func restHooks(teamID: Int) async throws -> [RestHook] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM rest_hook WHERE team_id = ? ORDER BY id", arguments: [teamID]).map(Self.restHook)
        }
    }

    public func restHook(id: Int, teamID: Int) async throws -> RestHook? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM rest_hook WHERE id = ? AND team_id = ?", arguments: [id, teamID])
                .map(Self.restHook)
        }
    }

    public func createRestHook(teamID: Int, target: String, event: String, resourceID: Int?) async throws -> RestHook {
        try await database.pool.write { db in
            let now = Date()
            try db.execute(
                sql: "INSERT INTO rest_hook (team_id, target, event, resource_id, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [teamID, target, event, resourceID, now])
            return RestHook(
                id: Int(db.lastInsertedRowID), teamID: teamID, target: target, event: event, resourceID: resourceID, createdAt: now)
        }
    }

    public func deleteRestHook(id: Int, teamID: Int) async throws -> Bool {
        try await database.pool.write { db in
            try db.execute(sql: "DELETE FROM rest_hook WHERE id = ? AND team_id = ?", arguments: [id, teamID])
            return db.changesCount > 0
        }
    }

    private static func actionWebhook(_ row: Row) -> ActionWebhook {
        ActionWebhook(
            id: row["id"], teamID: row["team_id"],
            settings: ActionWebhook.Settings(
                name: row["name"], enabled: row["enabled"], event: row["event"], propertyFilters: row["property_filters"],
                service: ActionWebhook.Service(rawValue: row["service"]) ?? .json, url: row["url"], messageFormat: row["message_format"]),
            createdAt: row["created_at"])
    }

    private static func restHook(_ row: Row) -> RestHook {
        RestHook(
            id: row["id"], teamID: row["team_id"], target: row["target"], event: row["event"], resourceID: row["resource_id"],
            createdAt: row["created_at"])
    }
}
