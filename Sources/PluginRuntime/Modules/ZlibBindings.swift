import Compression
import JavaScriptEngine

/// The Swift side of `zlib`: `zlibSync(operation, data, level, maxOutputLength)` returns the bytes;
/// `zlibAsync(…)` does the same work off the script thread and returns a promise of them.
///
/// A failure is thrown with Node's code as its `name` (`Z_DATA_ERROR`, …) for the module to rebuild.
enum ZlibBindings {
    /// A stored function value: Swift 6.3 crashes converting a method reference inside `installers`' literal.
    static let installer: NativeBindings.Installer = install(on:in:)

    static func install(on native: ScriptValue, in context: ScriptContext) throws(ScriptError) {
        try native.set(
            "zlibSync",
            context.function { arguments, this in
                try this.context.uint8Array(try ZlibJob(arguments).run())
            })
        try native.set(
            "zlibAsync",
            context.function { arguments, this in
                let job = try ZlibJob(arguments)
                return try this.context.promise(for: { try job.run() }, convert: { bytes, context in try context.uint8Array(bytes) })
            })
    }
}

/// One compression or decompression, with its input copied out of JavaScript.
private struct ZlibJob: Sendable {
    enum Operation: String {
        case gzip, gunzip, deflate, inflate, deflateRaw, inflateRaw, unzip
    }

    let operation: Operation
    let input: [UInt8]
    let level: Int32
    let maximumOutput: Int

    init(_ arguments: [ScriptValue]) throws {
        guard arguments.count == 4, let operation = Operation(rawValue: try arguments[0].toString()) else {
            throw HostFunctionError(name: "TypeError", message: "expected an operation, data, a level and an output limit")
        }
        let data = arguments[1]
        guard let input = data.isString ? Array(try data.toString().utf8) : try data.bytes() else {
            throw HostFunctionError(name: "TypeError", message: "data must be a string or a byte array")
        }
        let level = try arguments[2].toNumber()
        let maximumOutput = try arguments[3].toNumber()
        // The module checks these; the Swift side must not trust it, as Zlib traps on a bad level.
        guard (-1...9).contains(level), maximumOutput >= 1, maximumOutput <= 4_294_967_296 else {
            throw HostFunctionError(name: "RangeError", message: "level or output limit out of range")
        }
        self.operation = operation
        self.input = input
        self.level = Int32(level)
        self.maximumOutput = Int(maximumOutput)
    }

    func run() throws(HostFunctionError) -> [UInt8] {
        do {
            switch operation {
            case .gzip: return Zlib.gzip(input, level: level)
            case .deflate: return Zlib.deflate(input, level: level)
            case .deflateRaw: return Zlib.deflateRaw(input, level: level)
            case .gunzip: return try Zlib.gunzip(input, maximumOutput: maximumOutput)
            case .inflate: return try Zlib.inflate(input, maximumOutput: maximumOutput)
            case .inflateRaw: return try Zlib.inflateRaw(input, maximumOutput: maximumOutput)
            case .unzip:
                return Zlib.looksLikeGzip(input)
                    ? try Zlib.gunzip(input, maximumOutput: maximumOutput)
                    : try Zlib.inflate(input, maximumOutput: maximumOutput)
            }
        } catch {
            throw nodeError(for: error)
        }
    }

    /// Node's code and message for a `Compression` failure, read from its description.
    private func nodeError(for error: CompressionError) -> HostFunctionError {
        let description = error.description
        if description == "truncated input" {
            return HostFunctionError(name: "Z_BUF_ERROR", message: "unexpected end of file")
        }
        if description == "data is not gzip" {
            return HostFunctionError(name: "Z_DATA_ERROR", message: "incorrect header check")
        }
        if description.hasPrefix("decompressed data exceeds") {
            return HostFunctionError(name: "ERR_BUFFER_TOO_LARGE", message: "Cannot create a Buffer larger than \(maximumOutput) bytes")
        }
        if description == "out of memory" {
            return HostFunctionError(name: "Z_MEM_ERROR", message: "Out of memory")
        }
        if description.hasSuffix("needs a preset dictionary") {
            return HostFunctionError(name: "Z_NEED_DICT", message: "Missing dictionary")
        }
        // "invalid gzip data: incorrect header check" → zlib's own message, as Node shows it.
        if description.hasPrefix("invalid "), let colon = description.firstRange(of: " data: ") {
            return HostFunctionError(name: "Z_DATA_ERROR", message: String(description[colon.upperBound...]))
        }
        return HostFunctionError(name: "Z_DATA_ERROR", message: description)
    }
}
