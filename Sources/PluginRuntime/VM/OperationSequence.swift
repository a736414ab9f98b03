import Synchronization

/// Runs a VM's cache and storage operations one at a time, in the order the plugin issued them.
///
/// Plugins rely on this the way they rely on one Redis connection: `cache.set(k, v)` without
/// `await`, then `cache.get(k)` in the next event, must see `v`.
final class OperationSequence: Sendable {
    private struct State {
        var nextTicket: UInt64 = 0
        var turn: UInt64 = 0
        var waiting: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    /// Takes a place in the sequence; call it when the plugin issues the operation.
    func ticket() -> UInt64 {
        state.withLock { state in
            defer { state.nextTicket += 1 }
            return state.nextTicket
        }
    }

    /// Runs `operation` once every operation with an earlier ticket has finished.
    func run<Output>(_ ticket: UInt64, _ operation: () async throws -> Output) async throws -> Output {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isTurn = state.withLock { state in
                if state.turn == ticket { return true }
                state.waiting[ticket] = continuation
                return false
            }
            if isTurn { continuation.resume() }
        }
        defer {
            let next = state.withLock { state in
                state.turn = ticket + 1
                return state.waiting.removeValue(forKey: ticket + 1)
            }
            next?.resume()
        }
        return try await operation()
    }
}
