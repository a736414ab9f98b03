import Compression
import Foundation
import HTTPTypes
import Logging
import OrderedJSON
import PluginPackaging
import PluginRuntime
@testable import PluginServer
import QuillTestSupport
import Storage
import StorageSQLite

/// Calls to the management API of a server under test, with a personal API key.
struct Management {
    let port: Int
    var key = ServerProcess.personalAPIKey

    func get(_ path: String) async throws -> HTTPResult {
        try await HTTP.request(.get, port: port, path, headers: ["Authorization": "Bearer \(key)"])
    }

    func delete(_ path: String) async throws -> HTTPResult {
        try await HTTP.request(.delete, port: port, path, headers: ["Authorization": "Bearer \(key)"])
    }

    func send(_ method: HTTPRequest.Method, _ path: String, json: JSONValue) async throws -> HTTPResult {
        try await HTTP.request(
            method, port: port, path, headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"],
            body: json.serialized())
    }

    func send(_ method: HTTPRequest.Method, _ path: String, multipart parts: [MultipartPart]) async throws -> HTTPResult {
        let boundary = "quill-test-\(UUID().uuidString)"
        var body: [UInt8] = []
        for part in parts {
            var header = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let fileName = part.fileName { header += "; filename=\"\(fileName)\"" }
            header += "\r\n"
            if let contentType = part.contentType { header += "Content-Type: \(contentType)\r\n" }
            body += Array((header + "\r\n").utf8) + part.content + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return try await HTTP.request(
            method, port: port, path,
            headers: ["Authorization": "Bearer \(key)", "Content-Type": "multipart/form-data; boundary=\(boundary)"], body: body)
    }

    /// The config's log entries matching `query`, once there are some (polled for up to 10 s).
    func waitForLogs(config: Int, query: String) async throws -> [JSONValue] {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let entries = try await get("/api/projects/@current/plugin_configs/\(config)/logs/?\(query)").json?["results"]?.arrayValue ?? []
            if !entries.isEmpty || ContinuousClock.now > deadline { return entries }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Installs a plugin from files uploaded as a .zip; returns its id.
    func installArchive(_ files: [String: String], folder: String = "plugin-main") async throws -> Int {
        let archive = try PluginArchive.zip(files.mapValues { Data($0.utf8) }, folder: folder)
        let result = try await send(
            .post, "/api/organizations/@current/plugins/",
            multipart: [MultipartPart(name: "archive", fileName: "plugin.zip", contentType: "application/zip", content: archive)])
        guard result.status == 201, let id = result.json?["id"]?.doubleValue else {
            throw ServerProcessError(description: "install answered \(result.status): \(result.text)")
        }
        return Int(id)
    }

    /// Installs a plugin from its files as JSON (`plugin_type: source`); returns its id.
    func installSource(_ files: JSONValue) async throws -> Int {
        let result = try await send(.post, "/api/organizations/@current/plugins/", json: ["plugin_type": "source", "source": files])
        guard result.status == 201, let id = result.json?["id"]?.doubleValue else {
            throw ServerProcessError(description: "install answered \(result.status): \(result.text)")
        }
        return Int(id)
    }

    /// Creates a config; returns its id.
    func configure(_ json: JSONValue) async throws -> Int {
        let result = try await send(.post, "/api/projects/@current/plugin_configs/", json: json)
        guard result.status == 201, let id = result.json?["id"]?.doubleValue else {
            throw ServerProcessError(description: "configure answered \(result.status): \(result.text)")
        }
        return Int(id)
    }
}

struct MultipartPart {
    var name: String
    var fileName: String?
    var contentType: String?
    var content: [UInt8]
}

/// Capture one event for the default project and wait until it is stored.
func captureAndWait(port: Int, event name: String, distinctID: String = "user") async throws -> JSONValue? {
    let body = #"{"api_key":"\#(ServerProcess.projectToken)","event":"\#(name)","distinct_id":"\#(distinctID)","properties":{}}"#
    _ = try await HTTP.post(port: port, "/e/", json: body)
    return try await HTTP.waitForEvents(port: port, query: "event=\(name.urlQueryEncoded)", count: 1).first
}

extension PluginArchive {
    /// A .zip of text files in one top folder, as GitHub serves a repository.
    static func zipForTests(_ files: [String: String], folder: String = "plugin-main") throws -> [UInt8] {
        try zip(files.mapValues { Data($0.utf8) }, folder: folder)
    }
}

/// The management routes as the server registers them, as `METHOD /openapi/path/`.
enum ManagementRouteTable {
    static func signatures() throws -> [String] {
        let folder = try TemporaryFolder()
        let database = try SQLiteDatabase(path: folder.url.appending(path: "routes.sqlite").path)
        let runtime = PluginRuntime(
            configuration: PluginRuntimeConfiguration(workerCount: 1),
            services: PluginHostServices(
                cache: MemoryPluginCacheStore(), storage: MemoryPluginStorageStore(), logs: MemoryPluginLogStore()))
        var configuration = ServerConfiguration()
        configuration.dataDirectory = folder.url
        let routes = try QuillServer.managementRoutes(
            authenticator: ManagementAuthenticator(projects: SQLiteProjectStore(database: database)),
            store: SQLitePluginStore(database: database), runtime: runtime, repositories: PluginRepositorySettings(),
            secrets: try ConfigSecrets.load(for: configuration), logger: Logger(label: "routes"), workQueue: SQLiteWorkQueueStore(database: database),
            schedule: SQLiteScheduleStore(database: database),
            usage: PluginUsageRecorder(
                runtime: runtime, store: SQLitePluginUsageStore(database: database), logger: Logger(label: "routes")),
            ingestion: SQLiteIngestionStore(database: database), wakeups: TeamWakeups(),
            hookStore: SQLiteHookStore(database: database),
            hookMatcher: HookMatcher(store: SQLiteHookStore(database: database), logger: Logger(label: "routes")),
            alertSettings: SQLiteAlertStore(database: database))
        return routes.map { "\($0.operation.method.rawValue) \($0.operation.openAPIPath)" }
    }
}
