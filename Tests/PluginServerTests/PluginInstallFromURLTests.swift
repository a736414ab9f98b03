import Foundation
import HTTPTypes
import OrderedJSON
import Testing

/// Installing from a GitHub repository URL and from npm, served from 127.0.0.1 in the hosts' layouts.
@Suite struct PluginInstallFromURLTests {
    static func greeter(_ greeting: String) -> [String: String] {
        [
            "plugin.json": #"{"name": "Greeter", "config": [{"key": "who", "name": "Who", "type": "string", "default": "world"}]}"#,
            "index.js": "export function processEvent(event, { config }) { event.properties.greeting = '\(greeting) ' + config.who; return event }",
            "README.md": "# Greeter",
        ]
    }

    @Test func installsFromGitHubAndNpmAndUpdatesToTheNewestVersion() async throws {
        let hosts = FakePluginHosts()
        hosts.publish(version: "1.0.0", files: Self.greeter("Hello"))
        try await hosts.start()
        defer { hosts.stop() }
        let server = try ServerProcess(environment: hosts.environment)
        try await server.start()
        let api = Management(port: server.port)

        let fromGitHub = try await api.send(
            .post, "/api/organizations/@current/plugins/", json: ["url": .string("\(hosts.baseURL)/github/acme/greeter")])
        #expect(fromGitHub.status == 201, "\(fromGitHub.text)")
        #expect(fromGitHub.json?["plugin_type"] == "repository")
        #expect(fromGitHub.json?["tag"]?.stringValue?.count == 40, "the commit it was installed at")
        let fromNpm = try await api.send(
            .post, "/api/organizations/@current/plugins/", json: ["url": .string("\(hosts.baseURL)/npmjs/package/quill-greeter")])
        #expect(fromNpm.status == 201, "\(fromNpm.text)")
        #expect(fromNpm.json?["tag"] == "1.0.0")
        let byName = try await api.send(.post, "/api/organizations/@current/plugins/", json: ["url": "quill-greeter@1.0.0"])
        #expect(byName.status == 201, "\(byName.text)")

        // The same plugin either way: same files after the hosts' top folders are stripped.
        let githubID = try #require(fromGitHub.json?["id"]?.doubleValue.map(Int.init))
        let npmID = try #require(fromNpm.json?["id"]?.doubleValue.map(Int.init))
        let githubSource = try await api.get("/api/organizations/@current/plugins/\(githubID)/source/").json
        let npmSource = try await api.get("/api/organizations/@current/plugins/\(npmID)/source/").json
        #expect(githubSource != nil && githubSource == npmSource)
        #expect(githubSource?["README.md"] == "# Greeter")

        let configID = try await api.configure(["plugin": JSONValue(npmID), "enabled": true])
        #expect(try await captureAndWait(port: server.port, event: "greet one")?["properties"]?["greeting"] == "Hello world")

        // A new version appears; checking finds it, upgrading installs it and the config reloads.
        hosts.publish(version: "1.1.0", files: Self.greeter("Ahoy"))
        let checked = try await api.get("/api/organizations/@current/plugins/\(npmID)/check_for_updates/")
        #expect(checked.json?["plugin"]?["latest_tag"] == "1.1.0")
        #expect(checked.json?["plugin"]?["tag"] == "1.0.0")
        let upgraded = try await api.send(.post, "/api/organizations/@current/plugins/\(npmID)/upgrade/", json: [:])
        #expect(upgraded.json?["tag"] == "1.1.0", "\(upgraded.text)")
        #expect(try await captureAndWait(port: server.port, event: "greet two")?["properties"]?["greeting"] == "Ahoy world")
        let githubChecked = try await api.get("/api/organizations/@current/plugins/\(githubID)/check_for_updates/")
        #expect(githubChecked.json?["plugin"]?["latest_tag"] != githubChecked.json?["plugin"]?["tag"])
        _ = configID

        let unknown = try await api.send(.post, "/api/organizations/@current/plugins/", json: ["url": "ftp://example.invalid/x"])
        #expect(unknown.status == 400)
        let missing = try await api.send(
            .post, "/api/organizations/@current/plugins/", json: ["url": .string("\(hosts.baseURL)/github/acme/nothing-here")])
        #expect(missing.status == 400)
        #expect(missing.json?["detail"]?.stringValue?.contains("404") == true, "\(missing.text)")
        await server.stop()
    }
}
