import Foundation

/// A serial executor backed by one dedicated thread with a large stack.
///
/// JavaScriptCore runs a context group's code on whichever thread enters it, and measures its
/// recursion limit against that thread's stack. A dedicated thread gives every plugin VM of a
/// group the same generous stack and keeps JavaScript off Swift's cooperative pool, where a
/// long synchronous call would starve unrelated tasks.
///
/// Background plugin work (onEvent, exports, jobs) starts only when nothing else is queued
/// (`backgroundTurn()`), so it can't hold up the ingestion chains sharing the thread by more
/// than the one call already running, even when each of its calls runs to the time limit.
public final class ScriptThread: SerialExecutor, @unchecked Sendable {
    // @unchecked: the queues and `isRunning` are only touched under `condition`'s lock;
    // `threadID` is written once by the thread before it takes its first job.
    private enum Work {
        case job(UnownedJob)
        case block(() -> Void)
    }

    /// Work in arrival order, taken from the front without moving the rest.
    private struct WorkQueue {
        private var items: [Work] = []
        private var start = 0

        var isEmpty: Bool { start == items.count }
        var count: Int { items.count - start }

        mutating func append(_ work: Work) {
            items.append(work)
        }

        mutating func removeFirst() -> Work {
            let work = items[start]
            start += 1
            if start == items.count {
                items.removeAll(keepingCapacity: true)
                start = 0
            }
            return work
        }
    }

    private let condition = NSCondition()
    private var foreground = WorkQueue()
    private var background = WorkQueue()
    private var isRunning = true
    private var threadID: pthread_t?

    /// - Parameters:
    ///   - name: The thread's name, as shown by debuggers and `top -H`.
    ///   - stackSize: The thread's stack in bytes; JavaScriptCore's recursion limit scales with it.
    public init(name: String, stackSize: Int = 16 << 20) {
        let started = DispatchSemaphore(value: 0)
        // The thread holds its executor strongly until `shutdown()` lets the loop end: the creator
        // may drop its reference as soon as `init` returns, before the loop has begun.
        let thread = Thread { [self] in
            self.condition.lock()
            self.threadID = pthread_self()
            self.condition.unlock()
            started.signal()
            self.runLoop()
        }
        thread.name = name
        thread.stackSize = stackSize
        thread.start()
        started.wait()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        submit(.job(UnownedJob(job)), inBackground: false)
    }

    /// Returns once this thread has run everything else queued: the turn of background work.
    ///
    /// Task priorities can't say this: an actor on this executor hands it its own jobs, whatever the
    /// priority of the task calling it.
    public func backgroundTurn() async {
        await withCheckedContinuation { continuation in
            submit(.block { continuation.resume() }, inBackground: true)
        }
    }

    /// Runs `block` on this thread after the work already queued.
    ///
    /// The block is not `Sendable`: it may capture values confined to this thread (JS values),
    /// which is the point of running it here.
    public func execute(_ block: @escaping () -> Void) {
        submit(.block(block), inBackground: false)
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// How many background turns wait (for tests).
    var waitingBackgroundTurns: Int {
        condition.lock()
        defer { condition.unlock() }
        return background.count
    }

    /// Whether the caller runs on this thread.
    public var isCurrent: Bool {
        condition.lock()
        defer { condition.unlock() }
        guard let threadID else { return false }
        return pthread_equal(threadID, pthread_self()) != 0
    }

    public func checkIsolated() {
        precondition(isCurrent, "expected to run on script thread")
    }

    /// Stops the thread once the queued work has run. Later work is dropped.
    public func shutdown() {
        condition.lock()
        isRunning = false
        condition.signal()
        condition.unlock()
    }

    private func submit(_ work: Work, inBackground: Bool) {
        condition.lock()
        if inBackground {
            background.append(work)
        } else {
            foreground.append(work)
        }
        condition.signal()
        condition.unlock()
    }

    private func runLoop() {
        while true {
            condition.lock()
            while foreground.isEmpty && background.isEmpty && isRunning {
                condition.wait()
            }
            if foreground.isEmpty && background.isEmpty {
                condition.unlock()
                return
            }
            let work = foreground.isEmpty ? background.removeFirst() : foreground.removeFirst()
            condition.unlock()
            switch work {
            case .job(let job): job.runSynchronously(on: asUnownedSerialExecutor())
            case .block(let block): block()
            }
        }
    }
}
