import Foundation
import HTTPTypes
import OrderedJSON
import PluginPackaging
@testable import PluginServer
import QuillTestSupport
import Testing

/// A plugin's package.json dependencies installed from an npm registry on 127.0.0.1 by a real `quill serve`.
@Suite struct PluginDependenciesInstallTests {
    /// `greet` and `shout` need two majors of `case`: one is hoisted, the other nested under `shout`.
    static func publishPackages(to registry: FakeNpmRegistry) {
        registry.publish("case", "1.0.0", files: ["index.js": "module.exports = s => s.toUpperCase() + ' [case 1.0.0]'"])
        registry.publish("case", "2.0.0", files: ["index.js": "module.exports = s => s + ' [case 2.0.0]'"])
        registry.publish("greet", "1.2.0", files: ["index.js": "module.exports = () => 'too old'"])
        registry.publish(
            "greet", "1.3.1", files: ["index.js": "const c = require('case'); module.exports = who => 'hello ' + c(who)"],
            dependencies: ["case": "^1.0.0"])
        registry.publish("greet", "2.0.0", files: ["index.js": "module.exports = () => 'too new'"])
        registry.publish(
            "shout", "2.0.1", files: ["index.js": "const c = require('case'); module.exports = s => c(s + '!')"],
            dependencies: ["case": "^2.0.0"])
        registry.publish("tampered", "1.0.0", integrity: "sha512-" + Data(repeating: 7, count: 64).base64EncodedString())
    }

    static func plugin(dependencies: String, greeting: String = "hello") -> JSONValue {
        [
            "plugin.json": #"{"name": "Dependent greeter"}"#,
            "package.json": .string(#"{"name": "dependent-greeter", "dependencies": \#(dependencies)}"#),
            "index.js": .string(
                """
                const greet = require('greet')
                const shout = require('shout')
                export function processEvent(event) {
                    event.properties.greeting = '\(greeting): ' + greet('world')
                    event.properties.shouted = shout('hey')
                    return event
                }
                """),
        ]
    }

    /// The install request's answer, whatever its status.
    func install(_ source: JSONValue, api: Management) async throws -> HTTPResult {
        try await api.send(.post, "/api/organizations/@current/plugins/", json: ["plugin_type": "source", "source": source])
    }

    static let dependencies = #"{"greet": "^1.2.0", "shout": "2", "@posthog/plugin-scaffold": "^1.4.0"}"#

    @Test func installsResolvesLocksAndRecompilesFromTheLock() async throws {
        let registry = FakeNpmRegistry()
        Self.publishPackages(to: registry)
        try await registry.start()
        defer { registry.stop() }
        let server = try ServerProcess(environment: ["QUILL_NPM_REGISTRY_URL": registry.baseURL])
        try await server.start()
        let api = Management(port: server.port)

        let installed = try await install(Self.plugin(dependencies: Self.dependencies), api: api)
        #expect(installed.status == 201, "\(installed.text)")
        let pluginID = try #require(installed.json?["id"]?.doubleValue.map(Int.init))
        #expect(!registry.requests.contains { $0.contains("plugin-scaffold") }, "the runtime provides it")
        _ = try await api.configure(["plugin": JSONValue(pluginID), "enabled": true])
        let first = try await captureAndWait(port: server.port, event: "greet one")
        #expect(first?["properties"]?["greeting"] == "hello: hello WORLD [case 1.0.0]", "greet 1.3.1 with the hoisted case 1")
        #expect(first?["properties"]?["shouted"] == "hey! [case 2.0.0]", "shout with its nested case 2")

        // The lock is stored with the plugin's files; the packages themselves are not.
        let source = try await api.get("/api/organizations/@current/plugins/\(pluginID)/source/").json
        let lockText = try #require(source?["quill-lock.json"]?.stringValue)
        let lock = try JSONValue.parse(lockText)
        #expect(lock["packages"]?["node_modules/greet"]?["version"] == "1.3.1")
        #expect(lock["packages"]?["node_modules/case"]?["version"] == "1.0.0")
        #expect(lock["packages"]?["node_modules/shout/node_modules/case"]?["version"] == "2.0.0")
        #expect(lock["packages"]?["node_modules/shout"]?["integrity"]?.stringValue?.hasPrefix("sha512-") == true)
        #expect(source?.objectValue?.keys.contains { $0.hasPrefix("node_modules/") } == false)

        // A source edit compiles again from the lock: tarballs only, no packument.
        let packumentsBefore = registry.packumentRequests
        let edited = try await api.send(
            .patch, "/api/organizations/@current/plugins/\(pluginID)/source/",
            json: ["index.js": Self.plugin(dependencies: Self.dependencies, greeting: "edited")["index.js"] ?? nil])
        #expect(edited.status == 200, "\(edited.text)")
        #expect(registry.packumentRequests == packumentsBefore, "\(registry.requests)")
        let second = try await captureAndWait(port: server.port, event: "greet two")
        #expect(second?["properties"]?["greeting"] == "edited: hello WORLD [case 1.0.0]")

        // Refusals are 400s naming the problem, and install nothing.
        let countBefore = try await api.get("/api/organizations/@current/plugins/").json?["results"]?.arrayValue?.count
        let tampered = try await install(Self.plugin(dependencies: #"{"greet": "1", "shout": "2", "tampered": "1.0.0"}"#), api: api)
        #expect(tampered.status == 400)
        #expect(tampered.json?["detail"]?.stringValue?.contains("tampered@1.0.0") == true, "\(tampered.text)")
        #expect(tampered.json?["detail"]?.stringValue?.contains("integrity") == true, "\(tampered.text)")
        let unknown = try await install(Self.plugin(dependencies: #"{"greet": "1", "shout": "2", "no-such-package": "^1"}"#), api: api)
        #expect(unknown.status == 400)
        #expect(unknown.json?["detail"]?.stringValue?.contains("'no-such-package'") == true, "\(unknown.text)")
        let git = try await install(Self.plugin(dependencies: #"{"greet": "github:acme/greet", "shout": "2"}"#), api: api)
        #expect(git.status == 400)
        #expect(git.json?["detail"]?.stringValue?.contains("only from the npm registry") == true, "\(git.text)")
        let countAfter = try await api.get("/api/organizations/@current/plugins/").json?["results"]?.arrayValue?.count
        #expect(countBefore != nil && countAfter == countBefore)
        await server.stop()
    }

    @Test func theTokenGoesOnlyToTheRegistrysHost() async throws {
        let registry = FakeNpmRegistry()
        let elsewhere = FakeNpmRegistry()
        try await registry.start()
        try await elsewhere.start(host: "127.0.0.2")
        defer {
            registry.stop()
            elsewhere.stop()
        }
        registry.publish("near", "1.0.0")
        registry.publish("far", "1.0.0", tarballHost: elsewhere)
        elsewhere.publish("far", "1.0.0")
        var settings = PluginRepositorySettings()
        settings.npmRegistryURL = registry.baseURL
        settings.npmToken = "npm_secret"
        let installation = try await NpmDependencyInstaller(settings: settings).install(
            for: ["package.json": Data(#"{"dependencies": {"near": "1", "far": "1"}}"#.utf8)])
        #expect(installation?.packageFiles["node_modules/far/package.json"] != nil)
        #expect(registry.authorizationHeaders["/near"] == "Bearer npm_secret")
        #expect(registry.authorizationHeaders["/near/-/near-1.0.0.tgz"] == "Bearer npm_secret")
        #expect(elsewhere.requests == ["/far/-/far-1.0.0.tgz"])
        #expect(elsewhere.authorizationHeaders.isEmpty)
    }
}
