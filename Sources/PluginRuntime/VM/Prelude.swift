/// JavaScript run in every plugin VM before the plugin's code (`JavaScript/Prelude/prelude.js`).
///
/// It is a function of one argument, the host's primitives (Swift functions), and returns the
/// runtime's handles. It installs `console`, `RetryError`, `require`, `exports` and `module` as
/// globals, and leaves no other trace: the primitives stay in its closure.
enum Prelude {
    static let source = JavaScriptInclude.logFormat.included(in: EmbeddedJavaScript.prelude)
}
