import Foundation
import PluginRuntime
import Synchronization

/// Keeps the webhooks Quill sends for a config polite to their destination: none before the time a
/// `Retry-After` of a 429 or 503 named (across retries and the config's other events), at most its
/// ``DeliverySettings/concurrency`` in flight, at most its ``DeliverySettings/requestsPerSecond``.
final class DeliveryThrottle: Sendable {
    private struct State {
        var pausedUntil: [Int: Date] = [:]
        var inFlight: [Int: Int] = [:]
        /// When the config's next webhook may go, under its rate limit.
        var nextSlot: [Int: Date] = [:]
    }

    private let state = Mutex(State())

    /// The configs a `Retry-After` pauses at `now`: the queue leases none of their items.
    func paused(at now: Date) -> Set<Int> {
        state.withLock { state in
            state.pausedUntil = state.pausedUntil.filter { $0.value > now }
            return Set(state.pausedUntil.keys)
        }
    }

    /// When the config's pause ends, if it is paused at `now`.
    func pause(of id: Int, at now: Date) -> Date? {
        state.withLock { state in state.pausedUntil[id].flatMap { $0 > now ? $0 : nil } }
    }

    /// Pauses the config until `date` (a later pause it already has stands).
    func pause(_ id: Int, until date: Date) {
        state.withLock { state in state.pausedUntil[id] = max(state.pausedUntil[id] ?? date, date) }
    }

    /// What the config may do at `now`.
    enum Turn: Equatable {
        /// Send now; ``finish(_:)`` when the answer is in.
        case send
        /// Wait until then and ask again.
        case wait(until: Date)
        /// A `Retry-After` pauses the config until then.
        case paused(until: Date)
    }

    /// Takes a turn to send one of the config's webhooks, if it may send at `now`.
    func take(_ id: Int, settings: DeliverySettings, now: Date) -> Turn {
        state.withLock { state in
            if let until = state.pausedUntil[id], until > now { return .paused(until: until) }
            if let limit = settings.concurrency, state.inFlight[id, default: 0] >= limit {
                return .wait(until: now.addingTimeInterval(0.01))
            }
            if let rate = settings.requestsPerSecond {
                let slot = max(state.nextSlot[id] ?? now, now)
                if slot > now { return .wait(until: slot) }
                state.nextSlot[id] = slot.addingTimeInterval(1 / rate)
            }
            state.inFlight[id, default: 0] += 1
            return .send
        }
    }

    func finish(_ id: Int) {
        state.withLock { state in state.inFlight[id, default: 1] -= 1 }
    }

    /// The time a `Retry-After` value names, from `now`: a number of seconds or an HTTP date.
    static func retryAfter(_ value: String, now: Date) -> Date? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(text), seconds.isFinite, seconds >= 0 {
            return now.addingTimeInterval(min(seconds, 86_400))
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text).map { min($0, now.addingTimeInterval(86_400)) }
    }
}
