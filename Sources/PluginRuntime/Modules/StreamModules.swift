/// Node's `events` and `stream`, in JavaScript: what PostHog's plugins (the GCS export plugin pipes a
/// `PassThrough` into a write stream) and the npm libraries they bundle use.
///
/// `events`: `EventEmitter` with Node's semantics (listeners in order over a copy, `once` wrappers,
/// an unheard 'error' thrown, 'newListener'/'removeListener', `EventEmitter.once`, `errorMonitor`).
/// `stream`: `Readable` (flowing and paused modes, `setEncoding`, async iteration, `Readable.from`),
/// `Writable` (backpressure, `cork`/`writev`, `final`), `Duplex`, `Transform`, `PassThrough`, `pipe`,
/// `finished`, `pipeline` and `stream/promises`; their constructors are functions, as Node's are, so
/// `Readable.call(this)` inheritance works. Where Node waits for `process.nextTick`, these wait for a
/// microtask. Not offered: `compose`, `Readable.toWeb` and the web streams, `addAbortSignal`.
enum StreamModules {
    static let events = BuiltinModule(name: "events", source: JavaScriptInclude.nodeErrors.included(in: EmbeddedJavaScript.events))
    static let stream = BuiltinModule(name: "stream", source: JavaScriptInclude.nodeErrors.included(in: EmbeddedJavaScript.stream))
    static let streamPromises = BuiltinModule(name: "stream/promises", source: EmbeddedJavaScript.streamPromises)
}
