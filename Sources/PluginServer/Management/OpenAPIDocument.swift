import HTTPTypes
import Hummingbird
import NIOCore
import OrderedJSON

/// The management API's OpenAPI 3.1 document: `paths` from the route table the server registers,
/// the schemas, parameters and error responses they name from `OpenAPI/components.json`.
enum OpenAPIDocument {
    /// Builds the document. A name the components file lacks is an error, so a slip in a route's
    /// declaration stops the server's start instead of serving a broken document.
    static func make(operations: [ManagementOperation], components: JSONObject) throws(OpenAPIDocumentError) -> JSONValue {
        var paths = JSONObject()
        for operation in operations {
            var methods = paths[operation.openAPIPath]?.objectValue ?? JSONObject()
            methods[operation.method.rawValue.lowercased()] = try json(of: operation, components: components)
            paths[operation.openAPIPath] = .object(methods)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Quill management API",
                "version": "1",
                "description": """
                    PostHog-compatible plugin, plugin-config and events API of Quill. Authenticate with \
                    'Authorization: Bearer <personal API key>'. Another organization's resources answer 404. The key \
                    posthog.api gives a plugin only reads its own project: writes and organization routes answer 403 \
                    (permission_denied), other projects 404.
                    """,
            ],
            "servers": [["url": "/"]],
            "security": [["personalAPIKey": []]],
            "tags": .array(ManagementOperation.Tag.allCases.map { tag -> JSONValue in ["name": .string(tag.rawValue), "description": .string(tag.description)] }),
            "paths": .object(paths),
            "components": .object(components),
        ]
    }

    /// `OpenAPI/components.json`, embedded in the binary at build time.
    static func embeddedComponents() throws(OpenAPIDocumentError) -> JSONObject {
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(EmbeddedJSON.components)
        } catch {
            throw OpenAPIDocumentError(description: "components.json is not valid JSON: \(error)")
        }
        guard case .object(let components) = parsed else { throw OpenAPIDocumentError(description: "components.json is not a JSON object") }
        return components
    }

    private static func json(of operation: ManagementOperation, components: JSONObject) throws(OpenAPIDocumentError) -> JSONValue {
        func reference(_ section: String, _ name: String) throws(OpenAPIDocumentError) -> JSONValue {
            guard components[section]?[name] != nil else {
                throw OpenAPIDocumentError(
                    description: "\(operation.method) \(operation.path) names \(section) '\(name)', which components.json lacks")
            }
            return ["$ref": .string("#/components/\(section)/\(name)")]
        }
        func content(_ contents: [ManagementOperation.Content]) throws(OpenAPIDocumentError) -> JSONValue {
            var object = JSONObject()
            for each in contents {
                let schema = try reference("schemas", each.schema)
                object[each.mediaType] = ["schema": schema]
            }
            return .object(object)
        }

        var object = JSONObject()
        object["operationId"] = .string(operationID(of: operation))
        object["summary"] = .string(operation.summary)
        object["tags"] = [.string(operation.tag.rawValue)]
        var parameters: [JSONValue] = []
        for name in operation.pathParameters + operation.parameters { parameters.append(try reference("parameters", name)) }
        if !parameters.isEmpty { object["parameters"] = .array(parameters) }
        if !operation.body.isEmpty {
            let bodyContent = try content(operation.body)
            object["requestBody"] = ["required": .bool(operation.bodyRequired), "content": bodyContent]
        }
        var responses: [(status: Int, response: JSONValue)] = []
        for answer in operation.answers {
            var response = JSONObject([("description", .string(answer.status.reasonPhrase))])
            if let answerContent = answer.content { response["content"] = try content([answerContent]) }
            responses.append((answer.status.code, .object(response)))
        }
        var errors = operation.errors.map { ($0.status.code, $0.rawValue) }
        if operation.needsKey { errors.append((HTTPResponse.Status.unauthorized.code, "Unauthorized")) }
        for (status, name) in errors {
            let response = try reference("responses", name)
            responses.append((status, response))
        }
        object["responses"] = .object(JSONObject(responses.sorted { $0.status < $1.status }.map { (key: String($0.status), value: $0.response) }))
        if !operation.needsKey { object["security"] = [] }
        return .object(object)
    }

    /// `get_api_projects_project_id_events`: the method and the path's words.
    private static func operationID(of operation: ManagementOperation) -> String {
        let words = (operation.method.rawValue.lowercased() + "/" + operation.path)
            .split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
        return words.joined(separator: "_")
    }
}

struct OpenAPIDocumentError: Error, CustomStringConvertible {
    var description: String
}

/// `GET /api/openapi.json`: the document of every route in the table, itself included, built once at start.
struct OpenAPIController: Sendable {
    static let operation = ManagementOperation(
        method: .get, path: "api/openapi.json", summary: "This document", tag: .openAPI, parameters: [], body: [],
        bodyRequired: false, answers: [.json("OpenAPIDocument")], errors: [], needsKey: false)

    private let document: ByteBuffer

    /// - Parameter routes: Every other route the server registers.
    init(documenting routes: [ManagementRoute]) throws(OpenAPIDocumentError) {
        let json = try OpenAPIDocument.make(
            operations: routes.map(\.operation) + [Self.operation], components: try OpenAPIDocument.embeddedComponents())
        document = ByteBuffer(bytes: json.serialized())
    }

    var routes: [ManagementRoute] {
        [
            ManagementRoute(Self.operation) { [document] _, _ in
                Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: document))
            }
        ]
    }
}
