import Foundation
import JavaScriptEngine

/// `native.awsEndpointOverrides()`: the server's `AWS_ENDPOINT_URL` and per-service `AWS_ENDPOINT_URL_*` variables
/// that are set, by name, so the operator can point unmodified AWS plugins elsewhere (e.g. at MinIO or LocalStack)
/// as the AWS SDKs allow, without plugins reading the server's environment.
enum AwsSdkBindings {
    /// A stored function value: Swift 6.3 crashes converting a method reference inside `installers`' literal.
    static let installer: NativeBindings.Installer = install(on:in:)

    /// The variables `aws-sdk` reads: the global override and those of the services it offers.
    static let endpointVariables = ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_KINESIS"]

    static func install(on native: ScriptValue, in context: ScriptContext) throws(ScriptError) {
        try native.set(
            "awsEndpointOverrides",
            context.function { _, this in
                let environment = ProcessInfo.processInfo.environment
                let overrides = this.context.object()
                for name in endpointVariables {
                    if let value = environment[name], !value.isEmpty { try overrides.set(name, this.context.string(value)) }
                }
                return overrides
            })
    }
}
