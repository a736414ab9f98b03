import FuzzSupport
import PluginPackaging

/// A multipart upload: the Content-Type (with its boundary) up to the first NUL, then the body.
/// The first byte picks whether the Content-Type starts as a form's does, so most inputs reach the parser.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let prefix = input.choice(["multipart/form-data; boundary=", ""])
    let contentType = prefix + input.text()
    _ = try? MultipartForm(contentType: contentType, body: input.rest)
    return 0
}

LibFuzzer.run { data, size in data.map { fuzz($0, size) } ?? 0 }
