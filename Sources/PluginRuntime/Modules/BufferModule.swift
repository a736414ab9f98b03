/// `buffer` (also `node:buffer`): Node's `Buffer` (also the global), plus `atob`, `btoa`, `isUtf8`
/// and `isAscii`.
///
/// A `Buffer` is a `Uint8Array` whose prototype carries Node's methods, so typed-array code accepts
/// it; its encodings are utf8, utf16le/ucs2, latin1/binary, ascii, base64, base64url and hex, each
/// with Node's lenient decoding. Unlike Node there is no shared memory pool: a buffer's `buffer` is
/// its own, and `allocUnsafe` memory is zeroed.
enum BufferModule {
    static let module = BuiltinModule(name: "buffer", source: JavaScriptInclude.nodeErrors.included(in: EmbeddedJavaScript.buffer))
}
