import Foundation
import Hummingbird
import OrderedJSON
import PluginRuntime
import ServiceLifecycle
import Storage

/// Each config's events succeeded and failed per minute over the last hour.
///
/// The runtime keeps running totals since the server started, so this service samples them every few
/// seconds and books the growth to the minute it saw it in.
actor EventRateHistory: Service {
    struct Minute: Sendable, Equatable {
        var start: Date
        var succeeded = 0
        var failed = 0
    }

    static let minutesKept = 60
    static let sampleInterval: Duration = .seconds(2)

    private let runtime: PluginRuntime
    private var lastTotals: [Int: (succeeded: Int, failed: Int)] = [:]
    private var minutes: [Int: [Minute]] = [:]

    init(runtime: PluginRuntime) {
        self.runtime = runtime
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await sample()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.sampleInterval) }
        }
    }

    /// Reads every loaded config's totals now.
    func sample(at now: Date = Date()) async {
        for config in await runtime.usage() where config.isLoaded {
            record(
                pluginConfigID: config.pluginConfigID, succeeded: config.statistics.eventsSucceeded,
                failed: config.statistics.eventsFailed, at: now)
        }
    }

    func record(pluginConfigID: Int, succeeded: Int, failed: Int, at now: Date) {
        let last = lastTotals[pluginConfigID] ?? (0, 0)
        let grown = (succeeded - last.succeeded, failed - last.failed)
        lastTotals[pluginConfigID] = (succeeded, failed)
        let start = Self.minuteStart(of: now)
        var history = minutes[pluginConfigID] ?? []
        if history.last?.start != start { history.append(Minute(start: start)) }
        history[history.count - 1].succeeded += grown.0
        history[history.count - 1].failed += grown.1
        minutes[pluginConfigID] = Array(history.suffix(Self.minutesKept))
    }

    /// The last `count` minutes up to `now`, oldest first, with zeros for quiet minutes.
    func minutes(pluginConfigID: Int, count: Int = 30, now: Date = Date()) -> [Minute] {
        let kept = Dictionary((minutes[pluginConfigID] ?? []).map { ($0.start, $0) }, uniquingKeysWith: { first, _ in first })
        let current = Self.minuteStart(of: now)
        return (0..<count).reversed().map { back in
            let start = current.addingTimeInterval(Double(-60 * back))
            return kept[start] ?? Minute(start: start)
        }
    }

    private static func minuteStart(of date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60)
    }
}

/// `GET …/plugin_configs/:config_id/events_per_minute/`: the chart of the config's page.
struct EventRateController: Sendable {
    let authenticator: ManagementAuthenticator
    let store: any PluginStore
    let history: EventRateHistory

    var routes: [ManagementRoute] {
        [
            ManagementRoute(
                .get, "\(PluginConfigsController.base)/:config_id/events_per_minute",
                summary: "Events succeeded and failed per minute, the last 30 minutes", tag: .pluginConfigs,
                answers: [.json("EventsPerMinute")], errors: [.notFound], handler: show)
        ]
    }

    private func show(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let (config, _) = try await authenticator.pluginConfig(of: request, context, in: store)
        await history.sample()
        let minutes = await history.minutes(pluginConfigID: config.id).map { minute -> JSONValue in
            ["minute": minute.start.jsonValue, "succeeded": JSONValue(minute.succeeded), "failed": JSONValue(minute.failed)]
        }
        return Response.json(["results": .array(minutes)])
    }
}
