import Foundation
import NIOCore
import NIOPosix

/// Sends plain-text mail to the relay `QUILL_SMTP_URL` names (`smtp://host:port`), as RFC 5321 has it: EHLO,
/// MAIL FROM, RCPT TO, DATA, QUIT. No TLS or authentication: the relay is the operator's, on a network they trust.
struct SMTPClient: Sendable {
    let host: String
    let port: Int
    /// The longest a whole conversation may take, so a relay that stops answering can't hold a worker.
    var timeLimit: Duration = .seconds(30)

    /// The relay of an `smtp://host[:port]` URL (port 25 by default); `nil` for anything else.
    init?(url: String) {
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "smtp",
            let host = components.host, !host.isEmpty
        else { return nil }
        self.host = host
        port = components.port ?? 25
    }

    /// Delivers `message` (headers, a blank line, the body; lines ended by `\n` or `\r\n`) to every recipient.
    func send(from sender: String, to recipients: [String], message: String) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await converse(from: sender, to: recipients, message: message) }
            group.addTask {
                try await Task.sleep(for: timeLimit)
                throw SMTPError("the SMTP server at \(host):\(port) did not finish within \(timeLimit)")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    private func converse(from sender: String, to recipients: [String], message: String) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        try await channel.executeThenClose { inbound, outbound in
            var replies = SMTPReplies(inbound.makeAsyncIterator())
            func say(_ line: String, expecting codes: Set<Int>) async throws {
                try await outbound.write(ByteBuffer(string: line + "\r\n"))
                try await replies.expect(codes, after: line)
            }
            try await replies.expect([220], after: "connecting")
            try await say("EHLO quill", expecting: [250])
            try await say("MAIL FROM:<\(sender)>", expecting: [250])
            for recipient in recipients { try await say("RCPT TO:<\(recipient)>", expecting: [250, 251]) }
            try await say("DATA", expecting: [354])
            try await say(Self.dataSection(message) + "\r\n.", expecting: [250])
            try await say("QUIT", expecting: [221])
        }
    }

    /// The message with CRLF line ends and each line that starts with a dot given another (RFC 5321 §4.5.2).
    static func dataSection(_ message: String) -> String {
        message.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
    }
}

/// Reads the server's replies: lines `NNN-text` go on, `NNN text` ends a reply.
private struct SMTPReplies {
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private var pending: [UInt8] = []

    init(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) {
        self.inbound = inbound
    }

    // The caller's isolation is passed on, so the non-Sendable iterator never crosses to another executor.
    mutating func expect(_ codes: Set<Int>, after what: String, isolation: isolated (any Actor)? = #isolation) async throws {
        while true {
            let line = try await nextLine(isolation: isolation)
            guard line.count >= 3, let code = Int(line.prefix(3)) else { throw SMTPError("the SMTP server answered '\(line)' to \(what)") }
            let isLast = line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " "
            guard isLast else { continue }
            guard codes.contains(code) else { throw SMTPError("the SMTP server answered '\(line)' to \(what.prefix(80))") }
            return
        }
    }

    private mutating func nextLine(isolation: isolated (any Actor)?) async throws -> String {
        while true {
            if let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<end], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                pending.removeSubrange(...end)
                return line
            }
            guard let buffer = try await inbound.next(isolation: isolation) else { throw SMTPError("the SMTP server closed the connection") }
            pending += Array(buffer: buffer)
            guard pending.count < 65_536 else { throw SMTPError("the SMTP server sent a line longer than 64 KiB") }
        }
    }
}

struct SMTPError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
