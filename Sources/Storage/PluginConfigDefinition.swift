
/// Everything needed to run one plugin config (a plugin installed for one team): what the store reads and the
/// runtime runs. The store's copy has secret values sealed; the one the runtime gets has them opened.
public struct PluginConfigDefinition: Sendable {
    /// The plugin config's id.
    public var id: Int
    public var teamID: Int
    public var pluginID: Int
    /// The plugin's name, as `$plugins_succeeded` and the logs show it.
    public var pluginName: String
    /// The config's place in its team's chain; lower runs first.
    public var order: Int
    /// The config values the plugin sees as `meta.config`.
    public var config: [String: String]
    public var attachments: [String: PluginAttachment]
    /// The plugin's code, compiled to a CommonJS script.
    public var code: CompiledPlugin
    /// What the code exports, as recorded when it was installed; `nil` when not known, and the code must
    /// be run to find out.
    public var capabilities: PluginCapabilities?

    public init(
        id: Int, teamID: Int, pluginID: Int, pluginName: String, order: Int = 0,
        config: [String: String] = [:], attachments: [String: PluginAttachment] = [:], code: CompiledPlugin,
        capabilities: PluginCapabilities? = nil
    ) {
        self.id = id
        self.teamID = teamID
        self.pluginID = pluginID
        self.pluginName = pluginName
        self.order = order
        self.config = config
        self.attachments = attachments
        self.code = code
        self.capabilities = capabilities
    }
}


/// A plugin's code after compiling.
public struct CompiledPlugin: Sendable, Equatable {
    /// CommonJS code to run as a classic script at global scope: it reads `exports`, `module` and `require`
    /// from globals; bare top-level functions stay top-level (esbuild's tree shaking is off).
    public var code: String

    /// For code compiled earlier and stored.
    public init(code: String) {
        self.code = code
    }
}


/// What a plugin offers, recorded as PostHog's `capabilities` (reference §1.6).
public struct PluginCapabilities: Sendable, Equatable, Codable {
    /// The present ones of `setupPlugin`, `teardownPlugin`, `processEvent`, `onEvent`, `onSnapshot`, `exportEvents`.
    public var methods: [String]
    /// The present ones of `runEveryMinute`, `runEveryHour`, `runEveryDay`.
    public var scheduledTasks: [String]
    /// The names in the exported `jobs` object.
    public var jobs: [String]

    public init(methods: [String], scheduledTasks: [String], jobs: [String]) {
        self.methods = methods
        self.scheduledTasks = scheduledTasks
        self.jobs = jobs
    }

    enum CodingKeys: String, CodingKey {
        case methods
        case scheduledTasks = "scheduled_tasks"
        case jobs
    }
}
