import Foundation
import JavaScriptEngine
import Storage

/// The functions of `JavaScript/Chain/chain-driver.js` on one script thread.
struct ChainDriver {
    let start: ScriptValue
    let run: ScriptValue
    let resume: ScriptValue
    let resumeSettled: ScriptValue
    let stop: ScriptValue
    let results: ScriptValue
}

extension PluginWorker {
    /// Runs a team's chain on each event in turn, in order: one trip to the script thread for them all, and
    /// one entry into JavaScript for them all while no plugin returns a promise.
    ///
    /// - Parameter session: `quill plugin run`'s: the jobs a `processEvent` call queues run right after it.
    func processEvents(
        _ inputs: [[UInt8]], teamID: Int, recordingPluginLists: Bool, session: PluginRunSession? = nil
    ) async -> [Result<ChainResult, MalformedEventError>] {
        let chain = registry.chain(ofTeam: teamID)
        guard !chain.isEmpty, !inputs.isEmpty else { return inputs.map { .success(ChainResult(event: $0)) } }
        // Only a plugin with jobs can queue one; they run before the next event, so its events go one at a time.
        guard let session, chain.contains(where: { !$0.capabilities.jobs.isEmpty }) else {
            return await runLane(inputs, chain: chain, recordingPluginLists: recordingPluginLists)
        }
        var results: [Result<ChainResult, MalformedEventError>] = []
        results.reserveCapacity(inputs.count)
        for input in inputs {
            results += await runLane([input], chain: chain, recordingPluginLists: recordingPluginLists)
            await runQueuedJobs(session)
        }
        return results
    }

    /// Runs the chain's `processEvent`s on a lane's events (JSON), as DESIGN.md's chain semantics say.
    ///
    /// The events enter JavaScript as one string and leave it as one; the chain driver calls each plugin's
    /// chain step (the prelude's), which copies what a plugin returned when a later plugin could fail. A plugin
    /// that throws, rejects, times out or runs over memory leaves the event as it was before it; one that timed
    /// out or ran over memory runs no more in this lane (its events pass it as failed, as a paused config's do).
    private func runLane(
        _ inputs: [[UInt8]], chain: [LoadedConfig], recordingPluginLists: Bool
    ) async -> [Result<ChainResult, MalformedEventError>] {
        switch await runTogether(inputs, chain: chain, recordingPluginLists: recordingPluginLists) {
        case .done(let results):
            return results
        case .oneByOne(let failure):
            // Each event goes alone (in lanes of its own, once this one has ended), so only a bad one fails.
            guard inputs.count > 1 else { return [.failure(MalformedEventError(description: failure))] }
            var results: [Result<ChainResult, MalformedEventError>] = []
            for input in inputs { results += await runLane([input], chain: chain, recordingPluginLists: recordingPluginLists) }
            return results
        }
    }

    /// How a lane's run in one entry went.
    private enum LaneRun {
        case done([Result<ChainResult, MalformedEventError>])
        /// The events must go one by one; `failure` is what a lone event's run that came to this means.
        case oneByOne(failure: String)
    }

    private func runTogether(
        _ inputs: [[UInt8]], chain: [LoadedConfig], recordingPluginLists: Bool
    ) async -> LaneRun {
        var vms: [PluginVM?] = []
        var admitted: [Bool] = []
        for config in chain {
            let vm = config.has(.processEvent) ? await vm(for: config) : nil
            vms.append(vm)
            admitted.append(vm != nil && registry.admitProcessEvent(of: config.id, now: Date()) == .run)
        }
        var lane = ChainLane(chain: chain, vms: vms, admitted: admitted)
        defer { end(lane) }
        let driver: ChainDriver
        let state: ScriptValue
        do throws(ScriptError) {
            driver = try chainDriver()
            guard let started = try lane.start(
                inputs, driver: driver, probe: probe, recordingPluginLists: recordingPluginLists,
                maximumEventSize: configuration.maximumEventSize)
            else {
                // The text didn't arrive whole: an event isn't UTF-8.
                return .oneByOne(failure: "event is not valid UTF-8")
            }
            state = started
        } catch {
            return .done(inputs.map { _ in .failure(MalformedEventError(description: "the chain's driver did not start: \(error.description)")) })
        }
        var next = ChainLane.Entry.run
        do throws(ScriptError) {
            while true {
                let (function, arguments): (ScriptValue, [ScriptValue]) =
                    switch next {
                    case .run: (driver.run, [state])
                    case .resume(let fulfilled, let value):
                        (driver.resume, [state, probe.boolean(fulfilled), value ?? probe.undefined, probe.boolean(value == nil)])
                    case .resumeSettled: (driver.resumeSettled, [state])
                    case .stop: (driver.stop, [state])
                    }
                let (calls, result) = lane.entering { () throws(ScriptError) in try function.call(arguments) }
                switch result {
                case .success(let waiting):
                    guard waiting.boolValue else { return .done(try results(of: &lane, state: state, inputs: inputs, driver: driver)) }
                    if try state.get("settled").toNumber() != 0 {
                        next = .resumeSettled
                        continue
                    }
                    next = await wait(for: try state.get("pending"), at: try position(in: state), in: &lane, calls: calls)
                case .failure(let error) where error.kind == .timeout || error.kind == .memoryLimit:
                    if try state.get("inStep").boolValue { stop(try position(in: state), by: error, in: &lane, calls: calls) }
                    next = .stop
                case .failure(let error):
                    throw error
                }
            }
        } catch {
            // The driver itself failed (never a plugin: their errors are caught in it).
            return .oneByOne(failure: "the chain failed on the event: \(error.description)")
        }
    }

    /// Waits for a plugin's promise within its time limit, and says how the driver goes on.
    private func wait(
        for promise: ScriptValue, at position: ChainLane.Position, in lane: inout ChainLane, calls: [Int]
    ) async -> ChainLane.Entry {
        guard lane.vms.indices.contains(position.config), let vm = lane.vms[position.config] else { return .stop }
        do throws(ScriptError) {
            // Settled in the plugin's context: its memory account watches what the continuations bring in.
            let value = try await promise.seen(from: vm.context).settled(
                timeLimit: configuration.timeLimit, description: "Script execution")
            return .resume(fulfilled: true, value: value)
        } catch where error.kind == .timeout || error.kind == .memoryLimit {
            stop(position, by: error, in: &lane, calls: calls)
            return .stop
        } catch {
            lane.hostErrors[position] = error
            return .resume(fulfilled: false, value: nil)
        }
    }

    /// A plugin was stopped at a limit: its call is given up, its time-out breaker hears of it at once, and a
    /// VM over memory is thrown away.
    private func stop(_ position: ChainLane.Position, by error: ScriptError, in lane: inout ChainLane, calls: [Int]) {
        guard lane.vms.indices.contains(position.config), let vm = lane.vms[position.config] else { return }
        if let index = lane.contexts.firstIndex(where: { $0 === vm.context }), index < calls.count {
            vm.context.abandon(call: calls[index])
        }
        lane.hostErrors[position] = vm.describedStop(error, in: PluginMethod.processEvent.rawValue)
        lane.stops[position.config, default: []].append((error.kind, lane.secondsSinceEntry))
        if lane.admitted[position.config] {
            lane.admitted[position.config] = false
            finishProcessEvent(vm, timedOut: error.kind == .timeout)
        }
        if error.kind == .memoryLimit {
            discard(vm, over: error)
            lane.discarded.insert(position.config)
        }
    }

    /// Ends the lane's calls: breakers hear that the configs that ran returned in time, VMs over memory go.
    private func end(_ lane: ChainLane) {
        for (index, vm) in lane.vms.enumerated() {
            guard let vm else { continue }
            vm.endChainLane()
            if lane.admitted[index] {
                if lane.ran.contains(index) { finishProcessEvent(vm, timedOut: false) } else { registry.releaseProcessEvent(of: vm.definition.id) }
            }
            if vm.isOverMemoryLimit && !lane.discarded.contains(index) {
                discard(vm, over: .memoryLimit(configuration.memoryLimit ?? 0))
            }
        }
    }

    /// Reads what the driver made of the lane: each event's result, the plugins' errors into their logs, and
    /// their statistics.
    private func results(
        of lane: inout ChainLane, state: ScriptValue, inputs: [[UInt8]], driver: ChainDriver
    ) throws(ScriptError) -> [Result<ChainResult, MalformedEventError>] {
        let parts = try driver.results.call([state])
        let status = try parts.get(0).stringBytes()
        let lines = ChainLane.lines(of: try parts.get(1).stringBytes())
        let width = lane.chain.count
        guard status.count == inputs.count * (width + 1), lines.count == inputs.count else {
            throw ScriptError(name: "Error", message: "the chain's driver gave \(lines.count) results for \(inputs.count) events")
        }
        var messages: [Int: String] = [:]
        let messageList = try parts.get(3).arrayElements()
        for index in stride(from: 0, to: messageList.count - 1, by: 2) {
            messages[try driverIndex(messageList[index])] = try messageList[index + 1].toString()
        }
        var skips: Set<ChainLane.Position> = []
        let skipList = try parts.get(4).arrayElements()
        for index in stride(from: 0, to: skipList.count - 1, by: 2) {
            skips.insert(ChainLane.Position(event: try driverIndex(skipList[index]), config: try driverIndex(skipList[index + 1])))
        }
        try recordFailures(try parts.get(2).arrayElements(), of: lane, inputs: inputs)
        lane.ran = recordStatistics(of: lane, status: status, tally: try parts.get(5).bytes() ?? [])

        var results: [Result<ChainResult, MalformedEventError>] = []
        results.reserveCapacity(inputs.count)
        for (event, input) in inputs.enumerated() {
            let codes = status[(event * (width + 1))..<((event + 1) * (width + 1))]
            let flag = codes.first!
            func code(_ config: Int) -> UInt8 { codes[codes.startIndex + 1 + config] }
            let chain = lane.chain.indices.filter { code($0) != ChainLane.Code.excluded }
            switch flag {
            case ChainLane.Code.malformed:
                results.append(.failure(MalformedEventError(description: messages[event] ?? "event could not be read")))
                continue
            case ChainLane.Code.recording:
                // Session recordings (posthog-js's $snapshot, PostHog's newer $snapshot_items batches) skip
                // processEvent and go to onSnapshot.
                let followUps = chain.filter { lane.chain[$0].has(.onSnapshot) }.map {
                    FollowUp(pluginConfigID: lane.chain[$0].id, kind: .onSnapshot)
                }
                results.append(.success(ChainResult(event: input, followUps: followUps)))
                continue
            default:
                break
            }
            var result = ChainResult()
            for index in chain {
                let label = lane.labels[index]
                if lane.chain[index].hasDeferredWork { result.deferred.append(label) }
                switch code(index) {
                case ChainLane.Code.succeeded: result.succeeded.append(label)
                case ChainLane.Code.failed: result.failed.append(label)
                case ChainLane.Code.dropped: result.droppedBy = label
                default: break
                }
                if result.droppedBy != nil { break }
            }
            if flag == ChainLane.Code.dropped {
                results.append(.success(result))
                continue
            }
            result.event = flag == ChainLane.Code.unchanged ? input : Array(lines[event])
            for index in chain {
                let config = lane.chain[index]
                if config.has(.onEvent) { result.followUps.append(FollowUp(pluginConfigID: config.id, kind: .onEvent)) }
                if config.has(.composeWebhook) { result.followUps.append(FollowUp(pluginConfigID: config.id, kind: .composeWebhook)) }
                if config.has(.exportEvents) && !skips.contains(ChainLane.Position(event: event, config: index)) {
                    result.followUps.append(FollowUp(pluginConfigID: config.id, kind: .exportEvents))
                }
            }
            results.append(.success(result))
        }
        return results
    }

    /// Records each plugin error of the lane as PostHog's `processError` does, with the event as it was before.
    private func recordFailures(_ failures: [ScriptValue], of lane: ChainLane, inputs: [[UInt8]]) throws(ScriptError) {
        for index in stride(from: 0, to: failures.count - 4, by: 5) {
            let position = ChainLane.Position(event: try driverIndex(failures[index]), config: try driverIndex(failures[index + 1]))
            guard lane.vms.indices.contains(position.config), let vm = lane.vms[position.config], inputs.indices.contains(position.event)
            else { continue }
            let error =
                failures[index + 4].boolValue
                ? lane.hostErrors[position] ?? ScriptError(name: "Error", message: "processEvent failed")
                : ScriptError(thrown: failures[index + 2].seen(from: vm.context))
            let restorePoint = failures[index + 3]
            vm.recordError(error, event: restorePoint.isNull ? inputs[position.event] : try restorePoint.stringBytes())
        }
    }

    /// Counts each config's events and calls of the lane in its statistics, once for the lane; returns the
    /// configs that ran a call.
    private func recordStatistics(of lane: ChainLane, status: [UInt8], tally bytes: [UInt8]) -> Set<Int> {
        var ran: Set<Int> = []
        let width = lane.chain.count
        let tally = bytes.withUnsafeBytes { raw in
            (0..<(raw.count / 8)).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self) }
        }
        let tallyWidth = 3 + FunctionStatistics.durationBucketBounds.count + 1
        for (index, config) in lane.chain.enumerated() where config.has(.processEvent) {
            var counts = (succeeded: 0, failed: 0, dropped: 0)
            for event in stride(from: 1 + index, to: status.count, by: width + 1) {
                switch status[event] {
                case ChainLane.Code.succeeded: counts.succeeded += 1
                case ChainLane.Code.failed: counts.failed += 1
                case ChainLane.Code.dropped: counts.dropped += 1
                default: break
                }
            }
            let base = index * tallyWidth
            var calls = FunctionStatistics()
            if tally.count >= base + tallyWidth {
                calls.calls = Int(exactly: tally[base]) ?? 0
                calls.seconds = tally[base + 1].isFinite ? tally[base + 1] : 0
                calls.errors = Int(exactly: tally[base + 2]) ?? 0
                calls.durationBuckets = tally[(base + 3)..<(base + tallyWidth)].map { Int(exactly: $0) ?? 0 }
            }
            for (kind, seconds) in lane.stops[index] ?? [] {
                calls.record(seconds: seconds, timedOut: kind == .timeout, failed: true)
            }
            if calls.calls > 0 { ran.insert(index) }
            guard counts.succeeded + counts.failed + counts.dropped + calls.calls > 0 else { continue }
            statistics.record(for: config.definition, worker: self.index).update {
                $0.eventsIn += counts.succeeded + counts.failed + counts.dropped
                $0.eventsSucceeded += counts.succeeded
                $0.eventsFailed += counts.failed
                $0.eventsDropped += counts.dropped
                $0.functions[PluginMethod.processEvent.rawValue, default: FunctionStatistics()].add(calls)
            }
        }
        return ran
    }

    /// The event and the config the driver is at, while a plugin's call runs.
    private func position(in state: ScriptValue) throws(ScriptError) -> ChainLane.Position {
        ChainLane.Position(event: try driverIndex(state.get("index")), config: try driverIndex(state.get("k")))
    }

    /// An event's or config's index as the driver wrote it; anything else would be a bug of the driver's, thrown
    /// rather than trapped on.
    private func driverIndex(_ value: ScriptValue) throws(ScriptError) -> Int {
        guard let index = Int(exactly: try value.toNumber()), index >= 0 else {
            throw ScriptError(name: "TypeError", message: "the chain's driver gave \((try? value.toString()) ?? "a value") for an index")
        }
        return index
    }

    /// Ends a `processEvent` lane of a config for its time-out breaker, with a SYSTEM line when it pauses or resumes.
    func finishProcessEvent(_ vm: PluginVM, timedOut: Bool) {
        switch registry.finishProcessEvent(of: vm.definition.id, timedOut: timedOut, now: Date()) {
        case .paused(let timeOuts, let length)?:
            vm.log(
                .system, .warn,
                "processEvent timed out \(timeOuts) time\(timeOuts == 1 ? "" : "s") in a row; pausing this plugin for "
                    + "\(length.formattedSeconds): events pass it as failed meanwhile")
        case .resumed?:
            vm.log(.system, .info, "processEvent returned in time again; resuming this plugin")
        case nil:
            break
        }
    }
}

/// One lane's run through a team's chain: the VMs it uses, which of them may run, and what the host learned
/// of their failures while the driver ran.
private struct ChainLane {
    /// What the next entry into the driver does.
    enum Entry {
        case run
        /// The host waited for the promise: `value` is what it fulfilled with, `nil` after a rejection it holds.
        case resume(fulfilled: Bool, value: ScriptValue?)
        /// The promise had settled when the entry ended: the driver has its outcome.
        case resumeSettled
        case stop
    }

    /// An event of the lane and a config of the chain, by index.
    struct Position: Hashable {
        let event: Int
        let config: Int
    }

    /// The driver's status codes (`chain-driver.js`): an event's flag, then one code per config.
    enum Code {
        static let output = UInt8(ascii: "o")
        static let unchanged = UInt8(ascii: "u")
        static let dropped = UInt8(ascii: "d")
        static let recording = UInt8(ascii: "r")
        static let malformed = UInt8(ascii: "m")
        static let succeeded = UInt8(ascii: "s")
        static let failed = UInt8(ascii: "f")
        static let excluded = UInt8(ascii: "x")
    }

    let chain: [LoadedConfig]
    /// The configs' labels (`name (id)`), as the `$plugins_*` lists and ``ChainResult`` name them.
    let labels: [String]
    /// Per config of the chain: its VM on this thread, when it has `processEvent` and one could be made.
    let vms: [PluginVM?]
    /// Per config: whether its `processEvent` runs in this lane (the time-out breaker let it, no stop since).
    var admitted: [Bool]
    /// The contexts whose calls the lane's entries are: those of the VMs that run.
    let contexts: [ScriptContext]
    /// Errors the host saw (a rejection, a stop at a limit).
    var hostErrors: [Position: ScriptError] = [:]
    /// Calls stopped at a limit, by config, with their seconds: counted beside the driver's tally.
    var stops: [Int: [(kind: ScriptError.Kind, seconds: Double)]] = [:]
    /// Configs whose VM was thrown away for memory in this lane.
    var discarded: Set<Int> = []
    /// Configs that ran a call in this lane, as the driver's tally says: their breakers hear how it went.
    var ran: Set<Int> = []
    private var entryStarted = ContinuousClock.now

    init(chain: [LoadedConfig], vms: [PluginVM?], admitted: [Bool]) {
        self.chain = chain
        labels = chain.map(\.definition.label)
        self.vms = vms
        self.admitted = admitted
        contexts = zip(vms, admitted).compactMap { $1 ? $0?.context : nil }
        for case let vm? in vms { vm.beginChainLane() }
    }

    var secondsSinceEntry: Double { (ContinuousClock.now - entryStarted).secondsValue }

    /// Hands the events to the driver; `nil` when their text didn't arrive whole.
    func start(
        _ inputs: [[UInt8]], driver: ChainDriver, probe: ScriptContext, recordingPluginLists: Bool, maximumEventSize: Int
    ) throws(ScriptError) -> ScriptValue? {
        var text: [UInt8] = []
        text.reserveCapacity(inputs.reduce(inputs.count) { $0 + $1.count })
        for (index, input) in inputs.enumerated() {
            if index > 0 { text.append(Self.separator) }
            // A NUL would end the text and a separator split the event: neither is valid JSON anyway.
            if !Self.holdsSeparator(input) { text.append(contentsOf: input) }
        }
        // The event is made in the first processing plugin's realm, so its `instanceof Object` holds, as in
        // PostHog; events restored after a failure are made there too.
        let first = chain.firstIndex { $0.has(.processEvent) }.flatMap { vms[$0] }
        let steps = try probe.array(
            chain.indices.map { index in
                guard chain[index].has(.processEvent) else { return probe.null }
                guard admitted[index], let step = vms[index]?.chainStep?.step else { return probe.boolean(false) }
                return step
            })
        let parse: ScriptValue
        if let realmParse = first?.chainStep?.parse { parse = realmParse } else { parse = try probe.globalObject.get("JSON").get("parse") }
        let state = try driver.start.call([
            probe.string(utf8: text), probe.number(Double(inputs.count)), try plan(probe: probe, maximumEventSize: maximumEventSize),
            steps, probe.boolean(recordingPluginLists), parse, first?.chainStep?.copyEvent ?? probe.null,
        ])
        return state.isNull ? nil : state
    }

    private static let separator: UInt8 = 0x1E

    /// What the driver knows of the chain: ids, labels, which configs are listed as deferred, what exports skip.
    private func plan(probe: ScriptContext, maximumEventSize: Int) throws(ScriptError) -> ScriptValue {
        let plan = probe.object()
        try plan.set("ids", probe.array(chain.map { probe.number(Double($0.id)) }))
        try plan.set("labels", probe.array(labels.map(probe.string)))
        try plan.set("deferred", probe.array(chain.map { probe.boolean($0.hasDeferredWork) }))
        try plan.set(
            "ignored",
            probe.array(
                try chain.map { config throws(ScriptError) in
                    let ignored = config.has(.exportEvents) ? config.exportIgnoredEvents : []
                    return ignored.isEmpty ? probe.null : try probe.array(ignored.sorted().map(probe.string))
                }))
        try plan.set("maxSize", probe.number(Double(maximumEventSize)))
        return plan
    }

    /// Runs one entry into the driver as a new call of every running plugin's context, so the host work
    /// each plugin starts belongs to its own call (and is given up with it).
    mutating func entering(_ body: () throws(ScriptError) -> ScriptValue) -> (calls: [Int], result: Result<ScriptValue, ScriptError>) {
        entryStarted = .now
        return Self.entering(contexts[...], body)
    }

    private static func entering(
        _ contexts: ArraySlice<ScriptContext>, _ body: () throws(ScriptError) -> ScriptValue
    ) -> (calls: [Int], result: Result<ScriptValue, ScriptError>) {
        guard let context = contexts.first else { return ([], Result { () throws(ScriptError) in try body() }) }
        var inner: (calls: [Int], result: Result<ScriptValue, ScriptError>)?
        let outer = context.startingCall { () throws(ScriptError) in inner = entering(contexts.dropFirst(), body) }
        return ([outer.call] + inner!.calls, inner!.result)
    }

    /// The driver's results text split at its newlines (JSON holds none raw), empty lines kept.
    static func lines(of text: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        text.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, !buffer.isEmpty else {
                lines.append(text[...])
                return
            }
            var start = 0
            while let found = memchr(base + start, Int32(UInt8(ascii: "\n")), buffer.count - start) {
                let end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                lines.append(text[start..<end])
                start = end + 1
            }
            lines.append(text[start...])
        }
        return lines
    }

    /// Whether `bytes` hold a NUL or the separator: the event can't go into the lane's text (nor be valid JSON).
    static func holdsSeparator(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return false }
            return memchr(base, 0, buffer.count) != nil || memchr(base, Int32(separator), buffer.count) != nil
        }
    }
}

