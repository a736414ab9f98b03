import JavaScriptEngine

/// The Swift side of `pg`, each call off the script thread and answered by a promise:
///
/// - `native.pgConnect({host, port, user, password, database, ssl, parameters})` → `{id}`, where `ssl` is `null` or
///   `{rejectUnauthorized, ca}` and `parameters` the startup parameters as `[[name, value]…]`;
/// - `native.pgQuery(id, text, [null | string | Uint8Array…])` → `{command, rowCount, fields: [[name, dataTypeID]…],
///   rows: [[value…]…]}`, values as ``PgValue`` has them;
/// - `native.pgEnd(id)` → `undefined`.
///
/// A failure resolves to `{error: {message, code, server}}` (`server` the `DatabaseError` fields, or `null`), for the
/// module to throw as node-postgres would. Connections go only where the operator's ``FetchPolicy`` lets `fetch` go.
enum PgBindings {
    static func install(
        on native: ScriptValue, in context: ScriptContext, policy: FetchPolicy, connections: PgConnections
    ) throws(ScriptError) {
        try native.set(
            "pgConnect",
            context.function { arguments, this in
                let settings = try PgConnectionSettings(arguments.first ?? this.context.undefined)
                // The plugin call's own limit bounds the connect.
                let timeLimit = this.context.group.timeLimit
                return try this.context.promise(
                    for: { () -> Result<Int, PgFailure> in
                        do throws(PgFailure) {
                            return .success(try await connections.connect(settings, policy: policy, timeLimit: timeLimit))
                        } catch {
                            return .failure(error)
                        }
                    },
                    convert: { result, context in
                        try Self.value(of: result, in: context) { id, object throws(ScriptError) in
                            try object.set("id", context.number(Double(id)))
                        }
                    })
            })
        try native.set(
            "pgQuery",
            context.function { arguments, this in
                guard arguments.count == 3, let id = Int(exactly: try arguments[0].toNumber()), arguments[1].isString,
                    arguments[2].isArray
                else {
                    throw HostFunctionError(name: "TypeError", message: "pgQuery takes a connection, a text and parameters")
                }
                let text = try arguments[1].toString()
                let parameters = try arguments[2].arrayElements().map { value throws -> PgParameter? in
                    if value.isNullish { return nil }
                    if value.isString { return .text(try value.toString()) }
                    if let bytes = try value.bytes() { return .bytes(bytes) }
                    throw HostFunctionError(name: "TypeError", message: "each parameter must be null, a string or bytes")
                }
                let maximumSize = policy.maximumResponseSize
                let turn = connections.turn(id)
                do {
                    return try this.context.promise(
                        for: { () -> Result<PgQueryResult, PgFailure> in
                            do throws(PgFailure) {
                                return .success(
                                    try await connections.query(turn, text: text, parameters: parameters, maximumSize: maximumSize))
                            } catch {
                                return .failure(error)
                            }
                        },
                        convert: { result, context in
                            try Self.value(of: result, in: context) { result, object throws(ScriptError) in
                                try Self.fill(result, into: object)
                            }
                        })
                } catch {
                    connections.pass(turn)
                    throw error
                }
            })
        try native.set(
            "pgEnd",
            context.function { arguments, this in
                let id = Int(exactly: try arguments.first?.toNumber() ?? 0) ?? 0
                let turn = connections.turn(id)
                do {
                    return try this.context.promise(
                        for: { await connections.end(turn, id: id) }, convert: { _, context in context.undefined })
                } catch {
                    connections.pass(turn)
                    throw error
                }
            })
    }

    /// An object filled by `fill` from a success, or `{error}` from a failure.
    private static func value<Success>(
        of result: Result<Success, PgFailure>, in context: ScriptContext,
        fill: (Success, ScriptValue) throws(ScriptError) -> Void
    ) throws(ScriptError) -> ScriptValue {
        let object = context.object()
        switch result {
        case .success(let success):
            try fill(success, object)
        case .failure(let failure):
            let error = context.object()
            try error.set("message", context.string(failure.message))
            try error.set("code", failure.code.map(context.string) ?? context.null)
            if let fields = failure.serverFields {
                let server = context.object()
                for (name, value) in fields { try server.set(name, context.string(value)) }
                try error.set("server", server)
            } else {
                try error.set("server", context.null)
            }
            try object.set("error", error)
        }
        return object
    }

    private static func fill(_ result: PgQueryResult, into object: ScriptValue) throws(ScriptError) {
        let context = object.context
        try object.set("command", context.string(result.command))
        try object.set("rowCount", result.rowCount.map { context.number(Double($0)) } ?? context.null)
        try object.set(
            "fields",
            context.array(
                result.fields.map { field throws(ScriptError) in
                    try context.array([context.string(field.name), context.number(Double(field.dataTypeID))])
                }))
        try object.set(
            "rows",
            context.array(
                result.rows.map { row throws(ScriptError) in
                    try context.array(row.map { value throws(ScriptError) in try value.scriptValue(in: context) })
                }))
    }
}

extension PgValue {
    fileprivate func scriptValue(in context: ScriptContext) throws(ScriptError) -> ScriptValue {
        switch self {
        case .null: context.null
        case .number(let number): context.number(number)
        case .text(let text): context.string(text)
        case .boolean(let boolean): context.boolean(boolean)
        case .bytes(let bytes): try context.uint8Array(bytes)
        case .array(let values): try context.array(values.map { value throws(ScriptError) in try value.scriptValue(in: context) })
        }
    }
}

extension PgConnectionSettings {
    /// Reads `native.pgConnect`'s options; the module normalises them, but nothing here trusts it.
    fileprivate init(_ options: ScriptValue) throws {
        guard options.isObject else { throw HostFunctionError(name: "TypeError", message: "pgConnect takes an options object") }
        func text(_ name: String) throws -> String? {
            let value = try options.get(name)
            return value.isNullish ? nil : try value.toString()
        }
        host = try text("host") ?? "localhost"
        let port = try options.get("port").toNumber()
        guard let port = Int(exactly: port), (1...65535).contains(port) else {
            throw HostFunctionError(name: "RangeError", message: "port should be >= 0 and < 65536")
        }
        self.port = port
        user = try text("user") ?? ""
        password = try text("password")
        database = try text("database")
        let ssl = try options.get("ssl")
        if ssl.isObject {
            let ca = try ssl.get("ca")
            tls = .required(
                verify: try ssl.get("rejectUnauthorized").boolValue,
                ca: ca.isNullish ? nil : try ca.bytes() ?? Array(try ca.toString().utf8))
        } else {
            tls = .disabled
        }
        let parameters = try options.get("parameters")
        startupParameters =
            parameters.isArray
            ? try parameters.arrayElements().map { pair in (try pair.get(0).toString(), try pair.get(1).toString()) } : []
    }
}
