import Synchronization

/// The host operations (fetch, cache, storage, …) a context has started and not yet settled: what a plugin
/// started and didn't await, so the caller can wait for it before tearing the plugin down.
public final class HostWork: Sendable {
    private struct State {
        var pending = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// How many operations are in flight now.
    public var pending: Int { state.withLock { $0.pending } }

    func begin() {
        state.withLock { $0.pending += 1 }
    }

    /// Called on the script thread once the operation's promise has settled (and the continuations it ran, which
    /// may have begun others, are done).
    func end() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.pending -= 1
            guard state.pending == 0 else { return [] }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once nothing is in flight, or after `timeLimit`; whether nothing was.
    public func settled(within timeLimit: Duration) async -> Bool {
        if pending == 0 { return true }
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        let timer = Task {
            try? await Task.sleep(for: timeLimit)
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state -> Bool in
                if state.pending == 0 { return true }
                state.waiters[id] = waiter
                return false
            }
            if idle { waiter.resume() }
        }
        timer.cancel()
        return pending == 0
    }
}
