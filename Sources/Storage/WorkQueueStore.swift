public import Foundation

/// Work that runs beside ingestion, for one plugin config: deliveries, exports, jobs.
public enum WorkKind: String, Sendable, CaseIterable {
    /// `onEvent` with one processed event.
    case onEvent = "on_event"
    /// `onSnapshot` with one `$snapshot` event.
    case onSnapshot = "on_snapshot"
    /// One event waiting in a config's export buffer, to be batched.
    case exportEvent = "export_event"
    /// `exportEvents` with a batch of events.
    case exportBatch = "export_batch"
    /// A plugin job (`meta.jobs.NAME(payload)`, or a public job).
    case job = "job"
    /// `composeWebhook` with one processed event; Quill sends the webhook it returns.
    case composeWebhook = "compose_webhook"
    /// An action webhook's message about one processed event; the item's lane is a ``HookLane``.
    case actionWebhook = "action_webhook"
    /// A REST hook's delivery of one processed event; the item's lane is a ``HookLane``.
    case restHook = "rest_hook"
    /// An alert about the config to its project: an email or a webhook (`{"channel", …}`).
    case alert = "alert"
}

/// An item to put on the queue.
public struct NewWorkItem: Sendable, Equatable {
    public var kind: WorkKind
    public var pluginConfigID: Int
    public var teamID: Int
    /// JSON: the event, the batch (an array), or `{"type", "payload"}` for a job.
    public var payload: [UInt8]
    public var runAt: Date

    public init(kind: WorkKind, pluginConfigID: Int, teamID: Int, payload: [UInt8], runAt: Date) {
        self.kind = kind
        self.pluginConfigID = pluginConfigID
        self.teamID = teamID
        self.payload = payload
        self.runAt = runAt
    }
}

/// An item on the queue.
public struct WorkItem: Sendable, Equatable {
    public enum Status: String, Sendable {
        case pending
        /// An event in its config's export buffer, waiting to become part of a batch; never leased.
        case buffered
        /// Taken by a worker until its lease ends; after that anyone may take it again.
        case leased
        /// Failed for good: kept for a person to look at and replay.
        case dead
    }

    public var id: Int64
    public var kind: WorkKind
    public var pluginConfigID: Int
    public var teamID: Int
    public var payload: [UInt8]
    public var runAt: Date
    /// Failed attempts so far.
    public var attempts: Int
    public var status: Status
    public var lastError: String?
    public var createdAt: Date

    public init(
        id: Int64, kind: WorkKind, pluginConfigID: Int, teamID: Int, payload: [UInt8], runAt: Date, attempts: Int,
        status: Status, lastError: String?, createdAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.pluginConfigID = pluginConfigID
        self.teamID = teamID
        self.payload = payload
        self.runAt = runAt
        self.attempts = attempts
        self.status = status
        self.lastError = lastError
        self.createdAt = createdAt
    }
}

/// The durable queue of plugin work, shared by every server instance of one database.
///
/// A worker leases due items; a lease that runs out (a crashed worker) makes them due again, so
/// an item runs at least once. Dead letters stay until replayed, which turns each back into one
/// pending item.
public protocol WorkQueueStore: Sendable {
    func enqueue(_ items: [NewWorkItem]) async throws
    /// Enqueues `item` unless its config already has `maximumQueued` items of its kind waiting or
    /// running (dead letters don't count); returns whether it did.
    func enqueue(_ item: NewWorkItem, ifFewerThan maximumQueued: Int) async throws -> Bool
    /// Leases up to `limit` due items (`runAt <= now`, pending or with an expired lease), oldest first, at
    /// most `perConfig` of one config, none of the configs in `excluding` (busy or paused). Its cost
    /// doesn't grow with the items of excluded configs: a paused config's backlog costs nothing.
    func lease(now: Date, until leaseEnd: Date, limit: Int, perConfig: Int, excluding: Set<Int>) async throws -> [WorkItem]
    /// Gives a leased item back untouched, for another turn.
    func release(_ id: Int64) async throws
    /// Extends the lease of an item still leased, to `leaseEnd`, for a worker still running it.
    func renewLease(_ id: Int64, until leaseEnd: Date) async throws
    /// Removes a finished item.
    func complete(_ id: Int64) async throws
    /// Puts an item back to run at `runAt`, counting the failed attempt.
    func retry(_ id: Int64, at runAt: Date, error: String) async throws
    /// Makes an item a dead letter, counting the failed attempt.
    func bury(_ id: Int64, error: String) async throws
    func deadLetters(pluginConfigID: Int) async throws -> [WorkItem]
    /// The config's items waiting or running, oldest first.
    func queuedItems(pluginConfigID: Int) async throws -> [WorkItem]
    /// Makes dead letters pending again, due now; `nil` replays all of the config's. Returns how many.
    func replay(pluginConfigID: Int, ids: [Int64]?, now: Date) async throws -> Int
    /// The configs with events in their export buffers: the number of events, their bytes and when the
    /// oldest was buffered (its `runAt`).
    func exportBuffers() async throws -> [(pluginConfigID: Int, teamID: Int, count: Int, bytes: Int, oldest: Date)]
    /// Turns the config's buffered events, oldest first, into batches of at most `maximumBytes` each
    /// (at least one event each), due at `now`. Returns how many batches were made.
    func batchExportEvents(pluginConfigID: Int, maximumBytes: Int, now: Date) async throws -> Int
    /// Items by kind and status, for metrics.
    func counts() async throws -> [WorkQueueCount]
}

/// How many work items of one kind are in one status, and the earliest run-at among them.
public struct WorkQueueCount: Sendable, Equatable {
    public var kind: WorkKind
    public var status: WorkItem.Status
    public var count: Int
    public var earliestRunAt: Date

    public init(kind: WorkKind, status: WorkItem.Status, count: Int, earliestRunAt: Date) {
        self.kind = kind
        self.status = status
        self.count = count
        self.earliestRunAt = earliestRunAt
    }
}

extension NewWorkItem {
    /// A config's buffered export events (JSON each, in order) as `exportEvents` batches: JSON arrays of at most
    /// `maximumBytes` of events, an event larger than that alone in its batch.
    public static func exportBatches(
        of events: [[UInt8]], maximumBytes: Int, pluginConfigID: Int, teamID: Int, runAt: Date
    ) -> [NewWorkItem] {
        var batches: [[[UInt8]]] = []
        var size = 0
        for event in events {
            if batches.isEmpty || (size + event.count > maximumBytes && !batches[batches.count - 1].isEmpty) {
                batches.append([])
                size = 0
            }
            batches[batches.count - 1].append(event)
            size += event.count
        }
        return batches.map { events in
            var batch: [UInt8] = [UInt8(ascii: "[")]
            for (index, event) in events.enumerated() {
                if index > 0 { batch.append(UInt8(ascii: ",")) }
                batch.append(contentsOf: event)
            }
            batch.append(UInt8(ascii: "]"))
            return NewWorkItem(kind: .exportBatch, pluginConfigID: pluginConfigID, teamID: teamID, payload: batch, runAt: runAt)
        }
    }
}
