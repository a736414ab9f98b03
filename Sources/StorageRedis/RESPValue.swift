import NIOCore

/// A value of Redis's protocol (RESP2), as a server answers.
enum RESPValue: Sendable, Equatable {
    case simpleString(String)
    case error(String)
    case integer(Int)
    /// `nil` is the null bulk string: a missing value.
    case bulkString([UInt8]?)
    /// `nil` is the null array.
    case array([RESPValue]?)
}

struct RESPProtocolError: Error, CustomStringConvertible {
    var description: String
}

/// Reads whole RESP values out of what the server sent, refusing what no command of ours can be answered with:
/// lines over 64 KiB, bulk strings over 64 MiB, arrays over a million elements or nested deeper than 4.
struct RESPDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue

    static let maximumLineLength = 64 * 1_024
    static let maximumBulkLength = 64 * 1_048_576
    static let maximumArrayLength = 1_000_000
    static let maximumDepth = 4

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        var unread = buffer
        guard let value = try Self.value(from: &unread, depth: 0) else { return .needMoreData }
        buffer.moveReaderIndex(to: unread.readerIndex)
        context.fireChannelRead(wrapInboundOut(value))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    /// The next whole value, or nil when more bytes are needed (then `buffer` is left part read).
    static func value(from buffer: inout ByteBuffer, depth: Int) throws -> RESPValue? {
        guard let type = buffer.readInteger(as: UInt8.self), let line = try line(from: &buffer) else { return nil }
        switch type {
        case UInt8(ascii: "+"):
            return .simpleString(line)
        case UInt8(ascii: "-"):
            return .error(line)
        case UInt8(ascii: ":"):
            guard let number = Int(line) else { throw RESPProtocolError(description: "Redis sent a malformed integer") }
            return .integer(number)
        case UInt8(ascii: "$"):
            guard let length = Int(line), (-1...maximumBulkLength).contains(length) else {
                throw RESPProtocolError(description: "Redis sent a bulk string of length '\(line.prefix(20))'")
            }
            if length == -1 { return .bulkString(nil) }
            guard buffer.readableBytes >= length + 2, let bytes = buffer.readBytes(length: length) else { return nil }
            guard buffer.readBytes(length: 2) == [13, 10] else {
                throw RESPProtocolError(description: "Redis sent a bulk string without its line end")
            }
            return .bulkString(bytes)
        case UInt8(ascii: "*"):
            guard let count = Int(line), (-1...maximumArrayLength).contains(count), depth < maximumDepth else {
                throw RESPProtocolError(description: "Redis sent an array of length '\(line.prefix(20))' at depth \(depth)")
            }
            if count == -1 { return .array(nil) }
            var elements: [RESPValue] = []
            elements.reserveCapacity(min(count, 1_024))
            for _ in 0..<count {
                guard let element = try value(from: &buffer, depth: depth + 1) else { return nil }
                elements.append(element)
            }
            return .array(elements)
        default:
            throw RESPProtocolError(description: "Redis sent a value of unknown type \(type)")
        }
    }

    /// The text up to the next CRLF, which is consumed; nil when it hasn't all arrived.
    private static func line(from buffer: inout ByteBuffer) throws -> String? {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: 10) else {
            if view.count > maximumLineLength { throw RESPProtocolError(description: "Redis sent a line over 64 KiB") }
            return nil
        }
        let length = newline - view.startIndex
        guard length >= 1, view[newline - 1] == 13, length <= maximumLineLength + 1 else {
            throw RESPProtocolError(description: "Redis sent a line without CRLF or over 64 KiB")
        }
        let text = buffer.readString(length: length - 1)
        buffer.moveReaderIndex(forwardBy: 2)
        return text
    }
}

/// Writes a command as Redis reads it: an array of bulk strings.
func encodeCommand(_ arguments: [[UInt8]], into buffer: inout ByteBuffer) {
    buffer.writeString("*\(arguments.count)\r\n")
    for argument in arguments {
        buffer.writeString("$\(argument.count)\r\n")
        buffer.writeBytes(argument)
        buffer.writeString("\r\n")
    }
}
