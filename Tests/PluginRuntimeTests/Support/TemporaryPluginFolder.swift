import Foundation

/// A plugin folder in the temporary directory, removed when the value goes away.
final class TemporaryPluginFolder {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory.appending(path: "quill-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A folder holding `files` (path inside the folder → content).
    convenience init(_ files: [String: String]) throws {
        try self.init()
        for (name, content) in files {
            try write(content, to: name)
        }
    }

    deinit {
        remove()
    }

    /// Writes `content` to `name`, a path inside the folder, creating the folders on the way.
    func write(_ content: String, to name: String) throws {
        let file = url.appending(path: name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: file)
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
