import Foundation
import Hummingbird
import OrderedJSON
import Storage

/// A project's action webhooks (rules that post a message to Slack, Discord, Teams or a JSON webhook)
/// and REST hooks (Zapier's subscriptions), with the dead letters of their deliveries.
struct HooksController: Sendable {
    let authenticator: ManagementAuthenticator
    let store: any HookStore
    let matcher: HookMatcher
    let workQueue: any WorkQueueStore

    var routes: [ManagementRoute] {
        [
            ManagementRoute(
                .get, "api/projects/:project_id/action_webhooks", summary: "List the project's action webhooks", tag: .hooks,
                answers: [.json("ActionWebhookPage")], errors: [.forbidden, .notFound], handler: listWebhooks),
            ManagementRoute(
                .post, "api/projects/:project_id/action_webhooks",
                summary: "Add a rule that posts a message to a webhook when an event matches it", tag: .hooks,
                body: [.json("ActionWebhookWrite")], bodyRequired: true, answers: [.json("ActionWebhook", .created)],
                errors: [.badRequest, .forbidden, .notFound], handler: createWebhook),
            ManagementRoute(
                .get, "api/projects/:project_id/action_webhooks/:webhook_id", summary: "One action webhook", tag: .hooks,
                answers: [.json("ActionWebhook")], errors: [.forbidden, .notFound], handler: getWebhook),
            ManagementRoute(
                .patch, "api/projects/:project_id/action_webhooks/:webhook_id", summary: "Change an action webhook", tag: .hooks,
                body: [.json("ActionWebhookWrite")], answers: [.json("ActionWebhook")], errors: [.badRequest, .forbidden, .notFound],
                handler: updateWebhook),
            ManagementRoute(
                .delete, "api/projects/:project_id/action_webhooks/:webhook_id",
                summary: "Remove an action webhook and the REST hooks on it", tag: .hooks, answers: [.noContent],
                errors: [.forbidden, .notFound], handler: deleteWebhook),
            ManagementRoute(
                .get, "api/projects/:project_id/action_webhooks/:webhook_id/dead_letters",
                summary: "Messages of the action webhook that could not be delivered", tag: .hooks,
                answers: [.json("DeadLetterPage")], errors: [.forbidden, .notFound], handler: webhookDeadLetters),
            ManagementRoute(
                .post, "api/projects/:project_id/action_webhooks/:webhook_id/dead_letters/replay",
                summary: "Send the action webhook's undelivered messages again", tag: .hooks, body: [.json("DeadLetterReplay")],
                answers: [.json("Replayed")], errors: [.badRequest, .forbidden, .notFound], handler: replayWebhookDeadLetters),
            ManagementRoute(
                .get, "api/projects/:project_id/hooks", summary: "List the project's REST hooks", tag: .hooks,
                answers: [.json("RestHookPage")], errors: [.forbidden, .notFound], handler: listHooks),
            ManagementRoute(
                .post, "api/projects/:project_id/hooks",
                summary: "Subscribe a URL to the project's events (Zapier's REST hooks)", tag: .hooks,
                body: [.json("RestHookWrite")], bodyRequired: true, answers: [.json("RestHook", .created)],
                errors: [.badRequest, .forbidden, .notFound], handler: createHook),
            ManagementRoute(
                .get, "api/projects/:project_id/hooks/:hook_id", summary: "One REST hook", tag: .hooks,
                answers: [.json("RestHook")], errors: [.forbidden, .notFound], handler: getHook),
            ManagementRoute(
                .delete, "api/projects/:project_id/hooks/:hook_id", summary: "Unsubscribe a REST hook", tag: .hooks,
                answers: [.noContent], errors: [.forbidden, .notFound], handler: deleteHook),
            ManagementRoute(
                .get, "api/projects/:project_id/hooks/:hook_id/dead_letters",
                summary: "Deliveries of the REST hook that could not be made", tag: .hooks,
                answers: [.json("DeadLetterPage")], errors: [.forbidden, .notFound], handler: hookDeadLetters),
            ManagementRoute(
                .post, "api/projects/:project_id/hooks/:hook_id/dead_letters/replay",
                summary: "Make the REST hook's failed deliveries again", tag: .hooks, body: [.json("DeadLetterReplay")],
                answers: [.json("Replayed")], errors: [.badRequest, .forbidden, .notFound], handler: replayHookDeadLetters),
        ]
    }

    /// The route's project. A webhook URL is a secret (a Slack URL posts to its channel), so a plugin's
    /// `posthog.api` key, which reads the rest of its project, gets none of these routes.
    private func project(_ request: Request, _ context: QuillRequestContext) async throws -> Project {
        _ = try await authenticator.organizationID(of: request)
        return try await authenticator.project(of: request, context)
    }

    // MARK: Action webhooks

    private func listWebhooks(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let project = try await project(request, context)
        let webhooks = try await store.actionWebhooks(teamID: project.id)
        return Response.json(PluginsController.page(webhooks.map(Self.json)))
    }

    private func createWebhook(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let project = try await project(request, context)
        let settings = try ActionWebhookInput.settings(from: try await ManagementRequest.jsonObject(request), updating: nil)
        let webhook = try await store.createActionWebhook(teamID: project.id, settings: settings)
        matcher.forget(teamID: project.id)
        return Response.json(Self.json(webhook), status: .created)
    }

    private func getWebhook(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        Response.json(Self.json(try await webhook(request, context)))
    }

    private func updateWebhook(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let existing = try await webhook(request, context)
        let settings = try ActionWebhookInput.settings(from: try await ManagementRequest.jsonObject(request), updating: existing.settings)
        guard let webhook = try await store.updateActionWebhook(id: existing.id, teamID: existing.teamID, settings: settings) else {
            throw APIError.notFound
        }
        matcher.forget(teamID: webhook.teamID)
        return Response.json(Self.json(webhook))
    }

    private func deleteWebhook(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let existing = try await webhook(request, context)
        guard try await store.deleteActionWebhook(id: existing.id, teamID: existing.teamID) else { throw APIError.notFound }
        matcher.forget(teamID: existing.teamID)
        return Response(status: .noContent)
    }

    private func webhookDeadLetters(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let webhook = try await webhook(request, context)
        return try await deadLetters(of: .actionWebhook(id: webhook.id))
    }

    private func replayWebhookDeadLetters(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let webhook = try await webhook(request, context)
        return try await replay(request, .actionWebhook(id: webhook.id))
    }

    private func webhook(_ request: Request, _ context: QuillRequestContext) async throws -> ActionWebhook {
        let project = try await project(request, context)
        guard let webhook = try await store.actionWebhook(id: try ManagementRequest.id(context, "webhook_id"), teamID: project.id)
        else { throw APIError.notFound }
        return webhook
    }

    static func json(_ webhook: ActionWebhook) -> JSONValue {
        let settings = webhook.settings
        return [
            "id": JSONValue(webhook.id), "name": .string(settings.name), "enabled": .bool(settings.enabled),
            "event": settings.event.map(JSONValue.string) ?? .null, "property_filters": .stored(settings.propertyFilters),
            "service": .string(settings.service.rawValue), "url": .string(settings.url),
            "message_format": .string(settings.messageFormat), "created_at": webhook.createdAt.jsonValue,
        ]
    }

    // MARK: REST hooks

    private func listHooks(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let project = try await project(request, context)
        let hooks = try await store.restHooks(teamID: project.id)
        return Response.json(PluginsController.page(hooks.map(Self.json)))
    }

    private func createHook(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let project = try await project(request, context)
        let body = try await ManagementRequest.jsonObject(request)
        try ActionWebhookInput.refuseUnknownFields(in: body, known: ["target", "event", "resource_id"])
        let target = try ActionWebhookInput.url(body["target"], field: "target")
        guard let event = body["event"]?.stringValue, !event.isEmpty, event.count <= 400 else {
            throw APIError.invalidInput(
                "'event' must be an event name, or '\(RestHook.actionPerformed)' with 'resource_id' naming an action webhook.",
                attribute: "event")
        }
        var resourceID: Int?
        switch body["resource_id"] {
        case nil, .null?:
            if event == RestHook.actionPerformed {
                throw APIError.invalidInput(
                    "'\(RestHook.actionPerformed)' needs 'resource_id': the id of one of the project's action webhooks.",
                    attribute: "resource_id")
            }
        case let value?:
            guard event == RestHook.actionPerformed else {
                throw APIError.invalidInput(
                    "'resource_id' names an action webhook, so 'event' must be '\(RestHook.actionPerformed)'.", attribute: "resource_id")
            }
            guard let id = value.doubleValue.flatMap({ Int(exactly: $0) }) ?? value.stringValue.flatMap({ Int($0) }),
                try await store.actionWebhook(id: id, teamID: project.id) != nil
            else {
                throw APIError.invalidInput(
                    "'resource_id' \(value.serializedString) is not one of the project's action webhooks.", attribute: "resource_id")
            }
            resourceID = id
        }
        let hook = try await store.createRestHook(teamID: project.id, target: target, event: event, resourceID: resourceID)
        matcher.forget(teamID: project.id)
        return Response.json(Self.json(hook), status: .created)
    }

    private func getHook(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        Response.json(Self.json(try await hook(request, context)))
    }

    private func deleteHook(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let existing = try await hook(request, context)
        guard try await store.deleteRestHook(id: existing.id, teamID: existing.teamID) else { throw APIError.notFound }
        matcher.forget(teamID: existing.teamID)
        return Response(status: .noContent)
    }

    private func hookDeadLetters(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let hook = try await hook(request, context)
        return try await deadLetters(of: .restHook(id: hook.id))
    }

    private func replayHookDeadLetters(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let hook = try await hook(request, context)
        return try await replay(request, .restHook(id: hook.id))
    }

    private func hook(_ request: Request, _ context: QuillRequestContext) async throws -> RestHook {
        let project = try await project(request, context)
        guard let hook = try await store.restHook(id: try ManagementRequest.id(context, "hook_id"), teamID: project.id)
        else { throw APIError.notFound }
        return hook
    }

    static func json(_ hook: RestHook) -> JSONValue {
        [
            "id": JSONValue(hook.id), "event": .string(hook.event), "target": .string(hook.target),
            "resource_id": hook.resourceID.map { JSONValue($0) } ?? .null, "created_at": hook.createdAt.jsonValue,
        ]
    }

    private func deadLetters(of lane: HookLane) async throws -> Response {
        let items = try await workQueue.deadLetters(pluginConfigID: lane.workQueueID)
        return Response.json(PluginsController.page(items.map(PluginConfigsController.deadLetterJSON)))
    }

    private func replay(_ request: Request, _ lane: HookLane) async throws -> Response {
        let ids = try await PluginConfigsController.replayIDs(request)
        let replayed = try await workQueue.replay(pluginConfigID: lane.workQueueID, ids: ids, now: Date())
        return Response.json(["replayed": JSONValue(replayed)])
    }
}
