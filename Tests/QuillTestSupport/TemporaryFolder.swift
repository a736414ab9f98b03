public import Foundation

/// A folder in the temporary directory, removed when the value goes away.
public final class TemporaryFolder: Sendable {
    public let url: URL
    public var path: String { url.path }

    public init() throws {
        url = FileManager.default.temporaryDirectory.appending(path: "quill-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A folder holding `files` (path inside the folder → content).
    public convenience init(_ files: [String: String]) throws {
        try self.init()
        for (name, content) in files {
            try write(content, to: name)
        }
    }

    deinit {
        remove()
    }

    /// Writes `content` to `name`, a path inside the folder, creating the folders on the way.
    public func write(_ content: String, to name: String) throws {
        let file = url.appending(path: name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: file)
    }

    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
