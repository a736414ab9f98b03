/// `zlib`: Node's one-shot gzip, deflate and raw deflate, synchronous and with callbacks, over
/// ``ZlibBindings`` (the `Compression` module). Options: `level` and `maxOutputLength`; the
/// stream classes and the other tuning options are not offered.
enum ZlibModule {
    static let module = BuiltinModule(name: "zlib", source: JavaScriptInclude.nodeErrors.included(in: EmbeddedJavaScript.zlib))
}
