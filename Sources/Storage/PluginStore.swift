public import Foundation

/// A plugin to install: its description, its files' compiled code, where it came from.
public struct NewPlugin: Sendable, Equatable {
    public var organizationID: Int
    /// PostHog's `plugin_type`: `local`, `custom`, `repository`, `source`.
    public var pluginType: String
    public var name: String
    public var description: String?
    /// Where it came from: `file:/path`, a repository URL, …
    public var url: String?
    /// `plugin.json`'s `config`, as JSON text.
    public var configSchema: String
    /// The code the runtime runs (CommonJS from esbuild).
    public var transpiledCode: String

    public init(
        organizationID: Int, pluginType: String, name: String, description: String?, url: String?, configSchema: String,
        transpiledCode: String
    ) {
        self.organizationID = organizationID
        self.pluginType = pluginType
        self.name = name
        self.description = description
        self.url = url
        self.configSchema = configSchema
        self.transpiledCode = transpiledCode
    }
}

/// An enabled plugin config with what the runtime needs to load it.
public struct EnabledPluginConfig: Sendable, Equatable {
    public var id: Int
    public var teamID: Int
    public var pluginID: Int
    public var pluginName: String
    public var order: Int
    public var config: [String: String]
    public var attachments: [String: PluginAttachment]
    public var transpiledCode: String

    public init(
        id: Int, teamID: Int, pluginID: Int, pluginName: String, order: Int, config: [String: String],
        attachments: [String: PluginAttachment], transpiledCode: String
    ) {
        self.id = id
        self.teamID = teamID
        self.pluginID = pluginID
        self.pluginName = pluginName
        self.order = order
        self.config = config
        self.attachments = attachments
        self.transpiledCode = transpiledCode
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

/// Installed plugins and their per-project configs.
public protocol PluginStore: Sendable {
    /// Stores a plugin; returns its id.
    func install(_ plugin: NewPlugin) async throws -> Int
    /// Creates a config of `pluginID` for `teamID`; returns its id.
    func createPluginConfig(
        teamID: Int, pluginID: Int, order: Int, config: [String: String], enabled: Bool
    ) async throws -> Int
    func enabledPluginConfigs() async throws -> [EnabledPluginConfig]
    /// Disables a config and records why, as PostHog's `pluginconfig.error`.
    func disablePluginConfig(id: Int, errorMessage: String) async throws
}
