import Compression
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PluginManifest
import PluginRuntime
import QuillTestSupport
import Storage
import Synchronization
import Testing

/// The example plugins that do more than `processEvent`, run through the runtime with real parts.
@Suite struct ExamplePluginTests {
    // MARK: buffered-exporter

    static let user = "quill"
    static let password = "correct horse: battery staple"

    @Test func bufferedExporterSendsEveryEventOnceInGzippedBatchesWithBasicAuth() async throws {
        let destination = try await ExportDestination.start(user: Self.user, password: Self.password)
        defer { destination.stop() }
        let harness = try PluginHarness(fetchPolicy: try FetchPolicy(environmentValue: "127.0.0.1"))
        try await loadBufferedExporter(into: harness, host: destination.url, batchSize: 3)

        let events = (1...7).map { exportEvent($0) }
        for event in events {
            let outcome = await harness.runtime.deliver(.onEvent(event.json), pluginConfigID: 39, teamID: 2)
            #expect(outcome == .succeeded)
        }
        // Full batches went out while onEvent waited for them; the seventh event is still buffered.
        #expect(destination.requests.map(\.uuids.count) == [3, 3])

        await harness.runtime.unload(pluginConfigID: 39, teamID: 2)
        let requests = destination.requests
        #expect(requests.map(\.uuids.count) == [3, 3, 1])
        #expect(requests.allSatisfy { $0.authorized && $0.gzipped && $0.json })
        #expect(destination.accepted == events.map(\.uuid))
        #expect(harness.messages().allSatisfy { !$0.contains("failed") })
    }

    @Test func bufferedExporterRetriesWhenTheDestinationAnswers503() async throws {
        let destination = try await ExportDestination.start(user: Self.user, password: Self.password)
        defer { destination.stop() }
        let harness = try PluginHarness(fetchPolicy: try FetchPolicy(environmentValue: "127.0.0.1"))
        try await loadBufferedExporter(into: harness, host: destination.url, batchSize: 2)

        destination.status = .serviceUnavailable
        let first = exportEvent(1)
        let second = exportEvent(2)
        #expect(await harness.runtime.deliver(.onEvent(first.json), pluginConfigID: 39, teamID: 2) == .succeeded)
        let outcome = await harness.runtime.deliver(.onEvent(second.json), pluginConfigID: 39, teamID: 2)
        guard case .retry(let message) = outcome else {
            Issue.record("expected .retry, got \(outcome)")
            return
        }
        #expect(message.contains("answered 503 to a batch of 2 events"))
        #expect(destination.accepted.isEmpty)

        // Delivered again once the destination is back, the batch goes out whole and nothing twice.
        destination.status = .ok
        #expect(await harness.runtime.deliver(.onEvent(second.json), pluginConfigID: 39, teamID: 2) == .succeeded)
        #expect(destination.accepted == [first.uuid, second.uuid])
        await harness.runtime.unload(pluginConfigID: 39, teamID: 2)
        #expect(destination.accepted == [first.uuid, second.uuid])
        #expect(destination.requests.count == 2)
    }

    @Test func bufferedExporterFailsWithoutRetryWhenTheDestinationRefuses() async throws {
        let destination = try await ExportDestination.start(user: Self.user, password: "another password")
        defer { destination.stop() }
        let harness = try PluginHarness(fetchPolicy: try FetchPolicy(environmentValue: "127.0.0.1"))
        try await loadBufferedExporter(into: harness, host: destination.url, batchSize: 1)

        let outcome = await harness.runtime.deliver(.onEvent(exportEvent(1).json), pluginConfigID: 39, teamID: 2)
        guard case .failed(let message) = outcome else {
            Issue.record("expected .failed, got \(outcome)")
            return
        }
        #expect(message.contains("refused a batch of 1 events: 401"))
        #expect(destination.accepted.isEmpty)
    }

    // MARK: recording-counter

    @Test func recordingCounterCountsEachSessionsBatchesInOnSnapshot() async throws {
        let harness = try PluginHarness()
        let package = try PluginPackage.load(directory: QuillExecutable.repositoryRoot.appending(path: "examples/recording-counter"))
        let code = try await PluginCompiler(providedModules: PluginRuntime.providedModules).compile(package)
        let config = try package.manifest.configSchema.validate([:], attachmentKeys: [])
        let outcome = await harness.runtime.load(
            PluginConfigDefinition(id: 39, teamID: 2, pluginID: 61, pluginName: package.manifest.name, config: config, code: code))
        guard case .ready(let capabilities) = outcome else {
            throw ExampleTestError(description: "recording-counter did not load: \(outcome)")
        }
        #expect(capabilities.methods.contains("onSnapshot") && !capabilities.methods.contains("processEvent"))

        func snapshot(session: String?, data: Any, name: String = "$snapshot") throws -> [UInt8] {
            var properties: [String: Any] = [name == "$snapshot" ? "$snapshot_data" : "$snapshot_items": data, "$window_id": "w1"]
            properties["$session_id"] = session
            return Array(try JSONSerialization.data(withJSONObject: sampleEvent(name, properties: properties)))
        }
        let meta: [String: Any] = ["type": 4, "data": ["href": "https://example.com/"], "timestamp": 1]
        let full: [String: Any] = ["type": 2, "data": ["node": ["type": 0, "childNodes": [], "id": 1]], "timestamp": 2]
        let move: [String: Any] = ["type": 3, "data": ["source": 1, "positions": []], "timestamp": 3]
        // The chain sends a $snapshot to onSnapshot, not through processEvent.
        let chain = try await harness.process(try JSONSerialization.jsonObject(with: Data(snapshot(session: "a", data: [meta]))) as! [String: Any])
        #expect(chain.result.followUps.map(\.kind) == [.onSnapshot] && chain.result.followUps.map(\.pluginConfigID) == [39])

        for event in [
            try snapshot(session: "a", data: [meta, full]), try snapshot(session: "b", data: [move]),
            try snapshot(session: "a", data: move), try snapshot(session: nil, data: [move]),
            try snapshot(session: "b", data: [full, move, move], name: "$snapshot_items"),
        ] {
            #expect(await harness.runtime.deliver(.onSnapshot(event), pluginConfigID: 39, teamID: 2) == .succeeded)
        }
        // A session is forgotten 24 hours after its last batch.
        harness.clock.advance(by: .seconds(24 * 3600 + 1))
        #expect(await harness.runtime.deliver(.onSnapshot(try snapshot(session: "a", data: [move])), pluginConfigID: 39, teamID: 2) == .succeeded)
        #expect(harness.messages(source: .console) == [
            "Session a: recording batch 1 with 2 rrweb events (1 full snapshot) from window w1",
            "Session b: recording batch 1 with 1 rrweb event (0 full snapshots) from window w1",
            "Session a: recording batch 2 with 1 rrweb event (0 full snapshots) from window w1",
            "Session b: recording batch 2 with 3 rrweb events (1 full snapshot) from window w1",
            "Session a: recording batch 1 with 1 rrweb event (0 full snapshots) from window w1",
        ])
    }

    /// Compiles examples/buffered-exporter as `quill plugin run` does and loads it as config 39 of team 2.
    private func loadBufferedExporter(into harness: PluginHarness, host: String, batchSize: Int) async throws {
        let package = try PluginPackage.load(
            directory: QuillExecutable.repositoryRoot.appending(path: "examples/buffered-exporter"))
        let code = try await PluginCompiler(providedModules: PluginRuntime.providedModules).compile(package)
        let config = try package.manifest.configSchema.validate(
            [
                "host": host, "user": Self.user, "password": Self.password, "batchSize": String(batchSize),
                // Longer than any test: batches go out because they are full or the plugin stops.
                "flushSeconds": "600",
            ],
            attachmentKeys: [])
        let outcome = await harness.runtime.load(
            PluginConfigDefinition(
                id: 39, teamID: 2, pluginID: 60, pluginName: package.manifest.name, config: config, code: code))
        guard case .ready(let capabilities) = outcome else {
            throw ExampleTestError(description: "buffered-exporter did not load: \(outcome)")
        }
        #expect(capabilities.methods.contains("onEvent"))
        #expect(capabilities.methods.contains("teardownPlugin"))
    }

    private func exportEvent(_ number: Int) -> (uuid: String, json: [UInt8]) {
        let uuid = String(format: "0192b1f4-0000-7000-8000-%012d", number)
        var event = sampleEvent("order \(number)", properties: ["number": number, "note": "héllo 🎉"])
        event["uuid"] = uuid
        return (uuid, Array(try! JSONSerialization.data(withJSONObject: event)))
    }
}

struct ExampleTestError: Error, CustomStringConvertible {
    var description: String
}

/// An export destination on 127.0.0.1: takes `POST /batch` with a gzipped `{"batch": [...]}`, answers
/// with `status`, and records each request and the events it accepted (those of 2xx answers).
final class ExportDestination: Sendable {
    struct Received: Sendable {
        var authorized: Bool
        var gzipped: Bool
        var json: Bool
        var uuids: [String]
    }

    private struct State {
        var status: HTTPResponse.Status = .ok
        var requests: [Received] = []
        var accepted: [String] = []
    }

    let url: String
    private let state: Mutex<State>
    private let server: LocalHTTPServer

    var status: HTTPResponse.Status {
        get { state.withLock { $0.status } }
        set { state.withLock { $0.status = newValue } }
    }
    var requests: [Received] { state.withLock { $0.requests } }
    var accepted: [String] { state.withLock { $0.accepted } }

    private init(url: String, server: LocalHTTPServer) {
        self.url = url
        self.state = Mutex(State())
        self.server = server
    }

    func stop() {
        server.stop()
    }

    static func start(user: String, password: String) async throws -> ExportDestination {
        let expectedAuthorization = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        let box = StateBox()
        let router = Router()
        router.post("batch") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let authorized = request.headers[.authorization] == expectedAuthorization
            let gzipped = request.headers[.contentEncoding] == "gzip"
            let json = request.headers[.contentType] == "application/json"
            let payload = try JSONSerialization.jsonObject(with: Data(Zlib.gunzip(Array(body.readableBytesView))))
            let batch = (payload as? [String: Any])?["batch"] as? [[String: Any]] ?? []
            let uuids = batch.compactMap { $0["uuid"] as? String }
            let status: HTTPResponse.Status = box.destination?.state.withLock { state in
                let status = authorized ? state.status : .unauthorized
                state.requests.append(Received(authorized: authorized, gzipped: gzipped, json: json, uuids: uuids))
                if (200..<300).contains(status.code) { state.accepted += uuids }
                return status
            } ?? .internalServerError
            return Response(status: status, body: ResponseBody(byteBuffer: ByteBuffer(string: "status \(status.code)")))
        }
        let server = try await LocalHTTPServer.start(router)
        let destination = ExportDestination(url: "\(server.baseURL)/batch", server: server)
        box.destination = destination
        return destination
    }

    /// Lets the route reach the destination made after the server starts.
    private final class StateBox: Sendable {
        private let value = Mutex<ExportDestination?>(nil)
        var destination: ExportDestination? {
            get { value.withLock { $0 } }
            set { value.withLock { $0 = newValue } }
        }
    }
}
