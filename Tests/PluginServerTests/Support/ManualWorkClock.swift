import Foundation
@testable import PluginServer
import Synchronization

/// A work-queue clock tests move by hand; a sleeper wakes once the clock has passed its deadline.
final class ManualWorkClock: WorkClock {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))

    var now: Date { current.withLock { $0 } }

    /// Checks the manual time every few real milliseconds: no registration to race with cancellation.
    func sleep(for duration: Duration) async throws {
        let deadline = now.addingTimeInterval(duration.seconds)
        while now < deadline {
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// Polls `condition` until it holds; fails the test after 90 s (a full run starts every suite at once on two cores).
func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(90)
    while try !(await condition()) {
        guard ContinuousClock.now < deadline else { throw ServerProcessError(description: "timed out waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(10))
    }
}
