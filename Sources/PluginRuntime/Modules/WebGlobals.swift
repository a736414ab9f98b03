/// `quill:web`: the small web globals Node 20 has and JavaScriptCore lacks: `atob`, `btoa`,
/// `DOMException`, `structuredClone`, `queueMicrotask` and `crypto` (`getRandomValues`, `randomUUID`,
/// from ``RandomBindings``; no `subtle`).
///
/// `structuredClone` copies as V8's serializer does: plain data, dates, regular expressions, maps,
/// sets, errors, array buffers and typed arrays, keeping cycles; functions and symbols throw a
/// `DataCloneError`.
enum WebGlobals {
    static let module = BuiltinModule(name: "quill:web", source: JavaScriptInclude.nodeErrors.included(in: EmbeddedJavaScript.web))
}
