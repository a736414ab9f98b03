/// `crypto`: Node's hashing, HMAC and randomness API over ``CryptoBindings`` (swift-crypto).
///
/// Only argument checking and encodings are JavaScript; every byte is hashed in Swift. Each `Hash`
/// and `Hmac` owns a native hasher that `update` feeds at once, so memory stays flat however much
/// is hashed, and an abandoned hash is freed with its object by the garbage collector.
enum CryptoModule {
    static let module = BuiltinModule(name: "crypto", source: JavaScriptInclude.nodeErrors.included(in: EmbeddedJavaScript.crypto))
}
