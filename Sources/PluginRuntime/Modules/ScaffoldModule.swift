/// `@posthog/plugin-scaffold`: `RetryError` (the same class as the global) and the test helpers of
/// the scaffold's `test/utils.ts` (also importable as `@posthog/plugin-scaffold/test/utils`).
///
/// The helpers' fixed values: `createEvent(changes)` is `{distinct_id: '007', ip: '127.0.0.1',
/// site_url: 'http://localhost', team_id: 13, now: '2020-11-26T12:58:58.453Z', event: 'EVENT_TYPE',
/// sent_at: '2020-11-26T12:58:58.453Z', timestamp: '2020-11-26T12:58:58.453Z', uuid:
/// '00000000-0000-4000-8000-000000000007', properties: {}}` with `changes` spread over it;
/// `createPageview()` is a `$pageview` of `https://posthog.com/docs` with posthog-js's usual
/// properties; `createIdentify()` is an `$identify` with `$set: {email: 'test@posthog.com'}`, both at
/// the top level and in `properties`. `clone` is a JSON deep copy. Each call returns fresh objects.
enum ScaffoldModule {
    static let module = BuiltinModule(name: "@posthog/plugin-scaffold", source: EmbeddedJavaScript.pluginScaffold)
    static let testUtilities = BuiltinModule(
        name: "@posthog/plugin-scaffold/test/utils", source: EmbeddedJavaScript.pluginScaffold)
}
