/// Why compressed input could not be decoded: not the expected format, corrupt, truncated, or over the size limit.
public struct CompressionError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }

    static let truncated = CompressionError("truncated input")

    static func tooLarge(_ limit: Int, unit: String = "bytes") -> CompressionError {
        CompressionError("decompressed data exceeds \(limit) \(unit)")
    }
}
