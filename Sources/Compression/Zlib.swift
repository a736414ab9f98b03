import CQuillZlib

/// gzip, zlib (RFC 1950) and raw deflate (RFC 1951) over the system zlib, with the semantics of Node's `zlib.*Sync`.
public enum Zlib {
    /// gzip-wrapped deflate (what `gzip`/`gzip-js` bodies are). Multi-member gzip streams: decode all members concatenated.
    public static func gunzip(_ data: some Collection<UInt8>, maximumOutput: Int = .max) throws(CompressionError) -> [UInt8] {
        guard data.count < 2 || looksLikeGzip(data) else { throw CompressionError("data is not gzip") }
        return try decompress(data, format: .gzip, maximumOutput: maximumOutput)
    }

    public static func gzip(_ data: some Collection<UInt8>, level: Int32 = 6) -> [UInt8] {
        compress(data, format: .gzip, level: level)
    }

    /// zlib-wrapped deflate (RFC 1950), what Node's deflateSync/inflateSync use.
    public static func inflate(_ data: some Collection<UInt8>, maximumOutput: Int = .max) throws(CompressionError) -> [UInt8] {
        try decompress(data, format: .zlib, maximumOutput: maximumOutput)
    }

    public static func deflate(_ data: some Collection<UInt8>, level: Int32 = 6) -> [UInt8] {
        compress(data, format: .zlib, level: level)
    }

    /// Raw deflate (RFC 1951), Node's inflateRawSync/deflateRawSync.
    public static func inflateRaw(_ data: some Collection<UInt8>, maximumOutput: Int = .max) throws(CompressionError) -> [UInt8] {
        try decompress(data, format: .raw, maximumOutput: maximumOutput)
    }

    public static func deflateRaw(_ data: some Collection<UInt8>, level: Int32 = 6) -> [UInt8] {
        compress(data, format: .raw, level: level)
    }

    /// Whether data starts with the gzip magic bytes 1f 8b.
    public static func looksLikeGzip(_ data: some Collection<UInt8>) -> Bool {
        var bytes = data.makeIterator()
        return bytes.next() == 0x1F && bytes.next() == 0x8B
    }
}

extension Zlib {
    private enum Format {
        case gzip, zlib, raw

        /// zlib picks the wrapper from windowBits: +16 for gzip, negative for none.
        var windowBits: Int32 {
            switch self {
            case .gzip: 15 + 16
            case .zlib: 15
            case .raw: -15
            }
        }

        var name: String {
            switch self {
            case .gzip: "gzip"
            case .zlib: "zlib"
            case .raw: "deflate"
            }
        }
    }

    private static let chunkSize = 64 * 1024

    /// The error travels in a Result because `withContiguousStorageIfAvailable` only rethrows untyped errors.
    private static func decompress(
        _ data: some Collection<UInt8>, format: Format, maximumOutput: Int
    ) throws(CompressionError) -> [UInt8] {
        try withBytes(data) { input in
            Result { () throws(CompressionError) in
                try decompress(input, format: format, maximumOutput: maximumOutput)
            }
        }.get()
    }

    private static func decompress(
        _ input: UnsafeBufferPointer<UInt8>, format: Format, maximumOutput: Int
    ) throws(CompressionError) -> [UInt8] {
        let stream = Stream()
        defer { stream.deallocate() }
        switch quill_inflateInit2(stream.pointer, format.windowBits) {
        case Z_OK: break
        case Z_MEM_ERROR: throw CompressionError("out of memory")
        case let status: throw CompressionError("zlib inflateInit2 failed (\(status))")
        }
        defer { inflateEnd(stream.pointer) }

        var output: [UInt8] = []
        var fed = 0
        while true {
            stream.feed(input, fed: &fed)
            let (status, produced) = stream.run { CQuillZlib.inflate($0, Z_NO_FLUSH) }
            guard produced.count <= maximumOutput - output.count else { throw .tooLarge(maximumOutput) }
            output.append(contentsOf: produced)
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                let next = fed - Int(stream.pointer.pointee.avail_in)
                // Like Node: after a gzip member another one follows unless the rest is zero padding;
                // zlib and raw streams ignore trailing bytes.
                guard format == .gzip, next < input.count, input[next] != 0 else { return output }
                inflateReset(stream.pointer)
            case Z_BUF_ERROR:
                // zlib had output space, so it stalled for want of input, and all input was already fed.
                throw .truncated
            case Z_NEED_DICT:
                throw CompressionError("\(format.name) data needs a preset dictionary")
            case Z_MEM_ERROR:
                throw CompressionError("out of memory")
            default:
                throw CompressionError("invalid \(format.name) data: \(stream.message ?? "zlib error \(status)")")
            }
        }
    }

    private static func compress(_ data: some Collection<UInt8>, format: Format, level: Int32) -> [UInt8] {
        precondition((-1...9).contains(level), "compression level must be in -1...9, got \(level)")
        return withBytes(data) { input in
            let stream = Stream()
            defer { stream.deallocate() }
            let initStatus = quill_deflateInit2(stream.pointer, level, format.windowBits)
            // The arguments are valid, so only allocation can fail, which Swift treats as fatal anyway.
            precondition(initStatus == Z_OK, "zlib deflateInit2 failed (\(initStatus))")
            defer { deflateEnd(stream.pointer) }

            var output: [UInt8] = []
            var fed = 0
            while true {
                stream.feed(input, fed: &fed)
                let flush = fed == input.count ? Z_FINISH : Z_NO_FLUSH
                let (status, produced) = stream.run { CQuillZlib.deflate($0, flush) }
                output.append(contentsOf: produced)
                if status == Z_STREAM_END { return output }
                precondition(status == Z_OK, "zlib deflate failed (\(status))")
            }
        }
    }

    /// Gives `body` contiguous bytes, copying only collections that have none.
    private static func withBytes<R>(_ data: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = data.withContiguousStorageIfAvailable(body) { return result }
        return Array(data).withUnsafeBufferPointer(body)
    }

    /// A heap-allocated z_stream plus its output chunk: zlib keeps a pointer back to the stream, so it must not move.
    private struct Stream {
        let pointer: UnsafeMutablePointer<z_stream>
        let scratch: UnsafeMutableBufferPointer<UInt8>

        init() {
            pointer = .allocate(capacity: 1)
            pointer.initialize(to: z_stream())
            scratch = .allocate(capacity: Zlib.chunkSize)
        }

        func deallocate() {
            pointer.deinitialize(count: 1)
            pointer.deallocate()
            scratch.deallocate()
        }

        var message: String? {
            pointer.pointee.msg.map { String(cString: $0) }
        }

        /// Hands zlib the next piece of input once it has used the last; `avail_in` is 32-bit, so huge inputs take several.
        func feed(_ input: UnsafeBufferPointer<UInt8>, fed: inout Int) {
            guard pointer.pointee.avail_in == 0, fed < input.count, let base = input.baseAddress else { return }
            let count = min(input.count - fed, Int(UInt32.max))
            pointer.pointee.next_in = UnsafeMutablePointer(mutating: base + fed)
            pointer.pointee.avail_in = UInt32(count)
            fed += count
        }

        /// Runs one zlib call into the scratch chunk; returns its status and the bytes it wrote there.
        func run(
            _ call: (UnsafeMutablePointer<z_stream>) -> Int32
        ) -> (status: Int32, output: Slice<UnsafeMutableBufferPointer<UInt8>>) {
            pointer.pointee.next_out = scratch.baseAddress
            pointer.pointee.avail_out = UInt32(scratch.count)
            let status = call(pointer)
            return (status, scratch[..<(scratch.count - Int(pointer.pointee.avail_out))])
        }
    }
}
