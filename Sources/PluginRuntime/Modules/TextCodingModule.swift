/// `quill:text-coding`: the globals `TextEncoder` and `TextDecoder`, which JavaScriptCore lacks.
///
/// The decoder reads UTF-8 (replacing invalid sequences with U+FFFD as the Encoding Standard says,
/// or throwing when `fatal`), UTF-16LE/BE and windows-1252 (decoded as Latin-1, as Node 20 does),
/// keeping partial sequences between `stream: true` calls. `url` and `buffer` use it for UTF-8.
enum TextCodingModule {
    static let module = BuiltinModule(
        name: "quill:text-coding", source: JavaScriptInclude.utf8Length.included(in: JavaScriptInclude.nodeErrors.included(in: EmbeddedJavaScript.textCoding)))
}
