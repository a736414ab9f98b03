import JavaScriptEngine
import Storage

/// `quill plugin run`'s steps after the chain (plugin-run.md, steps 4–6), on the script thread.
extension PluginWorker {
    func run(_ steps: [PluginRunStep], config: LoadedConfig, session: PluginRunSession) async {
        guard let vm = await vm(for: config) else { return }
        for step in steps {
            switch step {
            case .events(let events, let functions):
                for event in events {
                    await deliver(event, to: vm, functions: functions, session: session)
                }
            case .flushExports:
                let events = session.takeExportBuffer()
                if !events.isEmpty { await exportEvents(events, vm: vm, session: session) }
            case .scheduledTask(let name):
                guard let task = PluginMethod(rawValue: name), PluginMethod.scheduledTasks.contains(task), vm.has(task) else {
                    vm.log(.system, .warn, "Skipped \(name): the plugin has no such scheduled task.")
                    continue
                }
                await attempt(task.rawValue, on: vm, retries: 0, session: session) { () async throws(ScriptError) in
                    _ = try await vm.call(task)
                }
            case .job(let name, let payload):
                session.enqueue(pluginConfigID: config.id, name: name, payload: payload, time: .after(milliseconds: 0))
                await runQueuedJobs(session)
            case .queuedJobs:
                await runQueuedJobs(session)
            case .settle:
                repeat {
                    await runQueuedJobs(session)
                    guard await vm.context.hostWork.settled(within: configuration.timeLimit) else {
                        vm.log(.system, .warn, "Gave up waiting for \(vm.context.hostWork.pending) operations the plugin started.")
                        break
                    }
                } while session.hasQueuedJobs
            }
        }
    }

    private func deliver(_ event: [UInt8], to vm: PluginVM, functions: Set<PluginMethod>, session: PluginRunSession) async {
        if functions.contains(.onEvent), vm.has(.onEvent) {
            await attempt("onEvent", on: vm, retries: session.onEventRetries, session: session) { () async throws(ScriptError) in
                _ = try await vm.call(.onEvent, [vm.shapedEvent(event, for: .onEvent)])
            }
        }
        if functions.contains(.composeWebhook), vm.has(.composeWebhook) {
            // PostHog sends a composed webhook "without any retries", whatever the answer.
            await attempt("composeWebhook", on: vm, retries: 0, session: session) { () async throws(ScriptError) in
                guard let request = try await vm.composeWebhook(event) else { return }
                _ = try await vm.sendThroughFetch(request)
            }
        }
        if functions.contains(.exportEvents), vm.has(.exportEvents), let batch = session.buffer(export: event) {
            await exportEvents(batch, vm: vm, session: session)
        }
    }

    private func exportEvents(_ events: [[UInt8]], vm: PluginVM, session: PluginRunSession) async {
        await attempt("exportEvents", on: vm, retries: session.exportEventsRetries, session: session) { () async throws(ScriptError) in
            let batch = try vm.context.array(events.map { event throws(ScriptError) in try vm.shapedEvent(event, for: .exportEvents) })
            _ = try await vm.call(.exportEvents, [batch])
        }
    }

    /// Runs a call, again at once after a `RetryError` up to `retries` more times (virtual time); the jobs it
    /// queued run after each attempt. A last failure is logged and the run goes on.
    private func attempt(
        _ name: String, on vm: PluginVM, retries: Int, session: PluginRunSession, _ call: () async throws(ScriptError) -> Void
    ) async {
        let attempts = retries + 1
        for number in 1...attempts {
            do throws(ScriptError) {
                try await call()
                await runQueuedJobs(session)
                return
            } catch {
                await runQueuedJobs(session)
                guard error.errorClass == PluginVM.retryErrorClass, retries > 0 else {
                    vm.recordError(error)
                    return
                }
                guard number < attempts else {
                    vm.recordError(error)
                    vm.log(.system, .error, "\(name) failed with RetryError \(attempts) times; giving up.")
                    return
                }
                vm.log(.system, .warn, "\(name) failed with RetryError (attempt \(number)/\(attempts)): \(error.message). Retrying.")
            }
        }
    }

    /// Runs the session's queued jobs, earliest due first, until none is left (jobs may queue jobs).
    func runQueuedJobs(_ session: PluginRunSession) async {
        while let job = session.nextJob() {
            guard let config = registry.config(job.pluginConfigID), let vm = await vm(for: config) else { continue }
            guard config.capabilities.jobs.contains(job.name) else {
                vm.log(.system, .warn, "Dropped job '\(job.name)': the plugin's jobs have no such job.")
                continue
            }
            do throws(ScriptError) {
                _ = try await vm.callJob(job.name, payload: vm.context.parseJSON(job.payload))
            } catch {
                vm.recordError(error)
            }
        }
    }
}
