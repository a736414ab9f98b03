/// Why compressed input could not be decoded: not the expected format, corrupt, truncated, or over the size limit.
public struct CompressionError: Error, Sendable, CustomStringConvertible {
    public var description: String
    /// The output would pass the caller's size limit: the input may be fine, there is just too much of it.
    public var exceedsLimit = false

    public init(_ description: String) {
        self.description = description
    }

    static let truncated = CompressionError("truncated input")

    static func tooLarge(_ limit: Int, unit: String = "bytes") -> CompressionError {
        var error = CompressionError("decompressed data exceeds \(limit) \(unit)")
        error.exceedsLimit = true
        return error
    }
}
