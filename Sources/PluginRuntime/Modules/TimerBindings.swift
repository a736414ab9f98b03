import JavaScriptEngine
import Synchronization

/// `native.setTimer(milliseconds, callback)` → id, and `native.clearTimer(id)`: Quill's own timers,
/// for modules that need time to pass (`createBuffer`'s flush, generic-pool's acquire time-out).
/// Plugins don't get them as `setTimeout`, as in PostHog.
///
/// A due timer runs its callback on the VM's script thread; what the callback throws is dropped
/// here (the modules report their own failures). Pending callbacks wait in a JavaScript `Map`
/// behind a hidden global rather than in Swift, because a ``ScriptValue`` held by Swift would keep
/// its context alive: the sleeping task holds the context only weakly, so a VM that goes away
/// takes its pending callbacks with it, and its tasks are cancelled once its functions are collected.
enum TimerBindings {
    /// The non-enumerable global holding the pending callbacks by timer id.
    static let callbacksGlobal = "__quillTimerCallbacks"

    /// A stored function value: Swift 6.3 crashes converting a method reference inside `installers`' literal.
    static let installer: NativeBindings.Installer = install(on:in:)

    static func install(on native: ScriptValue, in context: ScriptContext) throws(ScriptError) {
        try context.evaluate("Object.defineProperty(globalThis, '\(callbacksGlobal)', { value: new Map() })")
        let timers = PendingTimers()
        try native.set(
            "setTimer",
            context.function { arguments, this in
                guard arguments.count == 2, arguments[1].isFunction else {
                    throw HostFunctionError(name: "TypeError", message: "setTimer takes milliseconds and a function")
                }
                let milliseconds = try arguments[0].toNumber()
                let delay = milliseconds.isFinite ? min(max(milliseconds, 0), Double(Int32.max)) : 0
                let id = timers.start(after: .milliseconds(delay), in: this.context)
                try callbacks(in: this.context).callMethod("set", [this.context.number(Double(id)), arguments[1]])
                return this.context.number(Double(id))
            })
        try native.set(
            "clearTimer",
            context.function { arguments, this in
                guard let id = try arguments.first?.toNumber(), let timer = Int(exactly: id) else { return nil }
                timers.cancel(timer)
                try callbacks(in: this.context).callMethod("delete", [this.context.number(id)])
                return nil
            })
    }

    private static func callbacks(in context: ScriptContext) throws(ScriptError) -> ScriptValue {
        try context.globalObject.get(callbacksGlobal)
    }

    /// Runs a due timer's callback, on the script thread; a cleared timer has none left.
    fileprivate static func fire(_ id: Int, in context: ScriptContext) {
        let key = context.number(Double(id))
        guard let table = try? callbacks(in: context), let callback = try? table.callMethod("get", [key]),
            callback.isFunction
        else { return }
        _ = try? table.callMethod("delete", [key])
        _ = try? callback.call()
    }
}

/// The sleeping tasks of one VM's timers.
private final class PendingTimers: Sendable {
    private struct State {
        var nextID = 1
        var tasks: [Int: Task<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    /// Owned by the VM's timer functions: they go when the VM's context is collected, and so do its timers.
    deinit {
        state.withLock { state in
            for task in state.tasks.values { task.cancel() }
        }
    }

    func start(after delay: Duration, in context: ScriptContext) -> Int {
        let target = WeakContext(context)
        let thread = context.group.thread
        // The task is stored under the lock it takes to remove itself, so even one due at once finds itself stored.
        return state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.tasks[id] = Task { [weak self] in
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    return
                }
                self?.finish(id)
                thread.execute {
                    if let context = target.context { TimerBindings.fire(id, in: context) }
                }
            }
            return id
        }
    }

    func cancel(_ id: Int) {
        state.withLock { $0.tasks.removeValue(forKey: id) }?.cancel()
    }

    private func finish(_ id: Int) {
        _ = state.withLock { $0.tasks.removeValue(forKey: id) }
    }
}

/// A context reached from a task off its thread without keeping it alive.
private final class WeakContext: @unchecked Sendable {
    // @unchecked: `context` is only read in blocks that `ScriptThread.execute` runs on the context's thread.
    weak var context: ScriptContext?

    init(_ context: ScriptContext) {
        self.context = context
    }
}
