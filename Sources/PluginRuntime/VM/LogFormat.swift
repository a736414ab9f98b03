/// PostHog's formatting of `console` arguments (`JavaScript/Includes/log-format.js`), spliced into the prelude and
/// into `quill plugin test`'s Jest environment, so a test's `console.log` prints as the plugin log does.
enum LogFormat {
    /// `source` with `formatArgument` defined in place of its `/* include log-format.js */`.
    static func included(in source: String) -> String {
        source.replacing("/* include log-format.js */", with: EmbeddedJavaScript.logFormat)
    }
}
