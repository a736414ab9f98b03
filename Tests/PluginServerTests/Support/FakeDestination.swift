import Foundation
import Hummingbird
import NIOCore
import OrderedJSON
import QuillTestSupport
import Synchronization

/// An export destination on 127.0.0.1 that answers with the status the test sets, and keeps the
/// uuids of the batches it accepted.
final class FakeDestination: Sendable {
    private struct State {
        var status = 200
        var requests = 0
        var received: [String] = []
    }

    private let state = Mutex(State())
    private let server = Mutex<LocalHTTPServer?>(nil)

    var url: String { "\(server.withLock { $0?.baseURL ?? "" })/batch" }
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
        let started = try await LocalHTTPServer.start(router)
        server.withLock { $0 = started }
    }

    func stop() {
        server.withLock { $0?.stop() }
    }
}
