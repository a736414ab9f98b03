import Compression
import Testing

@Suite struct ZlibTests {
    enum Format: CaseIterable {
        case gzip, zlib, raw

        func compress(_ data: [UInt8], level: Int32 = 6) -> [UInt8] {
            switch self {
            case .gzip: Zlib.gzip(data, level: level)
            case .zlib: Zlib.deflate(data, level: level)
            case .raw: Zlib.deflateRaw(data, level: level)
            }
        }

        func decompress(_ data: some Collection<UInt8>, maximumOutput: Int = .max) throws(CompressionError) -> [UInt8] {
            switch self {
            case .gzip: try Zlib.gunzip(data, maximumOutput: maximumOutput)
            case .zlib: try Zlib.inflate(data, maximumOutput: maximumOutput)
            case .raw: try Zlib.inflateRaw(data, maximumOutput: maximumOutput)
            }
        }
    }

    static let batch = Array(Fixtures.batch.utf8)

    /// More than one 64 KiB output chunk, and poorly compressible so the input spans several chunks too.
    static let large: [UInt8] = {
        var state: UInt32 = 1
        return (0..<300_000).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24) & 0x3F
        }
    }()

    @Test func readsNodeOutput() throws {
        #expect(try Zlib.gunzip(Fixtures.batchGzip) == Self.batch)
        #expect(try Zlib.inflate(Fixtures.batchDeflate) == Self.batch)
        #expect(try Zlib.inflateRaw(Fixtures.batchDeflateRaw) == Self.batch)
        #expect(try Zlib.gunzip(Fixtures.helloWorldGzip) == Array("hello world".utf8))
    }

    @Test func readsNodeOutputOfEmptyInput() throws {
        #expect(try Zlib.gunzip(Fixtures.emptyGzip) == [])
        #expect(try Zlib.inflate(Fixtures.emptyDeflate) == [])
        #expect(try Zlib.inflateRaw(Fixtures.emptyDeflateRaw) == [])
    }

    @Test(arguments: Format.allCases, [-1, 0, 1, 6, 9] as [Int32])
    func roundTrips(format: Format, level: Int32) throws {
        for input in [[], Array("a".utf8), Self.batch, Self.large, [UInt8](repeating: 7, count: 200_000)] {
            let compressed = format.compress(input, level: level)
            #expect(try format.decompress(compressed) == input)
        }
    }

    @Test func gzipOutputIsGzip() {
        #expect(Zlib.looksLikeGzip(Zlib.gzip(Self.batch)))
        #expect(!Zlib.looksLikeGzip(Zlib.deflate(Self.batch)))
    }

    @Test func higherLevelsCompressMore() {
        let text = Array(String(repeating: Fixtures.batch, count: 20).utf8)
        #expect(Zlib.deflate(text, level: 0).count > text.count)
        #expect(Zlib.deflate(text, level: 9).count < text.count / 10)
    }

    @Test func acceptsAnyCollection() throws {
        let padded = [0xAA, 0xBB] + Fixtures.batchGzip
        #expect(try Zlib.gunzip(padded[2...]) == Self.batch)
        #expect(try Zlib.gunzip(Fixtures.batchGzip.lazy.map { $0 }) == Self.batch)
        #expect(try Zlib.inflate(Zlib.deflate(Self.batch.lazy.map { $0 })) == Self.batch)
    }

    @Test func decodesAllGzipMembers() throws {
        #expect(try Zlib.gunzip(Fixtures.helloGzip + Fixtures.worldGzip) == Array("hello world".utf8))
        let ours = Zlib.gzip(Self.large) + Zlib.gzip([]) + Zlib.gzip(Self.batch)
        #expect(try Zlib.gunzip(ours) == Self.large + Self.batch)
    }

    /// Node ignores zero padding after a gzip member but reads anything else as another member.
    @Test func gzipTrailingBytes() throws {
        #expect(try Zlib.gunzip(Fixtures.helloGzip + [0, 0, 0, 0]) == Array("hello ".utf8))
        #expect(throws: CompressionError.self) { try Zlib.gunzip(Fixtures.helloGzip + Array("xyz".utf8)) }
        let error = #expect(throws: CompressionError.self) { try Zlib.gunzip(Fixtures.helloGzip + [0x1F, 0x8B]) }
        #expect(error?.description == "truncated input")
    }

    /// As in Node, a zlib or raw stream ends at its final block.
    @Test func zlibAndRawIgnoreTrailingBytes() throws {
        #expect(try Zlib.inflate(Fixtures.batchDeflate + Array("xyz".utf8)) == Self.batch)
        #expect(try Zlib.inflateRaw(Fixtures.batchDeflateRaw + Fixtures.batchDeflateRaw) == Self.batch)
    }

    @Test(arguments: Format.allCases)
    func everyTruncationFails(format: Format) {
        let compressed = format.compress(Self.batch)
        for length in 0..<compressed.count {
            let error = #expect(throws: CompressionError.self) { try format.decompress(compressed[..<length]) }
            #expect(error?.description == "truncated input", "cut at \(length)")
        }
    }

    @Test func rejectsNonGzip() {
        for input in [Array("hello world".utf8), Fixtures.batchDeflate, Array(Fixtures.batch.utf8)] {
            let error = #expect(throws: CompressionError.self) { try Zlib.gunzip(input) }
            #expect(error?.description == "data is not gzip")
        }
    }

    @Test func rejectsCorruptData() {
        var corrupt = Fixtures.helloWorldGzip
        corrupt[corrupt.count - 5] ^= 0xFF
        var error = #expect(throws: CompressionError.self) { try Zlib.gunzip(corrupt) }
        #expect(error?.description == "invalid gzip data: incorrect data check")

        error = #expect(throws: CompressionError.self) { try Zlib.inflate(Array("hello world".utf8)) }
        #expect(error?.description == "invalid zlib data: incorrect header check")

        error = #expect(throws: CompressionError.self) { try Zlib.inflateRaw([0xFF, 0xFF, 0xFF]) }
        #expect(error?.description == "invalid deflate data: invalid block type")

        error = #expect(throws: CompressionError.self) { try Zlib.inflate(Fixtures.deflateWithDictionary) }
        #expect(error?.description == "zlib data needs a preset dictionary")
    }

    @Test(arguments: Format.allCases)
    func emptyInputIsTruncated(format: Format) {
        let error = #expect(throws: CompressionError.self) { try format.decompress([]) }
        #expect(error?.description == "truncated input")
    }

    @Test(arguments: Format.allCases)
    func zipBombStopsAtTheLimit(format: Format) {
        let bomb = format.compress([UInt8](repeating: 0, count: 10 * 1024 * 1024), level: 9)
        #expect(bomb.count < 20 * 1024)
        let error = #expect(throws: CompressionError.self) { try format.decompress(bomb, maximumOutput: 1024 * 1024) }
        #expect(error?.description == "decompressed data exceeds 1048576 bytes")
    }

    @Test(arguments: Format.allCases)
    func limitIsInclusive(format: Format) throws {
        let compressed = format.compress(Self.large)
        #expect(try format.decompress(compressed, maximumOutput: Self.large.count) == Self.large)
        #expect(throws: CompressionError.self) { try format.decompress(compressed, maximumOutput: Self.large.count - 1) }
        #expect(try format.decompress(format.compress([]), maximumOutput: 0) == [])
    }

    @Test func looksLikeGzip() {
        #expect(Zlib.looksLikeGzip([0x1F, 0x8B]))
        #expect(Zlib.looksLikeGzip(Fixtures.batchGzip))
        #expect(!Zlib.looksLikeGzip([0x1F]))
        #expect(!Zlib.looksLikeGzip([]))
        #expect(!Zlib.looksLikeGzip([0x8B, 0x1F]))
        #expect(!Zlib.looksLikeGzip(Array("[{\"event\"".utf8)))
    }
}
