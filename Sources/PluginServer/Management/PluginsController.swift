import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OrderedJSON
import PluginPackaging
import Storage

/// `/api/organizations/:organization_id/plugins/…`: install, inspect, update and remove plugins.
struct PluginsController: Sendable {
    let authenticator: ManagementAuthenticator
    let store: any PluginStore
    let installer: PluginInstaller
    let repository: PluginRepository
    let reloader: PluginReloader
    /// The server folders `file:` URLs may name (`QUILL_PLUGIN_FOLDERS`).
    let pluginFolders: AllowedPluginFolders
    /// Seals the values of fields a new version makes secret.
    let secrets: ConfigSecrets

    static let base = "api/organizations/:organization_id/plugins"

    var routes: [ManagementRoute] {
        // Every route is the organization's, which a plugin's key may not reach (403).
        [
            ManagementRoute(
                .get, Self.base, summary: "List the organization's plugins", tag: .plugins, answers: [.json("PluginPage")],
                errors: [.forbidden, .notFound], handler: list),
            ManagementRoute(
                .post, Self.base, summary: "Install a plugin from a URL, a local path, an archive or source", tag: .plugins,
                body: [.json("PluginInstall"), .multipart("PluginUpload")], bodyRequired: true,
                answers: [.json("Plugin", .created)], errors: [.badRequest, .forbidden, .notFound, .contentTooLarge], handler: install),
            ManagementRoute(
                .get, "\(Self.base)/:plugin_id", summary: "Show a plugin", tag: .plugins, answers: [.json("Plugin")],
                errors: [.forbidden, .notFound], handler: show),
            ManagementRoute(
                .delete, "\(Self.base)/:plugin_id", summary: "Delete a plugin and its configs", tag: .plugins, answers: [.noContent],
                errors: [.forbidden, .notFound], handler: delete),
            ManagementRoute(
                .get, "\(Self.base)/:plugin_id/source", summary: "The plugin's text files", tag: .plugins,
                answers: [.json("PluginSource")], errors: [.forbidden, .notFound], handler: source),
            ManagementRoute(
                .patch, "\(Self.base)/:plugin_id/source", summary: "Change the plugin's files", tag: .plugins,
                body: [.json("PluginSourceChange")], answers: [.json("Plugin")],
                errors: [.badRequest, .forbidden, .notFound, .contentTooLarge], handler: updateSource),
            ManagementRoute(
                .get, "\(Self.base)/:plugin_id/download", summary: "The plugin's files as a .zip", tag: .plugins,
                answers: [.init(status: .ok, content: .zip)], errors: [.forbidden, .notFound], handler: download),
            ManagementRoute(
                .get, "\(Self.base)/:plugin_id/check_for_updates", summary: "Look up the newest version", tag: .plugins,
                answers: [.json("PluginUpdateCheck")], errors: [.badRequest, .forbidden, .notFound], handler: checkForUpdates),
            ManagementRoute(
                .post, "\(Self.base)/:plugin_id/upgrade", summary: "Install the newest version", tag: .plugins,
                answers: [.json("Plugin")], errors: [.badRequest, .forbidden, .notFound], handler: upgrade),
        ]
    }

    // MARK: Handlers

    private func list(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let organizationID = try await organization(request, context)
        let plugins = try await store.plugins(organizationID: organizationID)
        return Response.json(Self.page(plugins.map(Self.json)))
    }

    private func show(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        Response.json(Self.json(try await plugin(request, context)))
    }

    private func install(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let organizationID = try await organization(request, context)
        let contents = try await contentsToInstall(request)
        let id = try await store.install(contents, organizationID: organizationID)
        guard let plugin = try await store.plugin(id: id) else { throw APIError.notFound }
        return Response.json(Self.json(plugin), status: .created)
    }

    private func delete(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let plugin = try await plugin(request, context)
        let configs = try await store.pluginConfigs(pluginID: plugin.id)
        try await store.deletePlugin(id: plugin.id)
        for config in configs {
            await reloader.reload(pluginConfigID: config.id, teamID: config.teamID)
        }
        return Response(status: .noContent)
    }

    private func source(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let plugin = try await plugin(request, context)
        let files = try await store.files(pluginID: plugin.id)
        var object = JSONObject()
        for (name, data) in files.sorted(by: { $0.key < $1.key }) {
            if let text = String(data: data, encoding: .utf8) { object[name] = .string(text) }
        }
        return Response.json(.object(object))
    }

    /// `{filename: text}` sets files, `{filename: null}` removes them; the plugin is checked again
    /// and its configs reload.
    private func updateSource(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let plugin = try await plugin(request, context)
        var files = try await store.files(pluginID: plugin.id)
        for (name, value) in try await ManagementRequest.jsonObject(request) {
            switch value {
            case .null: files[name] = nil
            case .string(let text): files[name] = Data(text.utf8)
            default: throw APIError.invalidInput("Each file's content must be a string, or null to remove it.", attribute: name)
            }
        }
        let contents = try await installer.contents(of: files, pluginType: plugin.pluginType, url: plugin.url, tag: plugin.tag)
        try await store.update(pluginID: plugin.id, with: contents)
        try await secrets.sealPlaintextSecrets(of: try await store.pluginConfigs(pluginID: plugin.id), in: store)
        await reloader.reloadConfigs(ofPlugin: plugin.id)
        return Response.json(Self.json(try await store.plugin(id: plugin.id) ?? plugin))
    }

    /// A `.zip` that installs again unchanged (seed 002's "convert a source connector to a repository").
    private func download(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let plugin = try await plugin(request, context)
        let folder = plugin.name.lowercased().split { !($0.isLetter || $0.isNumber) }.joined(separator: "-")
        let archive = try PluginArchive.zip(await store.files(pluginID: plugin.id), folder: folder.isEmpty ? "plugin" : folder)
        return Response(
            status: .ok,
            headers: [.contentType: "application/zip", .contentDisposition: "attachment; filename=\"\(folder).zip\""],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: archive)))
    }

    private func checkForUpdates(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let plugin = try await plugin(request, context)
        let location = try self.location(of: plugin)
        try await store.setLatestTag(try await repository.latestTag(location), pluginID: plugin.id)
        return Response.json(["plugin": Self.json(try await store.plugin(id: plugin.id) ?? plugin)])
    }

    private func upgrade(_ request: Request, _ context: QuillRequestContext) async throws -> Response {
        let plugin = try await plugin(request, context)
        let location = try self.location(of: plugin)
        let (files, tag) = try await repository.download(location)
        let contents = try await installer.contents(of: files, pluginType: plugin.pluginType, url: plugin.url, tag: tag)
        try await store.update(pluginID: plugin.id, with: contents)
        try await store.setLatestTag(tag, pluginID: plugin.id)
        try await secrets.sealPlaintextSecrets(of: try await store.pluginConfigs(pluginID: plugin.id), in: store)
        await reloader.reloadConfigs(ofPlugin: plugin.id)
        return Response.json(Self.json(try await store.plugin(id: plugin.id) ?? plugin))
    }

    // MARK: Installing

    /// The four ways in: `{"url": …}` (GitHub, GitLab, npm, or `file:/path`), `{"plugin_type": "source",
    /// "source": {filename: text}}`, `{"archive": base64}`, or a multipart upload with an `archive` file.
    private func contentsToInstall(_ request: Request) async throws -> PluginContents {
        let bytes = try await ManagementRequest.body(request)
        if let form = try ManagementRequest.multipartForm(contentType: request.headers[.contentType], body: bytes) {
            guard let archive = form.part("archive") ?? form.parts.first(where: { $0.fileName != nil }) else {
                throw APIError.invalidInput("Upload the plugin as a file field named 'archive'.", attribute: "archive")
            }
            return try await contents(ofArchive: archive.content)
        }
        let body = try ManagementRequest.jsonObject(from: bytes)
        if let archive = body["archive"]?.stringValue {
            guard let bytes = Data(base64Encoded: archive) else {
                throw APIError.invalidInput("'archive' must be the archive's bytes in base64.", attribute: "archive")
            }
            return try await contents(ofArchive: Array(bytes))
        }
        if let source = body["source"] {
            guard case .object(let files) = source else {
                throw APIError.invalidInput("'source' must map file names to their text.", attribute: "source")
            }
            var data: [String: Data] = [:]
            for (name, value) in files {
                guard let text = value.stringValue else {
                    throw APIError.invalidInput("Each file in 'source' must be text.", attribute: name)
                }
                data[name] = Data(text.utf8)
            }
            return try await installer.contents(of: data, pluginType: "source")
        }
        guard let url = body["url"]?.stringValue, !url.isEmpty else {
            throw APIError.invalidInput(
                "Give 'url' (a GitHub, GitLab or npm URL, or file:/path), 'source', or an 'archive'.", attribute: "url")
        }
        if url.hasPrefix("file:") || url.hasPrefix("/") {
            let path = url.hasPrefix("file:") ? String(url.dropFirst(5)) : url
            let files = try PluginFolder.files(at: try pluginFolders.resolve(path), confined: true)
            return try await installer.contents(of: files, pluginType: "local", url: "file:\(path)")
        }
        guard let location = PluginLocation(url, settings: repository.settings) else {
            throw APIError.invalidInput("'\(url)' is not a GitHub, GitLab or npm URL Quill knows.", attribute: "url")
        }
        let (files, tag) = try await repository.download(location)
        return try await installer.contents(of: files, pluginType: "repository", url: url, tag: tag)
    }

    private func contents(ofArchive bytes: [UInt8]) async throws -> PluginContents {
        do {
            return try await installer.contents(of: try PluginArchive.files(of: bytes), pluginType: "custom")
        } catch let error as PluginArchiveError {
            throw APIError.invalidInput(error.description, attribute: "archive")
        }
    }

    private func location(of plugin: PluginRecord) throws -> PluginLocation {
        guard plugin.pluginType == "repository", let url = plugin.url,
            let location = PluginLocation(url, settings: repository.settings)
        else {
            throw APIError.invalidInput("Only plugins installed from a URL have versions to update to.", attribute: "url")
        }
        return location
    }

    // MARK: Access and shapes

    private func organization(_ request: Request, _ context: QuillRequestContext) async throws -> Int {
        let organizationID = try await authenticator.organizationID(of: request)
        let requested = ManagementRequest.pathParameter(context, "organization_id")
        guard requested == "@current" || requested == String(organizationID) else { throw APIError.notFound }
        return organizationID
    }

    /// The plugin of the route, if it belongs to the key's organization.
    private func plugin(_ request: Request, _ context: QuillRequestContext) async throws -> PluginRecord {
        let organizationID = try await organization(request, context)
        guard let plugin = try await store.plugin(id: try ManagementRequest.id(context, "plugin_id")),
            plugin.organizationID == organizationID
        else { throw APIError.notFound }
        return plugin
    }

    static func json(_ plugin: PluginRecord) -> JSONValue {
        [
            "id": JSONValue(plugin.id), "plugin_type": .string(plugin.pluginType), "name": .string(plugin.name),
            "description": plugin.description.map(JSONValue.string) ?? .null,
            "url": plugin.url.map(JSONValue.string) ?? .null, "tag": plugin.tag.map(JSONValue.string) ?? .null,
            "latest_tag": plugin.latestTag.map(JSONValue.string) ?? .null,
            "latest_tag_checked_at": plugin.latestTagCheckedAt?.jsonValue ?? .null,
            "config_schema": .stored(plugin.configSchema), "capabilities": .stored(plugin.capabilities),
            "public_jobs": .stored(plugin.publicJobs), "organization_id": JSONValue(plugin.organizationID),
            "is_global": false, "created_at": plugin.createdAt.jsonValue, "updated_at": plugin.updatedAt.jsonValue,
        ]
    }

    /// PostHog's list shape.
    static func page(_ results: [JSONValue]) -> JSONValue {
        ["count": JSONValue(results.count), "next": .null, "previous": .null, "results": .array(results)]
    }
}

extension HTTPField.Name {
    static let contentDisposition = HTTPField.Name("Content-Disposition")!
}
