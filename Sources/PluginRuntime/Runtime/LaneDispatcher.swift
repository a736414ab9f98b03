import JavaScriptEngine
import Synchronization

/// Hands lanes of events (one team's, one `distinct_id`'s) to script threads fairly.
///
/// A thread takes at most `lanesPerThread` lanes at once, and none while it is held by one long call
/// (busy past `busyThreshold`); a lane that finds no thread waits here, not in a thread's queue, so it goes
/// to whichever thread frees first rather than behind a call that may run to the time limit. Waiting lanes
/// are taken one team at a time in turn: a team that sends many lanes at once (a batch of many users)
/// can't make another team's single lane wait behind all of them.
final class LaneDispatcher: Sendable {
    private struct State {
        var lanesInFlight: [Int]
        /// Each team's waiting lanes, oldest first.
        var waiting: [Int: [CheckedContinuation<Int, Never>]] = [:]
        /// The teams with waiting lanes, in the order they are served.
        var turns: [Int] = []
        /// Whether a poll is looking again every few milliseconds: lanes wait while every thread with room is
        /// held, and a thread stops being held without anything to tell.
        var isPolling = false
    }

    private let activities: [ScriptActivity]
    private let lanesPerThread: Int
    private let busyThreshold: Duration
    private let state: Mutex<State>

    init(activities: [ScriptActivity], lanesPerThread: Int, busyThreshold: Duration) {
        self.activities = activities
        self.lanesPerThread = max(1, lanesPerThread)
        self.busyThreshold = busyThreshold
        state = Mutex(State(lanesInFlight: Array(repeating: 0, count: activities.count)))
    }

    /// Lanes on each thread now.
    var lanesInFlight: [Int] { state.withLock { $0.lanesInFlight } }

    /// Waits for a thread for one of `team`'s lanes; returns its index. Call `release(_:)` when the lane is done.
    func acquire(team: Int) async -> Int {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> [(CheckedContinuation<Int, Never>, Int)] in
                if state.waiting.isEmpty, let thread = freeThread(in: state) {
                    state.lanesInFlight[thread] += 1
                    return [(continuation, thread)]
                }
                if state.waiting[team] == nil { state.turns.append(team) }
                state.waiting[team, default: []].append(continuation)
                let ready = dispatch(&state)
                if !state.waiting.isEmpty && !state.isPolling {
                    state.isPolling = true
                    Task { await self.poll() }
                }
                return ready
            }
            for (waiter, thread) in ready { waiter.resume(returning: thread) }
        }
    }

    private func poll() async {
        while true {
            try? await Task.sleep(for: .milliseconds(10))
            let (ready, done) = state.withLock { state in
                let ready = dispatch(&state)
                if state.waiting.isEmpty { state.isPolling = false }
                return (ready, state.waiting.isEmpty)
            }
            for (waiter, thread) in ready { waiter.resume(returning: thread) }
            if done { return }
        }
    }

    func release(_ thread: Int) {
        let ready = state.withLock { state in
            state.lanesInFlight[thread] -= 1
            return dispatch(&state)
        }
        for (waiter, thread) in ready { waiter.resume(returning: thread) }
    }

    /// Gives waiting lanes free threads, a team at a time in turn.
    private func dispatch(_ state: inout State) -> [(CheckedContinuation<Int, Never>, Int)] {
        var ready: [(CheckedContinuation<Int, Never>, Int)] = []
        while !state.turns.isEmpty, let thread = freeThread(in: state) {
            let team = state.turns.removeFirst()
            var lanes = state.waiting[team] ?? []
            guard !lanes.isEmpty else { continue }
            ready.append((lanes.removeFirst(), thread))
            state.lanesInFlight[thread] += 1
            if lanes.isEmpty {
                state.waiting[team] = nil
            } else {
                state.waiting[team] = lanes
                state.turns.append(team)
            }
        }
        return ready
    }

    /// The thread with the fewest lanes among those with room that no long call holds.
    private func freeThread(in state: State) -> Int? {
        state.lanesInFlight.indices
            .filter { state.lanesInFlight[$0] < lanesPerThread && (activities[$0].busyFor ?? .zero) <= busyThreshold }
            .min { state.lanesInFlight[$0] < state.lanesInFlight[$1] }
    }
}
