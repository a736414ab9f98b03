import Hummingbird
import NIOCore
import OrderedJSON
import StorageSQLite

/// `/_health`: the process answers. `/_ready`: it can take events and run their plugins — the
/// database is reachable and the enabled plugin configs are loaded.
struct HealthController: Sendable {
    let database: SQLiteDatabase
    let pluginsLoaded: ReadyGate

    func addRoutes(to router: Router<QuillRequestContext>) {
        router.get("_health") { _, _ in Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ok"))) }
        router.get("_ready") { _, _ in await readiness() }
    }

    private func readiness() async -> Response {
        var checks = JSONObject()
        var ready = true
        do {
            try await database.check()
            checks["database"] = "ok"
        } catch {
            checks["database"] = .string("unreachable: \(error)")
            ready = false
        }
        if pluginsLoaded.isOpen {
            checks["plugins"] = "loaded"
        } else {
            checks["plugins"] = "loading"
            ready = false
        }
        return Response.json(
            ["status": ready ? "ready" : "not ready", "checks": .object(checks)], status: ready ? .ok : .serviceUnavailable)
    }
}
