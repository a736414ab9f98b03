/// `@posthog/plugin-contrib`: `createBuffer`, as plugin-contrib's `buffer.ts` defines it.
///
/// `createBuffer({limit = 10, timeoutSeconds = 60, onFlush})` collects items until they weigh
/// `limit` points or `timeoutSeconds` have passed since the first one, then hands them to
/// `onFlush(items, points)`. The time-out runs on Quill's timers (``TimerBindings``). A flush that
/// `add` or the timer starts has no caller to fail to, so its error goes to the plugin's console.
enum ContribModule {
    static let module = BuiltinModule(name: "@posthog/plugin-contrib", source: EmbeddedJavaScript.pluginContrib)
}
