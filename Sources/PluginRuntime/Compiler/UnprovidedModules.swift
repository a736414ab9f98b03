/// What a plugin is told when it imports a package Quill doesn't provide: when the plugin is installed (the
/// compiler) and at a `require` the compiler couldn't see (the runtime).
public enum UnprovidedModules {
    /// The packages PostHog's plugin server offered that Quill does not yet, with the plan for each. The README's
    /// table "Modules PostHog offered that Quill does not (yet)" says the same; change both together.
    static let plans: [String: String] = [
        "@google-cloud/bigquery": "BigQuery exports are planned over Google's REST API (tabledata.insertAll)",
        "@google-cloud/pubsub": "Pub/Sub exports are planned over Google's REST API (topic.publishMessage → topics.publish)",
        "snowflake-sdk":
            "Snowflake exports are planned over Snowflake's SQL REST API (createConnection, connect, execute), with a key-pair JWT",
        "jsonwebtoken": "sign, verify and decode are planned natively (HS256/384/512, RS256, ES256)",
    ]

    /// Whether Quill has a plan for the package `name`: it is refused when imported, so it is not installed either.
    public static func hasPlan(for name: String) -> Bool {
        plans[name] != nil
    }

    /// The refusal of an import of `specifier` (a package, or a file inside one), naming the plan when there is one.
    public static func refusal(for specifier: String) -> String {
        guard let plan = plans[packageName(of: specifier)] else {
            return "Cannot import '\(specifier)'! This package is not provided by Quill."
        }
        return "Cannot import '\(specifier)'! Quill does not provide it yet: \(plan) — see the README's module table."
    }

    /// `@scope/name` or `name`: the package a specifier such as `@scope/name/sub/file` is in.
    private static func packageName(of specifier: String) -> String {
        let parts = specifier.split(separator: "/", omittingEmptySubsequences: false)
        return parts.prefix(specifier.hasPrefix("@") ? 2 : 1).joined(separator: "/")
    }
}
