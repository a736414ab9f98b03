internal import CJavaScriptCore

/// One JavaScript global context (a "realm") in a ``ScriptContextGroup``.
///
/// A context is confined to its group's thread. It is the only place that reads JavaScriptCore's
/// exception out-parameter: every exception becomes a ``ScriptError`` in ``trying(_:)``.
public final class ScriptContext {
    public let group: ScriptContextGroup
    let ref: JSGlobalContextRef
    /// Where promise settlements on this context count the fresh memory their JavaScript brought in.
    public var memoryAccount: ScriptMemoryAccount?
    /// Error classes a thrown value is recognised by (see ``recognizeErrors(of:as:)``). Raw, protected
    /// references rather than ``ScriptValue``s, which hold their context: the context would hold itself.
    private(set) var errorClasses: [(constructor: JSObjectRef, name: String)] = []
    /// The call whose JavaScript runs now: a host promise made meanwhile belongs to it, and so do the
    /// continuations its settlement runs.
    private(set) var currentCall = 0
    private var lastCall = 0
    /// Calls given up on (timed out, over memory): their host promises never settle, so what awaits them
    /// (an async loop that outlived its call) stops there.
    private var abandonedCalls: Set<Int> = []
    /// The host promises made here that haven't settled.
    public let hostWork = HostWork()

    /// - Parameters:
    ///   - group: The group whose heap and thread this context shares.
    ///   - name: A name shown by debuggers and in stack traces.
    public init(group: ScriptContextGroup, name: String? = nil) {
        self.group = group
        self.ref = JSGlobalContextCreateInGroup(group.ref, nil)
        if let name {
            let jsName = JSStringCreateWithUTF8CString(name)
            JSGlobalContextSetName(ref, jsName)
            JSStringRelease(jsName)
        }
    }

    deinit {
        for errorClass in errorClasses { JSValueUnprotect(ref, errorClass.constructor) }
        JSGlobalContextRelease(ref)
    }

    /// Recognises values thrown on this context that are instances of `constructor` (`instanceof`, so
    /// subclasses count and a look-alike doesn't): their ``ScriptError/errorClass`` is `name`.
    public func recognizeErrors(of constructor: ScriptValue, as name: String) {
        guard let object = JSValueToObject(ref, constructor.ref, nil) else { return }
        JSValueProtect(ref, object)
        errorClasses.append((object, name))
    }

    /// The global object (`globalThis`).
    public var globalObject: ScriptValue {
        ScriptValue(JSContextGetGlobalObject(ref), in: self)
    }

    /// Evaluates `source` as a classic script at global scope.
    ///
    /// - Parameters:
    ///   - source: The script.
    ///   - sourceURL: The file name stack traces and syntax errors show.
    @discardableResult
    public func evaluate(_ source: String, sourceURL: String? = nil) throws(ScriptError) -> ScriptValue {
        let script = JSStringCreateWithUTF8CString(source)
        defer { JSStringRelease(script) }
        let url: JSStringRef? = sourceURL.flatMap { JSStringCreateWithUTF8CString($0) }
        defer { url.map(JSStringRelease) }
        let value = try trying { JSEvaluateScript(ref, script, nil, url, 1, $0) }
        return ScriptValue(value ?? JSValueMakeUndefined(ref), in: self)
    }

    /// Checks `source` for syntax errors without running it.
    public func checkSyntax(_ source: String, sourceURL: String? = nil) throws(ScriptError) {
        let script = JSStringCreateWithUTF8CString(source)
        defer { JSStringRelease(script) }
        let url: JSStringRef? = sourceURL.flatMap { JSStringCreateWithUTF8CString($0) }
        defer { url.map(JSStringRelease) }
        _ = try trying { JSCheckScriptSyntax(ref, script, url, 1, $0) }
    }

    /// Runs one entry into JavaScriptCore and turns its exception, or its stop at the time or memory
    /// limit, into a thrown ``ScriptError``. Nothing else reads the exception out-parameter.
    func trying<T>(_ body: (UnsafeMutablePointer<JSValueRef?>) -> T) throws(ScriptError) -> T {
        let outermost = group.enter()
        var exception: JSValueRef?
        let result = withUnsafeMutablePointer(to: &exception) { body($0) }
        if let stop = group.leave(outermost: outermost) {
            // A stop while the entry drained the microtask queue (an `await` continuation that
            // spins) leaves the termination pending, and the next entry would fail with it; an
            // empty entry takes it now.
            let empty = JSStringCreateWithUTF8CString("")
            defer { JSStringRelease(empty) }
            var pending: JSValueRef?
            _ = JSEvaluateScript(ref, empty, nil, nil, 1, &pending)
            switch stop {
            case .timeLimit: throw .timeout("Script execution timed out after \(group.timeLimit.formattedSeconds)")
            case .memoryLimit: throw .memoryLimit(group.memoryLimit ?? 0)
            }
        }
        if let exception {
            throw ScriptError(thrown: ScriptValue(exception, in: self))
        }
        return result
    }

    /// Runs `body` as a new call (see ``abandon(call:)``) and returns how it went with the call's number.
    public func startingCall<T>(_ body: () throws(ScriptError) -> T) -> (call: Int, result: Result<T, ScriptError>) {
        lastCall += 1
        let call = lastCall
        let outer = currentCall
        currentCall = call
        defer { currentCall = outer }
        return (call, Result { () throws(ScriptError) in try body() })
    }

    /// Gives up on a call: the host promises it made never settle, so its JavaScript can't go on behind
    /// the caller's back (an async loop awaiting the cache would otherwise run forever).
    public func abandon(call: Int) {
        abandonedCalls.insert(call)
        // Bounded: a call given up on long ago has had its host operations end by now.
        if abandonedCalls.count > 10_000, let oldest = abandonedCalls.min() { abandonedCalls.remove(oldest) }
    }

    func isAbandoned(_ call: Int) -> Bool { call != 0 && abandonedCalls.contains(call) }

    /// Runs `body` as part of `call`, as a host promise's settlement does.
    func continuing<T>(_ call: Int, _ body: () throws -> T) rethrows -> T {
        let outer = currentCall
        currentCall = call
        defer { currentCall = outer }
        return try body()
    }

    /// Runs `body` and counts the fresh memory the thread brought in meanwhile to this context's account.
    func countingFreshMemory<T>(_ body: () throws -> T) rethrows -> T {
        guard let account = memoryAccount else { return try body() }
        let before = ThreadMemory.minorFaults()
        defer { account.add(max(0, ThreadMemory.minorFaults() - before) * ThreadMemory.pageSize, measuring: self) }
        return try body()
    }
}

extension ScriptContext {
    public var undefined: ScriptValue { ScriptValue(JSValueMakeUndefined(ref), in: self) }
    public var null: ScriptValue { ScriptValue(JSValueMakeNull(ref), in: self) }

    public func boolean(_ value: Bool) -> ScriptValue {
        ScriptValue(JSValueMakeBoolean(ref, value), in: self)
    }

    public func number(_ value: Double) -> ScriptValue {
        ScriptValue(JSValueMakeNumber(ref, value), in: self)
    }

    public func string(_ value: String) -> ScriptValue {
        let string = JSStringCreateWithUTF8CString(value)
        defer { JSStringRelease(string) }
        return ScriptValue(JSValueMakeString(ref, string), in: self)
    }

    /// A string of UTF-8 `bytes`, made without a Swift `String`; invalid UTF-8 (or a NUL byte, which ends it)
    /// gives what JavaScriptCore makes of it: an empty or cut string.
    public func string(utf8 bytes: some Collection<UInt8>) -> ScriptValue {
        let string = makeJSString(utf8: bytes)
        defer { JSStringRelease(string) }
        return ScriptValue(JSValueMakeString(ref, string), in: self)
    }

    // JavaScriptCore's UTF-8 path keeps ASCII text in 8-bit strings: events parsed from them stringify faster
    // than from UTF-16 (measured: a UTF-16 lane of a pass-through chain cost 40% more in all).
    func makeJSString(utf8 bytes: some Collection<UInt8>) -> JSStringRef {
        var terminated = [UInt8]()
        terminated.reserveCapacity(bytes.count + 1)
        terminated.append(contentsOf: bytes)
        terminated.append(0)
        return terminated.withUnsafeBufferPointer {
            JSStringCreateWithUTF8CString(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self))
        }
    }

    /// A function returning the monotonic clock in seconds, called with no Swift in between: for timing
    /// JavaScript from JavaScript at a fraction of a host function's price.
    public func monotonicClock() -> ScriptValue {
        let function = JSObjectMakeFunctionWithCallback(ref, nil) { context, _, _, _, _, _ in
            JSValueMakeNumber(context, Double(MonotonicClock.nanoseconds()) / 1e9)
        }
        return ScriptValue(function!, in: self)
    }

    /// A new empty object (`{}`).
    public func object() -> ScriptValue {
        ScriptValue(JSObjectMake(ref, nil, nil), in: self)
    }

    /// A new array of `elements`.
    public func array(_ elements: [ScriptValue]) throws(ScriptError) -> ScriptValue {
        let refs: [JSValueRef?] = elements.map(\.ref)
        let array = try trying { exception in
            refs.withUnsafeBufferPointer { JSObjectMakeArray(ref, elements.count, $0.baseAddress, exception) }
        }
        return ScriptValue(array!, in: self)
    }

    /// A new `Error` whose `name` is `name`.
    public func error(message: String, name: String = "Error") -> ScriptValue {
        let messageValue = string(message)
        var arguments: [JSValueRef?] = [messageValue.ref]
        let error = arguments.withUnsafeMutableBufferPointer { JSObjectMakeError(ref, 1, $0.baseAddress, nil) }
        let value = ScriptValue(error!, in: self)
        if name != "Error" {
            try? value.set("name", string(name))
        }
        return value
    }
}

extension Duration {
    /// The duration in seconds, with its fraction.
    package var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }

    /// `1 second`, `2.5 seconds`: how time limits read in error messages.
    package var formattedSeconds: String {
        let milliseconds = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        let text = milliseconds % 1000 == 0 ? String(milliseconds / 1000) : String(Double(milliseconds) / 1000)
        return milliseconds == 1000 ? "1 second" : "\(text) seconds"
    }
}
