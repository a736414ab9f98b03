import ChildProcesses
public import Storage
import Foundation
public import PluginManifest

public struct PluginCompileError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The file the error is in, relative to the plugin folder.
    public var file: String?
    /// 1-based.
    public var line: Int?
    /// 0-based, as esbuild reports it.
    public var column: Int?
    /// Set when the error is an import of a module the runtime does not provide.
    public var moduleName: String?

    /// `file:line:column: message`, with as much of the location as is known.
    public var description: String {
        let location = [file, line.map(String.init), column.map(String.init)].compactMap(\.self)
        return location.isEmpty ? message : "\(location.joined(separator: ":")): \(message)"
    }
}

/// Turns a plugin's TypeScript or JavaScript, ES modules or CommonJS, into one CommonJS script, with esbuild.
/// The plugin's own files are bundled in; the modules the runtime provides stay `require()` calls.
public struct PluginCompiler: Sendable {
    private let esbuildPath: String?
    private let providedModules: Set<String>

    /// - Parameters:
    ///   - esbuildPath: The esbuild executable; nil finds `esbuild` on `PATH` (Debian's package installs /usr/bin/esbuild).
    ///   - providedModules: Module names the runtime provides through `require` (e.g. "@posthog/plugin-scaffold").
    ///     They and their subpaths ("NAME/sub") are left as `require()` calls.
    public init(esbuildPath: String? = nil, providedModules: Set<String>) {
        self.esbuildPath = esbuildPath ?? Self.findOnPath("esbuild")
        self.providedModules = providedModules
    }

    /// Bundles the package's entry with its relative imports (and any node_modules shipped inside the folder) into one CommonJS script.
    public func compile(_ package: PluginPackage) async throws(PluginCompileError) -> CompiledPlugin {
        try await bundle(entry: package.entryPath, in: package.directory)
    }

    /// Same for plugins given as source text (PostHog's source editor): writes `files` (name → content, e.g. "index.ts",
    /// "plugin.json") to a fresh temporary folder, compiles `entry`, removes the folder.
    public func compile(files: [String: String], entry: String) async throws(PluginCompileError) -> CompiledPlugin {
        guard files[entry] != nil else {
            throw PluginCompileError(message: "The entry file '\(entry)' is not among the plugin's files")
        }
        let folder = try Self.makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, content) in files {
            // A name is a path; one that climbs out of the folder would write anywhere on the server.
            let components = name.split(separator: "/", omittingEmptySubsequences: false)
            guard !name.hasPrefix("/"), !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                throw PluginCompileError(message: "'\(name)' is not a file name inside the plugin folder")
            }
            let url = folder.appending(path: name)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(content.utf8).write(to: url)
            } catch {
                throw PluginCompileError(message: "Could not write '\(name)' to compile it: \(error.localizedDescription)")
            }
        }
        return try await bundle(entry: entry, in: folder)
    }

    private func bundle(entry: String, in directory: URL) async throws(PluginCompileError) -> CompiledPlugin {
        guard let esbuildPath, FileManager.default.isExecutableFile(atPath: esbuildPath) else {
            let place = esbuildPath.map { "at \($0)" } ?? "on PATH"
            throw PluginCompileError(
                message: "esbuild was not found \(place): install the Debian package 'esbuild' (make setup does)")
        }
        // esbuild writes a metafile only next to an output file, so both go to a scratch folder.
        let output = try Self.makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: output) }
        let bundleURL = output.appending(path: "bundle.js")
        let metafileURL = output.appending(path: "meta.json")
        let arguments =
            [
                entry.hasPrefix("/") ? entry : "./\(entry)",
                "--bundle", "--format=cjs", "--platform=neutral", "--tree-shaking=false", "--main-fields=main,module",
                "--log-level=error", "--color=false", "--charset=utf8",
                "--outfile=\(bundleURL.path)", "--metafile=\(metafileURL.path)",
            ] + providedModules.sorted().map { "--external:\($0)" }

        let result = try await Self.run(esbuildPath, arguments: arguments, in: directory)
        guard result.status == 0 else {
            throw Self.firstError(in: String(decoding: result.standardError, as: UTF8.self), status: result.status)
        }
        try Self.checkInputsStayInside(metafile: metafileURL)
        do {
            return CompiledPlugin(code: String(decoding: try Data(contentsOf: bundleURL), as: UTF8.self))
        } catch {
            throw PluginCompileError(message: "Could not read esbuild's output: \(error.localizedDescription)")
        }
    }

    /// Reads esbuild's first `✘ [ERROR] message` and the `file:line:column:` line that follows it. An unresolvable
    /// bare import is a module the runtime doesn't provide; it gets PostHog's wording, or the plan for the package.
    static func firstError(in standardError: String, status: Int32) -> PluginCompileError {
        let lines = standardError.split(separator: "\n", omittingEmptySubsequences: false)
        guard let errorIndex = lines.firstIndex(where: { $0.contains("[ERROR] ") }),
            let marker = lines[errorIndex].range(of: "[ERROR] ")
        else {
            let output = standardError.trimmingCharacters(in: .whitespacesAndNewlines)
            return PluginCompileError(message: output.isEmpty ? "esbuild failed with status \(status)" : output)
        }
        var error = PluginCompileError(message: String(lines[errorIndex][marker.upperBound...]))
        // The error's own location comes right after one blank line; later locations belong to its notes.
        if let locationLine = lines.dropFirst(errorIndex + 1).first(where: { !$0.allSatisfy(\.isWhitespace) }) {
            let parts = locationLine.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
            if parts.count >= 4, parts.last == "", let line = Int(parts[parts.count - 3]), let column = Int(parts[parts.count - 2]) {
                error.file = parts.dropLast(3).joined(separator: ":")
                error.line = line
                error.column = column
            }
        }
        let prefix = "Could not resolve \""
        let suffix = "\""
        // Without a location the entry itself is missing, which is not an import.
        if error.file != nil, error.message.hasPrefix(prefix), error.message.hasSuffix(suffix) {
            let specifier = String(error.message.dropFirst(prefix.count).dropLast(suffix.count))
            if !specifier.hasPrefix("."), !specifier.hasPrefix("/") {
                error.moduleName = specifier
                error.message = UnprovidedModules.refusal(for: specifier)
            }
        }
        return error
    }

    /// Plugins are untrusted: a relative import or a symlink reaching outside the folder would bundle any file the
    /// server can read (keys, other plugins' code) into the plugin, so it is refused.
    private static func checkInputsStayInside(metafile: URL) throws(PluginCompileError) {
        let inputs = try metafileInputs(metafile)
        // Input paths are relative to the plugin folder, esbuild's working directory.
        guard let outside = inputs.keys.sorted().first(where: { $0.hasPrefix("../") || $0.hasPrefix("/") }) else { return }
        let importer = inputs.keys.sorted().first { input in
            let imports = (inputs[input] as? [String: Any])?["imports"] as? [[String: Any]] ?? []
            return imports.contains { $0["path"] as? String == outside }
        }
        throw PluginCompileError(
            message: "'\(outside)' is outside the plugin folder; a plugin can only import its own files and the modules Quill provides",
            file: importer)
    }

    /// The `inputs` of esbuild's metafile: each file it bundled, by its path, with what that file imports.
    static func metafileInputs(_ metafile: URL) throws(PluginCompileError) -> [String: Any] {
        do {
            let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: metafile)) as? [String: Any]
            return meta?["inputs"] as? [String: Any] ?? [:]
        } catch {
            throw PluginCompileError(message: "Could not read esbuild's metafile: \(error.localizedDescription)")
        }
    }

    /// Runs esbuild to its end (see `ChildProcess`). The bundle goes to `--outfile`, so standard output is unused.
    private static func run(_ executable: String, arguments: [String], in directory: URL)
        async throws(PluginCompileError) -> (status: Int32, standardError: Data)
    {
        do {
            let output = try await ChildProcess.run(URL(filePath: executable), arguments: arguments, currentDirectory: directory)
            return (output.status, output.standardError)
        } catch {
            throw PluginCompileError(message: "Could not run esbuild at \(executable): \(error.localizedDescription)")
        }
    }

    static func makeTemporaryFolder() throws(PluginCompileError) -> URL {
        let folder = FileManager.default.temporaryDirectory.appending(path: "quill-compile-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw PluginCompileError(message: "Could not create a temporary folder to compile in: \(error.localizedDescription)")
        }
        return folder
    }

    static func findOnPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
