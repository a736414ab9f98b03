import NIOCore
import NIOPosix

/// A few pipelined connections to one Redis, made when first needed and made again after one breaks.
public actor RedisClient {
    private let endpoint: RedisEndpoint
    private let group: any EventLoopGroup
    private var connections: [RedisConnection?]
    private var connecting: [Task<RedisConnection, any Error>?]
    private var next = 0

    public init(endpoint: RedisEndpoint, connections: Int = 4) {
        self.endpoint = endpoint
        self.group = MultiThreadedEventLoopGroup.singleton
        self.connections = Array(repeating: nil, count: max(1, connections))
        self.connecting = Array(repeating: nil, count: max(1, connections))
    }

    /// Sends a command on the next connection in turn; Redis's error answers are thrown as ``RedisError``.
    func send(_ arguments: [String]) async throws -> RESPValue {
        try await connection().send(arguments)
    }

    /// Checks that Redis answers.
    public func ping() async throws {
        guard try await send(["PING"]) == .simpleString("PONG") else { throw RedisError(description: "Redis did not answer PING") }
    }

    public func close() async {
        for connection in connections { await connection?.close() }
        connections = connections.map { _ in nil }
    }

    private func connection() async throws -> RedisConnection {
        let index = next
        next = (next + 1) % connections.count
        if let connection = connections[index], connection.isActive { return connection }
        if let pending = connecting[index] { return try await pending.value }
        let endpoint = self.endpoint
        let group = self.group
        let pending = Task { try await RedisConnection.connect(to: endpoint, group: group) }
        connecting[index] = pending
        defer { connecting[index] = nil }
        let connection = try await pending.value
        connections[index] = connection
        return connection
    }
}
