import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import NIOCore
import OrderedJSON
import PluginServer
import QuillTestSupport
import StorageSQLite
import Synchronization
import Testing

/// `posthog.api.get/post/put/patch/delete` from plugin code in `quill serve` (reference §1.14, case 18).
@Suite struct PostHogAPITests {
    /// Installs a plugin whose public job `call` runs `body` (with `posthog` in scope) and logs what it returns.
    private func installCaller(_ api: Management, body: String) async throws -> Int {
        let pluginID = try await api.installSource([
            "plugin.json": #"{"name": "API caller", "publicJobs": {"call": {}}}"#,
            "index.js": .string(
                """
                export function processEvent(event) { return event }
                export const jobs = {
                  call: async () => {
                    try {
                      const result = await (async () => { \(body) })()
                      console.log('result', JSON.stringify(result))
                    } catch (error) {
                      console.log('error', String(error))
                    }
                  },
                }
                """),
        ])
        return try await api.configure(["plugin": JSONValue(pluginID), "enabled": true])
    }

    private func run(_ api: Management, config: Int) async throws -> String {
        #expect(try await api.send(.post, "/api/projects/@current/plugin_configs/\(config)/jobs/", json: ["type": "call"]).status == 202)
        let logs = try await api.waitForLogs(config: config, query: "source=CONSOLE")
        return try #require(logs.first?["message"]?.stringValue)
    }

    @Test func withoutHostOrKeysItCallsThisServerAsTheProject() async throws {
        let server = try ServerProcess()
        try await server.start()
        let api = Management(port: server.port)
        _ = try await captureAndWait(port: server.port, event: "seen by the api")
        let config = try await installCaller(
            api,
            body: """
                const events = await posthog.api.get('/api/projects/@current/events', { data: { event: 'seen by the api', limit: 5 } })
                const configs = await posthog.api.get('api/projects/@current/plugin_configs/')
                const elsewhere = await posthog.api.get('/api/projects/@current/events', { host: 'https://example.com' }).catch(String)
                const local = await fetch(new URL('/_health', 'http://127.0.0.1:1').toString()).catch((e) => e.code)
                return {
                  status: events.status,
                  events: (await events.json()).results.map((e) => e.event),
                  configs: (await configs.json()).results.map((c) => c.plugin_info?.name ?? c.plugin),
                  elsewhere,
                  local,
                }
                """)
        let message = try await run(api, config: config)
        let result = try JSONValue.parse(String(message.dropFirst("result ".count)))
        #expect(result["status"] == 200)
        #expect(result["events"] == ["seen by the api"])
        #expect(result["configs"]?.arrayValue?.count == 1)
        #expect(result["elsewhere"]?.stringValue?.contains("pass projectApiKey and personalApiKey") == true)
        // Only the server itself is let through the fetch address guard, not loopback in general.
        #expect(result["local"] == "ERR_ADDRESS_NOT_ALLOWED")
        await server.stop()
    }

    @Test func fetchReachesThisServerOnlyUnderAPIEvenWhereLoopbackIsAllowed() async throws {
        let redirector = try await LocalHTTPServer.start(Self.redirectingRouter())
        defer { redirector.stop() }
        let server = try ServerProcess(environment: ["QUILL_FETCH_ALLOW": "127.0.0.1"])
        try await server.start()
        let api = Management(port: server.port)
        _ = try await captureAndWait(port: server.port, event: "read through the api")
        let base = "http://127.0.0.1:\(server.port)"
        let config = try await installCaller(
            api,
            body: """
                const refused = {}
                for (const url of [
                  '\(base)/metrics', '\(base)/_ready', '\(base)/ui/', '\(base)/e/', 'http://localhost:\(server.port)/metrics',
                  '\(base)/api/../metrics', '\(base)/api/%2e%2e/metrics',
                  '\(redirector.baseURL)/redirect?to=' + encodeURIComponent('\(base)/metrics'),
                ]) {
                  refused[url] = await fetch(url).then((response) => response.status, (error) => error.code)
                }
                const events = await posthog.api.get('/api/projects/@current/events/', { data: { event: 'read through the api' } })
                return { refused, status: events.status, events: (await events.json()).results.map((e) => e.event) }
                """)
        let message = try await run(api, config: config)
        let result = try JSONValue.parse(String(message.dropFirst("result ".count)))
        let refused = try #require(result["refused"]?.objectValue)
        #expect(refused.count == 8)
        for (url, outcome) in refused {
            #expect(outcome == "ERR_ADDRESS_NOT_ALLOWED", "\(url)")
        }
        #expect(result["status"] == 200)
        #expect(result["events"] == ["read through the api"])
        await server.stop()
    }

    @Test func aPluginsKeyReadsItsOwnProjectAndNothingElse() async throws {
        let server = try ServerProcess()
        try await server.start()
        let api = Management(port: server.port)
        // A second project of the same organization, and another organization's project.
        let database = try SQLiteDatabase(path: server.dataDirectory.appending(path: "quill.sqlite").path)
        let sibling = try await database.pool.write { db in
            try db.execute(
                sql: "INSERT INTO team (organization_id, name, api_token, created_at) VALUES (1, 'Sibling', 'phc_sibling', ?)",
                arguments: [Date()])
            return db.lastInsertedRowID
        }
        let foreign = try await QuillServer.createOrganization(named: "Other", storage: SQLiteBackend(database: database))
        _ = try await captureAndWait(port: server.port, event: "own event")

        let config = try await installCaller(
            api,
            body: """
                const status = async (path) => (await posthog.api.get(path)).status
                const answer = async (response) => [response.status, await response.json()]
                const configs = (await (await posthog.api.get('/api/projects/@current/plugin_configs/')).json()).results
                const events = await posthog.api.get('/api/projects/@current/events/', { data: { event: 'own event' } })
                await posthog.capture('captured by the plugin')
                return {
                  events: [events.status, (await events.json()).results.map((e) => e.event)],
                  configs: configs.length,
                  logs: await status(`/api/projects/@current/plugin_configs/${configs[0].id}/logs/`),
                  usage: await status('/api/projects/1/plugin_usage/'),
                  sibling: await status('/api/projects/\(sibling)/events/'),
                  foreign: await status('/api/projects/\(foreign.projectID)/events/'),
                  me: await status('/api/users/@me/'),
                  plugins: await status('/api/organizations/@current/plugins/'),
                  install: await answer(await posthog.api.post('/api/organizations/@current/plugins/', {
                    data: { plugin_type: 'source', source: { 'plugin.json': '{"name": "Planted"}', 'index.js': '' } },
                  })),
                  disable: (await posthog.api.patch(`/api/projects/@current/plugin_configs/${configs[0].id}/`, { data: { enabled: false } })).status,
                  remove: (await posthog.api.delete(`/api/projects/@current/plugin_configs/${configs[0].id}/`)).status,
                  job: (await posthog.api.post(`/api/projects/@current/plugin_configs/${configs[0].id}/jobs/`, { data: { type: 'call' } })).status,
                }
                """)
        let message = try await run(api, config: config)
        let result = try JSONValue.parse(String(message.dropFirst("result ".count)))
        #expect(result["events"] == [200, ["own event"]])
        #expect(result["configs"] == 1)
        #expect(result["logs"] == 200)
        #expect(result["usage"] == 200)
        #expect(result["sibling"] == 404)
        #expect(result["foreign"] == 404)
        #expect(result["me"] == 403)
        #expect(result["plugins"] == 403)
        let install = result["install"]?.arrayValue ?? []
        #expect(install.first == 403)
        #expect(install.last?["type"] == "authentication_error")
        #expect(install.last?["code"] == "permission_denied")
        #expect(install.last?["detail"]?.stringValue?.hasPrefix("Plugin keys are read-only") == true)
        #expect(result["disable"] == 403)
        #expect(result["remove"] == 403)
        #expect(result["job"] == 403)

        // Nothing changed, and what the plugin captured went in with the project's own pipeline.
        #expect(try await api.get("/api/organizations/@current/plugins/").json?["count"] == 1)
        #expect(try await api.get("/api/projects/@current/plugin_configs/\(config)/").json?["enabled"] == true)
        #expect(try await HTTP.waitForEvents(port: server.port, query: "event=captured%20by%20the%20plugin", count: 1).count == 1)
        await server.stop()
    }

    /// `/redirect?to=URL` answers 302 to URL.
    private static func redirectingRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("redirect") { request, _ in
            Response(status: .found, headers: [.location: request.uri.queryParameters["to"].map(String.init) ?? "/"])
        }
        return router
    }

    @Test func explicitHostAndKeysShapeTheRequestAsPostHogDoes() async throws {
        let recorder = try await RequestRecorder.start()
        defer { recorder.stop() }
        let server = try ServerProcess(environment: ["QUILL_FETCH_ALLOW": "127.0.0.1"])
        try await server.start()
        let api = Management(port: server.port)
        let options = "host: '\(recorder.baseURL)', projectApiKey: 'token', personalApiKey: 'secret'"
        let config = try await installCaller(
            api,
            body: """
                const statuses = []
                for (const [method, data] of [['get', { a: 1, b: 'two' }], ['post', { a: 1 }], ['put', { a: 2 }], ['patch', { a: 3 }], ['delete', { a: 4 }]]) {
                  statuses.push((await posthog.api[method]('/api/projects/@current/things', { data, \(options) })).status)
                }
                const halfKeys = await posthog.api.get('/x', { projectApiKey: 'token' }).catch(String)
                return { statuses, halfKeys }
                """)
        let message = try await run(api, config: config)
        let result = try JSONValue.parse(String(message.dropFirst("result ".count)))
        #expect(result["statuses"] == [200, 200, 200, 200, 200])
        #expect(result["halfKeys"]?.stringValue?.contains("pass both projectApiKey and personalApiKey") == true)

        let requests = recorder.requests
        #expect(requests.map(\.method) == ["GET", "POST", "PUT", "PATCH", "DELETE"])
        #expect(requests.allSatisfy { $0.authorization == "Bearer secret" })
        #expect(requests.first?.uri == "/api/projects/1/things?token=token&a=1&b=two")
        #expect(requests.dropFirst().allSatisfy { $0.uri == "/api/projects/1/things?token=token" })
        #expect(requests.map(\.body) == ["", #"{"a":1}"#, #"{"a":2}"#, #"{"a":3}"#, ""])
        #expect(requests[1].contentType == "application/json")
        await server.stop()
    }
}

/// A server on 127.0.0.1 that answers 200 `{}` to anything under `/api/` and keeps each request.
private final class RequestRecorder: Sendable {
    struct Recorded: Sendable {
        var method: String
        var uri: String
        var authorization: String?
        var contentType: String?
        var body: String
    }

    private let recorded = Mutex<[Recorded]>([])
    private let server = Mutex<LocalHTTPServer?>(nil)

    var requests: [Recorded] { recorded.withLock { $0 } }
    var baseURL: String { server.withLock { $0?.baseURL ?? "" } }

    static func start() async throws -> RequestRecorder {
        let recorder = RequestRecorder()
        let router = Router()
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            router.on("api/**", method: method) { request, _ in
                let body = try await request.body.collect(upTo: 1 << 20)
                recorder.recorded.withLock {
                    $0.append(
                        Recorded(
                            method: request.method.rawValue, uri: request.uri.description,
                            authorization: request.headers[.authorization], contentType: request.headers[.contentType],
                            body: String(buffer: body)))
                }
                return Response(
                    status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
            }
        }
        let started = try await LocalHTTPServer.start(router)
        recorder.server.withLock { $0 = started }
        return recorder
    }

    func stop() {
        server.withLock { $0?.stop() }
    }
}
