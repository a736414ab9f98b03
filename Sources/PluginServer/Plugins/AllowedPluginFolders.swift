import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server folders the management API may install plugins from (`QUILL_PLUGIN_FOLDERS`).
///
/// A `file:` URL is a path on the operator's machine named by a tenant, so only folders the
/// operator listed are read, and no answer tells anything about a path outside them, not even
/// whether it exists. `quill plugin install` is the operator's own tool and doesn't ask.
public struct AllowedPluginFolders: Sendable, Equatable {
    public static let environmentVariable = "QUILL_PLUGIN_FOLDERS"

    /// Absolute paths as the operator listed them. They are resolved at each install, so a folder
    /// made or relinked later counts as it is then.
    public var folders: [String]

    public init(folders: [String] = []) {
        self.folders = folders
    }

    /// Reads the setting: absolute paths separated by colons or commas.
    public init(environmentValue: String) throws(ConfigurationError) {
        var folders: [String] = []
        for entry in environmentValue.split(whereSeparator: { $0 == ":" || $0 == "," }) {
            let path = entry.trimmingCharacters(in: .whitespaces)
            if path.isEmpty { continue }
            guard path.hasPrefix("/") else {
                throw ConfigurationError(description: "\(Self.environmentVariable): '\(path)' is not an absolute path")
            }
            folders.append(path)
        }
        self.init(folders: folders)
    }

    /// The one answer for a path outside the allowed folders, whether it exists or not.
    static let outside = APIError.invalidInput(
        "That path is not under a folder this server allows (\(environmentVariable)).", attribute: "url")

    /// The real path (symlinks and `..` resolved) of the folder `path` names, if it is an allowed
    /// folder or under one.
    ///
    /// - Throws: ``APIError`` (400) when no folder is allowed, the path is not absolute, it is
    ///   outside the allowed folders (``outside``), or it is missing under them.
    func resolve(_ path: String) throws(APIError) -> URL {
        guard !folders.isEmpty else {
            throw APIError.invalidInput(
                "This server installs no plugins from its folders: the operator must list the folders plugins may come from in \(Self.environmentVariable).",
                attribute: "url")
        }
        guard path.hasPrefix("/") else {
            throw APIError.invalidInput("A folder on the server is named by an absolute path: file:/path/to/plugin.", attribute: "url")
        }
        let roots = folders.compactMap(Self.realPath)
        if let real = Self.realPath(path) {
            guard Self.path(real, isWithin: roots) else { throw Self.outside }
            return URL(fileURLWithPath: real, isDirectory: true)
        }
        // A missing folder is named only when the part of the path that exists is under an allowed
        // folder and the rest (which can't exist) has no `..` to climb out of it.
        var existing = path.split(separator: "/").map(String.init)
        var missing: [String] = []
        while let last = existing.popLast() {
            missing.append(last)
            guard let real = Self.realPath("/" + existing.joined(separator: "/")) else { continue }
            if Self.path(real, isWithin: roots), !missing.contains("..") {
                throw APIError.invalidInput("There is no folder at \(path).", attribute: "url")
            }
            break
        }
        throw Self.outside
    }

    /// Whether `path` is one of `roots` or inside one; all are real paths.
    static func path(_ path: String, isWithin roots: [String]) -> Bool {
        roots.contains { root in path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/") }
    }

    /// `path` with every symlink, `.` and `..` resolved, or nil when some part of it doesn't exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
