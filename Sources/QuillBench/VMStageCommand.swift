import ArgumentParser
import Foundation
import PluginManifest
import PluginRuntime
import Storage

/// Times a chain of plugins in one `PluginRuntime` with one script thread, as ingestion runs it:
/// JSON bytes in, the team's chain, JSON bytes out (with `$plugins_succeeded` and friends).
struct VMStageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vm-stage",
        abstract: "Run events through a chain of plugins and print events/s as a JSON line."
    )

    @Option(help: #"The chain, as JSON: [{"directory": "examples/…", "config": {"key": "value"}}, …]."#)
    var chain: String

    @Option(help: "A file of events, one JSON object a line.")
    var events: String

    @Option(help: "Events run before timing, so JavaScriptCore has compiled the hot code.")
    var warmup = 10_000

    @Option(help: "Lanes each batch of 500 events is split into, as ingestion's lanes by distinct_id.")
    var lanes = 32

    @Option(help: "Write the compiled chain here as JSON ([{name, config, code}]) for bench/vm_stage_node.mjs.")
    var export: String?

    func run() async throws {
        let plugins = try JSONDecoder().decode([ChainEntry].self, from: Data(chain.utf8))
        var definitions: [PluginConfigDefinition] = []
        for (index, plugin) in plugins.enumerated() {
            let package = try PluginPackage.load(directory: URL(fileURLWithPath: plugin.directory))
            let config = try package.manifest.configSchema.validate(plugin.config ?? [:], attachmentKeys: [])
            let code = try await PluginCompiler(providedModules: PluginRuntime.providedModules).compile(package)
            definitions.append(
                PluginConfigDefinition(
                    id: index + 1, teamID: 1, pluginID: index + 1, pluginName: package.manifest.name, order: index,
                    config: config, code: code))
        }
        if let export {
            let compiled = definitions.map { CompiledEntry(name: $0.pluginName, config: $0.config, code: $0.code.code) }
            try JSONEncoder().encode(compiled).write(to: URL(fileURLWithPath: export))
        }

        let runtime = PluginRuntime(
            configuration: PluginRuntimeConfiguration(workerCount: 1),
            services: PluginHostServices(
                cache: MemoryPluginCacheStore(), storage: MemoryPluginStorageStore(), logs: MemoryPluginLogStore(capacity: 100)))
        for definition in definitions {
            if case .disabled(let reason) = await runtime.load(definition) {
                throw ValidationError("\(definition.pluginName) did not load: \(reason)")
            }
        }
        let lines = try Self.lines(of: events)

        _ = try await Self.runChain(runtime, on: Array(lines.prefix(warmup)), lanes: lanes)
        let cpuBefore = processCPUSeconds()
        let started = ContinuousClock.now
        let tally = try await Self.runChain(runtime, on: lines, lanes: lanes)
        let seconds = (ContinuousClock.now - started).inSeconds
        let cpuSeconds = processCPUSeconds() - cpuBefore
        await runtime.shutdown()

        let report: [String: Double] = [
            "events": Double(lines.count), "seconds": seconds, "cpu_seconds": cpuSeconds,
            "events_per_second": Double(lines.count) / seconds, "events_per_cpu_second": Double(lines.count) / cpuSeconds,
            "failed": Double(tally.failed), "dropped": Double(tally.dropped), "output_bytes": Double(tally.outputBytes),
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: report, options: .sortedKeys), as: UTF8.self))
    }

    private struct ChainEntry: Decodable {
        var directory: String
        var config: [String: String]?
    }

    private struct CompiledEntry: Encodable {
        var name: String
        var config: [String: String]
        var code: String
    }

    private struct Tally {
        var failed = 0
        var dropped = 0
        var outputBytes = 0

        mutating func add(_ other: Tally) {
            failed += other.failed
            dropped += other.dropped
            outputBytes += other.outputBytes
        }
    }

    /// Runs every event through team 1's chain as the ingestion pipeline does: `batchSize` events at a time,
    /// split into `lanes` that each go to the script thread once and run their events in order.
    private static func runChain(_ runtime: PluginRuntime, on events: [[UInt8]], lanes: Int) async throws -> Tally {
        var total = Tally()
        for batchStart in stride(from: 0, to: events.count, by: batchSize) {
            let batch = events[batchStart..<min(batchStart + batchSize, events.count)]
            total.add(
                try await withThrowingTaskGroup(of: Tally.self) { group in
                    for lane in 0..<lanes {
                        let laneEvents = stride(from: batch.startIndex + lane, to: batch.endIndex, by: lanes).map { batch[$0] }
                        group.addTask {
                            var tally = Tally()
                            for result in await runtime.processEvents(laneEvents, teamID: 1) {
                                let result = try result.get()
                                if !result.failed.isEmpty { tally.failed += 1 }
                                if let event = result.event { tally.outputBytes += event.count } else { tally.dropped += 1 }
                            }
                            return tally
                        }
                    }
                    return try await group.reduce(into: Tally()) { $0.add($1) }
                })
        }
        return total
    }

    /// Events the ingestion pipeline takes from its log at a time.
    private static let batchSize = 500

    private static func lines(of path: String) throws -> [[UInt8]] {
        // Split as an array: Data's own subscripting is many times slower.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        return bytes.split(separator: UInt8(ascii: "\n")).map { Array($0) }
    }
}

/// User plus system CPU time of this process so far, in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

extension Duration {
    var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
