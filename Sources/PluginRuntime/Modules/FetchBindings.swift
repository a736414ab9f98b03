import JavaScriptEngine
import NIOHTTP1

/// The Swift side of `node-fetch`: `native.fetch(url, method, [[name, value]…], bytesOrNull,
/// {timeout, size, compress})` makes one HTTP exchange off the script thread and returns a promise of
/// `{status, statusText, headers: [[name, value]…], body: Uint8Array}`, or of `{error: {name,
/// message, type, code}}` for the module to throw as node-fetch would.
///
/// Every call checks the address against the operator's ``FetchPolicy``, so each redirect the
/// module follows is checked again.
enum FetchBindings {
    static func install(
        on native: ScriptValue, in context: ScriptContext, policy: FetchPolicy, server: (any PluginAPIAccess)?,
        interceptor: (any PluginRequestInterceptor)? = nil
    ) throws(ScriptError) {
        try native.set(
            "fetch",
            context.function { arguments, this in
                let convert = { (result: Result<FetchResponse, FetchFailure>, context: ScriptContext) throws in
                    try Self.value(of: result, in: context)
                }
                let request: FetchRequest
                do {
                    request = try FetchRequest(arguments, maximumBodySize: policy.maximumRequestSize)
                } catch let failure as FetchFailure {
                    return try this.context.promise(for: { .failure(failure) }, convert: convert)
                }
                // The plugin call's own limit: no fetch outlives the call that made it.
                let timeLimit = this.context.group.timeLimit
                // Quill's own address is allowed for posthog.api, under /api/ only.
                let policy = server?.serverURL.map(policy.allowingOwnServer) ?? policy
                return try this.context.promise(
                    for: {
                        if let interceptor, let answer = await interceptor.intercept(request.asPluginRequest) {
                            return .success(FetchResponse(answer))
                        }
                        return await FetchClient.perform(request, policy: policy, timeLimit: timeLimit)
                    }, convert: convert)
            })
    }

    private static func value(of result: Result<FetchResponse, FetchFailure>, in context: ScriptContext) throws(ScriptError)
        -> ScriptValue
    {
        let object = context.object()
        switch result {
        case .success(let response):
            try object.set("status", context.number(Double(response.status)))
            try object.set("statusText", context.string(response.statusText))
            try object.set(
                "headers",
                context.array(
                    response.headers.map { header throws(ScriptError) in
                        try context.array([context.string(header.name), context.string(header.value)])
                    }))
            try object.set("body", context.uint8Array(response.body))
        case .failure(let failure):
            let error = context.object()
            try error.set("name", context.string(failure.name))
            try error.set("message", context.string(failure.message))
            try error.set("type", failure.type.map(context.string) ?? context.null)
            try error.set("code", failure.code.map(context.string) ?? context.null)
            try object.set("error", error)
        }
        return object
    }
}

extension FetchRequest {
    /// The request as the plugin made it, for an interceptor.
    fileprivate var asPluginRequest: PluginHTTPRequest {
        PluginHTTPRequest(
            method: method, url: url, headers: (pluginHeaders ?? headers).map { PluginHTTPHeader(name: $0.name, value: $0.value) },
            body: body, rawURL: rawURL)
    }

    /// Reads `native.fetch`'s arguments; the module normalises them, but nothing here trusts it.
    ///
    /// - Throws: A ``FetchFailure`` of type `max-size` for a body over `maximumBodySize` bytes, before
    ///   it is copied out of JavaScript.
    fileprivate init(_ arguments: [ScriptValue], maximumBodySize: Int) throws {
        guard (5...7).contains(arguments.count), arguments[0].isString, arguments[1].isString, arguments[2].isArray, arguments[4].isObject
        else {
            throw HostFunctionError(name: "TypeError", message: "fetch takes a URL, a method, headers, a body and options")
        }
        url = try arguments[0].toString()
        method = try arguments[1].toString()
        headers = try Self.headers(arguments[2])
        pluginHeaders = arguments.count >= 6 && arguments[5].isArray ? try Self.headers(arguments[5]) : nil
        rawURL = arguments.count == 7 && arguments[6].isString ? try arguments[6].toString() : nil
        if arguments[3].isNullish {
            body = nil
        } else if arguments[3].isObject, let size = Int(exactly: try arguments[3].get("byteLength").toNumber()),
            size > maximumBodySize
        {
            throw FetchFailure(
                message: "request body to \(url) over limit: \(maximumBodySize) (QUILL_FETCH_MAX_REQUEST_BYTES)", type: "max-size")
        } else if let bytes = try arguments[3].bytes() {
            body = bytes
        } else {
            throw HostFunctionError(name: "TypeError", message: "the body must be bytes or null")
        }
        let options = arguments[4]
        let milliseconds = try options.get("timeout").toNumber()
        timeout = milliseconds.isFinite && milliseconds > 0 ? .milliseconds(min(milliseconds, 1e12)) : nil
        let size = try options.get("size").toNumber()
        sizeLimit = size.isFinite && size > 0 ? Int(min(size, Double(Int32.max))) : 0
        decompress = try options.get("compress").boolValue
    }

    private static func headers(_ list: ScriptValue) throws -> [(name: String, value: String)] {
        try list.arrayElements().map { pair in
            guard pair.isArray, try pair.get("length").toNumber() == 2 else {
                throw HostFunctionError(name: "TypeError", message: "each header must be a [name, value] pair")
            }
            return (try pair.get(0).toString(), try pair.get(1).toString())
        }
    }
}

extension FetchResponse {
    fileprivate init(_ answer: PluginHTTPResponse) {
        self.init(
            status: answer.status, statusText: HTTPResponseStatus(statusCode: answer.status).reasonPhrase,
            headers: answer.headers.map { (name: $0.name.lowercased(), value: $0.value) }, body: answer.body)
    }
}
