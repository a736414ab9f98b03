/// JavaScript helpers that build Node's coded errors (`JavaScript/Includes/node-errors.js`), spliced into
/// the sources of the modules that imitate Node (`crypto`, `zlib`, …), so their messages, `code`s and
/// `String(error)` read as Node's.
///
/// They define `codedError(Base, code, message)`, `nodeError(Base, code, message)` (the same, but its
/// `String()` shows the code, as Node's JavaScript-side errors do), `invalidArgType(name, expected,
/// value)` and `outOfRange(name, range, value)`.
enum NodeErrors {
    /// `source` with the helpers in place of its `/* include node-errors.js */`, so they are the module's
    /// own constants.
    static func included(in source: String) -> String {
        source.replacing("/* include node-errors.js */", with: EmbeddedJavaScript.nodeErrors)
    }
}
