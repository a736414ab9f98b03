public import Foundation

/// What installing (or updating) a plugin stores: its files, description and compiled code.
public struct PluginContents: Sendable, Equatable {
    /// PostHog's `plugin_type`: `local`, `custom` (an uploaded archive), `repository` (from a URL), `source`.
    public var pluginType: String
    public var name: String
    public var description: String?
    /// Where it came from: `file:/path`, a repository or npm URL; nil for source and uploads.
    public var url: String?
    /// The version installed: a git tag or commit, an npm version.
    public var tag: String?
    /// `plugin.json`'s `config`, as JSON text.
    public var configSchema: String
    /// `plugin.json`'s `publicJobs`, as a JSON object.
    public var publicJobs: String
    /// `{methods, scheduled_tasks, jobs}` as JSON, as PostHog records it.
    public var capabilities: String
    /// The code the runtime runs (CommonJS from esbuild).
    public var transpiledCode: String
    /// The plugin's original files by path (`plugin.json`, `index.ts`, …).
    public var files: [String: Data]

    public init(
        pluginType: String, name: String, description: String? = nil, url: String? = nil, tag: String? = nil,
        configSchema: String, publicJobs: String = "{}", capabilities: String = "{}", transpiledCode: String,
        files: [String: Data] = [:]
    ) {
        self.pluginType = pluginType
        self.name = name
        self.description = description
        self.url = url
        self.tag = tag
        self.configSchema = configSchema
        self.publicJobs = publicJobs
        self.capabilities = capabilities
        self.transpiledCode = transpiledCode
        self.files = files
    }
}

/// An installed plugin, without its files.
public struct PluginRecord: Sendable, Equatable {
    public var id: Int
    public var organizationID: Int
    public var pluginType: String
    public var name: String
    public var description: String?
    public var url: String?
    public var tag: String?
    /// The newest version found by the last update check.
    public var latestTag: String?
    public var latestTagCheckedAt: Date?
    public var configSchema: String
    public var publicJobs: String
    public var capabilities: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int, organizationID: Int, pluginType: String, name: String, description: String?, url: String?, tag: String?,
        latestTag: String?, latestTagCheckedAt: Date?, configSchema: String, publicJobs: String, capabilities: String,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.organizationID = organizationID
        self.pluginType = pluginType
        self.name = name
        self.description = description
        self.url = url
        self.tag = tag
        self.latestTag = latestTag
        self.latestTagCheckedAt = latestTagCheckedAt
        self.configSchema = configSchema
        self.publicJobs = publicJobs
        self.capabilities = capabilities
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A project's config of a plugin.
public struct PluginConfigRecord: Sendable, Equatable {
    public var id: Int
    public var teamID: Int
    public var pluginID: Int
    public var enabled: Bool
    public var order: Int
    /// Values by key, secrets included: callers that answer clients must leave secrets out.
    public var config: [String: String]
    /// PostHog's `pluginconfig.error`, JSON, when the config failed.
    public var error: String?
    public var attachments: [String: AttachmentSummary]
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int, teamID: Int, pluginID: Int, enabled: Bool, order: Int, config: [String: String], error: String?,
        attachments: [String: AttachmentSummary], createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.teamID = teamID
        self.pluginID = pluginID
        self.enabled = enabled
        self.order = order
        self.config = config
        self.error = error
        self.attachments = attachments
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// An attachment without its contents.
public struct AttachmentSummary: Sendable, Equatable {
    public var contentType: String
    public var fileName: String
    public var size: Int

    public init(contentType: String, fileName: String, size: Int) {
        self.contentType = contentType
        self.fileName = fileName
        self.size = size
    }
}

/// A file uploaded for a config field of type `attachment` (`meta.attachments.KEY`).
public struct PluginAttachment: Sendable, Equatable {
    public var contentType: String
    public var fileName: String
    public var contents: Data

    public init(contentType: String, fileName: String, contents: Data) {
        self.contentType = contentType
        self.fileName = fileName
        self.contents = contents
    }
}

/// Filters of a config's log.
public struct PluginLogQuery: Sendable, Equatable {
    public var pluginConfigID: Int
    public var types: Set<PluginLogEntry.Level> = []
    public var sources: Set<PluginLogEntry.Source> = []
    /// Entries whose message contains this text (case-insensitive).
    public var search: String?
    public var after: Date?
    public var before: Date?
    public var limit: Int = 100

    public init(pluginConfigID: Int) {
        self.pluginConfigID = pluginConfigID
    }
}

/// Installed plugins, their per-project configs, attachments and logs.
/// A plugin config that changed (created, edited, disabled, deleted, or its plugin's code updated).
public struct PluginConfigChange: Sendable, Equatable {
    public var id: Int64
    public var pluginConfigID: Int
    public var teamID: Int

    public init(id: Int64, pluginConfigID: Int, teamID: Int) {
        self.id = id
        self.pluginConfigID = pluginConfigID
        self.teamID = teamID
    }
}

public protocol PluginStore: Sendable {
    /// Stores a plugin for an organization; returns its id.
    func install(_ contents: PluginContents, organizationID: Int) async throws -> Int
    /// Replaces a plugin's files, code and description.
    func update(pluginID: Int, with contents: PluginContents) async throws
    func plugins(organizationID: Int) async throws -> [PluginRecord]
    func plugin(id: Int) async throws -> PluginRecord?
    func files(pluginID: Int) async throws -> [String: Data]
    func transpiledCode(pluginID: Int) async throws -> String?
    func setLatestTag(_ tag: String?, pluginID: Int) async throws
    /// Deletes a plugin with its configs.
    func deletePlugin(id: Int) async throws

    /// Creates a config of `pluginID` for `teamID`; returns its id.
    func createPluginConfig(
        teamID: Int, pluginID: Int, order: Int, config: [String: String], enabled: Bool
    ) async throws -> Int
    /// Every project's configs.
    func allPluginConfigs() async throws -> [PluginConfigRecord]
    func pluginConfigs(teamID: Int) async throws -> [PluginConfigRecord]
    func pluginConfigs(pluginID: Int) async throws -> [PluginConfigRecord]
    func pluginConfig(id: Int) async throws -> PluginConfigRecord?
    /// Changes what is given; clears the config's error when it is enabled again.
    func updatePluginConfig(id: Int, enabled: Bool?, order: Int?, config: [String: String]?) async throws
    func deletePluginConfig(id: Int) async throws
    func setAttachment(_ attachment: PluginAttachment?, key: String, pluginConfigID: Int) async throws

    func enabledPluginConfigs() async throws -> [PluginConfigDefinition]
    /// The enabled config with what the runtime needs, or nil when it is disabled or gone.
    func enabledPluginConfig(id: Int) async throws -> PluginConfigDefinition?
    /// Disables a config and records why, as PostHog's `pluginconfig.error`.
    func disablePluginConfig(id: Int, errorMessage: String) async throws
    /// Each plugin's adoption, by name; only the organization's installs when `organizationID` is given.
    func pluginAdoption(organizationID: Int?) async throws -> [PluginAdoption]

    func logEntries(_ query: PluginLogQuery) async throws -> [PluginLogEntry]
    /// The changes other instances made to plugin configs in the last 30 seconds (by the database's clock), oldest
    /// first: a reader polling more often than that sees each one at least once. A backend one process uses has none.
    func recentConfigChangesByOtherInstances() async throws -> [PluginConfigChange]
}

/// How widely one plugin is used: the seed's "plugins installed and in use", per plugin across projects.
public struct PluginAdoption: Sendable, Equatable {
    /// The plugin's name; installs of one plugin in several organizations share it.
    public var name: String
    /// Its installs (one per organization that installed it).
    public var installations: Int
    /// Projects with a config of it.
    public var configuredProjects: Int
    /// Projects with an enabled config of it: in use.
    public var enabledProjects: Int

    public init(name: String, installations: Int, configuredProjects: Int, enabledProjects: Int) {
        self.name = name
        self.installations = installations
        self.configuredProjects = configuredProjects
        self.enabledProjects = enabledProjects
    }
}
