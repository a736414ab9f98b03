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
