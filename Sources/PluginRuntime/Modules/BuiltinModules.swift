/// A module plugins can `require` (or `import`), written in JavaScript over native helpers.
struct BuiltinModule: Sendable {
    /// The name plugins import, e.g. `crypto` (`node:crypto` works too).
    var name: String
    /// A JavaScript function expression `(require, native, module) => exports`; it may also fill
    /// `module.exports` and return nothing.
    var source: String
}

/// The modules and module-backed globals every plugin VM offers.
///
/// To add a module: write its source as `JavaScript/Modules/NAME.js` (the build embeds it as
/// `EmbeddedJavaScript.name`), give it a `BuiltinModule` beside this file and list that in `all`; if it
/// makes a global, list that in `globals`. The compiler leaves these imports to the runtime.
enum BuiltinModules {
    static let all: [String: BuiltinModule] = Dictionary(
        uniqueKeysWithValues: [
            ScaffoldModule.module, ScaffoldModule.testUtilities, ContribModule.module,
            CryptoModule.module, ZlibModule.module, GenericPoolModule.module,
            URLModule.module, BufferModule.module, TextCodingModule.module, WebGlobals.module,
            FetchModule.module, PgModule.module, AwsSdkModule.module, AwsSdkModule.s3Client,
            AwsSdkModule.kinesisClient, GoogleCloudStorageModule.module, StreamModules.events, StreamModules.stream,
            StreamModules.streamPromises,
        ].map { ($0.name, $0) })

    /// Globals made from a module's export on first use: (global name, module, export or nil for the whole module).
    static let globals: [(global: String, module: String, export: String?)] = [
        ("URL", "url", "URL"), ("URLSearchParams", "url", "URLSearchParams"), ("Buffer", "buffer", "Buffer"),
        ("TextEncoder", "quill:text-coding", "TextEncoder"), ("TextDecoder", "quill:text-coding", "TextDecoder"),
        ("atob", "quill:web", "atob"), ("btoa", "quill:web", "btoa"), ("DOMException", "quill:web", "DOMException"),
        ("structuredClone", "quill:web", "structuredClone"), ("queueMicrotask", "quill:web", "queueMicrotask"),
        ("crypto", "quill:web", "crypto"), ("fetch", "node-fetch", nil),
    ]
}
