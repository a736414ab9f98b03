public import Foundation

/// A plugin folder on disk: its manifest and the file to compile.
public struct PluginPackage: Sendable {
    public var directory: URL
    public var manifest: PluginManifest
    /// Path of the entry file relative to `directory`: `main`, else index.js, else index.ts.
    public var entryPath: String

    /// Reads plugin.json from `directory` and finds the entry file.
    public static func load(directory: URL) throws(PluginPackageError) -> PluginPackage {
        let manifestURL = directory.appending(path: "plugin.json")
        let manifest: PluginManifest
        do {
            manifest = try PluginManifest.parse(try Data(contentsOf: manifestURL))
        } catch let error as PluginManifestError {
            throw PluginPackageError(description: "Could not load plugin.json at \(manifestURL.path): \(error)")
        } catch {
            let reason = isFile(manifestURL) ? error.localizedDescription : "no such file"
            throw PluginPackageError(description: "Could not load plugin.json at \(manifestURL.path): \(reason)")
        }

        let entryPath = manifest.entryFileName { isFile(directory.appending(path: $0)) }
        guard isFile(directory.appending(path: entryPath)) else {
            throw PluginPackageError(
                description: manifest.main == nil
                    ? "\(directory.path) has no entry file: plugin.json names no 'main', and there is no index.js or index.ts"
                    : "The entry file '\(entryPath)' named by 'main' in plugin.json is missing from \(directory.path)")
        }
        return PluginPackage(directory: directory, manifest: manifest, entryPath: entryPath)
    }

    private static func isFile(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}

public struct PluginPackageError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
