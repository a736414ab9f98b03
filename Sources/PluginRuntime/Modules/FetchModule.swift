/// `node-fetch` (v2, as PostHog's plugin server gives plugins), also the global `fetch`: `fetch`,
/// `Headers`, `Request`, `Response`, `FetchError` and `AbortError`, written after node-fetch 2.6's
/// own code so its quirks come out the same (sorted header iteration, `invalid-json` errors,
/// redirect rules). Each HTTP exchange is ``FetchBindings``' `native.fetch`, which applies the
/// operator's ``FetchPolicy``; redirects are followed here, so every hop is checked again.
///
/// Not offered: stream bodies (a response's `body` is its `Buffer`), `Blob` and `blob()`,
/// `textConverted()` and agents. Bodies are read whole before `fetch` resolves, so the `size` and
/// `timeout` limits reject `fetch` itself rather than a later `text()`.
enum FetchModule {
    static let module = BuiltinModule(name: "node-fetch", source: EmbeddedJavaScript.nodeFetch)
}
