import Foundation
import GRDB
import HTTPTypes
import OrderedJSON
import QuillTestSupport
import StorageSQLite
import Testing

/// Config fields marked `secret` are kept encrypted in the database and opened only for the plugin.
@Suite struct SecretConfigTests {
    static let secret = "sekret-value-31415"

    static let plugin: JSONValue = [
        "plugin.json": """
            {"name": "Keyed", "config": [
              {"key": "apiKey", "type": "string", "secret": true, "required": true},
              {"key": "region", "type": "string", "default": "eu"}
            ]}
            """,
        // The code holds the secret reversed, so finding the secret's text anywhere means it leaked.
        "index.js": .string(
            """
            export function processEvent(event, { config }) {
              const reversed = String(config.apiKey).split('').reverse().join('')
              event.properties.key = reversed === '\(String(secret.reversed()))' ? 'first' : config.apiKey === 'stored before' ? 'old' : 'other'
              event.properties.region = config.region
              return event
            }
            """),
    ]

    /// The config's values as the database holds them.
    private func storedConfig(_ server: ServerProcess, id: Int) async throws -> [String: String] {
        let database = try SQLiteDatabase(path: server.dataDirectory.appending(path: "quill.sqlite").path)
        let text = try await database.pool.read { db in
            try String.fetchOne(db, sql: "SELECT config FROM plugin_config WHERE id = ?", arguments: [id])
        }
        return try JSONDecoder().decode([String: String].self, from: Data(try #require(text).utf8))
    }

    @Test func secretsAreStoredEncryptedAndOnlyThePluginSeesThem() async throws {
        let server = try ServerProcess()
        try await server.start()
        let keyFile = server.dataDirectory.appending(path: "secret.key")
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect((attributes[.size] as? NSNumber)?.intValue == 32)

        let api = Management(port: server.port)
        let pluginID = try await api.installSource(Self.plugin)
        let config = try await api.configure(["plugin": JSONValue(pluginID), "enabled": true, "config": ["apiKey": .string(Self.secret)]])
        #expect(try await captureAndWait(port: server.port, event: "keyed one")?["properties"]?["key"] == "first")

        let stored = try await storedConfig(server, id: config)
        let sealed = try #require(stored["apiKey"])
        #expect(sealed.hasPrefix("$quill_encrypted:v1:"))
        #expect(!sealed.contains(Self.secret))
        #expect(stored["region"] == "eu")

        // No answer or export has it; an update that leaves it out keeps it as it was sealed.
        let shown = try await api.get("/api/projects/@current/plugin_configs/\(config)/")
        #expect(!shown.text.contains(Self.secret) && !shown.text.contains("quill_encrypted"))
        #expect(shown.json?["secret_fields_set"] == ["apiKey"])
        let download = try await api.get("/api/organizations/@current/plugins/\(pluginID)/download/")
        #expect(download.status == 200 && !download.text.contains(Self.secret))
        let changed = try await api.send(.patch, "/api/projects/@current/plugin_configs/\(config)/", json: ["config": ["region": "us"]])
        #expect(changed.status == 200, "\(changed.text)")
        #expect(try await storedConfig(server, id: config)["apiKey"] == sealed)
        let after = try await captureAndWait(port: server.port, event: "keyed two")
        #expect(after?["properties"]?["key"] == "first")
        #expect(after?["properties"]?["region"] == "us")
        await server.stop()

        // Nothing in the database files holds the secret's text.
        for name in ["quill.sqlite", "quill.sqlite-wal"] {
            let url = server.dataDirectory.appending(path: name)
            guard let bytes = FileManager.default.contents(atPath: url.path) else { continue }
            #expect(bytes.range(of: Data(Self.secret.utf8)) == nil, "\(name)")
        }

        // A restart reads the same key file.
        try await server.start()
        #expect(try await captureAndWait(port: server.port, event: "keyed three")?["properties"]?["key"] == "first")
        await server.stop()

        // Another key can't open it: the config is not loaded, and its log and the server's output say why.
        server.environment["QUILL_SECRET_KEY"] = Data(repeating: 7, count: 32).base64EncodedString()
        try await server.start()
        let unkeyed = try await captureAndWait(port: server.port, event: "keyed four")
        #expect(unkeyed?["properties"]?["key"] == nil)
        let expected = "Plugin config \(config) (Keyed): its secret field 'apiKey' can't be decrypted with this server's key"
        // The server's output reaches the test through a pipe read on another thread: it may trail the event.
        let printedBy = ContinuousClock.now + .seconds(90)
        while !server.printed.contains(expected) && ContinuousClock.now < printedBy {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(server.printed.contains(expected))
        let logs = try await Management(port: server.port).waitForLogs(config: config, query: "type=ERROR")
        #expect(logs.first?["message"]?.stringValue?.hasPrefix(expected) == true)
        #expect(!server.printed.contains(Self.secret))
        await server.stop()
    }

    @Test func secretsStoredInPlaintextAreEncryptedAtStart() async throws {
        let server = try ServerProcess(environment: ["QUILL_SECRET_KEY": Data(repeating: 9, count: 32).base64EncodedString()])
        try await server.start()
        let api = Management(port: server.port)
        let config = try await api.configure(
            ["plugin": JSONValue(try await api.installSource(Self.plugin)), "enabled": true, "config": ["apiKey": "x"]])
        await server.stop()
        // As a server from before encryption left it.
        let database = try SQLiteDatabase(path: server.dataDirectory.appending(path: "quill.sqlite").path)
        try await database.pool.write { db in
            try db.execute(
                sql: "UPDATE plugin_config SET config = ? WHERE id = ?", arguments: [#"{"apiKey":"stored before","region":"eu"}"#, config])
        }

        try await server.start()
        let stored = try await storedConfig(server, id: config)
        #expect(stored["apiKey"]?.hasPrefix("$quill_encrypted:v1:") == true)
        #expect(stored["region"] == "eu")
        #expect(try await captureAndWait(port: server.port, event: "migrated")?["properties"]?["key"] == "old")
        // The key came from the setting: no key file was made.
        #expect(!FileManager.default.fileExists(atPath: server.dataDirectory.appending(path: "secret.key").path))
        await server.stop()
    }

    @Test func aKeyFileOthersMayReadOrOfTheWrongSizeOrABadSettingStopsTheStart() async throws {
        let server = try ServerProcess()
        let keyFile = server.dataDirectory.appending(path: "secret.key")
        func refusal() async throws -> String {
            do {
                try await server.start()
                await server.stop()
                return ""
            } catch let error as ServerProcessError {
                return error.description
            }
        }

        try Data(repeating: 1, count: 32).write(to: keyFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keyFile.path)
        #expect(try await refusal().contains("other users may read it (mode 644): run chmod 600 \(keyFile.path)"))

        try Data(repeating: 1, count: 10).write(to: keyFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile.path)
        #expect(try await refusal().contains("must hold the 32-byte key that encrypts plugin secrets; it holds 10 bytes"))

        server.environment["QUILL_SECRET_KEY"] = "c2hvcnQ="
        let badSetting = try await refusal()
        #expect(badSetting.contains("QUILL_SECRET_KEY must be the base64 of 32 random bytes"))
        #expect(!badSetting.contains("c2hvcnQ="))
    }
}
