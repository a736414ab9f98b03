import ChildProcesses
import Foundation

/// A test file made ready for the test environment.
struct CompiledTestFile {
    /// One CommonJS script: the test file with the plugin's files and packages it imports, `require` left for
    /// the modules Quill provides, Jest's own modules and the packages the test mocks.
    var code: String
    /// esbuild's source map of `code`, its sources relative to the plugin folder.
    var sourceMap: String
    /// Each package the test mocks that the plugin ships in `node_modules`, as CommonJS code for
    /// `jest.requireActual` and automatic mocks.
    var mockedPackages: [String: String]
}

/// Compiles a plugin's test file with esbuild in two steps. First it becomes CommonJS on its own, so each
/// `import` is a `require` at its place and the `jest.mock` calls can be hoisted above them
/// (``JestMockHoisting``); then that is bundled from the test's folder, as the plugin compiler bundles a
/// plugin. esbuild carries the first step's source map through the second, back to the test's own lines.
struct TestFileCompiler {
    /// Modules Jest's environment provides besides the runtime's.
    static let jestModules: Set<String> = ["@jest/globals", "jest-fetch-mock"]

    let esbuildPath: String?
    let pluginFolder: URL
    let externals: Set<String>

    init(pluginFolder: URL, providedModules: Set<String>, esbuildPath: String? = nil) {
        self.esbuildPath = esbuildPath ?? PluginCompiler.findOnPath("esbuild")
        self.pluginFolder = pluginFolder.standardizedFileURL
        externals = providedModules.union(Self.jestModules)
    }

    /// - Parameters:
    ///   - path: The test file, relative to the plugin folder.
    ///   - source: Its text.
    ///   - setupFiles: Files (relative to the plugin folder) that run before it, as Jest's `setupFiles`.
    func compile(_ path: String, source: String, setupFiles: [String]) async throws(PluginCompileError) -> CompiledTestFile {
        let file = pluginFolder.appending(path: path)
        let folder = file.deletingLastPathComponent()
        let name = file.lastPathComponent
        let commonJS = try await commonJS(source, name: name, in: folder, path: path, inlineSourceMap: true)
        let hoisting = JestMockHoisting(hoisting: commonJS)
        let mocked = Set(hoisting.mockedModules.filter { !$0.hasPrefix(".") && !$0.hasPrefix("/") && !isExternal($0) })
        // Setups run first, as Jest's setupFiles do; on the first line, so the test's lines stay where they are.
        let setups = setupFiles.map { "require(\(Self.javaScriptString(pluginFolder.appending(path: $0).path)));" }.joined()
        let (code, sourceMap) = try await bundle(
            setups + hoisting.source, name: name, path: path, in: folder, externals: externals.union(mocked), original: source)
        var mockedPackages: [String: String] = [:]
        for package in mocked.sorted() {
            // A mocked package the plugin doesn't ship can still be mocked with a factory; only its real module is missing.
            if let (packageCode, _) = try? await bundle(
                "module.exports = require(\(Self.javaScriptString(package)));", name: "\(package) (actual)", path: path, in: folder,
                externals: externals)
            {
                mockedPackages[package] = packageCode
            }
        }
        return CompiledTestFile(code: code, sourceMap: sourceMap, mockedPackages: mockedPackages)
    }

    private func isExternal(_ module: String) -> Bool {
        externals.contains(module) || externals.contains { module.hasPrefix("\($0)/") }
    }

    /// One file alone as CommonJS (its imports become `require` calls in place), as if it were `name` in `folder`.
    func commonJS(
        _ source: String, name: String, in folder: URL, path: String? = nil, inlineSourceMap: Bool = false
    ) async throws(PluginCompileError) -> String {
        let loader =
            switch URL(filePath: name).pathExtension.lowercased() {
            case "ts", "mts", "cts": "ts"
            case "tsx": "tsx"
            case "jsx": "jsx"
            default: "js"
            }
        let output = try await esbuild(
            [
                "--format=cjs", "--loader=\(loader)", "--sourcefile=\(name)", "--log-level=error", "--color=false", "--charset=utf8",
            ] + (inlineSourceMap ? ["--sourcemap=inline"] : []), input: source, in: folder, path: path ?? name, name: name)
        return String(decoding: output.standardOutput, as: UTF8.self)
    }

    /// Bundles `source` as if it were the file `name` in `folder`; returns the code and its source map. `original`
    /// is the test file's text that `source` was made from.
    private func bundle(
        _ source: String, name: String, path: String, in folder: URL, externals: Set<String>, original: String? = nil
    ) async throws(PluginCompileError) -> (code: String, sourceMap: String) {
        let scratch = try PluginCompiler.makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let bundleURL = scratch.appending(path: "bundle.js")
        let metafileURL = scratch.appending(path: "meta.json")
        _ = try await esbuild(
            [
                "--bundle", "--format=cjs", "--platform=neutral", "--tree-shaking=false", "--main-fields=main,module",
                "--loader=js", "--sourcefile=\(name)", "--sourcemap=external", "--log-level=error", "--color=false", "--charset=utf8",
                "--outfile=\(bundleURL.path)", "--metafile=\(metafileURL.path)",
            ] + externals.sorted().map { "--external:\($0)" },
            input: source, in: folder, path: path, name: name, source: original)
        try checkInputsStayInside(metafile: metafileURL, folder: folder)
        do {
            let code = String(decoding: try Data(contentsOf: bundleURL), as: UTF8.self)
            let map = try Data(contentsOf: scratch.appending(path: "bundle.js.map"))
            return (code, try relativeSources(of: map, from: scratch))
        } catch let error as PluginCompileError {
            throw error
        } catch {
            throw PluginCompileError(message: "Could not read esbuild's output: \(error.localizedDescription)", file: path)
        }
    }

    /// Runs esbuild on `input`; `source` is the test file's own text, when `input` is not it, to place errors in.
    private func esbuild(
        _ arguments: [String], input: String, in folder: URL, path: String, name: String, source: String? = nil
    ) async throws(PluginCompileError) -> ChildProcess.Output {
        guard let esbuildPath, FileManager.default.isExecutableFile(atPath: esbuildPath) else {
            let place = esbuildPath.map { "at \($0)" } ?? "on PATH"
            throw PluginCompileError(
                message: "esbuild was not found \(place): install the Debian package 'esbuild' (make setup does)")
        }
        let output: ChildProcess.Output
        do {
            output = try await ChildProcess.run(
                URL(filePath: esbuildPath), arguments: arguments, currentDirectory: folder, input: Data(input.utf8))
        } catch {
            throw PluginCompileError(message: "Could not run esbuild at \(esbuildPath): \(error.localizedDescription)")
        }
        guard output.status == 0 else {
            var error = PluginCompiler.firstError(in: output.errorText, status: output.status)
            // esbuild names the file as given on standard input; the plugin's developer knows it by its path.
            if error.file == name || error.file == "<stdin>" {
                error.file = path
                if let source { (error.line, error.column) = Self.place(of: error, in: source) }
            }
            throw error
        }
        return output
    }

    /// Where an import the bundling step could not resolve is in the test's own source: the bundling step reads
    /// the test after its first compilation, so esbuild's line is not the file's. Nil for other errors.
    private static func place(of error: PluginCompileError, in source: String) -> (line: Int?, column: Int?) {
        let prefix = "Could not resolve \""
        let specifier =
            error.moduleName
            ?? (error.message.hasPrefix(prefix) ? String(error.message.dropFirst(prefix.count).dropLast()) : nil)
        guard let specifier else { return (nil, nil) }
        for (index, line) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for quote in ["'", "\"", "`"] {
                if let range = line.range(of: quote + specifier + quote) {
                    return (index + 1, line.distance(from: line.startIndex, to: range.lowerBound))
                }
            }
        }
        return (nil, nil)
    }

    /// Test files are the plugin's own, but they too may only bundle files inside its folder: a symlink or
    /// `../../` out of it would read whatever the developer's account can.
    private func checkInputsStayInside(metafile: URL, folder: URL) throws(PluginCompileError) {
        let inputs = try PluginCompiler.metafileInputs(metafile)
        let root = pluginFolder.path.hasSuffix("/") ? pluginFolder.path : pluginFolder.path + "/"
        for input in inputs.keys.sorted() where input != "<stdin>" {
            let resolved = Self.absolutePath(input, in: folder)
            guard resolved.hasPrefix(root) else {
                throw PluginCompileError(
                    message: "'\(resolved)' is outside the plugin folder; a test can only import the plugin's own files and the modules Quill provides")
            }
        }
    }

    /// The source map with each source named by its path in the plugin folder (esbuild names them from the output's folder).
    private func relativeSources(of map: Data, from outputFolder: URL) throws -> String {
        guard var object = try JSONSerialization.jsonObject(with: map) as? [String: Any] else {
            throw PluginCompileError(message: "esbuild's source map is not a JSON object")
        }
        let root = pluginFolder.path.hasSuffix("/") ? pluginFolder.path : pluginFolder.path + "/"
        let sources = object["sources"] as? [String] ?? []
        object["sources"] = sources.map { source in
            let absolute = Self.absolutePath(source, in: outputFolder)
            return absolute.hasPrefix(root) ? String(absolute.dropFirst(root.count)) : absolute
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// A path esbuild gave relative to `folder` (or absolute), with `..` resolved.
    static func absolutePath(_ path: String, in folder: URL) -> String {
        (path.hasPrefix("/") ? URL(filePath: path) : folder.appending(path: path)).standardizedFileURL.path
    }

    /// `text` as a JavaScript string literal (JSON's string syntax is JavaScript's).
    static func javaScriptString(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
