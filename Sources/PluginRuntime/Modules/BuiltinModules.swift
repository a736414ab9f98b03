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
/// To add a module: write its source beside this file and list it in `all`; if it makes a
/// global, list that in `globals`. The compiler leaves these imports to the runtime.
enum BuiltinModules {
    static let all: [String: BuiltinModule] = Dictionary(
        uniqueKeysWithValues: [
            ScaffoldModule.module
        ].map { ($0.name, $0) })

    /// Globals made from a module's export on first use: (global name, module, export or nil for the whole module).
    static let globals: [(global: String, module: String, export: String?)] = []
}

/// `@posthog/plugin-scaffold`: `RetryError`, the same class as the global.
enum ScaffoldModule {
    static let module = BuiltinModule(
        name: "@posthog/plugin-scaffold",
        source: """
            (require, native) => Object.freeze({ RetryError: native.RetryError })
            """)
}
