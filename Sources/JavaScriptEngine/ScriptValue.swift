internal import CJavaScriptCore

/// A JavaScript value kept alive for as long as this Swift object lives.
///
/// Values belong to their context's thread: like the context, they are not `Sendable`.
public final class ScriptValue {
    public let context: ScriptContext
    let ref: JSValueRef

    init(_ ref: JSValueRef, in context: ScriptContext) {
        self.context = context
        self.ref = ref
        JSValueProtect(context.ref, ref)
    }

    deinit {
        JSValueUnprotect(context.ref, ref)
    }

    public var isUndefined: Bool { JSValueIsUndefined(context.ref, ref) }
    public var isNull: Bool { JSValueIsNull(context.ref, ref) }
    /// `null` or `undefined`.
    public var isNullish: Bool { isUndefined || isNull }
    public var isBoolean: Bool { JSValueIsBoolean(context.ref, ref) }
    public var isNumber: Bool { JSValueIsNumber(context.ref, ref) }
    public var isString: Bool { JSValueIsString(context.ref, ref) }
    public var isObject: Bool { JSValueIsObject(context.ref, ref) }
    public var isArray: Bool { JSValueIsArray(context.ref, ref) }
    public var isFunction: Bool {
        // isObject first: converting a primitive throws a TypeError, whose stack trace costs far more than the check.
        guard isObject, let object = JSValueToObject(context.ref, ref, nil) else { return false }
        return JSObjectIsFunction(context.ref, object)
    }

    /// Whether this is an object with a callable `then`: a promise or a promise-like value.
    public var isThenable: Bool {
        guard isObject, let then = try? get("then") else { return false }
        return then.isFunction
    }

    /// `value instanceof constructor`; false when the check itself throws (a proxy's trap).
    public func isInstance(of constructor: ScriptValue) -> Bool {
        guard let constructorObject = JSValueToObject(context.ref, constructor.ref, nil) else { return false }
        return isInstance(of: constructorObject)
    }

    func isInstance(of constructor: JSObjectRef) -> Bool {
        guard isObject else { return false }
        return (try? context.trying { JSValueIsInstanceOfConstructor(context.ref, ref, constructor, $0) }) ?? false
    }

    /// `===`.
    public func isStrictlyEqual(to other: ScriptValue) -> Bool {
        JSValueIsStrictEqual(context.ref, ref, other.ref)
    }

    /// JavaScript's truthiness.
    public var boolValue: Bool { JSValueToBoolean(context.ref, ref) }

    /// The value as a number (`NaN` when it isn't one and can't convert).
    public func toNumber() throws(ScriptError) -> Double {
        try context.trying { JSValueToNumber(context.ref, ref, $0) }
    }

    /// The value as JavaScript's `String(value)` gives it.
    public func toString() throws(ScriptError) -> String {
        let string = try context.trying { JSValueToStringCopy(context.ref, ref, $0) }
        guard let string else { return "" }
        defer { JSStringRelease(string) }
        return String(jsString: string)
    }

    /// The same value held for another context of its group: what is done with it then (settling it, its
    /// errors' classes, its memory account) is that context's.
    public func seen(from other: ScriptContext) -> ScriptValue {
        precondition(other.group === context.group, "values move only between contexts of one group")
        return ScriptValue(ref, in: other)
    }

    /// Reads the property `name`; `undefined` when absent. Throws for `null`/`undefined` or a throwing getter.
    public func get(_ name: String) throws(ScriptError) -> ScriptValue {
        let object = try asObject()
        let key = JSStringCreateWithUTF8CString(name)
        defer { JSStringRelease(key) }
        let value = try context.trying { JSObjectGetProperty(context.ref, object, key, $0) }
        return ScriptValue(value ?? JSValueMakeUndefined(context.ref), in: context)
    }

    /// Reads the element at `index` of an array or array-like object.
    public func get(_ index: Int) throws(ScriptError) -> ScriptValue {
        let object = try asObject()
        let value = try context.trying { JSObjectGetPropertyAtIndex(context.ref, object, UInt32(index), $0) }
        return ScriptValue(value ?? JSValueMakeUndefined(context.ref), in: context)
    }

    /// Sets the property `name`.
    public func set(_ name: String, _ value: ScriptValue) throws(ScriptError) {
        let object = try asObject()
        let key = JSStringCreateWithUTF8CString(name)
        defer { JSStringRelease(key) }
        try context.trying { JSObjectSetProperty(context.ref, object, key, value.ref, 0, $0) }
    }

    /// Whether the object has the property `name` (own or inherited).
    public func has(_ name: String) -> Bool {
        guard let object = JSValueToObject(context.ref, ref, nil), isObject else { return false }
        let key = JSStringCreateWithUTF8CString(name)
        defer { JSStringRelease(key) }
        return JSObjectHasProperty(context.ref, object, key)
    }

    /// The elements of an array, in order.
    public func arrayElements() throws(ScriptError) -> [ScriptValue] {
        let count = Int(try get("length").toNumber())
        var elements: [ScriptValue] = []
        elements.reserveCapacity(count)
        for index in 0..<count {
            elements.append(try get(index))
        }
        return elements
    }

    /// Calls this function with `arguments` and `this` (default `undefined`).
    @discardableResult
    public func call(_ arguments: [ScriptValue] = [], this: ScriptValue? = nil) throws(ScriptError) -> ScriptValue {
        let function = try asObject()
        guard JSObjectIsFunction(context.ref, function) else {
            throw ScriptError(name: "TypeError", message: "value is not a function")
        }
        let thisObject = this.flatMap { JSValueToObject(context.ref, $0.ref, nil) }
        let argumentRefs: [JSValueRef?] = arguments.map(\.ref)
        let result = try context.trying { exception in
            argumentRefs.withUnsafeBufferPointer {
                JSObjectCallAsFunction(context.ref, function, thisObject, arguments.count, $0.baseAddress, exception)
            }
        }
        return ScriptValue(result ?? JSValueMakeUndefined(context.ref), in: context)
    }

    /// Calls the method `name` of this object.
    @discardableResult
    public func callMethod(_ name: String, _ arguments: [ScriptValue] = []) throws(ScriptError) -> ScriptValue {
        try get(name).call(arguments, this: self)
    }

    /// Calls this function as a constructor (`new`).
    public func construct(_ arguments: [ScriptValue] = []) throws(ScriptError) -> ScriptValue {
        let constructor = try asObject()
        let argumentRefs: [JSValueRef?] = arguments.map(\.ref)
        let result = try context.trying { exception in
            argumentRefs.withUnsafeBufferPointer {
                JSObjectCallAsConstructor(context.ref, constructor, arguments.count, $0.baseAddress, exception)
            }
        }
        return ScriptValue(result!, in: context)
    }

    private func asObject() throws(ScriptError) -> JSObjectRef {
        guard isObject, let object = JSValueToObject(context.ref, ref, nil) else {
            let shown = isUndefined ? "undefined" : isNull ? "null" : "a primitive value"
            throw ScriptError(name: "TypeError", message: "expected an object, got \(shown)")
        }
        return object
    }
}

extension ScriptError {
    /// Describes a thrown JavaScript value: its `name`, `message` and `stack` when it is an error object.
    public init(thrown value: ScriptValue) {
        guard value.isObject else {
            self.init(name: "Error", message: (try? value.toString()) ?? "")
            return
        }
        let name = (try? value.get("name")).flatMap { $0.isString ? try? $0.toString() : nil }
        let message = (try? value.get("message")).flatMap { $0.isNullish ? nil : try? $0.toString() }
        let stack = (try? value.get("stack")).flatMap { $0.isString ? try? $0.toString() : nil }
        self.init(
            name: name ?? "Error",
            message: message ?? (try? value.toString()) ?? "",
            stack: stack.flatMap { $0.isEmpty ? nil : $0 }
        )
        errorClass = value.context.errorClasses.first { value.isInstance(of: $0.constructor) }?.name
    }
}

extension String {
    init(jsString: JSStringRef) {
        let length = JSStringGetLength(jsString)
        guard length > 0, let characters = JSStringGetCharactersPtr(jsString) else {
            self = ""
            return
        }
        self = String(decoding: UnsafeBufferPointer(start: characters, count: length), as: UTF16.self)
    }
}
