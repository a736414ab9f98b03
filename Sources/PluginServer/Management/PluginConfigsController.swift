import EventIngestion
import Foundation
import HTTPTypes
import Hummingbird
import OrderedJSON
import PluginManifest
import PluginPackaging
import PluginRuntime
import Storage

/// `/api/projects/:project_id/plugin_configs/…`: a project's plugin chain.
///
/// Secret config fields are write-only: no answer contains them, and an update that leaves them
/// out keeps them. They are stored sealed (``ConfigSecrets``).
struct PluginConfigsController: Sendable {
    let authenticator: ManagementAuthenticator
    let store: any PluginStore
    let secrets: ConfigSecrets
    let runtime: PluginRuntime
    let reloader: PluginReloader
    let workQueue: any WorkQueueStore
    let schedule: any ScheduleStore

    static let base = "api/projects/:project_id/plugin_configs"
    /// Largest attachment.
    static let maximumAttachmentSize = 10 * 1024 * 1024

    var routes: [ManagementRoute] {
        // A plugin's key reads its own project: its writes answer 403.
        let configPath = "\(Self.base)/:config_id"
        let write: [ManagementOperation.ErrorAnswer] = [.badRequest, .forbidden, .notFound, .contentTooLarge]
        return [
            ManagementRoute(
                .get, Self.base, summary: "List the project's plugin configs in chain order", tag: .pluginConfigs,
                answers: [.json("PluginConfigPage")], errors: [.notFound], handler: list),
            ManagementRoute(
                .post, Self.base, summary: "Configure a plugin for the project", tag: .pluginConfigs,
                body: [.json("PluginConfigWrite"), .multipart("PluginConfigForm")], bodyRequired: true,
                answers: [.json("PluginConfig", .created)], errors: write, handler: create),
            ManagementRoute(
                .patch, "\(Self.base)/rearrange", summary: "Set the chain order", tag: .pluginConfigs,
                body: [.json("PluginConfigOrders")], bodyRequired: true, answers: [.json("PluginConfigPage")], errors: write,
                handler: rearrange),
            ManagementRoute(
                .get, configPath, summary: "Show a plugin config", tag: .pluginConfigs, answers: [.json("PluginConfig")],
                errors: [.notFound], handler: show),
            ManagementRoute(
                .patch, configPath, summary: "Enable, disable, reorder or reconfigure", tag: .pluginConfigs,
                body: [.json("PluginConfigWrite"), .multipart("PluginConfigForm")], answers: [.json("PluginConfig")],
                errors: write, handler: update),
            ManagementRoute(
                .delete, configPath, summary: "Remove a plugin config", tag: .pluginConfigs, answers: [.noContent],
                errors: [.forbidden, .notFound], handler: delete),
            ManagementRoute(
                .put, "\(configPath)/attachments/:key", summary: "Upload an attachment: the body is the file, its Content-Type the file's",
                tag: .pluginConfigs, parameters: ["file_name"], body: [.file], answers: [.json("PluginConfig")], errors: write,
                handler: putAttachment),
            ManagementRoute(
                .delete, "\(configPath)/attachments/:key", summary: "Remove an attachment", tag: .pluginConfigs,
                answers: [.json("PluginConfig")], errors: [.forbidden, .notFound], handler: deleteAttachment),
            ManagementRoute(
                .get, "\(configPath)/logs", summary: "The config's log, newest first", tag: .pluginConfigs,
                parameters: ["log_type", "log_type_filter", "log_source", "search", "after", "before", "limit"],
                answers: [.json("PluginLogPage")], errors: [.badRequest, .notFound], handler: logs),
            ManagementRoute(
                .get, "\(configPath)/jobs", summary: "The plugin's public jobs", tag: .pluginConfigs, answers: [.json("PublicJobs")],
                errors: [.notFound], handler: jobs),
            ManagementRoute(
                .post, "\(configPath)/jobs", summary: "Run a public job", tag: .pluginConfigs, body: [.json("JobRequest")],
                bodyRequired: true, answers: [.json("JobQueued", .accepted)], errors: write, handler: runJob),
            ManagementRoute(
                .get, "\(configPath)/dead_letters", summary: "Work that failed for good", tag: .pluginConfigs,
                answers: [.json("DeadLetterPage")], errors: [.notFound], handler: deadLetters),
            ManagementRoute(
                .get, "\(configPath)/scheduled_runs", summary: "Scheduled task runs, newest first", tag: .pluginConfigs,
                answers: [.json("ScheduledRunPage")], errors: [.notFound], handler: scheduledRuns),
            ManagementRoute(
                .post, "\(configPath)/dead_letters/replay", summary: "Replay dead letters", tag: .pluginConfigs,
                body: [.json("DeadLetterReplay")], answers: [.json("Replayed")], errors: write, handler: replayAll),
            ManagementRoute(
                .post, "\(configPath)/dead_letters/:item_id/replay", summary: "Replay one dead letter", tag: .pluginConfigs,
                answers: [.json("Replayed")], errors: [.forbidden, .notFound], handler: replayOne),
        ]
    }

    // MARK: Handlers

    private func list(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let project = try await authenticator.project(of: request, context)
        var results: [JSONValue] = []
        for config in try await store.pluginConfigs(teamID: project.id) {
            results.append(try await json(config))
        }
        return Response.json(PluginsController.page(results))
    }

    private func show(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        Response.json(try await json(try await config(request, context).config))
    }

    /// `{plugin, enabled, order, config}` as JSON, or multipart with `config` as JSON text and
    /// attachments as files named `add_attachment[KEY]`, as PostHog's form sends them.
    private func create(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let project = try await authenticator.project(of: request, context)
        let (body, uploads) = try await fields(of: request)
        guard let pluginID = body["plugin"].flatMap({ $0.configText }).flatMap({ Int($0) }),
            let plugin = try await store.plugin(id: pluginID), plugin.organizationID == project.organizationID
        else { throw APIError.invalidInput("'plugin' must be the id of one of your organization's plugins.", attribute: "plugin") }
        let existing = try await store.pluginConfigs(teamID: project.id)
        let order = try body["order"].map(Self.integer) ?? ((existing.map(\.order).max() ?? 0) + 1)
        let enabled = try body["enabled"].map(Self.boolean) ?? false
        let values = try secrets.sealingSecrets(
            of: try validated(merging: body["config"], into: [:], schema: plugin.configSchema, attachmentKeys: Set(uploads.keys)),
            secretKeys: ConfigSecrets.secretKeys(schema: plugin.configSchema))
        let id = try await store.createPluginConfig(
            teamID: project.id, pluginID: plugin.id, order: order, config: values, enabled: enabled)
        for (key, attachment) in uploads {
            try await store.setAttachment(attachment, key: key, pluginConfigID: id)
        }
        await reloader.reload(pluginConfigID: id, teamID: project.id)
        guard let created = try await store.pluginConfig(id: id) else { throw APIError.notFound }
        return Response.json(try await json(created), status: .created)
    }

    private func update(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let (config, plugin) = try await config(request, context)
        let (body, uploads) = try await fields(of: request)
        let enabled = try body["enabled"].map(Self.boolean)
        let order = try body["order"].map(Self.integer)
        let attachmentKeys = Set(config.attachments.keys).union(uploads.keys)
        let values =
            body["config"] != nil || !uploads.isEmpty
            ? try secrets.sealingSecrets(
                of: try validated(
                    merging: body["config"], into: config.config, schema: plugin.configSchema, attachmentKeys: attachmentKeys),
                secretKeys: ConfigSecrets.secretKeys(schema: plugin.configSchema), keeping: config.config)
            : nil
        try await store.updatePluginConfig(id: config.id, enabled: enabled, order: order, config: values)
        for (key, attachment) in uploads {
            try await store.setAttachment(attachment, key: key, pluginConfigID: config.id)
        }
        await reloader.reload(pluginConfigID: config.id, teamID: config.teamID)
        return Response.json(try await json(try await store.pluginConfig(id: config.id) ?? config))
    }

    private func delete(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let (config, _) = try await config(request, context)
        try await store.deletePluginConfig(id: config.id)
        await reloader.reload(pluginConfigID: config.id, teamID: config.teamID)
        return Response(status: .noContent)
    }

    /// `{"orders": {"<config id>": order, …}}`.
    private func rearrange(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let project = try await authenticator.project(of: request, context)
        guard case .object(let orders)? = try await ManagementRequest.jsonObject(request)["orders"] else {
            throw APIError.invalidInput("Send {\"orders\": {\"<config id>\": <order>, …}}.", attribute: "orders")
        }
        let configs = Dictionary(uniqueKeysWithValues: try await store.pluginConfigs(teamID: project.id).map { ($0.id, $0) })
        var changes: [(PluginConfigRecord, Int)] = []
        for (key, value) in orders {
            guard let id = Int(key), let config = configs[id] else {
                throw APIError.invalidInput("\(key) is not a plugin config of this project.", attribute: "orders")
            }
            changes.append((config, try Self.integer(value)))
        }
        for (config, order) in changes where config.order != order {
            try await store.updatePluginConfig(id: config.id, enabled: nil, order: order, config: nil)
            await reloader.reload(pluginConfigID: config.id, teamID: project.id)
        }
        var results: [JSONValue] = []
        for config in try await store.pluginConfigs(teamID: project.id) { results.append(try await json(config)) }
        return Response.json(PluginsController.page(results))
    }

    /// The body is the file; `Content-Type` its type, `?file_name=` its name.
    private func putAttachment(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let (config, plugin) = try await config(request, context)
        let key = ManagementRequest.pathParameter(context, "key") ?? ""
        try Self.requireAttachmentField(key, schema: plugin.configSchema)
        let contents = try await ManagementRequest.body(request, limit: Self.maximumAttachmentSize)
        let fileName = ManagementQuery(request)["file_name"] ?? key
        try ManagementRequest.refuseNUL(inFileName: fileName, attribute: "file_name")
        let attachment = PluginAttachment(
            contentType: request.headers[.contentType] ?? "application/octet-stream", fileName: fileName,
            contents: Data(contents))
        try await store.setAttachment(attachment, key: key, pluginConfigID: config.id)
        await reloader.reload(pluginConfigID: config.id, teamID: config.teamID)
        return Response.json(try await json(try await store.pluginConfig(id: config.id) ?? config))
    }

    private func deleteAttachment(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let (config, _) = try await config(request, context)
        try await store.setAttachment(nil, key: ManagementRequest.pathParameter(context, "key") ?? "", pluginConfigID: config.id)
        await reloader.reload(pluginConfigID: config.id, teamID: config.teamID)
        return Response.json(try await json(try await store.pluginConfig(id: config.id) ?? config))
    }

    /// Filters: `type` (comma list of DEBUG, LOG, INFO, WARN, ERROR), `source` (SYSTEM, PLUGIN,
    /// CONSOLE), `search`, `after`, `before` (ISO 8601), `limit` (1–1000, default 100); newest first.
    private func logs(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let (config, _) = try await config(request, context)
        let parameters = ManagementQuery(request)
        var query = PluginLogQuery(pluginConfigID: config.id)
        for type in (parameters["type"] ?? parameters["type_filter"] ?? "").split(separator: ",") {
            guard let level = PluginLogEntry.Level(rawValue: type.uppercased()) else {
                throw APIError.invalidInput("'\(type)' is not a log type: use DEBUG, LOG, INFO, WARN or ERROR.", attribute: "type")
            }
            query.types.insert(level)
        }
        for source in (parameters["source"] ?? "").split(separator: ",") {
            guard let value = PluginLogEntry.Source(rawValue: source.uppercased()) else {
                throw APIError.invalidInput("'\(source)' is not a log source: use SYSTEM, PLUGIN or CONSOLE.", attribute: "source")
            }
            query.sources.insert(value)
        }
        query.search = parameters["search"]
        query.after = try parameters.time("after")?.date
        query.before = try parameters.time("before")?.date
        query.limit = try parameters.limit(default: query.limit)
        let entries = try await store.logEntries(query).map { entry -> JSONValue in
            [
                "id": .string(entry.id.uuidString.lowercased()), "team_id": JSONValue(entry.teamID),
                "plugin_id": JSONValue(entry.pluginID), "plugin_config_id": JSONValue(entry.pluginConfigID),
                "timestamp": entry.timestamp.jsonValue, "source": .string(entry.source.rawValue),
                "type": .string(entry.type.rawValue), "message": .string(entry.message),
                "instance_id": .string(entry.instanceID.uuidString.lowercased()),
            ]
        }
        return Response.json(PluginsController.page(entries))
    }

    private func jobs(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let (_, plugin) = try await config(request, context)
        return Response.json(["public_jobs": .stored(plugin.publicJobs)])
    }

    /// `{type, payload}` (or PostHog's `{job: {type, payload, operation}}`): queued durably to run now.
    private func runJob(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let (config, plugin) = try await config(request, context)
        let body = try await ManagementRequest.jsonObject(request)
        let job = body["job"]?.objectValue ?? body
        guard let type = job["type"]?.stringValue else { throw APIError.invalidInput("'type' names the job to run.", attribute: "type") }
        guard JSONValue.stored(plugin.publicJobs)[type] != nil else {
            throw APIError.invalidInput("\(plugin.name) has no public job '\(type)'.", attribute: "type")
        }
        guard var payload = job["payload"]?.objectValue ?? (job["payload"] == nil ? JSONObject() : nil) else {
            throw APIError.invalidInput("'payload' must be an object.", attribute: "payload")
        }
        if let operation = job["operation"]?.stringValue { payload["$operation"] = .string(operation) }
        try await workQueue.enqueue([
            NewWorkItem(
                kind: .job, pluginConfigID: config.id, teamID: config.teamID,
                payload: JobPayload.make(type: type, payload: .object(payload)), runAt: Date())
        ])
        return Response.json(["type": .string(type), "status": "queued"], status: .accepted)
    }

    /// The runs of `runEveryMinute/Hour/Day`, newest first: boundary, start, end and outcome.
    private func scheduledRuns(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let (config, _) = try await config(request, context)
        let runs = try await schedule.runs(pluginConfigID: config.id, limit: 200).map { run -> JSONValue in
            [
                "task": .string(run.task), "boundary": run.boundary.jsonValue, "started_at": run.startedAt.jsonValue,
                "finished_at": run.finishedAt?.jsonValue ?? .null, "outcome": .string(run.outcome.rawValue),
                "error": run.error.map(JSONValue.string) ?? .null,
            ]
        }
        return Response.json(PluginsController.page(runs))
    }

    private func deadLetters(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let (config, _) = try await config(request, context)
        let letters = try await workQueue.deadLetters(pluginConfigID: config.id).map(Self.deadLetterJSON)
        return Response.json(PluginsController.page(letters))
    }

    static func deadLetterJSON(_ item: WorkItem) -> JSONValue {
        [
            "id": JSONValue(Int(item.id)), "kind": .string(item.kind.rawValue), "attempts": JSONValue(item.attempts),
            "error": item.lastError.map(JSONValue.string) ?? .null, "created_at": item.createdAt.jsonValue,
            "failed_at": item.runAt.jsonValue, "payload": (try? JSONValue.parse(item.payload)) ?? .null,
        ]
    }

    /// The dead letters a replay request names: `{"ids": [..]}`, or every one (`nil`) when it names none.
    static func replayIDs(_ request: Request) async throws -> [Int64]? {
        // Left out, every one; anything but a list of ids is refused, not read as "every one".
        try await ManagementRequest.jsonObject(request)["ids"].map { list -> [Int64] in
            guard let values = list.arrayValue else { throw APIError.invalidInput("'ids' must be a list of dead letter ids.", attribute: "ids") }
            return try values.map { value -> Int64 in
                guard let id = value.doubleValue.flatMap({ Int64(exactly: $0) }) else {
                    throw APIError.invalidInput("'ids' must be dead letter ids.", attribute: "ids")
                }
                return id
            }
        }
    }

    /// `{"ids": [..]}` replays those; an empty body replays all of the config's dead letters.
    private func replayAll(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let (config, _) = try await config(request, context)
        let ids = try await Self.replayIDs(request)
        let replayed = try await workQueue.replay(pluginConfigID: config.id, ids: ids, now: Date())
        return Response.json(["replayed": JSONValue(replayed)])
    }

    private func replayOne(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let (config, _) = try await config(request, context)
        let id = Int64(try ManagementRequest.id(context, "item_id"))
        guard try await workQueue.replay(pluginConfigID: config.id, ids: [id], now: Date()) == 1 else { throw APIError.notFound }
        return Response.json(["replayed": 1])
    }

    // MARK: Config values

    /// The config after applying `given` (`null` removes a key) to `current`, checked against the
    /// schema; sealed secrets kept from `current` were checked when they were given.
    private func validated(
        merging given: JSONValue?, into current: [String: String], schema: String, attachmentKeys: Set<String>
    ) throws -> [String: String] {
        var values = current
        switch given {
        case nil, .null?:
            break
        case .object(let object)?:
            for (key, value) in object { values[key] = value.configText }
        default:
            throw APIError.invalidInput("'config' must be an object of values.", attribute: "config")
        }
        let fields: [ConfigField]
        do {
            fields = try PluginManifest.configSchema(fromJSON: schema)
        } catch {
            throw APIError.invalidInput("The plugin's config schema is broken: \(error)")
        }
        let keptSealed = Set(values.filter { ConfigSecrets.isSealed($0.value) && current[$0.key] == $0.value }.keys)
        do {
            return try fields.validate(values, attachmentKeys: attachmentKeys, sealedKeys: keptSealed)
        } catch {
            var apiError = APIError.invalidInput(error.description, attribute: error.fieldErrors.first?.key)
            apiError.fieldErrors = error.fieldErrors.map { ($0.key, $0.message) }
            throw apiError
        }
    }

    private static func requireAttachmentField(_ key: String, schema: String) throws {
        let fields = (try? PluginManifest.configSchema(fromJSON: schema)) ?? []
        guard fields.contains(where: { $0.key == key && $0.type == .attachment }) else {
            throw APIError.invalidInput("'\(key)' is not an attachment field of this plugin.", attribute: key)
        }
    }

    private static func integer(_ value: JSONValue) throws -> Int {
        guard let number = value.doubleValue ?? value.stringValue.flatMap(Double.init), let integer = Int(exactly: number) else {
            throw APIError.invalidInput("'order' must be a whole number.", attribute: "order")
        }
        return integer
    }

    /// `enabled` as JSON, or as a form's text writes it (`true`, `True`, `1`, …), as PostHog reads it.
    private static func boolean(_ value: JSONValue) throws -> Bool {
        if let bool = value.boolValue { return bool }
        switch value.configText?.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw APIError.invalidInput("'enabled' must be true or false.", attribute: "enabled")
        }
    }

    /// JSON fields and `add_attachment[KEY]` files of a JSON or multipart body.
    private func fields(of request: Request) async throws -> (JSONObject, [String: PluginAttachment]) {
        let contentType = request.headers[.contentType]
        guard contentType?.lowercased().hasPrefix("multipart/form-data") == true else {
            return (try await ManagementRequest.jsonObject(request), [:])
        }
        let bytes = try await ManagementRequest.body(request)
        guard let form = try ManagementRequest.multipartForm(contentType: contentType, body: bytes) else {
            throw APIError.invalidInput("The multipart body could not be read.")
        }
        var body = JSONObject()
        var uploads: [String: PluginAttachment] = [:]
        for part in form.parts {
            if part.name.hasPrefix("add_attachment["), part.name.hasSuffix("]") {
                guard part.content.count <= Self.maximumAttachmentSize else {
                    throw APIError.invalidInput("Attachments may be at most \(Self.maximumAttachmentSize) bytes.", attribute: part.name)
                }
                let fileName = part.fileName ?? "attachment"
                try ManagementRequest.refuseNUL(inFileName: fileName, attribute: part.name)
                uploads[String(part.name.dropFirst(15).dropLast())] = PluginAttachment(
                    contentType: part.contentType ?? "application/octet-stream", fileName: fileName, contents: Data(part.content))
            } else if part.name == "config" {
                body["config"] = (try? JSONValue.parse(part.content)) ?? .string(part.text)
            } else {
                body[part.name] = (try? JSONValue.parse(part.content)) ?? .string(part.text)
            }
        }
        return (body, uploads)
    }

    // MARK: Access and shapes

    /// The config of the route with its plugin, if it belongs to the key's project.
    private func config(
        _ request: Request, _ context: QuillRequestContext
    ) async throws -> (config: PluginConfigRecord, plugin: PluginRecord) {
        try await authenticator.pluginConfig(of: request, context, in: store)
    }

    private func json(_ config: PluginConfigRecord) async throws -> JSONValue {
        let plugin = try await store.plugin(id: config.pluginID)
        let secretKeys = ConfigSecrets.secretKeys(schema: plugin?.configSchema ?? "[]")
        var values = JSONObject()
        // A sealed value stays hidden after a plugin update makes its field no longer secret.
        for (key, value) in config.config.sorted(by: { $0.key < $1.key })
        where !secretKeys.contains(key) && !ConfigSecrets.isSealed(value) {
            values[key] = .string(value)
        }
        var attachments = JSONObject()
        for (key, attachment) in config.attachments.sorted(by: { $0.key < $1.key }) {
            attachments[key] = [
                "content_type": .string(attachment.contentType), "file_name": .string(attachment.fileName),
                "size": JSONValue(attachment.size),
            ]
        }
        var lastError: JSONValue = .null
        if let error = await runtime.lastError(pluginConfigID: config.id, teamID: config.teamID) {
            lastError = [
                "name": .string(error.name), "message": .string(error.message),
                "stack": error.stack.map(JSONValue.string) ?? .null, "time": error.time.jsonValue,
                "event": error.event.map { JSONValue.stored($0) } ?? .null,
            ]
        }
        var statistics: JSONValue = .null
        if let stats = await runtime.statistics(pluginConfigID: config.id, teamID: config.teamID) {
            var functions = JSONObject()
            for (name, function) in stats.functions.sorted(by: { $0.key < $1.key }) {
                functions[name] = [
                    "calls": JSONValue(function.calls), "errors": JSONValue(function.errors),
                    "timeouts": JSONValue(function.timeouts), "seconds": JSONValue(function.seconds),
                ]
            }
            statistics = [
                "events_in": JSONValue(stats.eventsIn), "events_succeeded": JSONValue(stats.eventsSucceeded),
                "events_failed": JSONValue(stats.eventsFailed), "events_dropped": JSONValue(stats.eventsDropped),
                "functions": .object(functions), "plugin_seconds": JSONValue(stats.seconds),
            ]
        }
        return [
            "id": JSONValue(config.id), "plugin": JSONValue(config.pluginID), "team_id": JSONValue(config.teamID),
            "enabled": .bool(config.enabled), "order": JSONValue(config.order), "config": .object(values),
            "secret_fields_set": .array(secretKeys.sorted().filter { config.config[$0] != nil }.map(JSONValue.string)),
            "attachments": .object(attachments), "error": .stored(config.error), "last_error": lastError,
            "stats": statistics,
            "plugin_info": plugin.map(PluginsController.json) ?? .null,
            "created_at": config.createdAt.jsonValue, "updated_at": config.updatedAt.jsonValue,
        ]
    }
}
