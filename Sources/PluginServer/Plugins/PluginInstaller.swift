import Foundation
import OrderedJSON
import PluginManifest
import PluginPackaging
import PluginRuntime
import Storage

/// Checks a plugin's files and turns them into what the store keeps: `plugin.json` must parse,
/// the code must compile and load, and the result records capabilities, schema and public jobs.
/// package.json's dependencies are installed from the npm registry and bundled; only their lock is stored.
struct PluginInstaller: Sendable {
    let compiler: PluginCompiler
    let runtime: PluginRuntime
    let dependencies: NpmDependencyInstaller

    func contents(
        of files: [String: Data], pluginType: String, url: String? = nil, tag: String? = nil
    ) async throws -> PluginContents {
        for name in files.keys { try ManagementRequest.refuseNUL(inFileName: name) }
        guard let manifestData = files["plugin.json"] else {
            throw APIError.invalidInput("The plugin has no plugin.json at its top level.", attribute: "plugin.json")
        }
        let manifest: PluginManifest
        do {
            manifest = try PluginManifest.parse(manifestData)
        } catch {
            throw APIError.invalidInput(error.description, attribute: "plugin.json")
        }
        let entry = manifest.entryFileName { files[$0] != nil }
        guard files[entry] != nil else {
            throw APIError.invalidInput(
                manifest.main == nil
                    ? "The plugin has no index.js or index.ts, and plugin.json names no 'main'."
                    : "The entry file '\(entry)' named by 'main' is missing.",
                attribute: entry)
        }
        let installation: NpmDependencyInstaller.Installation?
        do {
            installation = try await dependencies.install(for: files)
        } catch {
            throw APIError.invalidInput(error.description, attribute: "package.json")
        }
        var storedFiles = files
        storedFiles[NpmLock.fileName] = installation?.lock.serialized
        // Binary files (images, data) are kept but not compiled.
        let sources = (installation?.files(over: files) ?? files).compactMapValues { String(data: $0, encoding: .utf8) }
        let code: CompiledPlugin
        do {
            code = try await compiler.compile(files: sources, entry: entry)
        } catch {
            throw APIError.invalidInput(error.description, attribute: error.file ?? entry)
        }
        let capabilities: PluginCapabilities
        switch await runtime.inspect(code, pluginName: manifest.name) {
        case .success(let found): capabilities = found
        case .failure(let error):
            throw APIError.invalidInput("The plugin's code fails when it is loaded: \(error)", attribute: entry)
        }
        let raw = try? JSONValue.parse(Array(manifestData))
        return PluginContents(
            pluginType: pluginType, name: manifest.name, description: manifest.description, url: url, tag: tag,
            configSchema: raw?["config"]?.serializedString ?? "[]",
            publicJobs: raw?["publicJobs"]?.serializedString ?? "{}",
            capabilities: JSONValue.object(JSONObject([
                ("methods", .array(capabilities.methods.map(JSONValue.string))),
                ("scheduled_tasks", .array(capabilities.scheduledTasks.map(JSONValue.string))),
                ("jobs", .array(capabilities.jobs.map(JSONValue.string))),
            ])).serializedString,
            transpiledCode: code.code, files: storedFiles)
    }
}

/// A plugin folder on disk, read into memory.
enum PluginFolder {
    static let ignoredNames: Set<String> = [".git", ".DS_Store", ".github"]

    /// The folder's files by relative path, within the archive limits.
    ///
    /// - Parameter confined: Whether every file must really be inside the folder: a link that
    ///   leads out of it is refused without telling where it leads (a tenant's install).
    static func files(at directory: URL, confined: Bool = false) throws -> [String: Data] {
        var files: [String: Data] = [:]
        var total = 0
        let root = directory.standardizedFileURL.resolvingSymlinksInPath()
        let realRoot = AllowedPluginFolders.realPath(root.path) ?? root.path
        guard
            let enumerator = FileManager.default.enumerator(
                at: root, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey])
        else {
            throw APIError.invalidInput("There is no folder at \(directory.path).", attribute: "url")
        }
        for case let url as URL in enumerator {
            if ignoredNames.contains(url.lastPathComponent) {
                enumerator.skipDescendants()
                continue
            }
            if confined {
                guard let real = AllowedPluginFolders.realPath(url.path), AllowedPluginFolders.path(real, isWithin: [realRoot])
                else {
                    let name = url.path.hasPrefix(root.path + "/") ? String(url.path.dropFirst(root.path.count + 1)) : url.lastPathComponent
                    throw APIError.invalidInput("'\(name)' in the plugin folder is a link that leads out of it.", attribute: "url")
                }
            }
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            let path = String(url.standardizedFileURL.resolvingSymlinksInPath().path.dropFirst(root.path.count + 1))
            let data = try Data(contentsOf: url)
            total += data.count
            guard total <= PluginArchive.maximumTotalSize, files.count < PluginArchive.maximumFileCount else {
                throw APIError.invalidInput("The folder is larger than a plugin may be.", attribute: "url")
            }
            files[path] = data
        }
        guard !files.isEmpty else { throw APIError.invalidInput("The folder \(directory.path) is empty.", attribute: "url") }
        return files
    }
}
