import FuzzSupport
import PluginPackaging

/// An uploaded or downloaded plugin archive: .zip or .tar.gz, whichever the bytes look like.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? PluginArchive.files(of: Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

LibFuzzer.run { data, size in data.map { fuzz($0, size) } ?? 0 }
