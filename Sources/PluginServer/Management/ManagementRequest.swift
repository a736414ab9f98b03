import EventIngestion
import Foundation
import Hummingbird
import NIOCore
import OrderedJSON
import PluginPackaging

/// Reading management requests: bodies as JSON or multipart, path parameters as ids.
enum ManagementRequest {
    /// Largest JSON body of the management API.
    static let maximumJSONSize = 5 * 1024 * 1024
    /// Largest upload: a plugin archive or an attachment.
    static let maximumUploadSize = PluginArchive.maximumTotalSize

    static func body(_ request: Request, limit: Int = maximumUploadSize) async throws -> [UInt8] {
        do {
            return Array(buffer: try await request.body.collect(upTo: limit))
        } catch is NIOTooManyBytesError {
            throw APIError(
                status: .contentTooLarge, type: "validation_error", code: "payload_too_large",
                detail: "The request body is larger than \(limit) bytes.")
        }
    }

    /// The body as a multipart form; nil when the content type is not `multipart/form-data`, a 400 when it is
    /// and the body doesn't parse.
    static func multipartForm(contentType: String?, body: [UInt8]) throws -> MultipartForm? {
        do {
            return try MultipartForm(contentType: contentType, body: body)
        } catch {
            throw APIError.invalidInput(error.description)
        }
    }

    /// The body as a JSON object; an empty body is an empty object.
    static func jsonObject(_ request: Request) async throws -> JSONObject {
        try jsonObject(from: try await body(request, limit: maximumJSONSize))
    }

    /// A body read already, as a JSON object; an empty body is an empty object.
    static func jsonObject(from bytes: [UInt8]) throws -> JSONObject {
        if bytes.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) { return JSONObject() }
        do {
            guard case .object(let object) = try JSONValue.parse(bytes) else {
                throw APIError.invalidInput("The request body must be a JSON object.")
            }
            return object
        } catch let error as JSONSyntaxError {
            throw APIError.invalidInput("The request body is not valid JSON: \(error)")
        }
    }

    static func id(_ context: QuillRequestContext, _ name: String) throws -> Int {
        guard let text = pathParameter(context, name), let id = Int(text) else { throw APIError.notFound }
        return id
    }

    /// Refuses a file name with a NUL byte in it: SQLite (through GRDB) and the compiler's C APIs end a string
    /// there, so `a\0b` would be stored or compiled as `a`.
    static func refuseNUL(inFileName name: String, attribute: String? = nil) throws {
        guard name.contains("\0") else { return }
        throw APIError.invalidInput("The file name \(JSONValue.string(name).serializedString) has a NUL byte in it.", attribute: attribute)
    }

    /// A path parameter as the client meant it: the router hands it over still percent-encoded, and clients
    /// encode `@current` as `%40current`.
    static func pathParameter(_ context: QuillRequestContext, _ name: String) -> String? {
        context.parameters.get(name).map { $0.removingPercentEncoding ?? $0 }
    }
}

extension JSONValue {
    /// A config value as PostHog stores it: strings as they are, other scalars as their JSON text.
    var configText: String? {
        switch self {
        case .null: nil
        case .string(let string): string
        default: serializedString
        }
    }

    /// Parses stored JSON text, `null` when it doesn't parse.
    static func stored(_ text: String?) -> JSONValue {
        text.flatMap { try? JSONValue.parse($0) } ?? .null
    }
}

extension Date {
    var jsonValue: JSONValue { .string(Timestamp(self).iso8601) }
}

/// A management request's query parameters, with the checks the list routes share.
struct ManagementQuery {
    /// The non-empty parameters, decoded as HTML forms, `URLSearchParams` and Django do (`+` is a
    /// space); the first of a repeated name wins.
    let parameters: [String: String]

    init(_ request: Request) {
        func decoded(_ text: Substring) -> String {
            let spaced = text.replacingOccurrences(of: "+", with: " ")
            return spaced.removingPercentEncoding ?? spaced
        }
        var parameters: [String: String] = [:]
        for pair in (request.uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = parts.count > 1 ? decoded(parts[1]) : ""
            if !value.isEmpty, parameters[decoded(parts[0])] == nil { parameters[decoded(parts[0])] = value }
        }
        self.parameters = parameters
    }

    subscript(name: String) -> String? { parameters[name] }

    /// The parameter as an ISO 8601 time, if given.
    func time(_ name: String) throws -> Timestamp? {
        guard let text = parameters[name] else { return nil }
        guard let timestamp = Timestamp(iso8601: text) else {
            throw APIError.invalidInput("'\(name)' must be an ISO 8601 time, like 2026-11-21T12:00:00Z.", attribute: name)
        }
        return timestamp
    }

    /// `limit`, from 1 to 1000; `defaultLimit` when not given.
    func limit(default defaultLimit: Int) throws -> Int {
        guard let text = parameters["limit"] else { return defaultLimit }
        guard let limit = Int(text), (1...1000).contains(limit) else {
            throw APIError.invalidInput("'limit' must be a whole number from 1 to 1000.", attribute: "limit")
        }
        return limit
    }
}
