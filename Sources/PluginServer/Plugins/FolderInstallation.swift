public import Foundation
import PluginManifest
import PluginPackaging
import PluginRuntime
public import Storage

/// Installs a plugin folder into a database, as `quill plugin install` does: checked, compiled and
/// stored exactly as the management API stores a local plugin, with an enabled config whose secret
/// values are sealed with `secrets`.
public enum FolderInstallation {
    /// - Returns: the plugin's name, its id and the new config's id.
    public static func install(
        _ directory: URL, storage: any StorageBackend, secrets: ConfigSecrets, projectID: Int, order: Int, config: [String: String]
    ) async throws -> (name: String, pluginID: Int, configID: Int) {
        guard let project = try await storage.projects.project(id: projectID) else {
            throw APIError.invalidInput("There is no project \(projectID).", attribute: "project_id")
        }
        let runtime = PluginRuntime(
            configuration: PluginRuntimeConfiguration(workerCount: 1),
            services: PluginHostServices(
                cache: MemoryPluginCacheStore(), storage: MemoryPluginStorageStore(), logs: MemoryPluginLogStore(capacity: 0)))
        defer { Task { await runtime.shutdown() } }
        let installer = PluginInstaller(
            compiler: PluginCompiler(providedModules: PluginRuntime.providedModules), runtime: runtime,
            dependencies: NpmDependencyInstaller(settings: PluginRepositorySettings(environment: ProcessInfo.processInfo.environment)))
        let path = directory.standardizedFileURL.path
        let contents = try await installer.contents(
            of: try PluginFolder.files(at: directory), pluginType: "local", url: "file:\(path)")
        let fields = try PluginManifest.configSchema(fromJSON: contents.configSchema)
        let values = try secrets.sealingSecrets(
            of: try fields.validate(config, attachmentKeys: []), secretKeys: ConfigSecrets.secretKeys(schema: contents.configSchema))
        let store = storage.plugins
        let pluginID = try await store.install(contents, organizationID: project.organizationID)
        let configID = try await store.createPluginConfig(
            teamID: project.id, pluginID: pluginID, order: order, config: values, enabled: true)
        return (contents.name, pluginID, configID)
    }
}
