import Hummingbird
import NIOCore
import OrderedJSON
import PluginRuntime
import Storage

/// `/_health`: the process answers. `/_ready`: it can take events and run their plugins — the
/// database is reachable, the enabled plugin configs are loaded, and no script thread is held by one
/// call past the time limit (which should have stopped it). Neither waits for plugin code.
struct HealthController: Sendable {
    let storage: any StorageBackend
    let pluginsLoaded: ReadyGate
    let runtime: PluginRuntime
    let pluginTimeLimit: Duration

    func addRoutes(to router: Router<QuillRequestContext>) {
        router.get("_health") { _, _ in Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ok"))) }
        router.get("_ready") { _, _ in await readiness() }
    }

    private func readiness() async -> Response {
        var checks = JSONObject()
        var ready = true
        do {
            try await storage.check()
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
        // A little past the limit: the watchdog stops a call within a few milliseconds of it.
        let held = runtime.threadsBusy(longerThan: pluginTimeLimit + .seconds(1))
        if held.isEmpty {
            checks["plugin_threads"] = "ok"
        } else {
            checks["plugin_threads"] = .string(
                held.map { "\($0.thread) has run one call for \(Int($0.busyFor.components.seconds)) s, past the time limit" }
                    .joined(separator: "; "))
            ready = false
        }
        return Response.json(
            ["status": ready ? "ready" : "not ready", "checks": .object(checks)], status: ready ? .ok : .serviceUnavailable)
    }
}
