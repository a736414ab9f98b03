import Foundation
import OrderedJSON
import PluginRuntime
import Storage

/// The requests of queued action webhook and REST hook deliveries, made when each runs from the
/// webhook or hook as it is then: a message uses the template saved last, and one deleted sends nothing.
struct HookDeliveries: Sendable {
    let store: any HookStore

    /// The request to send for the item, `nil` when there is nothing to send (deleted, or turned off).
    func request(for item: WorkItem) async throws -> PluginHTTPRequest? {
        guard let lane = HookLane(workQueueID: item.pluginConfigID),
            let event = (try? JSONValue.parse(item.payload))?.objectValue
        else { return nil }
        switch lane {
        case .actionWebhook(let id):
            guard let webhook = try await store.actionWebhook(id: id, teamID: item.teamID), webhook.settings.enabled else {
                return nil
            }
            return Self.post(ActionWebhookMessage(webhook: webhook, event: event).payload, to: webhook.settings.url)
        case .restHook(let id):
            guard let hook = try await store.restHook(id: id, teamID: item.teamID) else { return nil }
            return Self.post(Self.restHookPayload(hook, event: event), to: hook.target)
        }
    }

    /// The target of the item's REST hook answered 410 Gone: Zapier's way to unsubscribe.
    func unsubscribe(_ item: WorkItem) async throws {
        guard case .restHook(let id)? = HookLane(workQueueID: item.pluginConfigID) else { return }
        _ = try await store.deleteRestHook(id: id, teamID: item.teamID)
    }

    /// What PostHog posts to a REST hook: the hook, and the event as `data`.
    static func restHookPayload(_ hook: RestHook, event: JSONObject) -> JSONValue {
        [
            "hook": ["id": JSONValue(hook.id), "event": .string(hook.event), "target": .string(hook.target)],
            "data": eventData(event),
        ]
    }

    /// The event as webhooks and hooks carry it: the stored fields, not capture's extras (`ip`, `now`, …).
    static func eventData(_ event: JSONObject) -> JSONValue {
        [
            "uuid": event["uuid"] ?? .null, "event": event["event"] ?? .null, "distinct_id": event["distinct_id"] ?? .null,
            "properties": event["properties"] ?? .object(JSONObject()), "timestamp": event["timestamp"] ?? .null,
            "team_id": event["team_id"] ?? .null,
        ]
    }

    private static func post(_ payload: JSONValue, to url: String) -> PluginHTTPRequest {
        PluginHTTPRequest(
            method: "POST", url: url, headers: [PluginHTTPHeader(name: "Content-Type", value: "application/json")],
            body: payload.serialized())
    }
}
