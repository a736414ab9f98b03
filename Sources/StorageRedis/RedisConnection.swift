import NIOCore
import NIOPosix

/// A command on its way to Redis with the answer it waits for.
struct RedisRequest: Sendable {
    var arguments: [[UInt8]]
    var answer: PendingAnswer
}

/// The answer to one command, settled once: by Redis, by the connection ending, or by the write failing
/// (a request can meet more than one of these).
final class PendingAnswer: @unchecked Sendable {
    // @unchecked: `settled` is only touched on the connection's event loop, where handlers and future callbacks run.
    let promise: EventLoopPromise<RESPValue>
    private var settled = false

    init(on eventLoop: any EventLoop) {
        promise = eventLoop.makePromise()
    }

    func succeed(_ value: RESPValue) {
        guard !settled else { return }
        settled = true
        promise.succeed(value)
    }

    func fail(_ error: any Error) {
        guard !settled else { return }
        settled = true
        promise.fail(error)
    }
}

/// Pairs answers with requests in order (Redis answers a connection's commands in the order sent), and
/// fails every waiting request when the connection ends.
final class RedisRequestHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private var waiting = CircularBuffer<PendingAnswer>()

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        var buffer = context.channel.allocator.buffer(capacity: request.arguments.reduce(16) { $0 + $1.count + 16 })
        encodeCommand(request.arguments, into: &buffer)
        waiting.append(request.answer)
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        guard let answer = waiting.popFirst() else {
            context.fireErrorCaught(RESPProtocolError(description: "Redis answered a command that wasn't sent"))
            return
        }
        answer.succeed(value)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failWaiting(with: error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failWaiting(with: RedisError(description: "the connection to Redis closed"))
        context.fireChannelInactive()
    }

    private func failWaiting(with error: any Error) {
        while let answer = waiting.popFirst() { answer.fail(error) }
    }
}

/// An error Redis answered, or a failure to reach it.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// One TCP connection to Redis; commands on it are pipelined.
final class RedisConnection: Sendable {
    private let channel: any Channel
    /// A command unanswered this long closes the connection (failing everything waiting on it).
    static let answerTimeLimit = TimeAmount.seconds(10)

    private init(channel: any Channel) {
        self.channel = channel
    }

    var isActive: Bool { channel.isActive }

    static func connect(to endpoint: RedisEndpoint, group: any EventLoopGroup) async throws -> RedisConnection {
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RESPDecoder()))
                        try channel.pipeline.syncOperations.addHandler(RedisRequestHandler())
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port).get()
        } catch {
            throw RedisError(description: "Redis at \(endpoint.host):\(endpoint.port) could not be reached: \(error)")
        }
        let connection = RedisConnection(channel: channel)
        do {
            if let password = endpoint.password {
                _ = try await connection.send(["AUTH"] + (endpoint.user.map { [$0] } ?? []) + [password])
            }
            if endpoint.database != 0 { _ = try await connection.send(["SELECT", String(endpoint.database)]) }
        } catch {
            try? await channel.close()
            throw error
        }
        return connection
    }

    func close() async {
        try? await channel.close()
    }

    /// Sends a command and returns its answer; an error answer is thrown as a ``RedisError``.
    func send(_ arguments: [String]) async throws -> RESPValue {
        let answer = PendingAnswer(on: channel.eventLoop)
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { error in
            answer.fail(RedisError(description: "the connection to Redis broke: \(error)"))
        }
        let channel = self.channel
        let timeout = channel.eventLoop.scheduleTask(in: Self.answerTimeLimit) { channel.close(promise: nil) }
        answer.promise.futureResult.whenComplete { _ in timeout.cancel() }
        channel.writeAndFlush(RedisRequest(arguments: arguments.map { Array($0.utf8) }, answer: answer), promise: written)
        let value = try await answer.promise.futureResult.get()
        if case .error(let message) = value { throw RedisError(description: message) }
        return value
    }
}

