public import Foundation

/// An accepted event waiting in the durable ingestion log for its team's plugin chain.
public struct IngestionRecord: Sendable, Equatable {
    /// The log's sequence number; `nil` before it is appended.
    public var sequence: Int64?
    public var teamID: Int
    public var uuid: String
    public var distinctID: String
    /// The event as the chain gets it (PostHog's `PluginEvent`), JSON.
    public var payload: [UInt8]
    /// How many times the process died while this event was being processed.
    public var crashes: Int

    public init(sequence: Int64? = nil, teamID: Int, uuid: String, distinctID: String, payload: [UInt8], crashes: Int = 0) {
        self.sequence = sequence
        self.teamID = teamID
        self.uuid = uuid
        self.distinctID = distinctID
        self.payload = payload
        self.crashes = crashes
    }
}

/// An event taken out of the ingestion log because the process died while processing it, more than once.
public struct QuarantinedEvent: Sendable, Equatable {
    public var id: Int64
    public var teamID: Int
    public var uuid: String
    public var distinctID: String
    /// The event as it was logged, JSON.
    public var payload: [UInt8]
    public var crashes: Int
    public var quarantinedAt: Date

    public init(
        id: Int64, teamID: Int, uuid: String, distinctID: String, payload: [UInt8], crashes: Int, quarantinedAt: Date
    ) {
        self.id = id
        self.teamID = teamID
        self.uuid = uuid
        self.distinctID = distinctID
        self.payload = payload
        self.crashes = crashes
        self.quarantinedAt = quarantinedAt
    }
}

/// What became of one logged event after its chain ran.
public struct IngestionOutcome: Sendable, Equatable {
    public enum Result: Sendable, Equatable {
        case stored(StoredEvent)
        /// A plugin returned `null`; `droppedBy` names it as `name (config id)`.
        case dropped(event: String, droppedBy: String)
    }

    /// The log entry this settles.
    public var sequence: Int64
    public var teamID: Int
    public var uuid: String
    public var distinctID: String
    public var result: Result
    /// Work the event causes (onEvent, exports), committed with it so none is lost or doubled.
    public var work: [NewWorkItem]
    /// What ingestion corrected in the event, committed with it.
    public var warnings: [IngestionWarning]
    /// The lease under which the event was processed, on a shared backend: when another instance has taken the team
    /// since, the outcome is not committed and the event stays in the log for the new holder.
    public var lease: TeamLease?

    public init(
        sequence: Int64, teamID: Int, uuid: String, distinctID: String, result: Result, work: [NewWorkItem] = [],
        warnings: [IngestionWarning] = [], lease: TeamLease? = nil
    ) {
        self.lease = lease
        self.sequence = sequence
        self.teamID = teamID
        self.uuid = uuid
        self.distinctID = distinctID
        self.result = result
        self.work = work
        self.warnings = warnings
    }
}

/// One instance's right to process a team's log, on a backend several instances share. The token grows with each
/// new holder, so a commit made under an older lease is recognised and refused (a fencing token).
public struct TeamLease: Sendable, Hashable {
    public var teamID: Int
    public var holder: String
    public var token: Int64

    public init(teamID: Int, holder: String, token: Int64) {
        self.teamID = teamID
        self.holder = holder
        self.token = token
    }
}

/// An event as stored after ingestion.
public struct StoredEvent: Sendable, Equatable {
    public var uuid: String
    public var teamID: Int
    public var event: String
    public var distinctID: String
    /// ISO 8601 in UTC with milliseconds (`2026-11-21T12:00:00.000Z`), after clock-skew correction.
    public var timestamp: String
    /// The properties object, JSON.
    public var properties: String
    /// The whole event as the chain left it, JSON.
    public var data: [UInt8]
    /// `properties.$session_id`, by which the events API finds a session's recording and events.
    public var sessionID: String?

    public init(
        uuid: String, teamID: Int, event: String, distinctID: String, timestamp: String, properties: String, data: [UInt8],
        sessionID: String? = nil
    ) {
        self.uuid = uuid
        self.teamID = teamID
        self.event = event
        self.distinctID = distinctID
        self.timestamp = timestamp
        self.properties = properties
        self.data = data
        self.sessionID = sessionID
    }
}

/// Filters of the events API, newest first.
public struct EventQuery: Sendable, Equatable {
    public var teamID: Int
    public var event: String?
    public var distinctID: String?
    /// Only the events of one session (`properties.$session_id`): its recording and what else the browser sent.
    public var sessionID: String?
    /// Only events strictly after / before these ISO timestamps.
    public var after: String?
    public var before: String?
    /// Continue after this position (from the previous page's last event).
    public var cursor: EventCursor?
    public var limit: Int

    public init(
        teamID: Int, event: String? = nil, distinctID: String? = nil, sessionID: String? = nil, after: String? = nil,
        before: String? = nil, cursor: EventCursor? = nil, limit: Int = 100
    ) {
        self.teamID = teamID
        self.event = event
        self.distinctID = distinctID
        self.sessionID = sessionID
        self.after = after
        self.before = before
        self.cursor = cursor
        self.limit = limit
    }
}

/// A position in the newest-first order of events: timestamp, then the order the backend stored them in.
public struct EventCursor: Sendable, Equatable {
    public var timestamp: String
    public var position: Int64

    public init(timestamp: String, position: Int64) {
        self.timestamp = timestamp
        self.position = position
    }
}

/// The durable ingestion log and the events it turns into.
///
/// A capture request's events are appended in one transaction before it is answered. An outcome
/// is committed together with the removal of its log entry, and at most one event is kept per
/// team and `uuid`: a crash at any moment leaves each accepted event either still in the log or
/// stored exactly once.
public protocol IngestionStore: Sendable {
    /// Appends records in one transaction; returns their sequence numbers in order.
    func append(_ records: [IngestionRecord]) async throws -> [Int64]
    /// The teams with events in the log.
    func teamsWithPendingEvents() async throws -> [Int]
    /// The team's logged events after `sequence`, oldest first.
    func pendingEvents(teamID: Int, after sequence: Int64, limit: Int) async throws -> [IngestionRecord]
    /// Stores the outcomes with their work and warnings and removes their log entries, in one transaction. An
    /// event whose `uuid` the team has already stored brings no work again.
    func commit(_ outcomes: [IngestionOutcome]) async throws
    /// Marks the team's logged events in `sequences` as being processed now. The mark survives the process
    /// dying (it need not survive the machine losing power), so the next start knows which events were in flight.
    func markInFlight(teamID: Int, sequences: ClosedRange<Int64>) async throws
    /// Removes the team's in-flight mark: its loop stopped cleanly.
    func clearInFlight(teamID: Int) async throws
    /// After a start: counts a crash for each of the team's logged events that the last mark says were in
    /// flight, removes the mark, and moves events with `crashes` or more crashes to the quarantine.
    /// - Returns: The events quarantined now.
    func recoverInFlight(teamID: Int, quarantineAfter crashes: Int) async throws -> [QuarantinedEvent]
    /// The team's quarantined events, newest first.
    func quarantinedEvents(teamID: Int, limit: Int) async throws -> [QuarantinedEvent]
    /// Puts a quarantined event back into the log, its crashes forgotten; `nil` when the team has no such event.
    func releaseQuarantinedEvent(id: Int64, teamID: Int) async throws -> IngestionRecord?
    /// How many events are in the quarantine, over all teams.
    func quarantinedCount() async throws -> Int
    /// The team's ingestion warnings since `date`, per type and hour, newest hour first.
    func ingestionWarnings(teamID: Int, since date: Date) async throws -> [IngestionWarningSummary]
    /// Stored events matching `query`, newest first, each with its cursor.
    func events(_ query: EventQuery) async throws -> [(event: StoredEvent, cursor: EventCursor)]
    /// How many events are waiting in the log.
    func pendingCount() async throws -> Int
    /// When the oldest event waiting in the log was accepted; `nil` when none waits (or it predates the record).
    func oldestPendingAcceptance() async throws -> Date?
    /// Takes the team's log for `holder` until `duration` from now, or renews the lease `holder` has (same token);
    /// `nil` while another holder's lease runs. A backend only one process uses grants every claim.
    func claimTeam(_ teamID: Int, holder: String, for duration: Duration) async throws -> TeamLease?
    /// Ends the lease now, so another instance may take the team at once.
    func releaseTeam(_ lease: TeamLease) async throws
}
