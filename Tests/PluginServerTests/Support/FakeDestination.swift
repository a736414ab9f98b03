import Foundation
import Hummingbird
import NIOCore
import OrderedJSON
import Synchronization

/// An export destination on 127.0.0.1 that answers with the status the test sets, and keeps the
/// uuids of the batches it accepted.
final class FakeDestination: Sendable {
    private struct State {
        var status = 200
        var requests = 0
        var received: [String] = []
        var port = 0
    }

    private let state = Mutex(State())
    private let server = Mutex<Task<Void, any Error>?>(nil)

    var url: String { "http://127.0.0.1:\(state.withLock { $0.port })/batch" }
    var requests: Int { state.withLock { $0.requests } }
    var received: [String] { state.withLock { $0.received } }

    func setStatus(_ status: Int) {
        state.withLock { $0.status = status }
    }

    func start() async throws {
        let router = Router()
        router.post("batch") { [self] request, _ in
            let body = try await request.body.collect(upTo: 10_000_000)
            let uuids = (try? JSONValue.parse(Array(buffer: body)))?.arrayValue?.compactMap(\.stringValue) ?? []
            let status = state.withLock { state in
                state.requests += 1
                if state.status == 200 { state.received += uuids }
                return state.status
            }
            return Response(status: HTTPResponse.Status(code: status))
        }
        let started = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in started.continuation.yield(channel.localAddress?.port ?? 0) })
        server.withLock { $0 = Task { try await application.run() } }
        for await port in started.stream {
            state.withLock { $0.port = port }
            break
        }
    }

    func stop() {
        server.withLock { $0?.cancel() }
    }
}
