import ArgumentParser
import Foundation
import OrderedJSON
import PluginManifest
import PluginRuntime
import Storage
import Synchronization

/// `quill plugin run`: every capability of a plugin on a file of events, offline (plugin-run.md).
struct PluginRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a plugin on events, every capability, offline.",
        discussion: """
            In order: setupPlugin (a RetryError is retried up to 5 more times at once); processEvent on every \
            event, each result printed as a JSON line on stdout (`null` for a dropped event, the event \
            unchanged without processEvent); then for each surviving event onEvent (a ProcessedPluginEvent; \
            RetryError: up to 5 more attempts), composeWebhook (a PostHogEvent; the webhook it returns is \
            sent through fetch, without retries) and the exportEvents buffer (exported every \
            --export-batch-size events and once after the last; RetryError: up to 3 more attempts); then \
            each --run task, then each --job, then teardownPlugin. Jobs a plugin queues with \
            meta.jobs run right after the call that queued them, earliest due first, on virtual time.

            Nothing leaves the process unless --allow-network is given: fetch and webhooks are answered \
            from --fetch-mock (200 `{}` when no entry matches), and posthog.api calls always are. MOCK.json is a JSON array of \
            {"method"?, "url", "status"?, "headers"?, "body"?}, matched against the normalised URL, then \
            the URL as the plugin wrote it; a url ending in `*` is a prefix; the first match wins. --fetch-log gets one line per request: {"method","url","headers","body"}. \
            --capture-log gets one line per posthog.capture ({"type":"capture","event","properties"}) and \
            posthog.api call ({"type":"api","method","path","options"}); api calls are answered from the \
            mock at (options.host or https://app.posthog.com) + path and are not in the fetch log.

            Console output and errors go to stderr. Exits 1 when the plugin fails to load or set up, or \
            processEvent fails on any event.
            """
    )

    @Argument(help: "The plugin's folder (with plugin.json).")
    var directory: String

    @Argument(help: "A file of events, one JSON object a line; '-' or nothing reads standard input.")
    var events: String?

    @Option(name: .customLong("config"), help: "A config value, as key=value, over plugin.json's default; repeat for more.")
    var configValues: [String] = []

    @Option(name: .customLong("attachment"), help: "A file for an attachment field, as key=FILE; repeat for more.")
    var attachmentFiles: [String] = []

    @Option(
        help: ArgumentHelp(
            "The functions to run on the events, comma-separated (default all).",
            valueName: "processEvent,onEvent,composeWebhook,exportEvents"))
    var only: String?

    @Option(help: "Events exportEvents gets at once (the last call gets the rest).")
    var exportBatchSize: Int = 100

    @Option(
        name: .customLong("run"),
        help: ArgumentHelp("A scheduled task to run after the events (runEveryMinute, runEveryHour, runEveryDay); repeat for more.", valueName: "task"))
    var tasks: [String] = []

    @Option(
        name: .customLong("job"),
        help: ArgumentHelp("A job to run after the tasks, with its payload as JSON (default {}); repeat for more.", valueName: "NAME[=JSON]"))
    var jobs: [String] = []

    @Option(help: ArgumentHelp("Answers for fetch, webhooks and posthog.api: a JSON array of mocks.", valueName: "MOCK.json"))
    var fetchMock: String?

    @Option(help: ArgumentHelp("Writes every request the plugin makes, one JSON line each.", valueName: "LOG.jsonl"))
    var fetchLog: String?

    @Option(help: ArgumentHelp("Writes every posthog.capture and posthog.api call, one JSON line each.", valueName: "CAP.jsonl"))
    var captureLog: String?

    @Flag(help: "Send fetch and webhook requests over the network (through QUILL_FETCH_ALLOW's address guard) instead of the mock.")
    var allowNetwork = false

    @Option(help: "The time limit of one plugin call, in seconds.")
    var timeLimit: Double = 30

    static let eventFunctions: [PluginMethod] = [.processEvent, .onEvent, .composeWebhook, .exportEvents]

    func validate() throws {
        guard exportBatchSize >= 1 else { throw ValidationError("--export-batch-size must be at least 1") }
        for name in onlyFunctions.subtracting(Self.eventFunctions.map(\.rawValue)) {
            throw ValidationError("--only: '\(name)' is not one of \(Self.eventFunctions.map(\.rawValue).joined(separator: ", "))")
        }
        _ = try parsedJobs()
    }

    private var onlyFunctions: Set<String> {
        guard let only else { return Set(Self.eventFunctions.map(\.rawValue)) }
        return Set(only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    private func parsedJobs() throws -> [(name: String, payload: [UInt8])] {
        try jobs.map { argument in
            guard let separator = argument.firstIndex(of: "=") else { return (argument, Array("{}".utf8)) }
            let payload = Array(argument[argument.index(after: separator)...].utf8)
            do {
                _ = try JSONValue.parse(payload)
            } catch {
                throw ValidationError("--job \(argument): the payload is not JSON (\(error))")
            }
            return (String(argument[..<separator]), payload)
        }
    }

    func run() async throws {
        // plugin-run.md: the run's clock is the real one, its time zone UTC, whatever the machine's is.
        setenv("TZ", "UTC", 1)
        tzset()
        try await reportingFailures(execute)
    }

    private func execute() async throws {
        let package = try loadPackage(directory)
        let attachments = try readAttachments()
        let config: [String: String]
        do {
            config = try package.manifest.configSchema.validate(
                try keyValuePairs(configValues, option: "--config"), attachmentKeys: Set(attachments.keys))
        } catch let error as ConfigValidationError {
            throw CommandFailure(error.description, exitCode: usageExitCode)
        }
        let code = try await compile(package)
        let functions = Set(onlyFunctions.compactMap(PluginMethod.init(rawValue:)))
        let transcript = try PluginRunTranscript(
            mockFile: fetchMock, fetchLog: fetchLog, captureLog: captureLog, allowNetwork: allowNetwork)
        let session = PluginRunSession(exportBatchSize: exportBatchSize)
        let fetchPolicy: FetchPolicy
        do {
            fetchPolicy = try ProcessInfo.processInfo.environment[FetchPolicy.environmentVariable].map(FetchPolicy.init(environmentValue:))
                ?? FetchPolicy()
        } catch {
            throw CommandFailure("\(error)", exitCode: usageExitCode)
        }
        let disabled = DisabledReason()
        let runtime = PluginRuntime(
            configuration: PluginRuntimeConfiguration(workerCount: 1, timeLimit: .milliseconds(Int64(timeLimit * 1000))),
            services: PluginHostServices(
                // The cache's clock never moves (no one sleeps on it): TTLs never expire within a run.
                cache: MemoryPluginCacheStore(clock: VirtualClock()), storage: MemoryPluginStorageStore(), logs: StandardErrorLogSink(),
                fetchPolicy: fetchPolicy, jobs: session, capture: transcript, interceptor: transcript),
            clock: VirtualClock(),
            onStatusChange: { change in
                if case .disabled(_, let reason) = change { disabled.reason.withLock { $0 = reason } }
            })
        let definition = PluginConfigDefinition(
            id: 1, teamID: 1, pluginID: 1, pluginName: package.manifest.name, config: config, attachments: attachments,
            code: code)
        let failures: Int
        let count: Int
        do {
            try await setUp(definition, in: runtime, disabled: disabled)
            await runtime.run([.queuedJobs], session: session, pluginConfigID: definition.id)
            let survivors: [[UInt8]]
            (survivors, failures, count) = try await processEvents(runtime, session: session, functions: functions)
            for batch in stride(from: 0, to: survivors.count, by: 1000).map({ Array(survivors[$0..<min($0 + 1000, survivors.count)]) }) {
                await runtime.run([.events(batch, functions: functions)], session: session, pluginConfigID: definition.id)
            }
            var steps: [PluginRunStep] = functions.contains(.exportEvents) ? [.flushExports] : []
            steps += tasks.map { .scheduledTask($0) }
            steps += try parsedJobs().map { .job(name: $0.name, payload: $0.payload) }
            // The run ends when nothing the plugin started is pending and no job is queued; then teardownPlugin.
            await runtime.run(steps + [.settle], session: session, pluginConfigID: definition.id)
        } catch {
            await runtime.shutdown()
            throw error
        }
        await runtime.shutdown()
        if failures > 0 {
            throw CommandFailure("processEvent failed on \(failures) of \(count) events; see the errors above")
        }
    }

    /// Loads the plugin and runs `setupPlugin`, waiting out its retries (on virtual time).
    private func setUp(_ definition: PluginConfigDefinition, in runtime: PluginRuntime, disabled: DisabledReason) async throws {
        switch await runtime.load(definition) {
        case .disabled(let reason):
            throw CommandFailure(reason)
        case .ready:
            return
        case .retryingSetup:
            while !(await runtime.isReady(pluginConfigID: definition.id, teamID: definition.teamID)) {
                if let reason = disabled.reason.withLock({ $0 }) { throw CommandFailure(reason) }
                try await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    /// Step 3: every event through processEvent (in batches, one trip to the script thread each), printed as
    /// it comes out. Returns the events that survived, the failures and the count.
    private func processEvents(
        _ runtime: PluginRuntime, session: PluginRunSession, functions: Set<PluginMethod>
    ) async throws -> (survivors: [[UInt8]], failures: Int, count: Int) {
        let runsProcessEvent = functions.contains(.processEvent)
        let keepsSurvivors = !functions.isDisjoint(with: [.onEvent, .composeWebhook, .exportEvents])
        var survivors: [[UInt8]] = []
        var failures = 0
        var count = 0
        // The reader's batches (256 lines each) are the runtime's: one trip to the script thread each.
        for try await batch in EventLineReader(path: events) {
            count += batch.count
            var output: [UInt8] = []
            var results: [Result<ChainResult, MalformedEventError>] = batch.map { .success(ChainResult(event: $0.bytes)) }
            if runsProcessEvent {
                results = await runtime.processEvents(batch.map(\.bytes), teamID: 1, recordingPluginLists: false, session: session)
            }
            for ((number, _), result) in zip(batch, results) {
                let chained: ChainResult
                do {
                    chained = try result.get()
                } catch {
                    FileHandle.standardOutput.write(Data(output))
                    throw CommandFailure("\(events ?? "stdin"):\(number): \(error)", exitCode: 65)
                }
                if !chained.failed.isEmpty { failures += 1 }
                if let event = chained.event, keepsSurvivors { survivors.append(event) }
                output += (chained.event ?? Array("null".utf8)) + [UInt8(ascii: "\n")]
            }
            FileHandle.standardOutput.write(Data(output))
        }
        return (survivors, failures, count)
    }

    private func readAttachments() throws -> [String: PluginAttachment] {
        var attachments: [String: PluginAttachment] = [:]
        for (key, path) in try keyValuePairs(attachmentFiles, option: "--attachment") {
            let url = URL(fileURLWithPath: path)
            guard let contents = FileManager.default.contents(atPath: url.path) else {
                throw CommandFailure("--attachment \(key): could not read \(path)", exitCode: 66)
            }
            attachments[key] = PluginAttachment(
                contentType: contentType(ofExtension: url.pathExtension), fileName: url.lastPathComponent, contents: contents)
        }
        return attachments
    }
}

/// Why the runtime disabled the plugin, when it did (a `setupPlugin` retry failed).
final class DisabledReason: Sendable {
    let reason = Mutex<String?>(nil)
}

/// A clock whose sleeps return at once and move its time on: `setupPlugin`'s retries on virtual time.
struct VirtualClock: Clock {
    struct Instant: InstantProtocol {
        var offset: Duration

        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let elapsed = Elapsed()

    var now: Instant { Instant(offset: elapsed.value.withLock { $0 }) }
    var minimumResolution: Duration { .zero }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        elapsed.value.withLock { $0 = max($0, deadline.offset) }
        await Task.yield()
    }

    private final class Elapsed: Sendable {
        let value = Mutex(Duration.zero)
    }
}

private func contentType(ofExtension pathExtension: String) -> String {
    switch pathExtension.lowercased() {
    case "json": "application/json"
    case "txt", "csv": "text/plain"
    case "mmdb": "application/octet-stream"
    default: "application/octet-stream"
    }
}
