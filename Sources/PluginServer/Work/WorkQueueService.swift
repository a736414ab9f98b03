public import Foundation
import Logging
import PluginRuntime
import ServiceLifecycle
import OrderedJSON
import Storage
import Synchronization

/// The time the work queue runs on; tests move it by hand.
public protocol WorkClock: Sendable {
    var now: Date { get }
    func sleep(for duration: Duration) async throws
}

/// The wall clock.
public struct SystemWorkClock: WorkClock {
    public init() {}
    public var now: Date { Date() }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// Runs the durable work queue: `onEvent`/`onSnapshot` deliveries, export batches, jobs, and action
/// webhook and REST hook deliveries, with DESIGN.md's retries, never holding up ingestion.
///
/// A failed item is retried after the waits of its kind; after the last it becomes a dead letter
/// that the management API lists and replays. Each config has at most `perConfigConcurrency`
/// items running, so one slow destination can't take every slot, and a config whose calls keep
/// timing out is paused (`TimeOutBreakers`), so it can't keep script threads busy either.
final class WorkQueueService: Service {
    struct Configuration: Sendable {
        var concurrency = 32
        var perConfigConcurrency = 4
        /// How long a leased item is a worker's before another may take it (a crashed worker's items); renewed
        /// every half lease while the item runs.
        var lease: Duration = .seconds(300)
        var pollInterval: Duration = .seconds(1)
        /// Waits before each retry after a `RetryError` (DESIGN.md).
        var onEventRetries: [Duration] = [5, 10, 20, 40, 80].map { .seconds($0) }
        var exportRetries: [Duration] = [6, 12, 24].map { .seconds($0) }
        /// How many time-outs in a row pause a config, and for how long.
        var timeOutBreakers = TimeOutBreakers.Settings()
        /// How long a config that is retrying `setupPlugin` gets none of its items.
        var setupRetryWait: Duration = .seconds(5)
    }

    private let store: any WorkQueueStore
    private let runtime: PluginRuntime
    private let clock: any WorkClock
    private let configuration: Configuration
    private let logger: Logger
    private let ready: @Sendable () async -> Void
    private let inFlight = Mutex<[Int: Int]>([:])
    private let breakers: Mutex<TimeOutBreakers>
    private let wakeup: WakeupSignal
    private let throttle = DeliveryThrottle()
    /// Action webhooks' and REST hooks' requests; `nil` where there are none (tests of plugin work).
    private let hooks: HookDeliveries?
    /// Counts delivered webhooks and hooks for the output metrics.
    private let integrations: IntegrationUsage?
    private let alertDelivery: AlertDelivery?
    /// Told when an item other than an alert becomes a dead letter, so the project can be alerted.
    private let onDeadLetter: @Sendable (WorkItem, String) async -> Void

    /// - Parameter wakeup: Signalled when work is queued, so the loop needn't wait for its next poll.
    init(
        store: any WorkQueueStore, runtime: PluginRuntime, clock: any WorkClock = SystemWorkClock(),
        configuration: Configuration = Configuration(), logger: Logger, wakeup: WakeupSignal = WakeupSignal(),
        hooks: HookDeliveries? = nil, integrations: IntegrationUsage? = nil, alertDelivery: AlertDelivery? = nil,
        onDeadLetter: @escaping @Sendable (WorkItem, String) async -> Void = { _, _ in }, ready: @escaping @Sendable () async -> Void
    ) {
        self.hooks = hooks
        self.integrations = integrations
        self.alertDelivery = alertDelivery
        self.onDeadLetter = onDeadLetter
        self.store = store
        self.runtime = runtime
        self.clock = clock
        self.wakeup = wakeup
        self.configuration = configuration
        breakers = Mutex(TimeOutBreakers(settings: configuration.timeOutBreakers))
        self.logger = logger
        self.ready = ready
    }

    /// Wakes the loop early: new work was queued.
    func notify() {
        wakeup.signal()
    }

    func run() async throws {
        await ready()
        await withDiscardingTaskGroup { group in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                await formExportBatches(.due)
                let now = clock.now
                let running = inFlight.withLock { $0 }
                let free = configuration.concurrency - running.values.reduce(0, +)
                let busy = Set(running.filter { $0.value >= configuration.perConfigConcurrency }.keys)
                // Paused configs' items stay pending, attempts unchanged, until their pause ends.
                let excluded = busy.union(breakers.withLock { $0.excluded(now: now, inFlight: running) })
                    .union(throttle.paused(at: now))
                var items: [WorkItem] = []
                if free > 0 {
                    do {
                        items = try await store.lease(
                            now: now, until: now.addingTimeInterval(configuration.lease.seconds), limit: free,
                            perConfig: configuration.perConfigConcurrency, excluding: excluded)
                    } catch is CancellationError {
                        // The loop ends: the server stops without a drain.
                    } catch {
                        logger.error("Could not read the work queue", metadata: ["error": "\(error)"])
                    }
                }
                var startedPerConfig: [Int: Int] = [:]
                for item in items {
                    // One lease may hold more of a config's items than its limit allows: give those back.
                    // A config that timed out gets one at a time, to see whether it still does.
                    let limit =
                        breakers.withLock { $0.isOneAtATime(item.pluginConfigID, now: now) } ? 1 : configuration.perConfigConcurrency
                    let already = (running[item.pluginConfigID] ?? 0) + startedPerConfig[item.pluginConfigID, default: 0]
                    guard already < limit else {
                        try? await store.release(item.id)
                        continue
                    }
                    startedPerConfig[item.pluginConfigID, default: 0] += 1
                    inFlight.withLock { $0[item.pluginConfigID, default: 0] += 1 }
                    group.addTask {
                        await self.holdingLease(of: item) { await self.run(item) }
                        self.inFlight.withLock { $0[item.pluginConfigID, default: 1] -= 1 }
                        self.wakeup.signal()
                    }
                }
                if items.isEmpty {
                    await wakeup.wait(upTo: configuration.pollInterval, clock: clock)
                }
            }
        }
        // Graceful shutdown flushes the export buffers into batches; they are delivered at the next start.
        await formExportBatches(.all)
    }

    /// Which export buffers `formExportBatches` turns into batches.
    enum ExportFlush {
        /// Those full (`exportEventsBufferBytes`) or old enough (`exportEventsBufferSeconds`).
        case due
        /// All of them: at shutdown.
        case all
        /// One config's, whatever its state: its config changed or it is being removed.
        case config(Int)
    }

    /// Turns export buffers into batches of at most the config's `exportEventsBufferBytes` each.
    func formExportBatches(_ flush: ExportFlush) async {
        do {
            let now = clock.now
            for buffer in try await store.exportBuffers() {
                let settings =
                    await runtime.exportBuffer(pluginConfigID: buffer.pluginConfigID, teamID: buffer.teamID)
                    ?? .defaults
                let isDue: Bool =
                    switch flush {
                    case .due:
                        buffer.bytes >= settings.bytes || now.timeIntervalSince(buffer.oldest) >= Double(settings.seconds)
                    case .all: true
                    case .config(let id): buffer.pluginConfigID == id
                    }
                if isDue {
                    _ = try await store.batchExportEvents(
                        pluginConfigID: buffer.pluginConfigID, maximumBytes: settings.bytes, now: now)
                }
            }
        } catch is CancellationError {
            // The server stops without a drain: the buffers stay in the database for the next start.
        } catch {
            logger.error("Could not batch export events", metadata: ["error": "\(error)"])
        }
    }

    /// Flushes one config's export buffer now (its config changed or it is being removed).
    func flushExportBuffer(pluginConfigID: Int) async {
        await formExportBatches(.config(pluginConfigID))
        wakeup.signal()
    }

    /// Runs `body` while renewing the item's lease every half lease: an item that waits for a script thread or runs
    /// longer than one lease would otherwise be leased again, by this worker or another, and run twice. A crashed
    /// worker renews nothing, so its items still come back when their lease runs out.
    private func holdingLease(of item: WorkItem, _ body: () async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while (try? await self.clock.sleep(for: self.configuration.lease / 2)) != nil {
                    do {
                        try await self.store.renewLease(item.id, until: self.clock.now.addingTimeInterval(self.configuration.lease.seconds))
                    } catch is CancellationError {
                        return
                    } catch {
                        self.logger.error("Could not renew a work item's lease", metadata: ["error": "\(error)"])
                    }
                }
            }
            await body()
            group.cancelAll()
        }
    }

    private func run(_ item: WorkItem) async {
        let delivery: Delivery
        let retries: [Duration]
        switch item.kind {
        case .onEvent:
            (delivery, retries) = (.onEvent(item.payload), configuration.onEventRetries)
        case .onSnapshot:
            (delivery, retries) = (.onSnapshot(item.payload), configuration.onEventRetries)
        case .exportBatch:
            (delivery, retries) = (.exportEvents(item.payload), configuration.exportRetries)
        case .job:
            guard let job = JobPayload(item.payload) else {
                await settle(item, .failed("the job item is malformed"), retries: [])
                return
            }
            (delivery, retries) = (.job(name: job.type, payload: job.payload), [])
        case .exportEvent:
            return  // buffered, never leased
        case .composeWebhook:
            await deliverWebhook(item)
            return
        case .actionWebhook, .restHook:
            await deliverHook(item)
            return
        case .alert:
            let outcome = await alertDelivery?.deliver(item.payload) ?? .failed("alerts are not set up on this server")
            await settle(item, outcome, retries: configuration.onEventRetries)
            return
        }
        let outcome = await runtime.deliver(delivery, pluginConfigID: item.pluginConfigID, teamID: item.teamID)
        await settle(item, outcome, retries: retries)
        await countTowardsPause(item, delivery.functionName, outcome)
    }

    /// `composeWebhook` on the item's event, then the webhook it returned, sent by Quill through the fetch
    /// policy (``send(_:for:settings:)``).
    private func deliverWebhook(_ item: WorkItem) async {
        let request: PluginHTTPRequest
        switch await runtime.composeWebhook(item.payload, pluginConfigID: item.pluginConfigID, teamID: item.teamID) {
        case .none:
            await settle(item, .succeeded, retries: [])
            return
        case .failed(let outcome):
            await settle(item, outcome, retries: configuration.onEventRetries)
            await countTowardsPause(item, "composeWebhook", outcome)
            return
        case .webhook(let webhook):
            request = webhook
        }
        let settings = await runtime.deliverySettings(pluginConfigID: item.pluginConfigID, teamID: item.teamID) ?? .defaults
        guard let answer = await send(request, for: item, settings: settings) else { return }
        await settle(item, answer, url: request.url)
    }

    /// An action webhook's message or a REST hook's delivery, sent as a composed webhook is. A REST hook whose
    /// target answers 410 Gone is unsubscribed, as Zapier asks.
    private func deliverHook(_ item: WorkItem) async {
        let request: PluginHTTPRequest
        do {
            guard let found = try await hooks?.request(for: item) else {
                await settle(item, .succeeded, retries: [])  // deleted or turned off since: nothing to send
                return
            }
            request = found
        } catch {
            await settle(item, .retry("could not read the hook: \(error)"), retries: configuration.onEventRetries)
            return
        }
        guard let answer = await send(request, for: item, settings: .defaults) else { return }
        if item.kind == .restHook, case .success(let response) = answer, response.status == 410 {
            do {
                try await hooks?.unsubscribe(item)
                logger.info("A REST hook's target answered 410 Gone; unsubscribed it", metadata: ["target": "\(request.url)"])
                await settle(item, .succeeded, retries: [])
            } catch {
                await settle(item, .retry("could not unsubscribe the hook: \(error)"), retries: configuration.onEventRetries)
            }
            return
        }
        if case .succeeded = await settle(item, answer, url: request.url) {
            integrations?.countDelivered(teamID: item.teamID, source: item.kind == .restHook ? .restHook : .webhook)
        }
    }

    /// Sends a webhook of the item's lane through the fetch policy, politely: a paused lane's item goes back to
    /// the queue, which leases none of its items until the pause ends (`nil`); a lane at its concurrency or rate
    /// limit waits its turn here.
    private func send(
        _ request: PluginHTTPRequest, for item: WorkItem, settings: DeliverySettings
    ) async -> Result<PluginHTTPResponse, WebhookFailure>? {
        let id = item.pluginConfigID
        turn: while true {
            switch throttle.take(id, settings: settings, now: clock.now) {
            case .send:
                break turn
            case .paused:
                try? await store.release(item.id)
                return nil
            case .wait(let until):
                do {
                    try await clock.sleep(for: .milliseconds(Int64(max(1, until.timeIntervalSince(clock.now) * 1000))))
                } catch {
                    try? await store.release(item.id)  // the queue stops: the webhook goes at the next start
                    return nil
                }
            }
        }
        defer { throttle.finish(id) }
        return await runtime.sendWebhook(request)
    }

    /// Settles a sent webhook by its answer. 2xx or 3xx delivers it; 408, 429 and 5xx, or no answer, are
    /// retried as a `RetryError` of `onEvent` is (a 429's or 503's `Retry-After` pauses the lane); another 4xx
    /// is a refusal, kept as a dead letter. Returns the outcome it settled on.
    @discardableResult
    private func settle(_ item: WorkItem, _ answer: Result<PluginHTTPResponse, WebhookFailure>, url: String) async
        -> DeliveryOutcome
    {
        var notBefore: Date?
        let outcome: DeliveryOutcome
        switch answer {
        case .success(let response) where response.status < 400:
            outcome = .succeeded
        case .success(let response) where response.status == 408 || response.status == 429 || response.status >= 500:
            if response.status == 429 || response.status == 503,
                let value = response.headers.first(where: { $0.name.lowercased() == "retry-after" })?.value,
                let until = DeliveryThrottle.retryAfter(value, now: clock.now)
            {
                throttle.pause(item.pluginConfigID, until: until)
                notBefore = until
            }
            outcome = .retry("the webhook to \(url) was answered \(response.status)")
        case .success(let response):
            outcome = .failed("the webhook to \(url) was refused: \(response.status)")
        case .failure(let failure):
            outcome = .retry("the webhook to \(url) failed: \(failure)")
        }
        await settle(item, outcome, retries: configuration.onEventRetries, notBefore: notBefore)
        if notBefore != nil { wakeup.signal() }
        return outcome
    }

    /// Feeds the outcome to the config's breaker and writes what changed in the config's plugin log.
    private func countTowardsPause(_ item: WorkItem, _ functionName: String, _ outcome: DeliveryOutcome) async {
        let timedOut: Bool
        switch outcome {
        case .timedOut: timedOut = true
        case .deferred, .waitingForSetup: return
        case .succeeded, .retry, .failed, .unavailable: timedOut = false
        }
        let transition = breakers.withLock {
            $0.record(timedOut: timedOut, pluginConfigID: item.pluginConfigID, now: clock.now)
        }
        switch transition {
        case .paused(let timeOutsInARow, let pause):
            let count = timeOutsInARow == 1 ? "" : " \(timeOutsInARow) times in a row"
            let message =
                "\(functionName) timed out\(count); pausing this plugin's deliveries for \(Int(pause.seconds)) s"
            logger.warning("\(message)", metadata: ["plugin_config.id": "\(item.pluginConfigID)"])
            await runtime.logSystemMessage(.warn, message, pluginConfigID: item.pluginConfigID, teamID: item.teamID)
        case .resumed:
            await runtime.logSystemMessage(
                .info, "\(functionName) returned in time again; resuming this plugin's deliveries",
                pluginConfigID: item.pluginConfigID, teamID: item.teamID)
        case nil:
            break
        }
    }

    /// - Parameter notBefore: The earliest time of a retry (a destination's `Retry-After`).
    private func settle(_ item: WorkItem, _ outcome: DeliveryOutcome, retries: [Duration], notBefore: Date? = nil) async {
        do {
            switch outcome {
            case .succeeded:
                try await store.complete(item.id)
            case .deferred:
                try await store.release(item.id)
            case .waitingForSetup:
                // Its items wait, attempts unchanged, and none is leased for a while: the retries of setupPlugin
                // are seconds apart.
                throttle.pause(item.pluginConfigID, until: clock.now.addingTimeInterval(configuration.setupRetryWait.seconds))
                try await store.release(item.id)
            case .retry(let message) where item.attempts < retries.count:
                let backoff = clock.now.addingTimeInterval(retries[item.attempts].seconds)
                try await store.retry(item.id, at: max(backoff, notBefore ?? backoff), error: message)
            case .retry(let message), .failed(let message), .timedOut(let message), .unavailable(let message):
                try await store.bury(item.id, error: message)
                // A hook's lane is no plugin config: the log names the webhook or hook instead.
                let owner: Logger.Metadata =
                    switch HookLane(workQueueID: item.pluginConfigID) {
                    case .actionWebhook(let id)?: ["action_webhook.id": "\(id)"]
                    case .restHook(let id)?: ["rest_hook.id": "\(id)"]
                    case nil: ["plugin_config.id": "\(item.pluginConfigID)"]
                    }
                logger.warning(
                    "Work became a dead letter",
                    metadata: owner.merging(["work.kind": "\(item.kind.rawValue)", "error": "\(message)"]) { $1 })
                // Alerts are about plugin configs; a hook's lane is none, and an alert's own failure would loop.
                if item.kind != .alert && HookLane(workQueueID: item.pluginConfigID) == nil { await onDeadLetter(item, message) }
            }
        } catch {
            // The lease runs out and the item runs again.
            logger.error("Could not record the outcome of plugin work", metadata: ["error": "\(error)"])
        }
    }
}

/// A job item's payload: `{"type": name, "payload": {…}}`.
struct JobPayload {
    var type: String
    var payload: [UInt8]

    init?(_ bytes: [UInt8]) {
        guard let json = try? JSONValue.parse(bytes), let type = json["type"]?.stringValue else { return nil }
        self.type = type
        payload = (json["payload"] ?? .object(JSONObject())).serialized()
    }

    static func make(type: String, payload: JSONValue) -> [UInt8] {
        JSONValue.object(JSONObject([("type", .string(type)), ("payload", payload)])).serialized()
    }
}

/// Wakes a waiting loop early, or lets it sleep out its interval.
final class WakeupSignal: Sendable {
    private let state = Mutex<(signalled: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiter = nil }
            if state.waiter == nil { state.signalled = true }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns when signalled, when `interval` has passed on `clock`, or when the task is cancelled.
    func wait(upTo interval: Duration, clock: any WorkClock) async {
        await withTaskCancellationHandler {
            await waitForSignalOrTimeout(interval, clock: clock)
        } onCancel: {
            signal()
        }
    }

    private func waitForSignalOrTimeout(_ interval: Duration, clock: any WorkClock) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let now = self.state.withLock { state -> Bool in
                        if state.signalled {
                            state.signalled = false
                            return true
                        }
                        state.waiter = continuation
                        return false
                    }
                    if now { continuation.resume() }
                }
            }
            group.addTask {
                // Only a sleep that ran out wakes the waiter: a cancelled one (the waiter woke already)
                // must not leave a signal behind, or the next wait would return at once, forever.
                do {
                    try await clock.sleep(for: interval)
                    self.signal()
                } catch {}
            }
            await group.next()
            group.cancelAll()
        }
    }
}

extension Delivery {
    /// The plugin function the delivery calls, as log messages name it.
    fileprivate var functionName: String {
        switch self {
        case .onEvent: "onEvent"
        case .onSnapshot: "onSnapshot"
        case .exportEvents: "exportEvents"
        case .job(let name, _): "jobs.\(name)"
        case .scheduledTask(let name): name
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
