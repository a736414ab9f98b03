import Foundation
import Hummingbird
import OrderedJSON
import QuillTestSupport
import Synchronization
import Testing

/// Plugins written to break the server, all in one project's chain, beside another organization's
/// project: the server stays up and answers its health, readiness and metrics, the other project's events
/// keep flowing, and each hostile event ends as README says (stored, with the plugin that misbehaved in
/// `$plugins_failed`).
@Suite(.serialized) struct HostilePluginServerTests {
    /// A hostile plugin: what its `processEvent` does to events named `attack <name>`, and what else it exports.
    struct Attack: Sendable {
        var name: String
        var body: String
        var exports = ""
        /// Whether the attack fails the plugin's `processEvent` (else the event passes it, succeeded).
        var fails = true
    }

    static func attacks(quill: String, redirector: String) -> [Attack] {
        [
            Attack(name: "sync loop", body: "while (true) {}"),
            Attack(name: "never settles", body: "await new Promise(() => {})"),
            Attack(name: "async loop", body: "while (true) await meta.cache.get('x')"),
            Attack(name: "memory bomb", body: "const hoard = []; while (true) hoard.push(new Array(1e6).fill(1))"),
            Attack(
                name: "async memory bomb",
                body: "const hoard = []; while (true) { hoard.push(new Array(1e6).fill(1)); await meta.cache.get('x') }"),
            Attack(name: "deep recursion", body: "const down = (n) => down(n + 1) + 1; down(0)"),
            Attack(
                name: "prototype pollution",
                body: """
                    Object.prototype.polluted = 'yes'; Array.prototype.push = () => 0; JSON.parse = () => ({ hacked: true })
                    String.prototype.toString = () => 'hacked'; Function.prototype.call = () => 'hacked'
                    """, fails: false),
            Attack(name: "require escape", body: "require(['f', 's'].join('')).readFileSync('/etc/passwd')"),
            Attack(name: "process escape", body: "process.exit(1)"),
            Attack(
                name: "constructor escape",
                body: "const outside = (function () {}).constructor('return this')(); outside.require('child_process')"),
            Attack(name: "dynamic import", body: "await import(['f', 's'].join(''))"),
            Attack(name: "fetch metadata", body: "await fetch('http://169.254.169.254/latest/meta-data/')"),
            Attack(name: "fetch the server", body: "await fetch('\(quill)/metrics')"),
            Attack(name: "fetch through a redirect", body: "await fetch('\(redirector)/to-the-server')"),
            Attack(name: "huge output", body: "event.properties.big = 'x'.repeat(5e6)"),
            Attack(name: "hostile throw", body: "throw { get message() { while (true) {} }, toString() { while (true) {} } }"),
            Attack(name: "toJSON loop", body: "event.toJSON = () => { while (true) {} }"),
            Attack(name: "team getter", body: "Object.defineProperty(event, 'team_id', { get() { while (true) {} } })"),
            Attack(name: "bigint", body: "event.properties.huge = 10n ** 30n"),
            Attack(
                name: "capture flood", body: "for (let i = 0; i < 2000; i++) posthog.capture('flood', {}).catch(() => {})",
                fails: false),
            Attack(
                name: "spinning job", body: "await meta.jobs.spin({}).runNow()",
                exports: "export const jobs = { spin: () => { while (true) {} } }", fails: false),
            Attack(
                name: "onEvent loop", body: "", exports: "export function onEvent(event) { if (event.event === 'attack onEvent loop') while (true) {} }",
                fails: false),
        ]
    }

    static func source(of attack: Attack, index: Int) -> JSONValue {
        [
            "plugin.json": .string(#"{"name": "hostile \#(index)"}"#),
            "index.js": .string(
                """
                \(attack.exports)
                export async function processEvent(event, meta) {
                  if (event.event === 'attack \(attack.name)') {
                    \(attack.body)
                  }
                  event.properties['passed \(index)'] = true
                  return event
                }
                """),
        ]
    }

    /// Checks what another organization's plugin sees: its own, untouched built-ins.
    static let victimPlugin: JSONValue = [
        "plugin.json": #"{"name": "victim"}"#,
        "index.js": """
            export function processEvent(event) {
              const list = []
              event.properties.clean = ({}).polluted === undefined && list.push(1) === 1 && JSON.parse('{"a":1}').a === 1
                && String('s').toString() === 's' && typeof Function.prototype.call === 'function'
                && Math.max.call(null, 1, 2) === 2
              return event
            }
            """,
    ]

    @Test func hostilePluginsStayInTheirRoom() async throws {
        let redirects = Router()
        let quillPort = Mutex(0)
        redirects.get("to-the-server") { _, _ in
            Response(status: .found, headers: [.location: "http://127.0.0.1:\(quillPort.withLock { $0 })/_ready"])
        }
        let redirector = try await LocalHTTPServer.start(redirects, host: "127.0.0.2")
        defer { redirector.stop() }

        let server = try ServerProcess(environment: [
            "QUILL_PLUGIN_TIME_LIMIT": "1", "QUILL_PLUGIN_MEMORY_LIMIT": "64", "QUILL_FETCH_ALLOW": "127.0.0.2",
            "QUILL_PLUGIN_MAX_EVENT_SIZE": "1048576",
        ])
        try await server.start()
        quillPort.withLock { $0 = server.port }
        let hostile = Management(port: server.port)
        let attacks = Self.attacks(quill: server.baseURL, redirector: redirector.baseURL)
        for (index, attack) in attacks.enumerated() {
            let pluginID = try await hostile.installSource(Self.source(of: attack, index: index))
            _ = try await hostile.configure(["plugin": JSONValue(pluginID), "enabled": true, "order": JSONValue(index)])
        }
        // A setupPlugin that loops: the config is disabled, the rest of the chain goes on.
        let spinner = try await hostile.installSource([
            "plugin.json": #"{"name": "setup spinner"}"#,
            "index.js": "export function setupPlugin() { while (true) {} }\nexport function processEvent(e) { return e }",
        ])
        let spinnerConfig = try await hostile.send(.post, "/api/projects/@current/plugin_configs/", json: ["plugin": JSONValue(spinner), "enabled": true])
        #expect(spinnerConfig.json?["enabled"] == false || spinnerConfig.status == 400, "\(spinnerConfig.text)")

        let created = try await server.runQuill(["organization", "create", "Victim"])
        let lines = created.output.split(separator: "\n")
        let victimKey = try #require(lines.first { $0.contains("Personal API key") }?.split(separator: " ").last.map(String.init))
        let victimToken = try #require(lines.first { $0.contains("Project API key") }?.split(separator: " ").last.map(String.init))
        let victim = Management(port: server.port, key: victimKey)
        let victimPlugin = try await victim.installSource(Self.victimPlugin)
        _ = try await victim.configure(["plugin": JSONValue(victimPlugin), "enabled": true])

        // The victim sends an event every 100 ms throughout and times each until it is stored.
        let flowing = VictimTraffic(port: server.port, token: victimToken, key: victimKey)
        let traffic = Task { await flowing.run() }
        let probes = Task { await EndpointProbes.run(port: server.port) }

        let hostileEvents = attacks.map { #"{"event": "attack \#($0.name)", "distinct_id": "attacker-\#($0.name)"}"# }
        let body = #"{"api_key": "\#(ServerProcess.projectToken)", "batch": [\#(hostileEvents.joined(separator: ","))]}"#
        #expect(try await HTTP.post(port: server.port, "/batch/", json: body).status == 200)

        for (index, attack) in attacks.enumerated() {
            let stored = try await HTTP.waitForEvents(
                port: server.port, query: "event=\("attack \(attack.name)".urlQueryEncoded)", count: 1)
            let properties = try #require(stored.first?["properties"], "\(attack.name) was not stored")
            let failed = properties["$plugins_failed"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let label = failed.first { $0.hasPrefix("hostile \(index) (") }
            #expect((label != nil) == attack.fails, "\(attack.name): failed \(failed)")
            #expect((properties["passed \(index)"] == nil) == attack.fails, "\(attack.name)")
            // Every other hostile plugin let the event through, or was paused by its own time-out meanwhile.
            for other in attacks.indices where other != index {
                let passed = properties["passed \(other)"] == true || failed.contains { $0.hasPrefix("hostile \(other) (") }
                #expect(passed, "\(attack.name) kept plugin \(other) (\(attacks[other].name)) from running")
            }
        }
        // Wait a little longer for the background work (jobs, onEvent, captures) to misbehave too.
        try await Task.sleep(for: .seconds(3))
        traffic.cancel()
        probes.cancel()
        let latencies = await traffic.value
        let slowest = await probes.value

        #expect(try await HTTP.request(.get, port: server.port, "/_health").status == 200)
        #expect(latencies.count >= 3, "the victim's events kept being stored")
        let allClean = latencies.allSatisfy { $0.clean }
        #expect(allClean, "another organization's plugin saw polluted built-ins")
        // Not speed checks (the machine may be loaded): waiting behind the attacks, each held to its 1 s limit,
        // would take over 20 s.
        let worst = latencies.map(\.latency).max() ?? .zero
        #expect(worst < .seconds(15), "the victim's slowest event took \(worst)")
        #expect(slowest < .seconds(5), "health, readiness or metrics took \(slowest)")
        let peak = try #require(server.peakResidentMemory)
        print(
            "Hostile plugins: \(latencies.count) victim events, slowest \(worst); slowest health/ready/metrics answer \(slowest); "
                + "server peak resident memory \(peak >> 20) MiB")
        #expect(peak < 1 << 30, "peak resident memory \(peak >> 20) MiB")
        let floods = try await HTTP.events(port: server.port, query: "event=flood")
        // A burst of 1,000, then 100 a second while the 2,000 calls run.
        #expect(floods.count < 1_500, "posthog.capture is rate limited: \(floods.count) stored")
        await server.stop()
    }
}

/// Another organization's events, one every 100 ms, each timed from acknowledgement to stored row.
private final class VictimTraffic: Sendable {
    struct Sample: Sendable {
        var latency: Duration
        var clean: Bool
    }

    let port: Int
    let token: String
    let key: String

    init(port: Int, token: String, key: String) {
        self.port = port
        self.token = token
        self.key = key
    }

    func run() async -> [Sample] {
        var samples: [Sample] = []
        var index = 0
        while !Task.isCancelled {
            index += 1
            let name = "victim \(index)"
            let sent = ContinuousClock.now
            guard
                let status = try? await HTTP.post(
                    port: port, "/e/", json: #"{"api_key": "\#(token)", "event": "\#(name)", "distinct_id": "victim"}"#
                ).status, status == 200
            else { continue }
            while !Task.isCancelled {
                let result = try? await HTTP.request(
                    .get, port: port, "/api/projects/@current/events/?event=\(name.urlQueryEncoded)",
                    headers: ["Authorization": "Bearer \(key)"])
                if let event = result?.json?["results"]?.arrayValue?.first {
                    samples.append(Sample(latency: .now - sent, clean: event["properties"]?["clean"] == true))
                    break
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return samples
    }
}

/// Health, readiness and metrics asked every 200 ms; the slowest answer.
private enum EndpointProbes {
    static func run(port: Int) async -> Duration {
        var slowest = Duration.zero
        while !Task.isCancelled {
            for path in ["/_health", "/_ready", "/metrics"] {
                let started = ContinuousClock.now
                _ = try? await HTTP.request(.get, port: port, path)
                slowest = max(slowest, .now - started)
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return slowest
    }
}
