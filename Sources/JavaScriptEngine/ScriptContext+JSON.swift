internal import CJavaScriptCore

// The fast path for events: UTF-8 JSON bytes straight into JavaScriptCore's parser and
// straight out of its serializer, with no Swift `String` or dictionary in between.
extension ScriptContext {
    /// Parses UTF-8 JSON text into a JavaScript value.
    public func parseJSON(_ utf8: some Collection<UInt8>) throws(ScriptError) -> ScriptValue {
        let string = makeJSString(utf8: utf8)
        defer { JSStringRelease(string) }
        if let value = JSValueMakeFromJSONString(ref, string) {
            return ScriptValue(value, in: self)
        }
        // JavaScriptCore's fast parser says only "no"; JSON.parse says why.
        let text = ScriptValue(JSValueMakeString(ref, string), in: self)
        let parse = try globalObject.get("JSON").get("parse")
        return try parse.call([text])
    }

    /// Parses JSON text into a JavaScript value.
    public func parseJSON(_ text: String) throws(ScriptError) -> ScriptValue {
        try parseJSON(Array(text.utf8))
    }
}

extension ScriptValue {
    /// `JSON.stringify(value)` as UTF-8 bytes; `nil` when the value has no JSON form (`undefined`, a function).
    public func jsonBytes() throws(ScriptError) -> [UInt8]? {
        let string = try context.trying { JSValueCreateJSONString(context.ref, ref, 0, $0) }
        guard let string else { return nil }
        defer { JSStringRelease(string) }
        return string.utf8Bytes
    }

    /// The value as JavaScript's `String(value)` gives it, as UTF-8 bytes, with no Swift `String` in between.
    public func stringBytes() throws(ScriptError) -> [UInt8] {
        let string = try context.trying { JSValueToStringCopy(context.ref, ref, $0) }
        guard let string else { return [] }
        defer { JSStringRelease(string) }
        return string.utf8Bytes
    }

    /// `JSON.stringify(value)`; `nil` when the value has no JSON form.
    public func jsonString() throws(ScriptError) -> String? {
        try jsonBytes().map { String(decoding: $0, as: UTF8.self) }
    }
}

extension JSStringRef {
    /// The string as UTF-8, as JavaScriptCore converts it.
    var utf8Bytes: [UInt8] {
        let capacity = JSStringGetMaximumUTF8CStringSize(self)
        return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            let written = buffer.withMemoryRebound(to: CChar.self) {
                JSStringGetUTF8CString(self, $0.baseAddress, capacity)
            }
            count = max(written - 1, 0)  // without the terminating NUL
        }
    }
}
