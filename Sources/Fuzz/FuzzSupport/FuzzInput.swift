/// The fuzzer's bytes, read from the front: a few choices and short texts, then the rest as a body.
/// Past the end every choice is the first option and every text is empty, so any input is a valid case.
public struct FuzzInput {
    private var bytes: ArraySlice<UInt8>

    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = ArraySlice(UnsafeBufferPointer(start: data, count: size))
    }

    /// One of `options`, chosen by the next byte.
    public mutating func choice<Option>(_ options: [Option]) -> Option {
        options[Int(bytes.popFirst() ?? 0) % options.count]
    }

    /// The bytes up to the next NUL (dropped).
    public mutating func field() -> [UInt8] {
        let field = bytes.prefix { $0 != 0 }
        bytes = bytes.dropFirst(field.count + 1)
        return Array(field)
    }

    /// The bytes up to the next NUL (dropped), as UTF-8 with invalid sequences replaced.
    public mutating func text() -> String {
        String(decoding: field(), as: UTF8.self)
    }

    /// Everything not read yet.
    public var rest: [UInt8] { Array(bytes) }
}
