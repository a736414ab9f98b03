import Foundation
import OrderedJSON
import Storage
import Synchronization

/// The web UI's live events: each project's latest processed events in the order the chain finished
/// them, each with the event as it entered the chain when the ingestion log's copy was kept.
///
/// Only projects someone watched in the last `watchWindow` are recorded, so ingestion pays nothing
/// while nobody looks. Memory is bounded: `capacity` events per project, and inputs of at most
/// `maximumInputBytes` (a larger input is not kept, and the event shows without a diff).
final class LiveEventFeed: Sendable {
    struct Entry: Sendable {
        /// Increases by one per entry, over all projects: a client asks for what came after the last it saw.
        var sequence: Int
        var uuid: String
        var event: String
        var distinctID: String
        var timestamp: String?
        /// The event as stored (PostHog's shape); `nil` when a plugin dropped it.
        var output: [UInt8]?
        var droppedBy: String?
        /// The event as the chain got it, from the ingestion log.
        var input: [UInt8]?
    }

    private struct Team {
        var watchedUntil: ContinuousClock.Instant
        var entries: [Entry] = []
        /// Logged events' payloads by `uuid`, until their outcome is committed.
        var inputs: [String: [UInt8]] = [:]
        var inputOrder: [String] = []
    }

    private let capacity: Int
    private let maximumInputBytes: Int
    private let watchWindow: Duration
    private let state = Mutex<(teams: [Int: Team], sequence: Int)>(([:], 0))

    init(capacity: Int = 500, maximumInputBytes: Int = 64 * 1024, watchWindow: Duration = .seconds(60)) {
        self.capacity = capacity
        self.maximumInputBytes = maximumInputBytes
        self.watchWindow = watchWindow
    }

    /// A client looked at the project's live events: record them for the next `watchWindow`.
    func watch(teamID: Int) {
        let until = ContinuousClock.now + watchWindow
        state.withLock { state in
            state.teams[teamID, default: Team(watchedUntil: until)].watchedUntil = until
        }
    }

    /// Events appended to the ingestion log: keeps the inputs of watched projects.
    func logged(_ records: [IngestionRecord]) {
        let now = ContinuousClock.now
        state.withLock { state in
            for record in records where record.payload.count <= maximumInputBytes {
                guard var team = state.teams[record.teamID], team.watchedUntil > now else { continue }
                state.teams[record.teamID] = nil  // no copy of the dictionary's storage while changing it
                if team.inputs.updateValue(record.payload, forKey: record.uuid) == nil { team.inputOrder.append(record.uuid) }
                // A backlog bigger than the feed forgets its oldest inputs.
                if team.inputOrder.count > capacity * 4 {
                    for uuid in team.inputOrder.prefix(capacity) { team.inputs[uuid] = nil }
                    team.inputOrder.removeFirst(capacity)
                }
                state.teams[record.teamID] = team
            }
        }
    }

    /// Outcomes committed: their events join their watched projects' feeds.
    func committed(_ outcomes: [IngestionOutcome]) {
        let now = ContinuousClock.now
        state.withLock { state in
            for outcome in outcomes {
                guard var team = state.teams[outcome.teamID], team.watchedUntil > now else {
                    if let team = state.teams[outcome.teamID], team.watchedUntil <= now { state.teams[outcome.teamID] = nil }
                    continue
                }
                state.teams[outcome.teamID] = nil
                let input = team.inputs.removeValue(forKey: outcome.uuid)
                if input != nil, let index = team.inputOrder.firstIndex(of: outcome.uuid) { team.inputOrder.remove(at: index) }
                state.sequence += 1
                var entry = Entry(
                    sequence: state.sequence, uuid: outcome.uuid, event: "", distinctID: outcome.distinctID, input: input)
                switch outcome.result {
                case .stored(let stored):
                    entry.event = stored.event
                    entry.timestamp = stored.timestamp
                    entry.output = stored.data
                case .dropped(let event, let droppedBy):
                    entry.event = event
                    entry.droppedBy = droppedBy
                }
                team.entries.append(entry)
                if team.entries.count > capacity { team.entries.removeFirst(team.entries.count - capacity) }
                state.teams[outcome.teamID] = team
            }
        }
    }

    /// The project's entries after `sequence`, oldest first, at most `limit` (the newest ones), matching the filters.
    func entries(teamID: Int, after sequence: Int?, event: String?, distinctID: String?, limit: Int) -> (entries: [Entry], latest: Int) {
        state.withLock { state in
            let all = state.teams[teamID]?.entries ?? []
            let matching = all.filter { entry in
                entry.sequence > (sequence ?? 0) && (event.map { $0 == entry.event } ?? true)
                    && (distinctID.map { $0 == entry.distinctID } ?? true)
            }
            return (Array(matching.suffix(limit)), state.sequence)
        }
    }
}
