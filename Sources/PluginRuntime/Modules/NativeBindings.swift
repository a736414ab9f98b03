import JavaScriptEngine

/// The Swift functions behind built-in modules, handed to module factories as `native`.
///
/// Each area installs its own functions; add an installer to `installers` for a new one.
enum NativeBindings {
    typealias Installer = @Sendable (_ native: ScriptValue, _ context: ScriptContext) throws(ScriptError) -> Void

    static let installers: [Installer] = [
        CryptoBindings.installer, ZlibBindings.installer, TimerBindings.installer,
        RandomBindings.installer, AwsSdkBindings.installer,
    ]

    static func install(on native: ScriptValue, in context: ScriptContext) throws(ScriptError) {
        for installer in installers {
            try installer(native, context)
        }
    }
}
