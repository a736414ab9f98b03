import Foundation
import PluginRuntime
import Storage
import Testing

/// The Node and web globals real plugins use (`Buffer`, `URL`, …) as plugins meet them; their
/// behaviour case by case is in `NodeCompatibility/cases`.
@Suite struct WebGlobalsTests {
    static func properties(_ harness: PluginHarness) async throws -> [String: Any] {
        let (event, _) = try await harness.process(sampleEvent())
        return try #require(event?["properties"] as? [String: Any])
    }

    @Test func pluginBuildsABasicAuthHeaderWithBuffer() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            function authorization(config) {
              return 'Basic ' + Buffer.from(`${config.user}:${config.password}`).toString('base64')
            }
            export function processEvent(event, { config }) {
              event.properties.authorization = authorization(config)
              event.properties.decoded = Buffer.from(authorization(config).slice(6), 'base64').toString()
              return event
            }
            """, config: ["user": "user", "password": "pass wörd"])
        let properties = try await Self.properties(harness)
        #expect(properties["authorization"] as? String == "Basic dXNlcjpwYXNzIHfDtnJk")
        #expect(properties["decoded"] as? String == "user:pass wörd")
    }

    @Test func typeScriptPluginImportsURLFromTheURLModule() async throws {
        let harness = try PluginHarness()
        let code = try await PluginHarness.compile(
            """
            import { URL, URLSearchParams } from 'url'
            import { parse } from 'url'

            export function processEvent(event: { properties: Record<string, unknown> }) {
              const url: URL = new URL('/capture?token=abc', 'https://Example.com:443/base/')
              url.searchParams.append('q', 'a b')
              event.properties.href = url.href
              event.properties.sameAsGlobal = URL === globalThis.URL && URLSearchParams === globalThis.URLSearchParams
              event.properties.legacyHost = parse('http://user@host.com:8080/p').host
              return event
            }
            """, entry: "index.ts")
        let outcome = await harness.runtime.load(
            PluginConfigDefinition(id: 39, teamID: 2, pluginID: 60, pluginName: "ts-plugin", code: code))
        guard case .ready = outcome else {
            Issue.record("the plugin did not load: \(outcome)")
            return
        }
        let properties = try await Self.properties(harness)
        #expect(properties["href"] as? String == "https://example.com/capture?token=abc&q=a+b")
        #expect(properties["sameAsGlobal"] as? Bool == true)
        #expect(properties["legacyHost"] as? String == "host.com:8080")
    }

    @Test func pluginThatNeverUsesTheGlobalsDoesNotLoadThem() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            const names = ['Buffer', 'URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder', 'atob', 'btoa', 'structuredClone', 'queueMicrotask', 'crypto']
            const stillLazy = () => names.filter((name) => typeof Object.getOwnPropertyDescriptor(globalThis, name).get === 'function')
            export function processEvent(event) {
              event.properties.before = stillLazy()
              event.properties.host = new URL('https://posthog.com/docs').host
              event.properties.after = stillLazy()
              return event
            }
            """)
        let properties = try await Self.properties(harness)
        #expect(properties["before"] as? [String] == [
            "Buffer", "URL", "URLSearchParams", "TextEncoder", "TextDecoder", "atob", "btoa", "structuredClone",
            "queueMicrotask", "crypto",
        ])
        #expect(properties["host"] as? String == "posthog.com")
        // Using URL makes URL a plain global; the others stay unloaded.
        #expect(properties["after"] as? [String] == [
            "Buffer", "URLSearchParams", "TextEncoder", "TextDecoder", "atob", "btoa", "structuredClone",
            "queueMicrotask", "crypto",
        ])
    }

    @Test func randomValuesComeFromSwift() async throws {
        let harness = try PluginHarness()
        try await harness.load(
            """
            export function processEvent(event) {
              const ids = Array.from({ length: 100 }, () => crypto.randomUUID())
              const bytes = crypto.getRandomValues(new Uint8Array(65536))
              event.properties.distinctIDs = new Set(ids).size
              event.properties.distinctBytes = new Set(bytes).size
              return event
            }
            """)
        let properties = try await Self.properties(harness)
        #expect(properties["distinctIDs"] as? Int == 100)
        // 65536 random bytes take every value of a byte but with a vanishing chance.
        #expect(properties["distinctBytes"] as? Int == 256)
    }
}
