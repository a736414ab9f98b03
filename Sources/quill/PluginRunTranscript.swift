import Foundation
#if canImport(Glibc)
import Glibc
#endif
import OrderedJSON
import PluginRuntime
import Synchronization

/// `quill plugin run`'s stand-in for the network and the pipeline: answers `fetch`, webhooks and `posthog.api`
/// from the mock file and writes every request to the fetch log and every `posthog` call to the capture log
/// (plugin-run.md, "fetch, the mock and the logs"). Requests go over the network only with `--allow-network`.
final class PluginRunTranscript: PluginRequestInterceptor, PluginEventCapture, Sendable {
    private let mocks: [FetchMock]
    private let allowNetwork: Bool
    private let fetchLog: TranscriptFile?
    private let captureLog: TranscriptFile?

    init(mockFile: String?, fetchLog: String?, captureLog: String?, allowNetwork: Bool) throws {
        mocks = try mockFile.map(FetchMock.load) ?? []
        self.allowNetwork = allowNetwork
        self.fetchLog = try fetchLog.map(TranscriptFile.init)
        self.captureLog = try captureLog.map(TranscriptFile.init)
    }

    func intercept(_ request: PluginHTTPRequest) async -> PluginHTTPResponse? {
        var headers = JSONObject()
        for header in request.headers {
            let name = header.name.lowercased()
            headers[name] = .string(headers[name]?.stringValue.map { "\($0), \(header.value)" } ?? header.value)
        }
        fetchLog?.write(
            JSONObject([
                ("method", .string(request.method)), ("url", .string(request.url)), ("headers", .object(headers)),
                ("body", request.body.map { .string(String(decoding: $0, as: UTF8.self)) } ?? .null),
            ]))
        return allowNetwork ? nil : answer(method: request.method, urls: [request.url] + (request.rawURL.map { [$0] } ?? []))
    }

    func api(method: String, path: String, options: [UInt8]) async -> PluginHTTPResponse {
        let parsedOptions = (try? JSONValue.parse(options)) ?? .object(JSONObject())
        captureLog?.write(
            JSONObject([("type", "api"), ("method", .string(method)), ("path", .string(path)), ("options", parsedOptions)]))
        var host = parsedOptions.objectValue?["host"]?.stringValue ?? "https://app.posthog.com"
        while host.hasSuffix("/") { host.removeLast() }
        return answer(method: method, urls: [host + path])
    }

    func capture(pluginConfigID: Int, teamID: Int, pluginID: Int, event: String, properties: [UInt8]) async throws {
        let parsedProperties = (try? JSONValue.parse(properties)) ?? .object(JSONObject())
        captureLog?.write(JSONObject([("type", "capture"), ("event", .string(event)), ("properties", parsedProperties)]))
    }

    /// The first mock that matches one of `urls` (the normalised URL, then the raw one), else `200 {}`.
    private func answer(method: String, urls: [String]) -> PluginHTTPResponse {
        let mock = mocks.first { mock in urls.contains { mock.matches(method: method, url: $0) } }
        return mock?.response ?? PluginHTTPResponse(status: 200, headers: [], body: Array("{}".utf8))
    }
}

/// One entry of a `--fetch-mock` file: `{"method"?, "url", "status"?, "headers"?, "body"?}`.
struct FetchMock {
    var method: String?
    /// The URL, or a prefix of it when it ends in `*` (the `*` taken off).
    var url: String
    var isPrefix: Bool
    var response: PluginHTTPResponse

    func matches(method requestMethod: String, url requestURL: String) -> Bool {
        if let method, method.uppercased() != requestMethod.uppercased() { return false }
        return isPrefix ? requestURL.hasPrefix(url) : requestURL == url
    }

    static func load(_ path: String) throws -> [FetchMock] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("Could not read the fetch mock file \(path)", exitCode: 66)
        }
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(Array(data))
        } catch {
            throw CommandFailure("--fetch-mock \(path): \(error)", exitCode: usageExitCode)
        }
        guard let entries = parsed.arrayValue else {
            throw CommandFailure("--fetch-mock \(path): must be a JSON array of {method?, url, status?, headers?, body?}", exitCode: usageExitCode)
        }
        return try entries.enumerated().map { index, entry in
            guard let object = entry.objectValue, var url = object["url"]?.stringValue else {
                throw CommandFailure("--fetch-mock \(path): entry \(index + 1) needs a \"url\" string", exitCode: usageExitCode)
            }
            let isPrefix = url.hasSuffix("*")
            if isPrefix { url.removeLast() }
            let status = object["status"].flatMap { $0.doubleValue }.flatMap { Int(exactly: $0) } ?? 200
            guard (100...999).contains(status) else {
                throw CommandFailure("--fetch-mock \(path): entry \(index + 1) has status \(status)", exitCode: usageExitCode)
            }
            let headers = (object["headers"]?.objectValue).map { headers in
                headers.map { PluginHTTPHeader(name: $0.key, value: $0.value.stringValue ?? $0.value.serializedString) }
            } ?? []
            let body: [UInt8] =
                switch object["body"] {
                case nil: Array("{}".utf8)
                case .string(let text)?: Array(text.utf8)
                case let value?: value.serialized()
                }
            return FetchMock(
                method: object["method"]?.stringValue, url: url, isPrefix: isPrefix,
                response: PluginHTTPResponse(status: status, headers: headers, body: body))
        }
    }
}

/// A file of JSON lines, written in the order the lines come.
private final class TranscriptFile: Sendable {
    private let handle: Mutex<FileHandle>

    /// Opens `path` as `>` in a shell would: a file is created or emptied; a device is written to, never replaced.
    init(path: String) throws {
        // The process's own standard output and error are written where they already go.
        if path == "/dev/stdout" || path == "/dev/stderr" {
            handle = Mutex(path == "/dev/stdout" ? FileHandle.standardOutput : FileHandle.standardError)
            return
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CommandFailure("Could not write \(path): \(String(cString: strerror(errno)))", exitCode: 73)
        }
        handle = Mutex(FileHandle(fileDescriptor: descriptor, closeOnDealloc: true))
    }

    func write(_ line: JSONObject) {
        let bytes = JSONValue.object(line).serialized() + [UInt8(ascii: "\n")]
        handle.withLock { $0.write(Data(bytes)) }
    }
}
