import AsyncHTTPClient
import ChildProcesses
import Foundation
import NIOCore
import NIOHTTP1

/// A throw-away Google Cloud Storage emulator on 127.0.0.1 (`gcp-storage-emulator`, which `make test` installs from
/// scripts/requirements-test.txt), keeping everything in memory.
public final class GCSEmulator: Sendable {
    private let server: LoopbackServerProcess
    public var port: Int { server.port }

    /// What `STORAGE_EMULATOR_HOST` is set to for it.
    public var url: String { "http://127.0.0.1:\(port)" }

    private init(_ server: LoopbackServerProcess) {
        self.server = server
    }

    /// Starts an emulator on a free port and returns once it answers.
    public static func start() async throws -> GCSEmulator {
        guard
            let server = try await LoopbackServerProcess.start(
                "gcp-storage-emulator", executable: URL(filePath: "/usr/bin/env"),
                arguments: { ["gcp-storage-emulator", "start", "--host=127.0.0.1", "--port=\($0)", "--in-memory"] },
                within: .seconds(30),
                isReady: { port in (try? await send(.GET, "http://127.0.0.1:\(port)/storage/v1/b?project=test").status) == 200 })
        else {
            throw GCSEmulatorError(
                description: "gcp-storage-emulator did not start; is it installed (pip install -r scripts/requirements-test.txt)?")
        }
        return GCSEmulator(server)
    }

    /// Creates a bucket, as the JSON API's buckets.insert.
    public func createBucket(_ name: String) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["name": name])
        let response = try await send(.POST, "/storage/v1/b?project=test", body: Array(body))
        guard response.status == 200 else {
            throw GCSEmulatorError(description: "creating bucket \(name) answered \(response.status)")
        }
    }

    /// An object's contents, or nil when there is no such object.
    public func object(_ name: String, in bucket: String) async throws -> [UInt8]? {
        let response = try await send(.GET, "/storage/v1/b/\(bucket)/o/\(Self.encoded(name))?alt=media")
        return response.status == 404 ? nil : response.body
    }

    /// The names of a bucket's objects, in the emulator's order.
    public func objectNames(in bucket: String) async throws -> [String] {
        let response = try await send(.GET, "/storage/v1/b/\(bucket)/o")
        let list = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return (list?["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    }

    private func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil) async throws -> (status: Int, body: [UInt8]) {
        try await Self.send(method, url + path, body: body)
    }

    private static func send(_ method: HTTPMethod, _ url: String, body: [UInt8]? = nil) async throws -> (status: Int, body: [UInt8]) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), Array(bytes.readableBytesView))
    }

    private static func encoded(_ name: String) -> String {
        name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? name
    }
}

public struct GCSEmulatorError: Error, CustomStringConvertible {
    public var description: String
}
