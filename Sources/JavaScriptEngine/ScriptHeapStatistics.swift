internal import CJavaScriptCore

/// The size of a context group's heap, as JavaScriptCore counts it.
public struct ScriptHeapStatistics: Sendable, Equatable {
    /// Bytes of JavaScript objects found live by the last garbage collection (0 before the first).
    public var size: Int
    /// Bytes the heap has reserved from the system.
    public var capacity: Int
    /// Bytes outside the heap that objects own (array buffers, strings).
    public var extraMemory: Int
    /// Global objects in the heap: one per context.
    public var globalObjects: Int
}

extension ScriptHeapStatistics {
    /// The heap's live bytes, after a full collection made to count them, plus what its objects own outside
    /// it. Dear (a full collection, milliseconds on a small heap), so asked only when cheaper signals say a
    /// limit may be passed; the collection also gives what was garbage back to the system.
    static func liveBytesAfterCollection(of context: JSContextRef) -> Int {
        // Safe inside the watchdog's callback too: it runs at a point where JavaScriptCore may collect.
        JSSynchronousGarbageCollectForDebugging(context)
        let statistics = JSGetMemoryUsageStatistics(context)
        func number(_ name: String) -> Int {
            let key = JSStringCreateWithUTF8CString(name)
            defer { JSStringRelease(key) }
            let value = JSValueToNumber(context, JSObjectGetProperty(context, statistics, key, nil), nil)
            return value.isFinite ? Int(value) : 0
        }
        return number("heapSize") + number("extraMemorySize")
    }
}

extension ScriptContext {
    /// The heap of this context's group, shared by all its contexts.
    ///
    /// JavaScriptCore walks the heap to count objects, so this costs time in proportion to the
    /// heap: call it when asked (a metrics scrape), not per event.
    public func heapStatistics() -> ScriptHeapStatistics {
        let statistics = ScriptValue(JSGetMemoryUsageStatistics(ref), in: self)
        func integer(_ name: String) -> Int {
            (try? statistics.get(name).toNumber()).flatMap { Int(exactly: $0.rounded()) } ?? 0
        }
        return ScriptHeapStatistics(
            size: integer("heapSize"), capacity: integer("heapCapacity"), extraMemory: integer("extraMemorySize"),
            globalObjects: integer("globalObjectCount"))
    }
}
