import Foundation
import Hummingbird
import NIOCore
import OrderedJSON
import QuillTestSupport
import Synchronization

/// An export destination on 127.0.0.1 that answers with the status the test sets, and keeps the
/// uuids of the batches it accepted and every body it was sent.
final class FakeDestination: Sendable {
    private struct State {
        var status = 200
        var requests = 0
        var received: [String] = []
        var bodies: [JSONValue] = []
        var accepted: [JSONValue] = []
    }

    private let state = Mutex(State())
    private let server = Mutex<LocalHTTPServer?>(nil)

    var url: String { "\(server.withLock { $0?.baseURL ?? "" })/batch" }
    var requests: Int { state.withLock { $0.requests } }
    var received: [String] { state.withLock { $0.received } }
    /// Every JSON body sent, whatever the answer, in the order they came.
    var bodies: [JSONValue] { state.withLock { $0.bodies } }
    /// The JSON bodies it answered 200.
    var accepted: [JSONValue] { state.withLock { $0.accepted } }

    func setStatus(_ status: Int) {
        state.withLock { $0.status = status }
    }

    func start() async throws {
        let router = Router()
        router.post("batch") { [self] request, _ in
            let body = try await request.body.collect(upTo: 10_000_000)
            let json = try? JSONValue.parse(Array(buffer: body))
            let uuids = json?.arrayValue?.compactMap(\.stringValue) ?? []
            let status = state.withLock { state in
                state.requests += 1
                if let json {
                    state.bodies.append(json)
                    if state.status == 200 { state.accepted.append(json) }
                }
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
