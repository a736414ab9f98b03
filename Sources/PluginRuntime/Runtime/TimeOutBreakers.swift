public import Foundation
import JavaScriptEngine

/// Per plugin config, a circuit breaker on time-outs: a config whose calls keep running to the
/// time limit is paused, so its work doesn't hold a script thread call after call beside other
/// projects' plugins. The work queue keeps one for `onEvent`, exports and jobs; the runtime one for
/// `processEvent`, whose events pass a paused config as failed.
///
/// After a time-out the config's calls run one at a time; after `threshold` time-outs in a row it is
/// paused for `firstPause`. When a pause ends, one call is tried: another time-out pauses it again for
/// twice as long (up to `longestPause`); any other outcome (the call returned in time) closes the breaker.
public struct TimeOutBreakers: Sendable {
    public struct Settings: Sendable {
        /// One: each time-out held a script thread for the whole time limit, beside other projects' chains.
        public var threshold = 1
        public var firstPause: Duration = .seconds(10)
        public var longestPause: Duration = .seconds(300)

        public init(threshold: Int = 1, firstPause: Duration = .seconds(10), longestPause: Duration = .seconds(300)) {
            self.threshold = threshold
            self.firstPause = firstPause
            self.longestPause = longestPause
        }
    }

    /// What an outcome changed, for the config's plugin log.
    public enum Transition: Equatable, Sendable {
        case paused(timeOutsInARow: Int, for: Duration)
        case resumed
    }

    private struct Breaker {
        var timeOutsInARow = 0
        /// The latest pause and when it ends; `nil` while the breaker is closed.
        var pause: (length: Duration, until: Date)?
    }

    public let settings: Settings
    private var breakers: [Int: Breaker] = [:]

    public init(settings: Settings) {
        self.settings = settings
    }

    /// The configs whose items must not be leased now: paused ones, and those running one at a time
    /// with an item still running.
    public func excluded(now: Date, inFlight: [Int: Int]) -> Set<Int> {
        Set(
            breakers.compactMap { id, breaker in
                let isPaused = breaker.pause.map { now < $0.until } ?? false
                return isPaused || inFlight[id, default: 0] > 0 ? id : nil
            })
    }

    /// Whether the config timed out since its last call that returned in time, and isn't paused: its
    /// items run one at a time (after a pause, the one that decides).
    public func isOneAtATime(_ pluginConfigID: Int, now: Date) -> Bool {
        guard let breaker = breakers[pluginConfigID] else { return false }
        return breaker.pause.map { now >= $0.until } ?? true
    }

    /// Counts a call's outcome: a time-out, or a call that returned in time.
    public mutating func record(timedOut: Bool, pluginConfigID: Int, now: Date) -> Transition? {
        guard timedOut else {
            let wasPaused = breakers.removeValue(forKey: pluginConfigID)?.pause != nil
            return wasPaused ? .resumed : nil
        }
        var breaker = breakers[pluginConfigID, default: Breaker()]
        breaker.timeOutsInARow += 1
        defer { breakers[pluginConfigID] = breaker }
        let length: Duration
        switch breaker.pause {
        case nil where breaker.timeOutsInARow >= settings.threshold:
            length = settings.firstPause
        case let pause? where now >= pause.until:
            length = min(pause.length * 2, settings.longestPause)
        default:
            // Below the threshold, or an item leased before the pause began: the pause stands.
            return nil
        }
        breaker.pause = (length, now.addingTimeInterval(length.secondsValue))
        return .paused(timeOutsInARow: breaker.timeOutsInARow, for: length)
    }
}
