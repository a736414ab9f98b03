import Foundation
import GRDB
import OrderedJSON
import PluginRuntime
import PluginServer
import QuillTestSupport
import Storage
import StorageSQLite
import Testing

/// The bounds on plugin output as `quill serve` sets them up: from its settings down to the stores,
/// and the log table that prunes itself.
@Suite struct PluginBoundsTests {
    @Test func theServerHoldsPluginsToTheBoundsItIsGiven() async throws {
        let server = try ServerProcess(environment: [
            "QUILL_PLUGIN_LOG_BURST": "10", "QUILL_PLUGIN_LOG_RATE": "2", "QUILL_CAPTURE_MAX_EVENT_BYTES": "1000",
            "QUILL_JOBS_MAX_QUEUED": "2", "QUILL_JOB_MAX_PAYLOAD_BYTES": "1000",
        ])
        try await server.start()
        let api = Management(port: server.port)
        let pluginID = try await api.installSource([
            "plugin.json": #"{"name": "Noisy"}"#,
            "index.js": """
                export const jobs = { later: async () => {} }
                const outcome = (promise) => promise.then(() => 'ok', (error) => error.message)
                export async function processEvent(event, { jobs }) {
                  if (event.event !== 'noisy') return event
                  for (let i = 0; i < 100; i++) console.log(`line ${i}`)
                  event.properties.captured = await outcome(posthog.capture('big', { text: 'x'.repeat(2000) }))
                  event.properties.small = await outcome(posthog.capture('small', { text: 'x' }))
                  event.properties.bigJob = await outcome(jobs.later({ text: 'x'.repeat(2000) }).runNow())
                  event.properties.jobs = []
                  for (let i = 0; i < 3; i++) event.properties.jobs.push(await outcome(jobs.later({ i }).runIn(1, 'hour')))
                  return event
                }
                """,
        ])
        let configID = try await api.configure(["plugin": JSONValue(pluginID), "enabled": true])
        let event = try #require(try await captureAndWait(port: server.port, event: "noisy"))
        let properties = try #require(event["properties"])
        let captured = properties["captured"]?.stringValue ?? ""
        #expect(captured.hasPrefix("posthog.capture: the event and its properties are 2,0"))
        #expect(captured.hasSuffix("bytes of JSON, over the limit of 1,000 (QUILL_CAPTURE_MAX_EVENT_BYTES)"))
        #expect(properties["small"] == "ok")
        let bigJob = properties["bigJob"]?.stringValue ?? ""
        #expect(bigJob.hasPrefix("meta.jobs: job 'later' and its payload are 2,0"))
        #expect(bigJob.hasSuffix("bytes of JSON, over the limit of 1,000 (QUILL_JOB_MAX_PAYLOAD_BYTES)"))
        #expect(properties["jobs"]?.arrayValue?.prefix(2) == ["ok", "ok"])
        #expect(
            properties["jobs"]?.arrayValue?.last?.stringValue
                == "meta.jobs: plugin config \(configID) already has 2 jobs waiting, the limit (QUILL_JOBS_MAX_QUEUED): "
                + "job 'later' was not queued")

        // The burst of 10 console lines is kept, the rest dropped, counted and (after a quiet spell) told.
        let warnings = try await api.waitForLogs(config: configID, query: "type=WARN&source=SYSTEM")
        #expect(warnings.first?["message"]?.stringValue?.hasPrefix("Dropped ") == true)
        let lines = try await api.get("/api/projects/@current/plugin_configs/\(configID)/logs/?source=CONSOLE").json?["results"]
        #expect((10...12).contains(lines?.arrayValue?.count ?? 0))
        let samples = try await MetricsTests.scrape(port: server.port)
        let dropped = samples["quill_plugin_log_lines_dropped_total{plugin=\"Noisy\",plugin_config_id=\"\(configID)\",team_id=\"1\"}"]
        #expect((88...90).contains(dropped ?? 0))
        await server.stop()
    }

    /// In a server process of its own, so its peak memory is its own: no memory limit lets the 200 MiB
    /// string itself exist, to show that the host never copies it.
    @Test func aHugeConsoleLineIsCutBeforeItIsCopied() async throws {
        let server = try ServerProcess(environment: ["QUILL_PLUGIN_MEMORY_LIMIT": "0"])
        try await server.start()
        let api = Management(port: server.port)
        let pluginID = try await api.installSource([
            "plugin.json": #"{"name": "Loud"}"#,
            "index.js": """
                export function processEvent(event) {
                  if (event.event === 'huge') console.log('x'.repeat(200 * 1024 * 1024))
                  if (event.event === 'huge') console.log('é'.repeat(20000))
                  return event
                }
                """,
        ])
        let configID = try await api.configure(["plugin": JSONValue(pluginID), "enabled": true])
        _ = try #require(try await captureAndWait(port: server.port, event: "huge"))
        let lines = try await api.waitForLogs(config: configID, query: "source=CONSOLE").compactMap { $0["message"]?.stringValue }
        #expect(lines.contains(String(repeating: "x", count: 16_384) + "… [cut 209,698,816 characters]"))
        #expect(lines.contains(String(repeating: "é", count: 16_384) + "… [cut 3,616 characters]"))
        // The string lives once in the JavaScript heap; copying it out would have added three times that.
        let peak = try #require(server.peakResidentMemory)
        #expect(peak < 768 << 20, "peak \(peak >> 20) MiB")
        await server.stop()
    }

    @Test func settingsOfBoundsAreWholeNumbersFromOne() throws {
        let configuration = try ServerConfiguration(environment: [
            "QUILL_CACHE_MAX_KEYS": "5", "QUILL_FETCH_ALLOW": "127.0.0.1", "QUILL_FETCH_MAX_RESPONSE_BYTES": "2048",
        ])
        #expect(configuration.pluginCacheLimits.maximumKeysPerNamespace == 5)
        #expect(configuration.fetchPolicy.maximumResponseSize == 2048)
        #expect(configuration.fetchPolicy.allowedHosts.isEmpty && !configuration.fetchPolicy.allowedNetworks.isEmpty)
        #expect(ServerConfiguration().pluginLogLimits == PluginLogLimits())
        for bad in ["0", "-3", "many", "1.5"] {
            #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: ["QUILL_PLUGIN_LOG_RATE": bad]) }
        }
        // Every bound has a flag and a variable of its own.
        let settings = ServerConfiguration.boundSettings
        #expect(Set(settings.map(\.flag)).count == settings.count)
        #expect(Set(settings.map(\.environment)).count == settings.count)
    }

    @Test func theLogTableKeepsTheNewestEntriesOfEachConfig() async throws {
        let folder = try TemporaryFolder()
        let database = try SQLiteDatabase(path: folder.url.appending(path: "quill.sqlite").path)
        let store = SQLitePluginLogStore(database: database, entriesPerConfig: 100)
        let start = Date()
        func append(_ count: Int, config: Int, from first: Int = 0) {
            for index in first..<(first + count) {
                store.append(
                    PluginLogEntry(
                        teamID: 1, pluginID: 1, pluginConfigID: config, timestamp: start.addingTimeInterval(Double(index) / 1000),
                        source: .console, type: .log, message: "line \(index)", instanceID: UUID()))
            }
        }
        func lines(config: Int) async throws -> [String] {
            try await database.pool.read { db in
                try String.fetchAll(
                    db, sql: "SELECT message FROM plugin_log_entry WHERE plugin_config_id = ? ORDER BY timestamp",
                    arguments: [config])
            }
        }
        append(1_000, config: 1)
        append(5, config: 2)
        try await store.flush()
        #expect(try await lines(config: 1) == (900..<1_000).map { "line \($0)" })
        #expect(try await lines(config: 2).count == 5)
        // Pruned in batches of a tenth: 5 more wait for the next batch, 10 more bring it back to 100.
        append(5, config: 1, from: 1_000)
        try await store.flush()
        #expect(try await lines(config: 1).count == 105)
        append(10, config: 1, from: 1_005)
        try await store.flush()
        #expect(try await lines(config: 1) == (915..<1_015).map { "line \($0)" })
    }
}
