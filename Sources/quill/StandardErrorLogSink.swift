import Foundation
import Storage

/// Prints plugin log entries to standard error, for `quill plugin run`.
struct StandardErrorLogSink: PluginLogSink {
    func append(_ entry: PluginLogEntry) {
        let prefix = entry.source == .console ? "[\(entry.type.rawValue)]" : "[\(entry.source.rawValue) \(entry.type.rawValue)]"
        FileHandle.standardError.write(Data("\(prefix) \(entry.message)\n".utf8))
    }
}
