internal import CJavaScriptCore

/// The Swift body of a JavaScript function: receives the arguments and `this`, returns the
/// result (`nil` for `undefined`). A thrown error becomes a JavaScript exception.
public typealias HostFunctionBody = (_ arguments: [ScriptValue], _ this: ScriptValue) throws -> ScriptValue?

/// An error a host function throws to give its JavaScript exception a `name` other than `Error`.
public struct HostFunctionError: Error, Sendable {
    public var name: String
    public var message: String

    public init(name: String = "Error", message: String) {
        self.name = name
        self.message = message
    }
}

/// Owns a host function's Swift closure; released by the JavaScript object's finalizer.
private final class HostFunctionBox {
    // Weak: the context's global object can reach this box, so a strong reference would
    // keep the context alive forever.
    weak var context: ScriptContext?
    let body: HostFunctionBody

    init(context: ScriptContext, body: @escaping HostFunctionBody) {
        self.context = context
        self.body = body
    }
}

/// The one JSClass behind every host function: call and finalize callbacks over a private box.
private struct HostFunctionClass: @unchecked Sendable {
    // @unchecked: a JSClassRef is immutable once created and JavaScriptCore allows using it
    // from any thread.
    let ref: JSClassRef

    static let shared = HostFunctionClass()

    private init() {
        var definition = kJSClassDefinitionEmpty
        definition.className = UnsafeRawPointer(("HostFunction" as StaticString).utf8Start)
            .assumingMemoryBound(to: CChar.self)
        definition.callAsFunction = { context, function, this, argumentCount, arguments, exception in
            guard let context, let function, let private_ = JSObjectGetPrivate(function) else {
                return JSValueMakeUndefined(context)
            }
            let box = Unmanaged<HostFunctionBox>.fromOpaque(private_).takeUnretainedValue()
            guard let owner = box.context else { return JSValueMakeUndefined(context) }
            let argumentValues = (0..<argumentCount).map { ScriptValue(arguments![$0]!, in: owner) }
            let thisValue = this.map { ScriptValue($0, in: owner) } ?? owner.undefined
            do {
                return try box.body(argumentValues, thisValue)?.ref ?? JSValueMakeUndefined(context)
            } catch {
                exception?.pointee = owner.thrownValue(for: error).ref
                return JSValueMakeUndefined(context)
            }
        }
        definition.finalize = { object in
            guard let private_ = JSObjectGetPrivate(object) else { return }
            Unmanaged<HostFunctionBox>.fromOpaque(private_).release()
        }
        ref = JSClassCreate(&definition)
    }
}

extension ScriptContext {
    /// A JavaScript function that runs `body` in Swift, on this context's thread.
    ///
    /// Don't capture ``ScriptValue``s of this context in `body`: they are GC roots, and would keep
    /// the function (and so themselves) alive for as long as the context lives.
    public func function(_ body: @escaping HostFunctionBody) -> ScriptValue {
        let box = Unmanaged.passRetained(HostFunctionBox(context: self, body: body))
        let object = JSObjectMake(ref, HostFunctionClass.shared.ref, box.toOpaque())!
        return ScriptValue(object, in: self)
    }

    /// The JavaScript exception a Swift error thrown by a host function becomes.
    func thrownValue(for error: any Error) -> ScriptValue {
        switch error {
        case let error as HostFunctionError: self.error(message: error.message, name: error.name)
        case let error as ScriptError: self.error(message: error.message, name: error.name)
        default: self.error(message: String(describing: error))
        }
    }
}
