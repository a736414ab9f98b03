import Foundation

/// What `quill plugin test` reads of a plugin's Jest configuration: `jest.config.js` (also `.ts`, `.mjs`,
/// `.cjs`, evaluated), `jest.config.json`, or the `"jest"` object of `package.json`, in that order. Other
/// options are ignored.
struct JestConfiguration {
    static let defaultTestMatch = ["**/__tests__/**/*.[jt]s?(x)", "**/?(*.)+(spec|test).[jt]s?(x)"]
    static let evaluatedFiles = ["jest.config.js", "jest.config.ts", "jest.config.mjs", "jest.config.cjs"]

    /// Where the configuration came from, for messages; nil for Jest's defaults.
    var file: String?
    var testMatch = Self.defaultTestMatch
    var testRegex: [String] = []
    var testPathIgnorePatterns = ["/node_modules/"]
    /// Milliseconds.
    var testTimeout = 5000.0
    var clearMocks = false
    var resetMocks = false
    var restoreMocks = false
    /// The `snapshotFormat` object as JSON, when set.
    var snapshotFormat: String?
    /// `setupFiles` then `setupFilesAfterEnv`, relative to the plugin folder.
    var setupFiles: [String] = []

    /// Reads the plugin's configuration; `evaluate` runs a config file's JavaScript and returns its export as JSON.
    static func load(
        from folder: URL, evaluate: (_ file: String, _ source: String) async throws(PluginTestError) -> Data
    ) async throws(PluginTestError) -> JestConfiguration {
        for name in evaluatedFiles {
            let url = folder.appending(path: name)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let source = try readText(url, name: name)
            return try parse(try await evaluate(name, source), file: name, folder: folder)
        }
        let jsonFile = folder.appending(path: "jest.config.json")
        if FileManager.default.fileExists(atPath: jsonFile.path) {
            return try parse(Data(try readText(jsonFile, name: "jest.config.json").utf8), file: "jest.config.json", folder: folder)
        }
        let packageFile = folder.appending(path: "package.json")
        if FileManager.default.fileExists(atPath: packageFile.path) {
            let text = try readText(packageFile, name: "package.json")
            guard let package = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw PluginTestError("package.json is not a JSON object")
            }
            if let jest = package["jest"] {
                guard JSONSerialization.isValidJSONObject(jest), let data = try? JSONSerialization.data(withJSONObject: jest) else {
                    throw PluginTestError("package.json: \"jest\" must be an object")
                }
                return try parse(data, file: "package.json \"jest\"", folder: folder)
            }
        }
        return JestConfiguration()
    }

    private static func readText(_ url: URL, name: String) throws(PluginTestError) -> String {
        guard let data = try? Data(contentsOf: url), let text = String(data: data, encoding: .utf8) else {
            throw PluginTestError("Could not read \(name) as UTF-8 text")
        }
        return text
    }

    private static func parse(_ json: Data, file: String, folder: URL) throws(PluginTestError) -> JestConfiguration {
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw PluginTestError("\(file): the configuration must be an object")
        }
        var configuration = JestConfiguration(file: file)
        let rootDirectory = folder.standardizedFileURL.path
        func strings(_ key: String) throws(PluginTestError) -> [String]? {
            guard let value = object[key] else { return nil }
            if let single = value as? String { return [single] }
            guard let list = value as? [Any], let texts = list as? [String] else {
                throw PluginTestError("\(file): \(key) must be a list of strings")
            }
            return texts.map { $0.replacingOccurrences(of: "<rootDir>", with: rootDirectory) }
        }
        func flag(_ key: String) throws(PluginTestError) -> Bool? {
            guard let value = object[key] else { return nil }
            guard let bool = value as? Bool else {
                throw PluginTestError("\(file): \(key) must be true or false")
            }
            return bool
        }
        if let testMatch = try strings("testMatch") { configuration.testMatch = testMatch }
        if let testRegex = try strings("testRegex") { configuration.testRegex = testRegex }
        if let ignored = try strings("testPathIgnorePatterns") { configuration.testPathIgnorePatterns = ignored }
        if let timeout = object["testTimeout"] {
            guard let milliseconds = (timeout as? NSNumber)?.doubleValue, milliseconds.isFinite, milliseconds > 0, milliseconds <= 86_400_000 else {
                throw PluginTestError("\(file): testTimeout must be a positive number of milliseconds, at most a day")
            }
            configuration.testTimeout = milliseconds
        }
        configuration.clearMocks = try flag("clearMocks") ?? false
        configuration.resetMocks = try flag("resetMocks") ?? false
        configuration.restoreMocks = try flag("restoreMocks") ?? false
        if let format = object["snapshotFormat"] {
            guard let formatObject = format as? [String: Any], let data = try? JSONSerialization.data(withJSONObject: formatObject) else {
                throw PluginTestError("\(file): snapshotFormat must be an object")
            }
            configuration.snapshotFormat = String(decoding: data, as: UTF8.self)
        }
        let root = rootDirectory.hasSuffix("/") ? rootDirectory : rootDirectory + "/"
        for setup in (try strings("setupFiles") ?? []) + (try strings("setupFilesAfterEnv") ?? []) {
            let resolved = TestFileCompiler.absolutePath(setup, in: folder)
            guard resolved.hasPrefix(root), FileManager.default.fileExists(atPath: resolved) else {
                throw PluginTestError("\(file): the setup file '\(setup)' is not a file in the plugin folder")
            }
            configuration.setupFiles.append(String(resolved.dropFirst(root.count)))
        }
        return configuration
    }

    /// The plugin's test files, relative to its folder and sorted: files (not under `node_modules` or a hidden folder)
    /// that `testMatch` (or `testRegex`) selects and `testPathIgnorePatterns` doesn't.
    func testFiles(in folder: URL) throws(PluginTestError) -> [String] {
        let root = folder.standardizedFileURL.path
        let rootPrefix = root.hasSuffix("/") ? root : root + "/"
        let expressions: (String) throws(PluginTestError) -> NSRegularExpression = { (pattern: String) throws(PluginTestError) in
            do {
                return try NSRegularExpression(pattern: pattern)
            } catch {
                throw PluginTestError("\(file ?? "Jest's defaults"): '\(pattern)' is not a regular expression Quill can read")
            }
        }
        let regexes = try testRegex.map(expressions)
        let ignored = try testPathIgnorePatterns.map(expressions)
        var globs: [GlobPattern] = []
        var negatedGlobs: [GlobPattern] = []
        for pattern in testMatch {
            let negated = pattern.hasPrefix("!")
            var glob = negated ? String(pattern.dropFirst()) : pattern
            if glob.hasPrefix(rootPrefix) { glob.removeFirst(rootPrefix.count) }
            do {
                if negated { negatedGlobs.append(try GlobPattern(glob)) } else { globs.append(try GlobPattern(glob)) }
            } catch {
                throw PluginTestError("\(file ?? "Jest's defaults"): testMatch \(error.description)")
            }
        }
        let matches = { (expression: NSRegularExpression, text: String) in
            expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
        return Self.files(under: URL(filePath: root), relativePath: "").filter { path in
            let absolute = rootPrefix + path
            if ignored.contains(where: { matches($0, absolute) }) { return false }
            if !regexes.isEmpty { return regexes.contains { matches($0, absolute) } }
            return globs.contains { $0.matches(path) } && !negatedGlobs.contains { $0.matches(path) }
        }.sorted()
    }

    /// Every file below `folder`, skipping `node_modules`, hidden entries and folders reached through a symlink.
    private static func files(under folder: URL, relativePath: String) -> [String] {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: folder.path) else { return [] }
        var found: [String] = []
        for name in names where !name.hasPrefix(".") && name != "node_modules" {
            let url = folder.appending(path: name)
            let path = relativePath.isEmpty ? name : "\(relativePath)/\(name)"
            guard let attributes = try? manager.attributesOfItem(atPath: url.path), let type = attributes[.type] as? FileAttributeType
            else { continue }
            switch type {
            case .typeDirectory: found += files(under: url, relativePath: path)
            case .typeRegular, .typeSymbolicLink:
                var isDirectory: ObjCBool = false
                if manager.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue { found.append(path) }
            default: continue
            }
        }
        return found
    }
}

/// Why `quill plugin test` could not run a plugin's tests at all.
public struct PluginTestError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
