/// The fresh memory that one owner's JavaScript (a plugin VM) brought in over many entries, held to a limit.
///
/// A long entry is stopped by its group's ``ScriptContextGroup/memoryLimit``; an owner that allocates a
/// little in each of many short entries (between awaits of host promises) is caught here: each promise
/// settlement on a context with this account adds what it brought in, and past the limit the waits
/// registered with ``onExceeded(_:)`` end.
public final class ScriptMemoryAccount {
    public let limit: Int
    /// Fresh bytes counted since the last ``reset()``.
    public private(set) var bytes = 0
    private var waiters: [Int: () -> Void] = [:]
    private var nextWaiter = 0

    public init(limit: Int) {
        self.limit = limit
    }

    public var isExceeded: Bool { bytes > limit }

    /// Starts counting again: the owner has nothing running.
    public func reset() {
        bytes = 0
    }

    func add(_ fresh: Int) {
        guard fresh > 0 else { return }
        bytes += fresh
        guard isExceeded else { return }
        let exceeded = waiters.values
        waiters = [:]
        for waiter in exceeded { waiter() }
    }

    /// Runs `action` once when the limit is passed; returns a token for ``cancel(_:)``.
    func onExceeded(_ action: @escaping () -> Void) -> Int {
        nextWaiter += 1
        waiters[nextWaiter] = action
        return nextWaiter
    }

    func cancel(_ token: Int) {
        waiters[token] = nil
    }
}
