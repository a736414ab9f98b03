internal import CJavaScriptCore

extension ScriptContext {
    /// A new `Uint8Array` holding a copy of `bytes`.
    public func uint8Array(_ bytes: some Collection<UInt8>) throws(ScriptError) -> ScriptValue {
        let array = try trying { JSObjectMakeTypedArray(ref, kJSTypedArrayTypeUint8Array, bytes.count, $0) }
        guard let array else { throw ScriptError(name: "RangeError", message: "could not allocate \(bytes.count) bytes") }
        if !bytes.isEmpty {
            let storage = try trying { JSObjectGetTypedArrayBytesPtr(ref, array, $0) }
            let destination = UnsafeMutableRawBufferPointer(start: storage, count: bytes.count)
            destination.copyBytes(from: bytes)
        }
        return ScriptValue(array, in: self)
    }
}

extension ScriptValue {
    /// The bytes of a typed array (its own view: offset and length applied) or an `ArrayBuffer`,
    /// copied; `nil` for any other value.
    public func bytes() throws(ScriptError) -> [UInt8]? {
        let type = try context.trying { JSValueGetTypedArrayType(context.ref, ref, $0) }
        guard type != kJSTypedArrayTypeNone, let object = JSValueToObject(context.ref, ref, nil) else { return nil }
        let (start, count): (UnsafeMutableRawPointer?, Int)
        if type == kJSTypedArrayTypeArrayBuffer {
            start = try context.trying { JSObjectGetArrayBufferBytesPtr(context.ref, object, $0) }
            count = try context.trying { JSObjectGetArrayBufferByteLength(context.ref, object, $0) }
        } else {
            // The pointer is the start of the whole buffer; the view begins at its offset.
            let buffer = try context.trying { JSObjectGetTypedArrayBytesPtr(context.ref, object, $0) }
            let offset = try context.trying { JSObjectGetTypedArrayByteOffset(context.ref, object, $0) }
            start = buffer.map { $0 + offset }
            count = try context.trying { JSObjectGetTypedArrayByteLength(context.ref, object, $0) }
        }
        guard let start, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: start, count: count))
    }
}
