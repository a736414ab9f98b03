import FuzzSupport
import Foundation
import PluginManifest

/// A plugin.json up to the first NUL, then config values as `key=value` lines (`@key` for an attachment
/// that has a file), validated against the manifest's schema; the manifest's `config` also as stored text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let manifestBytes = input.field()
    let valueLines = String(decoding: input.rest, as: UTF8.self).split(separator: "\n")
    var values: [String: String] = [:]
    var attachmentKeys: Set<String> = []
    for line in valueLines {
        if line.hasPrefix("@") {
            attachmentKeys.insert(String(line.dropFirst()))
        } else {
            let pair = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values[String(pair[0])] = pair.count > 1 ? String(pair[1]) : ""
        }
    }
    if let manifest = try? PluginManifest.parse(Data(manifestBytes)) {
        _ = manifest.entryFileName { $0 == "index.ts" }
        _ = try? manifest.configSchema.validate(values, attachmentKeys: attachmentKeys)
    }
    if let schema = try? PluginManifest.configSchema(fromJSON: String(decoding: manifestBytes, as: UTF8.self)) {
        _ = try? schema.validate(values, attachmentKeys: attachmentKeys)
    }
    return 0
}

LibFuzzer.run { data, size in data.map { fuzz($0, size) } ?? 0 }
