internal import CJavaScriptCore
internal import CJavaScriptCoreOptions
import Foundation
import Synchronization

/// A JavaScriptCore context group: one VM heap shared by its contexts, run on one thread.
///
/// Contexts in one group can exchange objects, so a team's plugin chain can hand one event
/// object from plugin to plugin without converting it. The group also holds every entry into
/// JavaScript (a call, an evaluation, a promise settling) to its limits: an entry that runs longer
/// than `timeLimit`, or touches more than `memoryLimit` bytes of fresh memory, is stopped; the
/// context stays usable afterwards.
public final class ScriptContextGroup {
    /// The thread all of this group's JavaScript runs on.
    public let thread: ScriptThread
    let ref: JSContextGroupRef
    private let watchdog: EntryWatchdog

    /// The longest one synchronous entry into JavaScript may run.
    public var timeLimit: Duration {
        get { .nanoseconds(Int64(watchdog.timeLimitNanoseconds)) }
        set { watchdog.timeLimitNanoseconds = UInt64(max(0, newValue.components.seconds)) * 1_000_000_000 + UInt64(max(0, newValue.components.attoseconds / 1_000_000_000)) }
    }

    /// The most fresh memory (pages this thread touches for the first time, as the kernel counts them)
    /// one long entry may bring in before it is stopped; `nil` for no limit. It is counted from the
    /// watchdog's first look at the entry, a few milliseconds in. Work spread over many short entries
    /// (awaits between allocations) is counted by ``ScriptMemoryAccount``s instead.
    public var memoryLimit: Int? {
        get { watchdog.memoryLimitPages.map { $0 * ThreadMemory.pageSize } }
        set { watchdog.memoryLimitPages = newValue.map { max(1, $0 / ThreadMemory.pageSize) } }
    }

    /// - Parameters:
    ///   - thread: The thread that runs this group's JavaScript; use the group only from it.
    ///   - timeLimit: The longest one synchronous entry into JavaScript may run.
    ///   - memoryLimit: The most fresh memory one entry may bring in; `nil` for no limit.
    public init(thread: ScriptThread, timeLimit: Duration = .seconds(30), memoryLimit: Int? = nil) {
        self.thread = thread
        self.ref = JSContextGroupCreate()
        self.watchdog = EntryWatchdog(group: ref)
        self.timeLimit = timeLimit
        self.memoryLimit = memoryLimit
        watchdog.arm()
    }

    deinit {
        JSContextGroupClearExecutionTimeLimit(ref)
        JSContextGroupRelease(ref)
    }

    /// Whether JavaScriptCore checks for the time limit at every loop back-edge (polling traps).
    ///
    /// With signal-based traps (the default on Linux), a loop that the optimizing JIT has compiled
    /// (from about the third call of a function) is never stopped at the time limit: the signal
    /// sender fails to interrupt the thread. CJavaScriptCoreOptions asks for polling traps before
    /// the process's first thread starts; an operator's own `JSC_usePollingTraps` is left alone.
    public static var usesPollingTraps: Bool { quill_engine_options_polling_traps() }

    /// When the JavaScript running now was entered, readable from any thread: to see a script thread
    /// held by one long call.
    public var activity: ScriptActivity { watchdog.activity }

    /// An `Int32Array` of one element that JavaScript running in one long entry bumps as it begins each unit
    /// of work (a plugin's call in a loop over many): the limits then hold for each unit, counted from the
    /// watchdog's first look after the bump (at most one period late), and ``activity`` shows the unit's start.
    public func unitCounter(in context: ScriptContext) throws(ScriptError) -> ScriptValue {
        precondition(context.group === self, "the counter belongs to the context's own group")
        // No deallocator: the watchdog owns the memory and outlives every context that can run JavaScript.
        let array = try context.trying {
            JSObjectMakeTypedArrayWithBytesNoCopy(context.ref, kJSTypedArrayTypeInt32Array, watchdog.units, 4, nil, nil, $0)
        }
        return ScriptValue(array!, in: context)
    }

    /// Starts an entry; the outermost one is timed. Returns whether it is the outermost.
    func enter() -> Bool {
        watchdog.enter()
    }

    /// Ends an entry begun by `enter()`; for the outermost, returns why it was stopped, if it was.
    func leave(outermost: Bool) -> EntryStop? {
        watchdog.leave(outermost: outermost)
    }

    /// Collects the whole heap now and waits for it: after a context was dropped for holding too much,
    /// so its memory goes back to the system instead of waiting for the next collection.
    public func collectGarbage(using context: ScriptContext) {
        JSSynchronousGarbageCollectForDebugging(context.ref)
    }
}

/// Whether a group's thread is running JavaScript, and since when; safe to read from any thread.
public final class ScriptActivity: Sendable {
    fileprivate let busySinceNanoseconds = Atomic<UInt64>(0)

    /// How long the JavaScript running now has run; `nil` while none runs.
    public var busyFor: Duration? {
        let started = busySinceNanoseconds.load(ordering: .relaxed)
        guard started != 0 else { return nil }
        return .nanoseconds(Int64(MonotonicClock.nanoseconds() &- started))
    }
}

/// Why JavaScriptCore stopped an entry.
enum EntryStop: Equatable {
    case timeLimit
    case memoryLimit
}

/// The limits of one group's entries, checked by JavaScriptCore's watchdog every few milliseconds
/// while an entry runs: the watchdog calls back on the running thread, which re-arms it until the
/// entry is over its time or its fresh memory.
private final class EntryWatchdog: @unchecked Sendable {
    // @unchecked: every field but `activity` is touched only on the group's thread (entries and the
    // watchdog's callback run there); `activity` is atomic for readers on other threads.
    static let period = 0.01

    let group: JSContextGroupRef
    var timeLimitNanoseconds: UInt64 = 30_000_000_000
    var memoryLimitPages: Int?
    let activity = ScriptActivity()
    private var depth = 0
    /// The unit counter JavaScript bumps (see ``ScriptContextGroup/unitCounter(in:)``), and its value when the
    /// watchdog last looked.
    let units = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    private var unitsSeen: Int32 = 0
    /// The thread's fresh pages when the watchdog first looked at the running entry, and what it found since.
    private var faultsAtFirstLook: Int?
    private var growth: HeapGrowthCheck?
    private var stop: EntryStop?

    init(group: JSContextGroupRef) {
        self.group = group
        units.initialize(to: 0)
    }

    deinit {
        units.deallocate()
    }

    func arm() {
        JSContextGroupSetExecutionTimeLimit(
            group, Self.period,
            { context, watchdog in
                guard let watchdog, let context else { return true }
                return Unmanaged<EntryWatchdog>.fromOpaque(watchdog).takeUnretainedValue().shouldStop(context)
            },
            Unmanaged.passUnretained(self).toOpaque())
    }

    // Cheap on purpose (a clock read): every property read from Swift is an entry.
    func enter() -> Bool {
        depth += 1
        guard depth == 1 else { return false }
        activity.busySinceNanoseconds.store(MonotonicClock.nanoseconds(), ordering: .relaxed)
        unitsSeen = units.pointee
        return true
    }

    func leave(outermost: Bool) -> EntryStop? {
        depth -= 1
        guard outermost else { return nil }
        activity.busySinceNanoseconds.store(0, ordering: .relaxed)
        faultsAtFirstLook = nil
        growth = nil
        defer { stop = nil }
        return stop
    }

    /// The watchdog's callback, on the running thread: stop the entry (true) or re-arm (false).
    private func shouldStop(_ context: JSContextRef) -> Bool {
        if units.pointee != unitsSeen {
            // A new unit of work began since the last look: its time and memory count from now.
            unitsSeen = units.pointee
            activity.busySinceNanoseconds.store(MonotonicClock.nanoseconds(), ordering: .relaxed)
            faultsAtFirstLook = nil
            growth = nil
        }
        let started = activity.busySinceNanoseconds.load(ordering: .relaxed)
        if started != 0, MonotonicClock.nanoseconds() &- started > timeLimitNanoseconds {
            stop = .timeLimit
            return true
        }
        if let limit = memoryLimitPages, depth > 0 {
            let faults = ThreadMemory.minorFaults()
            if let first = faultsAtFirstLook {
                let fresh = (faults - first) * ThreadMemory.pageSize
                if growth!.isOverLimit(freshBytes: fresh, liveHeap: { ScriptHeapStatistics.liveBytesAfterCollection(of: context) }) {
                    stop = .memoryLimit
                    return true
                }
            } else {
                faultsAtFirstLook = faults
                growth = HeapGrowthCheck(limit: limit * ThreadMemory.pageSize)
            }
        }
        // A callback that returns false must arm the next period itself, or the entry runs on unwatched.
        arm()
        return false
    }
}

/// Whether JavaScript holds more memory than a limit, cheap until it might.
///
/// Three signals, each dearer than the last, are asked in turn: the fresh pages the thread touched (a
/// getrusage call), the process's resident memory (a read of /proc), and the heap's live bytes after a
/// full collection. The first two also count memory made and freed again (an entry that churns through
/// large arrays maps fresh pages for each, and the system gets them back only later; a generational
/// collection leaves dead old objects counted), so only the collected heap decides. It is first looked at
/// once a quarter of the limit was touched and is held; the limit is passed when the live heap then grew
/// by three quarters more. So a plugin that keeps what it allocates is stopped holding about the limit,
/// and one that holds up to three quarters of it at a time, however much it churns, is never stopped.
struct HeapGrowthCheck {
    let limit: Int
    private var freshAtLastLook = 0
    private let residentAtStart = ThreadMemory.residentBytes()
    private var liveHeapAtFirstLook: Int?

    init(limit: Int) {
        self.limit = limit
    }

    /// - Parameters:
    ///   - freshBytes: Fresh memory touched since counting began.
    ///   - liveHeap: The heap's live bytes after a full collection; called only when the cheaper signals say
    ///     it may be over.
    mutating func isOverLimit(freshBytes: Int, liveHeap: () -> Int) -> Bool {
        guard freshBytes - freshAtLastLook > limit / 4 else { return false }
        freshAtLastLook = freshBytes
        guard ThreadMemory.residentBytes() - residentAtStart > limit / 4 else { return false }
        let live = liveHeap()
        guard let first = liveHeapAtFirstLook else {
            liveHeapAtFirstLook = live
            return false
        }
        return live - first > limit * 3 / 4
    }
}

/// The monotonic clock in nanoseconds, as one atomic word can hold it.
enum MonotonicClock {
    static func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

/// What the kernel counts of the calling thread's memory use.
enum ThreadMemory {
    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// The process's resident memory in bytes, read from `/proc/self/statm` (kept open: a read is about a microsecond).
    static func residentBytes() -> Int {
        var buffer = [UInt8](repeating: 0, count: 96)
        let count = buffer.withUnsafeMutableBytes { pread(statm, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return 0 }
        // "size resident shared …", in pages.
        let fields = buffer[..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 1 else { return 0 }
        return fields[1].reduce(0) { $0 * 10 + Int($1 &- 48) } * pageSize
    }

    private static let statm = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)

    /// Pages this thread touched for the first time (minor faults): memory it brought in, whoever frees it later.
    static func minorFaults() -> Int {
        var usage = rusage()
        // RUSAGE_THREAD (1): Glibc's module leaves out this GNU extension.
        getrusage(__rusage_who_t(1), &usage)
        return usage.ru_minflt
    }
}
