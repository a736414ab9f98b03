/// `url` (also `node:url`): the WHATWG `URL` and `URLSearchParams` (the globals too), and Node's
/// legacy `parse`, `format`, `resolve` and `resolveObject`.
///
/// The parser follows the URL Standard state by state, so edge cases come out as Node's do; where
/// Node 20's parser (Ada) departs from the standard in ways plugins see, it follows Node. JavaScriptCore
/// has no IDNA, so Punycode is done here, with the UTS #46 mapping approximated by NFKC and lowercasing.
enum URLModule {
    static let module = BuiltinModule(name: "url", source: JavaScriptInclude.nodeErrors.included(in: EmbeddedJavaScript.url))
}
