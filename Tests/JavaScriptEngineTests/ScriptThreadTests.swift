import Dispatch
@testable import JavaScriptEngine
import Synchronization
import Testing

@Suite struct ScriptThreadTests {
    /// Background plugin work waits for what the thread has queued, even what was queued after it.
    @Test func backgroundTurnComesAfterWorkQueuedMeanwhile() async {
        let thread = ScriptThread(name: "test")
        defer { thread.shutdown() }
        let order = Order()
        let held = DispatchSemaphore(value: 0)
        thread.execute { held.wait() }
        let background = Task {
            await thread.backgroundTurn()
            order.append("background")
        }
        while thread.waitingBackgroundTurns == 0 { await Task.yield() }
        for name in ["first", "second"] { thread.execute { order.append(name) } }
        held.signal()
        await background.value
        #expect(order.names == ["first", "second", "background"])
    }
}

private final class Order: Sendable {
    private let storage = Mutex<[String]>([])
    var names: [String] { storage.withLock { $0 } }
    func append(_ name: String) { storage.withLock { $0.append(name) } }
}
