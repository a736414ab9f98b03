internal import CJavaScriptCore
import Foundation

extension ScriptValue {
    /// Waits for this value to settle if it is a promise (or any thenable), and returns it as is otherwise.
    ///
    /// A rejection throws its reason as a ``ScriptError``. A promise that has not settled after
    /// `timeLimit` throws a ``ScriptError/Kind/timeout`` error, and one whose settlements passed the
    /// context's memory account a ``ScriptError/Kind/memoryLimit`` error; it may still settle later,
    /// unobserved, and the context stays usable.
    ///
    /// - Parameters:
    ///   - timeLimit: How long to wait for the promise.
    ///   - description: Names the call in the time-out message, e.g. `processEvent`.
    public func settled(timeLimit: Duration, description: String = "promise") async throws(ScriptError) -> ScriptValue {
        guard isThenable else { return self }
        let settlement = PromiseSettlement()
        let account = context.memoryAccount
        let memoryWatch = account.map { account in account.onExceeded { settlement.settle(.memoryLimit(account.limit)) } }
        defer { if let account, let memoryWatch { account.cancel(memoryWatch) } }
        let onFulfilled = context.function { arguments, _ in
            settlement.settle(.fulfilled(arguments.first))
            return nil
        }
        let onRejected = context.function { arguments, _ in
            settlement.settle(.rejected(arguments.first))
            return nil
        }
        try callMethod("then", [onFulfilled, onRejected])
        // Settling runs JavaScript's microtasks, so an already-settled promise has called back by now.
        if !settlement.isSettled {
            let timer = Task {
                try? await Task.sleep(for: timeLimit)
                settlement.settle(.timedOut)
            }
            await settlement.wait()
            timer.cancel()
        }
        switch settlement.take() {
        case .fulfilled(let value):
            return value ?? context.undefined
        case .rejected(let reason):
            throw ScriptError(thrown: reason ?? context.undefined)
        case .timedOut:
            throw .timeout("\(description) timed out after promise waited for \(timeLimit.formattedSeconds)")
        case .memoryLimit(let limit):
            throw .memoryLimit(limit)
        }
    }
}

/// The outcome of a promise, handed from JavaScript callbacks (or the timer) to the waiting Swift task.
private final class PromiseSettlement: @unchecked Sendable {
    // @unchecked: the ScriptValues in `outcome` are created by callbacks on the script thread and
    // read by the waiter after it resumes on the same thread; the timer only stores `.timedOut`.
    // All state is guarded by `lock`.
    enum Outcome {
        case fulfilled(ScriptValue?)
        case rejected(ScriptValue?)
        case timedOut
        case memoryLimit(Int)
    }

    private let lock = NSLock()
    private var outcome: Outcome?
    private var continuation: CheckedContinuation<Void, Never>?

    var isSettled: Bool { lock.withLock { outcome != nil } }

    /// Records the first outcome; later ones (a promise settling after its time-out) are ignored.
    func settle(_ newOutcome: Outcome) {
        let waiter: CheckedContinuation<Void, Never>? = lock.withLock {
            guard outcome == nil else { return nil }
            outcome = newOutcome
            defer { continuation = nil }
            return continuation
        }
        waiter?.resume()
    }

    func wait() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let settledAlready = lock.withLock {
                if outcome != nil { return true }
                continuation = waiter
                return false
            }
            if settledAlready { waiter.resume() }
        }
    }

    /// Hands the outcome over, so this object no longer keeps its value alive.
    func take() -> Outcome {
        lock.withLock {
            defer { outcome = .timedOut }
            return outcome!
        }
    }
}

extension ScriptContext {
    /// A promise and the functions that settle it.
    public func makePromise() throws(ScriptError) -> (promise: ScriptValue, resolve: ScriptValue, reject: ScriptValue) {
        var resolve: JSObjectRef?
        var reject: JSObjectRef?
        let promise = try trying { JSObjectMakeDeferredPromise(ref, &resolve, &reject, $0) }
        return (ScriptValue(promise!, in: self), ScriptValue(resolve!, in: self), ScriptValue(reject!, in: self))
    }

    /// A promise for the result of Swift async work.
    ///
    /// `operation` runs off the script thread; `convert` then runs on it and turns the result into
    /// the value the promise resolves to. A thrown error (from either) rejects the promise.
    public func promise<Output: Sendable>(
        for operation: @escaping @Sendable () async throws -> Output,
        convert: @escaping (Output, ScriptContext) throws -> ScriptValue
    ) throws(ScriptError) -> ScriptValue {
        let (promise, resolve, reject) = try makePromise()
        let pending = ThreadConfined(
            PendingPromise(context: self, call: currentCall, resolve: resolve, reject: reject, convert: convert))
        let thread = group.thread
        let hostWork = hostWork
        hostWork.begin()
        Task {
            let result: Result<Output, any Error>
            do {
                result = .success(try await operation())
            } catch {
                result = .failure(error)
            }
            thread.execute {
                pending.take().settle(with: result)
                hostWork.end()
            }
        }
        return promise
    }

    /// A promise already resolved with `value` (`Promise.resolve(value)`).
    public func resolvedPromise(_ value: ScriptValue) throws(ScriptError) -> ScriptValue {
        let (promise, resolve, _) = try makePromise()
        try resolve.call([value])
        return promise
    }

    /// A promise already rejected with `error`.
    public func rejectedPromise(_ error: any Error) throws(ScriptError) -> ScriptValue {
        let (promise, _, reject) = try makePromise()
        try reject.call([thrownValue(for: error)])
        return promise
    }
}

private struct PendingPromise<Output> {
    let context: ScriptContext
    /// The call that made it: its settlement continues that call, unless the call was given up on.
    let call: Int
    let resolve: ScriptValue
    let reject: ScriptValue
    let convert: (Output, ScriptContext) throws -> ScriptValue

    func settle(with result: Result<Output, any Error>) {
        guard !context.isAbandoned(call) else { return }
        // The continuations this runs are the plugin's: what they allocate counts against its account.
        context.continuing(call) { context.countingFreshMemory {
            do {
                let value = try convert(try result.get(), context)
                try resolve.call([value])
            } catch let error as ScriptError where error.kind == .timeout || error.kind == .memoryLimit {
                // The settling call itself (an `await` continuation) was stopped at a limit: the awaiting
                // call ends on its own timer or account, as a time-out or memory stop rather than a rejection.
            } catch {
                _ = try? reject.call([context.thrownValue(for: error)])
            }
        } }
    }
}

/// Carries values confined to a script thread through a task that runs elsewhere and hands them back.
private final class ThreadConfined<Value>: @unchecked Sendable {
    // @unchecked: `value` is created on the script thread and only taken out again by a block
    // that `ScriptThread.execute` runs on that same thread.
    private var value: Value?

    init(_ value: Value) {
        self.value = value
    }

    func take() -> Value {
        defer { value = nil }
        return value!
    }
}
