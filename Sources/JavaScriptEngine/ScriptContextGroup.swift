internal import CJavaScriptCore
import Foundation
import Synchronization

/// A JavaScriptCore context group: one VM heap shared by its contexts, run on one thread.
///
/// Contexts in one group can exchange objects, so a team's plugin chain can hand one event
/// object from plugin to plugin without converting it. The group also carries the time limit:
/// every entry into JavaScript (a call, an evaluation, a promise settling) may run for at most
/// `timeLimit` before JavaScriptCore stops it; the context stays usable afterwards.
public final class ScriptContextGroup {
    /// The thread all of this group's JavaScript runs on.
    public let thread: ScriptThread
    let ref: JSContextGroupRef
    private let terminations: TerminationCounter

    /// The longest one synchronous entry into JavaScript may run.
    public var timeLimit: Duration {
        didSet { arm() }
    }

    /// - Parameters:
    ///   - thread: The thread that runs this group's JavaScript; use the group only from it.
    ///   - timeLimit: The longest one synchronous entry into JavaScript may run.
    public init(thread: ScriptThread, timeLimit: Duration = .seconds(30)) {
        _ = Self.engineOptions
        self.thread = thread
        self.ref = JSContextGroupCreate()
        self.terminations = TerminationCounter()
        self.timeLimit = timeLimit
        arm()
    }

    deinit {
        JSContextGroupClearExecutionTimeLimit(ref)
        JSContextGroupRelease(ref)
    }

    /// JavaScriptCore's options, read from the environment when the first VM is made.
    ///
    /// With signal-based traps (the default on Linux), a loop that the optimizing JIT has compiled
    /// (from about the third call of a function) is never stopped at the time limit: the signal
    /// sender fails to interrupt the thread. Polling traps check at every loop back-edge instead.
    /// An operator's own `JSC_usePollingTraps` is left alone.
    private static let engineOptions: Void = {
        setenv("JSC_usePollingTraps", "true", 0)
    }()

    /// The number of entries JavaScriptCore has stopped so far; compared before and after an entry.
    var terminationCount: Int { terminations.count.load(ordering: .relaxed) }

    private func arm() {
        // The callback runs on the thread executing JavaScript; counting lets the entry that was
        // stopped tell a time-out from an ordinary exception.
        JSContextGroupSetExecutionTimeLimit(
            ref, timeLimit.secondsValue,
            { _, counter in
                guard let counter else { return true }
                Unmanaged<TerminationCounter>.fromOpaque(counter).takeUnretainedValue().count.add(1, ordering: .relaxed)
                return true
            },
            Unmanaged.passUnretained(terminations).toOpaque()
        )
    }
}

private final class TerminationCounter: Sendable {
    let count = Atomic<Int>(0)
}
