/// A script of `JavaScript/Includes/` that others splice in place of their `/* include NAME */` line, so its
/// constants are their own.
struct JavaScriptInclude {
    let name: String
    let source: String

    /// PostHog's formatting of `console` arguments (`formatArgument`), in the prelude and in `quill plugin
    /// test`'s Jest environment, so a test's `console.log` prints as the plugin log does.
    static let logFormat = JavaScriptInclude(name: "log-format.js", source: EmbeddedJavaScript.logFormat)

    /// Node's coded errors, for the modules that imitate Node (`crypto`, `zlib`, …), so their messages, `code`s
    /// and `String(error)` read as Node's: `codedError(Base, code, message)`, `nodeError(Base, code, message)`
    /// (the same, but its `String()` shows the code, as Node's JavaScript-side errors do),
    /// `invalidArgType(name, expected, value)` and `outOfRange(name, range, value)`.
    static let nodeErrors = JavaScriptInclude(name: "node-errors.js", source: EmbeddedJavaScript.nodeErrors)

    /// `utf8Length(string)`, for `TextEncoder` and the chain driver's size check.
    static let utf8Length = JavaScriptInclude(name: "utf8-length.js", source: EmbeddedJavaScript.utf8Length)

    /// `source` with this script in place of its `/* include NAME */`.
    func included(in source: String) -> String {
        source.replacing("/* include \(name) */", with: self.source)
    }
}
