import JavaScriptEngine

/// Runs test bodies on a script thread, with one context in one group, as plugin workers do.
actor ScriptSandbox {
    let thread: ScriptThread
    let group: ScriptContextGroup
    let context: ScriptContext

    nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    init(timeLimit: Duration = .seconds(1)) {
        thread = ScriptThread(name: "test-script")
        group = ScriptContextGroup(thread: thread, timeLimit: timeLimit)
        context = ScriptContext(group: group, name: "test")
    }

    func run<Output: Sendable>(_ body: (ScriptContext) async throws -> Output) async throws -> Output {
        try await body(context)
    }

    /// Runs `body` with this sandbox's context and a second context in the same group.
    func runWithSibling<Output: Sendable>(_ body: (ScriptContext, ScriptContext) throws -> Output) throws -> Output {
        try body(context, ScriptContext(group: group, name: "sibling"))
    }
}
