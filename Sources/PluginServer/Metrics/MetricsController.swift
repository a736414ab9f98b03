import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PluginRuntime
import Storage

/// `GET /metrics`: what the server and its plugins are doing, in Prometheus' text format.
///
/// Counters live where the work happens (capture, the runtime's per-config statistics) as plain
/// numbers, and are read here on each scrape; depths and memory are measured at the scrape.
struct MetricsController: Sendable {
    let ingestionMetrics: IngestionMetrics
    let ingestion: any IngestionStore
    let workQueue: any WorkQueueStore
    let runtime: PluginRuntime
    /// `QUILL_METRICS_TOKEN`: when set, a scrape must send `Authorization: Bearer <token>`.
    var token: String?
    /// Console lines dropped per config, for `quill_plugin_log_lines_dropped_total`.
    var consoleLimiter: PluginConsoleLimiter?
    /// Plugins installed and in use, for `quill_plugin_installations` and `quill_plugin_projects`.
    var adoption: (any PluginStore)?
    /// Events by integration, for `quill_integration_events_total`.
    var integrations: IntegrationUsage?

    func addRoutes(to router: Router<QuillRequestContext>) {
        router.get("metrics") { request, _ in
            try authorize(request)
            return Response(
                status: .ok, headers: [.contentType: PrometheusExposition.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(string: try await exposition())))
        }
    }

    /// Compares digests, whose equality takes the same time wherever they differ, so the time of
    /// an answer tells nothing of the token.
    private func authorize(_ request: Request) throws {
        guard let token else { return }
        let given = request.headers[.authorization].flatMap { header -> Substring? in
            let parts = header.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "bearer" ? parts[1].trimmingPrefix(" ") : nil
        }
        guard let given, SHA256.hash(data: Data(given.utf8)) == SHA256.hash(data: Data(token.utf8)) else {
            throw APIError(
                status: .unauthorized, type: "authentication_error", code: "not_authenticated",
                detail: "/metrics needs 'Authorization: Bearer <token>' with the server's QUILL_METRICS_TOKEN.")
        }
    }

    func exposition() async throws -> String {
        var exposition = PrometheusExposition()
        ingestionMetrics.write(to: &exposition)
        try await writeQueues(to: &exposition)
        let usage = await runtime.usage()
        writePlugins(usage, to: &exposition)
        if let consoleLimiter { exposition.writeDroppedLogLines(consoleLimiter.droppedLines(), configs: usage) }
        try await writeOutputMetrics(to: &exposition)
        let memory = await runtime.engineMemory()
        exposition.family(
            "quill_plugin_vms", type: .gauge, help: "Loaded plugin VMs: one JavaScript context per plugin config.",
            samples: [([:], Double(memory.vmCount))])
        exposition.family(
            "quill_javascript_heap_bytes", type: .gauge,
            help: "Bytes of the plugin VMs' JavaScript heaps: reserved (capacity), live at the last collection (size), owned outside the heap (extra).",
            samples: [
                (["kind": "size"], Double(memory.heapSize)), (["kind": "capacity"], Double(memory.heapCapacity)),
                (["kind": "extra"], Double(memory.heapExtraMemory)),
            ])
        if let resident = Self.residentMemoryBytes() {
            exposition.family(
                "process_resident_memory_bytes", type: .gauge, help: "Resident memory size in bytes.",
                samples: [([:], Double(resident))])
        }
        return exposition.text
    }

    /// The seed's output metrics: plugins installed and in use across projects, and events by integration.
    /// (Plugin-seconds per team are `quill_plugin_seconds_total`.)
    private func writeOutputMetrics(to exposition: inout PrometheusExposition) async throws {
        if let adoption {
            let plugins = try await adoption.pluginAdoption(organizationID: nil)
            exposition.family(
                "quill_plugin_installations", type: .gauge, help: "Installs of each plugin, one per organization that installed it.",
                samples: plugins.map { (["plugin": $0.name], Double($0.installations)) })
            exposition.family(
                "quill_plugin_projects", type: .gauge,
                help: "Projects with a config of each plugin (configured), and with an enabled one (enabled: in use).",
                samples: plugins.flatMap {
                    [
                        (["plugin": $0.name, "state": "configured"], Double($0.configuredProjects)),
                        (["plugin": $0.name, "state": "enabled"], Double($0.enabledProjects)),
                    ]
                })
        }
        if let integrations {
            var bySourceAndLib: [[String: String]: Int] = [:]
            for (key, events) in integrations.snapshot() {
                bySourceAndLib[["source": key.source.rawValue, "lib": key.lib], default: 0] += events
            }
            exposition.family(
                "quill_integration_events_total", type: .counter,
                help: "Events by the integration they came through (PostHog SDKs and Segment libraries by lib) or went out by (webhooks, REST hooks delivered).",
                samples: bySourceAndLib.sorted { "\($0.key)" < "\($1.key)" }.map { ($0.key, Double($0.value)) })
        }
    }

    private func writeQueues(to exposition: inout PrometheusExposition) async throws {
        exposition.family(
            "quill_ingestion_log_events", type: .gauge,
            help: "Accepted events waiting in the durable ingestion log for their plugin chain.",
            samples: [([:], Double(try await ingestion.pendingCount()))])
        let oldest = try await ingestion.oldestPendingAcceptance()
        exposition.family(
            "quill_ingestion_log_oldest_seconds", type: .gauge,
            help: "How long the oldest event waiting in the ingestion log has waited since it was accepted (0 when none waits).",
            samples: [([:], max(0, oldest.map { Date().timeIntervalSince($0) } ?? 0))])
        exposition.family(
            "quill_ingestion_quarantine_events", type: .gauge,
            help: "Events in the quarantine, waiting for someone to look at them or replay them.",
            samples: [([:], Double(try await ingestion.quarantinedCount()))])
        let counts = try await workQueue.counts()
        exposition.family(
            "quill_work_queue_items", type: .gauge,
            help: "Work items (onEvent, exports, jobs) by kind and status; dead items are dead letters.",
            samples: counts.sorted { ($0.kind.rawValue, $0.status.rawValue) < ($1.kind.rawValue, $1.status.rawValue) }
                .map { (["kind": $0.kind.rawValue, "status": $0.status.rawValue], Double($0.count)) })
        let now = Date()
        exposition.family(
            "quill_work_queue_oldest_due_seconds", type: .gauge,
            help: "How long the longest-waiting pending work item of each kind has been due (0 when none is).",
            samples: WorkKind.allCases.map { kind in
                let earliest = counts.filter { $0.kind == kind && $0.status == .pending }.map(\.earliestRunAt).min()
                return (["kind": kind.rawValue], max(0, earliest.map { now.timeIntervalSince($0) } ?? 0))
            })
    }

    private func writePlugins(_ configs: [PluginConfigUsage], to exposition: inout PrometheusExposition) {
        let configs = configs.sorted { $0.pluginConfigID < $1.pluginConfigID }
        func labels(_ config: PluginConfigUsage) -> [String: String] {
            ["team_id": String(config.teamID), "plugin_config_id": String(config.pluginConfigID), "plugin": config.pluginName]
        }
        func functions(_ value: (FunctionStatistics) -> Double) -> [(labels: [String: String], value: Double)] {
            configs.flatMap { config in
                config.statistics.functions.sorted { $0.key < $1.key }.map { name, function in
                    (labels(config).merging(["function": name]) { $1 }, value(function))
                }
            }
        }
        exposition.family(
            "quill_plugin_events_total", type: .counter,
            help: "Events given to each config's processEvent, by outcome (in, succeeded, failed, dropped).",
            samples: configs.flatMap { config in
                [
                    ("in", config.statistics.eventsIn), ("succeeded", config.statistics.eventsSucceeded),
                    ("failed", config.statistics.eventsFailed), ("dropped", config.statistics.eventsDropped),
                ].map { (labels(config).merging(["outcome": $0.0]) { $1 }, Double($0.1)) }
            })
        exposition.family(
            "quill_plugin_calls_total", type: .counter, help: "Calls of each config's plugin functions.",
            samples: functions { Double($0.calls) })
        exposition.family(
            "quill_plugin_errors_total", type: .counter, help: "Calls that threw or rejected, time-outs included.",
            samples: functions { Double($0.errors) })
        exposition.family(
            "quill_plugin_timeouts_total", type: .counter, help: "Calls stopped at the time limit.",
            samples: functions { Double($0.timeouts) })
        exposition.histogram(
            "quill_plugin_call_duration_seconds", help: "Wall time of plugin function calls, to the settled promise.",
            bounds: FunctionStatistics.durationBucketBounds,
            series: configs.flatMap { config in
                config.statistics.functions.sorted { $0.key < $1.key }.map { name, function in
                    (labels(config).merging(["function": name]) { $1 }, function.durationBuckets, function.seconds)
                }
            })
        var teamSeconds: [Int: Double] = [:]
        for config in configs { teamSeconds[config.teamID, default: 0] += config.statistics.seconds }
        exposition.family(
            "quill_plugin_seconds_total", type: .counter,
            help: "Plugin-seconds: time spent inside plugin code, per project, since the server started.",
            samples: teamSeconds.sorted { $0.key < $1.key }.map { (["team_id": String($0.key)], $0.value) })
    }

    /// The process's resident set, from `/proc/self/statm` (Linux).
    private static func residentMemoryBytes() -> Int? {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
