/// A JavaScript exception, a time-limit stop, or a misuse of the engine, as a Swift error.
public struct ScriptError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// JavaScript threw; `name` is the thrown error's `name` (`TypeError`, `RetryError`, …).
        case exception
        /// The call ran past its time limit, synchronously or waiting for a promise.
        case timeout
        /// The call brought in more fresh memory than its limit allows.
        case memoryLimit
    }

    public var kind: Kind
    /// The error's `name`: `Error`, `TypeError`, `RetryError`, `TimeoutError`, …
    public var name: String
    public var message: String
    /// The JavaScript stack, when the thrown value had one.
    public var stack: String?
    /// Which of its context's ``ScriptContext/errorClasses`` the thrown value is an instance of: what it is,
    /// whatever its `name` says.
    public var errorClass: String?

    public init(kind: Kind = .exception, name: String, message: String, stack: String? = nil) {
        self.kind = kind
        self.name = name
        self.message = message
        self.stack = stack
    }

    static func timeout(_ message: String) -> ScriptError {
        ScriptError(kind: .timeout, name: "TimeoutError", message: message)
    }

    package static func memoryLimit(_ limit: Int) -> ScriptError {
        ScriptError(
            kind: .memoryLimit, name: "MemoryLimitError",
            message: "Script execution stopped: it took more than \(limit / 1_048_576) MiB of memory")
    }

    /// `Name: message`, as JavaScript's `String(error)` prints it.
    public var description: String {
        message.isEmpty ? name : "\(name): \(message)"
    }
}
