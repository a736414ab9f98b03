/// The functions of a plugin that Quill calls, by their exported names.
public enum PluginMethod: String, Sendable, CaseIterable {
    case setupPlugin
    case teardownPlugin
    case processEvent
    case onEvent
    case onSnapshot
    case exportEvents
    case composeWebhook
    case runEveryMinute
    case runEveryHour
    case runEveryDay

    static let scheduledTasks: [PluginMethod] = [.runEveryMinute, .runEveryHour, .runEveryDay]
    /// Methods that run after the chain, so that the chain lists the config as deferred.
    static let deferred: [PluginMethod] = [.onEvent, .onSnapshot, .exportEvents, .composeWebhook]
}
