public import Foundation

/// The built `quill` executable and the repository it was built from, for tests that run it.
public enum QuillExecutable {
    /// `quill`, built beside the test bundle (Swift Testing may run from inside the `.xctest` bundle).
    public static let url: URL = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.isExecutableFile(atPath: directory.appending(path: "quill").path),
            directory.pathComponents.count > 1
        {
            directory.deleteLastPathComponent()
        }
        return directory.appending(path: "quill")
    }()

    /// The repository's root folder.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
