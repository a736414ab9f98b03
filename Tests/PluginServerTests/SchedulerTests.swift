import Foundation
import Logging
import PluginRuntime
@testable import PluginServer
import QuillTestSupport
import Storage
import StorageSQLite
import Testing

/// `runEveryMinute` at the boundaries, never two runs of one task at once, with a history.
@Suite struct SchedulerTests {
    @Test func slowTaskSkipsTheBoundaryThatComesWhileItRuns() async throws {
        let folder = try TemporaryFolder()
        let database = try SQLiteDatabase(path: folder.url.appending(path: "quill.sqlite").path)
        let cache = MemoryPluginCacheStore()
        let runtime = PluginRuntime(
            configuration: PluginRuntimeConfiguration(workerCount: 1),
            services: PluginHostServices(cache: cache, storage: MemoryPluginStorageStore(), logs: MemoryPluginLogStore()))
        let code = try await PluginCompiler(providedModules: PluginRuntime.providedModules).compile(
            files: [
                "plugin.json": #"{"name": "ticker"}"#,
                "index.js": """
                    export async function runEveryMinute({ cache }) {
                      await cache.incr('starts')
                      // The first run lasts until the test releases it.
                      while ((await cache.get('release', 'no')) !== 'yes') {}
                    }
                    """,
            ], entry: "index.js")
        _ = await runtime.load(PluginConfigDefinition(id: 7, teamID: 1, pluginID: 1, pluginName: "ticker", code: code))
        let clock = ManualWorkClock()
        let store = SQLiteScheduleStore(database: database)
        let scheduler = SchedulerService(
            store: store, runtime: runtime, clock: clock, logger: Logger(label: "test"), tick: .milliseconds(1), ready: {})
        let running = Task { try await scheduler.run() }
        defer { running.cancel() }
        func starts() async throws -> Int { try await cache.get(PluginCacheKey(namespace: "@plugin/1/1/", name: "starts")).flatMap { Int($0) } ?? 0 }

        // The first boundary starts a run that lasts until it is released.
        clock.advance(by: 0.001)
        try await eventually("the first run") { try await starts() == 1 }
        // The next minute comes while it runs: skipped.
        clock.advance(by: 60)
        try await eventually("the skipped boundary") {
            try await store.runs(pluginConfigID: 7, limit: 10).contains { $0.outcome == .skipped }
        }
        try await cache.set(PluginCacheKey(namespace: "@plugin/1/1/", name: "release"), to: "\"yes\"", ttl: nil)
        try await eventually("the first run to finish") {
            try await store.runs(pluginConfigID: 7, limit: 10).contains { $0.outcome == .succeeded }
        }
        clock.advance(by: 60)
        try await eventually("the third boundary's run") {
            try await store.runs(pluginConfigID: 7, limit: 10).filter { $0.outcome == .succeeded }.count == 2
        }
        #expect(try await starts() == 2, "never two runs at once")
        let runs = try await store.runs(pluginConfigID: 7, limit: 10)
        #expect(runs.map(\.outcome) == [.succeeded, .skipped, .succeeded])
        #expect(runs.allSatisfy { $0.task == "runEveryMinute" })
        let boundaries = runs.map { $0.boundary.timeIntervalSince1970 }
        #expect(boundaries == [boundaries[2] + 120, boundaries[2] + 60, boundaries[2]])
        #expect(boundaries.allSatisfy { $0.truncatingRemainder(dividingBy: 60) == 0 })
        await runtime.shutdown()
    }

    @Test func aBoundaryIsClaimedOnceAcrossInstances() async throws {
        let folder = try TemporaryFolder()
        let database = try SQLiteDatabase(path: folder.url.appending(path: "quill.sqlite").path)
        let store = SQLiteScheduleStore(database: database)
        let boundary = Date(timeIntervalSince1970: 1_800_000_000)
        let claims = try await withThrowingTaskGroup(of: ScheduledRun.Outcome?.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await store.claim(
                        pluginConfigID: 1, task: "runEveryHour", boundary: boundary, now: boundary, staleBefore: .distantPast)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(claims.filter { $0 == .running }.count == 1)
        #expect(claims.filter { $0 == nil }.count == 7)
    }
}
