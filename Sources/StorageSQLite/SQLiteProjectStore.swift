import Foundation
import GRDB
public import Storage

/// Organizations, projects and personal API keys in SQLite.
public struct SQLiteProjectStore: ProjectStore {
    private let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func bootstrap(
        projectAPIToken: String, personalAPIKeyHash: String, personalAPIKeyMask: String
    ) async throws -> Project? {
        try await database.pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM organization") == 0 else { return nil }
            return try Self.insertOrganization(
                "Default organization", projectAPIToken: projectAPIToken, personalAPIKeyHash: personalAPIKeyHash,
                personalAPIKeyMask: personalAPIKeyMask, in: db)
        }
    }

    public func createOrganization(
        name: String, projectAPIToken: String, personalAPIKeyHash: String, personalAPIKeyMask: String
    ) async throws -> Project {
        try await database.pool.write { db in
            try Self.insertOrganization(
                name, projectAPIToken: projectAPIToken, personalAPIKeyHash: personalAPIKeyHash,
                personalAPIKeyMask: personalAPIKeyMask, in: db)
        }
    }

    private static func insertOrganization(
        _ name: String, projectAPIToken: String, personalAPIKeyHash: String, personalAPIKeyMask: String, in db: Database
    ) throws -> Project {
        let now = Date()
        try db.execute(sql: "INSERT INTO organization (name, created_at) VALUES (?, ?)", arguments: [name, now])
        let organizationID = Int(db.lastInsertedRowID)
        try db.execute(
            sql: "INSERT INTO team (organization_id, name, api_token, created_at) VALUES (?, ?, ?, ?)",
            arguments: [organizationID, "Default project", projectAPIToken, now])
        let projectID = Int(db.lastInsertedRowID)
        try db.execute(
            sql: """
                INSERT INTO personal_api_key (organization_id, label, secure_value, mask_value, created_at)
                VALUES (?, ?, ?, ?, ?)
                """,
            arguments: [organizationID, "Created with the organization", personalAPIKeyHash, personalAPIKeyMask, now])
        return Project(id: projectID, organizationID: organizationID, name: "Default project", apiToken: projectAPIToken)
    }

    public func project(apiToken: String) async throws -> Project? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM team WHERE api_token = ?", arguments: [apiToken]).map(Project.init(row:))
        }
    }

    public func project(id: Int) async throws -> Project? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM team WHERE id = ?", arguments: [id]).map(Project.init(row:))
        }
    }

    public func projects(organizationID: Int) async throws -> [Project] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM team WHERE organization_id = ? ORDER BY id", arguments: [organizationID])
                .map(Project.init(row:))
        }
    }

    public func organizationID(personalAPIKeyHash: String) async throws -> Int? {
        try await database.pool.read { db in
            try Int.fetchOne(
                db, sql: "SELECT organization_id FROM personal_api_key WHERE secure_value = ?", arguments: [personalAPIKeyHash])
        }
    }

    public func setSessionRecordingOptIn(_ optIn: Bool, projectID: Int) async throws -> Project? {
        try await database.pool.write { db in
            try db.execute(sql: "UPDATE team SET session_recording_opt_in = ? WHERE id = ?", arguments: [optIn, projectID])
            return try Row.fetchOne(db, sql: "SELECT * FROM team WHERE id = ?", arguments: [projectID]).map(Project.init(row:))
        }
    }
}

extension Project {
    fileprivate init(row: Row) {
        self.init(
            id: row["id"], organizationID: row["organization_id"], name: row["name"], apiToken: row["api_token"],
            anonymizeIPs: row["anonymize_ips"], sessionRecordingOptIn: row["session_recording_opt_in"])
    }
}
