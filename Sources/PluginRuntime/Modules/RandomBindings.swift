import JavaScriptEngine

/// `native.randomBytes(count)`: a `Uint8Array` of `count` bytes from the system's cryptographically
/// secure generator, behind the global `crypto.getRandomValues` and `crypto.randomUUID`.
enum RandomBindings {
    /// A stored function value: Swift 6.3 crashes converting a method reference inside `installers`' literal.
    static let installer: NativeBindings.Installer = install(on:in:)

    /// Web Crypto's limit on one `getRandomValues` call, so no call can ask for unbounded memory.
    static let maximumCount = 65536

    static func install(on native: ScriptValue, in context: ScriptContext) throws(ScriptError) {
        try native.set(
            "randomBytes",
            context.function { arguments, this in
                let requested = try arguments.first?.toNumber() ?? .nan
                guard requested >= 0, requested == requested.rounded(.towardZero) else {
                    throw HostFunctionError(name: "TypeError", message: "randomBytes needs a count of bytes")
                }
                guard requested <= Double(maximumCount) else {
                    throw HostFunctionError(
                        name: "QuotaExceededError", message: "The requested length exceeds 65,536 bytes")
                }
                return try this.context.uint8Array(randomBytes(Int(requested)))
            })
    }

    /// `count` random bytes, taken eight at a time from the generator.
    private static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next()) { bytes.append(contentsOf: $0) }
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }
}
