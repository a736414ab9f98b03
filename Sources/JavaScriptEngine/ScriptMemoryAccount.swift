/// The fresh memory that one owner's JavaScript (a plugin VM) brought in over many entries, held to a limit.
///
/// A long entry is stopped by its group's ``ScriptContextGroup/memoryLimit``; an owner that allocates a
/// little in each of many short entries (between awaits of host promises) is caught here: each promise
/// settlement on a context with this account adds the fresh pages its thread touched, checked as a long
/// entry is (``HeapGrowthCheck``), and once over the limit the waits registered with ``onExceeded(_:)`` end.
public final class ScriptMemoryAccount {
    public let limit: Int
    /// Fresh bytes counted since the last ``reset()``.
    private var bytes = 0
    /// Made at the first count after a reset, so the process's memory is read when counting begins.
    private var growth: HeapGrowthCheck?
    public private(set) var isExceeded = false
    private var waiters: [Int: () -> Void] = [:]
    private var nextWaiter = 0

    public init(limit: Int) {
        self.limit = limit
    }

    /// Starts counting again: the owner has nothing running.
    public func reset() {
        bytes = 0
        growth = nil
        isExceeded = false
    }

    func add(_ fresh: Int, measuring context: ScriptContext) {
        guard fresh > 0, !isExceeded else { return }
        bytes += fresh
        var growth = self.growth ?? HeapGrowthCheck(limit: limit)
        defer { self.growth = growth }
        guard growth.isOverLimit(freshBytes: bytes, liveHeap: { ScriptHeapStatistics.liveBytesAfterCollection(of: context.ref) }) else { return }
        isExceeded = true
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
