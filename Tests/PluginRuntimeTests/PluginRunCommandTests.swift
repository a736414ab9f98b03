import Foundation
import Hummingbird
import QuillTestSupport
import Synchronization
import Testing

/// `quill plugin run` on every capability, as plugin-run.md says, run as a separate process with its mock and logs.
@Suite struct PluginRunCommandTests {
    /// A run's output and transcripts.
    struct Run {
        var status: Int32
        var standardOutput: String
        var standardError: String
        var fetchLog: [[String: Any]]
        var captureLog: [[String: Any]]
        var fetchLogText: String
        var captureLogText: String

        /// The fetch log's request bodies, in order.
        var bodies: [String] { fetchLog.map { $0["body"] as? String ?? "null" } }
        var urls: [String] { fetchLog.map { $0["url"] as? String ?? "" } }
    }

    /// Runs `plugin` (files) on `events` with `arguments`, a mock file of `mock` when given, and both logs.
    static func run(
        _ files: [String: String], events: [String], mock: String? = nil, arguments: [String] = [],
        environment: [String: String]? = nil, wrapper: [String] = []
    ) async throws -> Run {
        let plugin = try TemporaryFolder(files)
        let work = try TemporaryFolder(["events.jsonl": events.map { $0 + "\n" }.joined()])
        var all = ["plugin", "run", plugin.path, work.url.appending(path: "events.jsonl").path]
        all += ["--fetch-log", work.url.appending(path: "fetch.jsonl").path]
        all += ["--capture-log", work.url.appending(path: "capture.jsonl").path]
        if let mock {
            try work.write(mock, to: "mock.json")
            all += ["--fetch-mock", work.url.appending(path: "mock.json").path]
        }
        all += arguments
        let output: QuillProcess.Output
        if wrapper.isEmpty {
            output = try await QuillProcess.run(all, environment: environment)
        } else {
            output = try await QuillProcess.run(all, executable: wrapper, environment: environment)
        }
        func lines(_ name: String) -> (String, [[String: Any]]) {
            let text = (try? String(contentsOf: work.url.appending(path: name), encoding: .utf8)) ?? ""
            let parsed = text.split(separator: "\n").map {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) ?? [:]
            }
            return (text, parsed)
        }
        let (fetchText, fetchLog) = lines("fetch.jsonl")
        let (captureText, captureLog) = lines("capture.jsonl")
        return Run(
            status: output.status, standardOutput: output.standardOutput, standardError: output.standardError,
            fetchLog: fetchLog, captureLog: captureLog, fetchLogText: fetchText, captureLogText: captureText)
    }

    static func plugin(_ code: String, json: String = #"{"name": "under-test"}"#, entry: String = "index.js") -> [String: String] {
        ["plugin.json": json, entry: code]
    }

    // MARK: 1. Load

    @Test func bareTopLevelFunctionsAndTheMainEntryAreFound() async throws {
        let files = [
            "plugin.json": #"{"name": "bare", "main": "src/main.js"}"#,
            "src/main.js": "function onEvent(event) { return fetch('https://bare.example/' + event.event) }",
            "index.js": "function onEvent() { throw new Error('index.js is not the entry') }",
        ]
        let run = try await Self.run(files, events: [#"{"event":"one"}"#])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.urls == ["https://bare.example/one"])
    }

    @Test func configIsDefaultsThenOptionsAndOneObjectForTheWholeRun() async throws {
        let json = #"{"name": "configured", "config": [{"key": "a", "default": "from-json"}, {"key": "b", "default": "2"}, {"key": "n", "default": "0"}]}"#
        let code = """
            export function processEvent(event, { config }) {
                config.n = String(Number(config.n) + 1)
                event.properties = { a: config.a, b: config.b, n: config.n, type: typeof config.b }
                return event
            }
            """
        let run = try await Self.run(
            Self.plugin(code, json: json), events: [#"{"event":"x"}"#, #"{"event":"y"}"#], arguments: ["--config", "a=given"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(
            run.standardOutput == """
                {"event":"x","properties":{"a":"given","b":"2","n":"1","type":"string"}}
                {"event":"y","properties":{"a":"given","b":"2","n":"2","type":"string"}}

                """)
    }

    // MARK: 2. setupPlugin

    @Test func setupRetryErrorIsRetriedAtOnceUpToFiveMoreTimes() async throws {
        let code = """
            let attempts = 0
            export function setupPlugin() { attempts++; if (attempts < 6) throw new RetryError('not yet ' + attempts) }
            export function onEvent(event) { return fetch('https://setup.example/' + attempts) }
            """
        let run = try await Self.run(Self.plugin(code), events: [#"{"event":"x"}"#])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.urls == ["https://setup.example/6"])
        #expect(run.standardError.contains("setupPlugin failed with RetryError (attempt 5/6): not yet 5"))
    }

    @Test func theSixthRetryErrorOrAnyOtherErrorEndsTheRun() async throws {
        let always = try await Self.run(
            Self.plugin("export function setupPlugin() { throw new RetryError('never') }"), events: [#"{"event":"x"}"#])
        #expect(always.status == 1)
        #expect(always.standardOutput == "")
        #expect(always.standardError.contains("attempt 6/6"))
        let other = try await Self.run(
            Self.plugin("export function setupPlugin() { throw new TypeError('broken setup') }"), events: [#"{"event":"x"}"#])
        #expect(other.status == 1)
        #expect(other.standardError.contains("broken setup"))
    }

    // MARK: 3. processEvent

    @Test func processEventBatchAloneIsAOneEventBatchAndAllEventsComeFirst() async throws {
        let code = """
            export function processEventBatch(events) {
                console.log('batch of', events.length)
                return events.filter((e) => e.event !== 'drop').map((e) => ({ ...e, seen: true }))
            }
            export function onEvent(event) { console.log('onEvent', event.event) }
            """
        let run = try await Self.run(Self.plugin(code), events: [#"{"event":"a"}"#, #"{"event":"drop"}"#, #"{"event":"b"}"#])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput == "{\"event\":\"a\",\"seen\":true}\nnull\n{\"event\":\"b\",\"seen\":true}\n")
        let lines = run.standardError.split(separator: "\n").filter { $0.hasPrefix("[LOG]") }
        #expect(lines == ["[LOG] batch of 1", "[LOG] batch of 1", "[LOG] batch of 1", "[LOG] onEvent a", "[LOG] onEvent b"])
    }

    @Test func aThrowPassesTheEventOnAndOnlyCanLeaveProcessEventOut() async throws {
        let code = """
            export function processEvent(event) { if (event.event === 'bad') throw new Error('bad'); event.properties = { changed: 1 }; return event }
            export function onEvent(event) { return fetch('https://only.example/' + event.event + '/' + (event.properties.changed ?? 'none')) }
            """
        let run = try await Self.run(Self.plugin(code), events: [#"{"event":"bad"}"#, #"{"event":"good"}"#])
        #expect(run.status == 1)
        #expect(run.standardOutput == "{\"event\":\"bad\"}\n{\"event\":\"good\",\"properties\":{\"changed\":1}}\n")
        #expect(run.urls == ["https://only.example/bad/none", "https://only.example/good/1"])
        let skipped = try await Self.run(
            Self.plugin(code), events: [#"{"event":"bad"}"#, #"{"event":"good"}"#], arguments: ["--only", "onEvent"])
        #expect(skipped.status == 0)
        #expect(skipped.standardOutput == "{\"event\":\"bad\"}\n{\"event\":\"good\"}\n")
        #expect(skipped.urls == ["https://only.example/bad/none", "https://only.example/good/none"])
    }

    // MARK: 4. onEvent, composeWebhook, exportEvents

    static let shapedEvent =
        #"{"event":"signup","distinct_id":42,"team_id":7,"uuid":"u-1","ip":"10.1.1.1","timestamp":"2024-01-02T03:04:05Z","$set":{"a":1},"properties":{"$set":{"b":2,"a":0},"plan":"pro"}}"#

    @Test func onEventGetsAProcessedPluginEvent() async throws {
        let code = "export function onEvent(event) { return fetch('https://shape.example/', { method: 'POST', body: JSON.stringify(event) }) }"
        let run = try await Self.run(Self.plugin(code), events: [Self.shapedEvent, #"{"event":"bare","properties":{"$ip":"1.2.3.4","$set_once":{"x":1}}}"#])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.bodies.count == 2)
        #expect(
            run.bodies.first
                == #"{"distinct_id":"42","ip":"10.1.1.1","team_id":7,"event":"signup","properties":{"$set":{"b":2,"a":1},"plan":"pro"},"timestamp":"2024-01-02T03:04:05.000Z","$set":{"b":2,"a":1},"uuid":"u-1","elements":[]}"#)
        let second = try #require(try JSONSerialization.jsonObject(with: Data(run.bodies[1].utf8)) as? [String: Any])
        #expect(second["ip"] as? String == "1.2.3.4")
        #expect((second["$set_once"] as? [String: Int]) == ["x": 1])
        #expect(second["$set"] == nil)
        #expect((second["timestamp"] as? String)?.hasSuffix("Z") == true)
        #expect(run.bodies[1].hasSuffix(#""elements":[]}"#))
    }

    @Test func composeWebhookGetsAPostHogEventAndItsWebhookIsSentThroughFetch() async throws {
        let code = """
            export function composeWebhook(event) {
                if (event.event === 'skip') return null
                if (event.event === 'custom') return { url: 'https://hooks.example/custom', method: 'put', headers: { 'X-Key': 'k' }, body: 'plain' }
                return {
                    url: 'https://hooks.example/a b',
                    body: JSON.stringify({ isDate: event.timestamp instanceof Date, event }),
                }
            }
            """
        let mock = #"[{"url": "https://hooks.example/*", "status": 500}]"#
        let run = try await Self.run(
            Self.plugin(code), events: [Self.shapedEvent, #"{"event":"skip"}"#, #"{"event":"custom"}"#], mock: mock)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.fetchLog.count == 2)  // no retries after the 500
        #expect(
            run.fetchLogText.split(separator: "\n").first
                == #"{"method":"POST","url":"https://hooks.example/a%20b","headers":{"content-type":"application/json"},"body":"{\"isDate\":true,\"event\":{\"uuid\":\"u-1\",\"event\":\"signup\",\"team_id\":7,\"distinct_id\":\"42\",\"properties\":{\"$set\":{\"b\":2,\"a\":1},\"plan\":\"pro\"},\"timestamp\":\"2024-01-02T03:04:05.000Z\"}}"}"#)
        #expect(
            run.fetchLogText.split(separator: "\n").last
                == #"{"method":"PUT","url":"https://hooks.example/custom","headers":{"x-key":"k","content-type":"text/plain;charset=UTF-8"},"body":"plain"}"#)
    }

    @Test func exportEventsGetsFullBatchesThenTheRest() async throws {
        let code = """
            export function exportEvents(events) {
                return fetch('https://export.example/', { method: 'POST', body: events.map((e) => e.event + ':' + e.elements.length).join(',') })
            }
            """
        let events = (1...5).map { #"{"event":"e\#($0)"}"# }
        let run = try await Self.run(Self.plugin(code), events: events, arguments: ["--export-batch-size", "2"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.bodies == ["e1:0,e2:0", "e3:0,e4:0", "e5:0"])
        let defaults = try await Self.run(Self.plugin(code), events: events)
        #expect(defaults.bodies == ["e1:0,e2:0,e3:0,e4:0,e5:0"])
    }

    @Test func retryErrorsAreRetriedAtOnceAsManyTimesAsEachFunctionAllows() async throws {
        let code = """
            let calls = 0
            export function onEvent(event) {
                fetch('https://retry.example/onEvent/' + event.event)
                if (event.event === 'always' || ++calls < 3) throw new RetryError('again')
            }
            export function exportEvents(events) {
                fetch('https://retry.example/exportEvents')
                throw new RetryError('export later')
            }
            export function composeWebhook() { throw new RetryError('never retried') }
            """
        let run = try await Self.run(Self.plugin(code), events: [#"{"event":"flaky"}"#, #"{"event":"always"}"#])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(
            run.urls
                == Array(repeating: "https://retry.example/onEvent/flaky", count: 3)
                + Array(repeating: "https://retry.example/onEvent/always", count: 6)
                + Array(repeating: "https://retry.example/exportEvents", count: 4))
        #expect(run.standardError.contains("never retried"))
    }

    @Test func eachFunctionGetsItsOwnCopyOfTheEvent() async throws {
        let code = """
            export function onEvent(event) { event.properties.touched = true; event.event = 'changed' }
            export function composeWebhook(event) { return { url: 'https://copy.example/' + event.event + '/' + (event.properties.touched ?? 'no') } }
            export function exportEvents(events) { return fetch('https://copy.example/export/' + events[0].event + '/' + (events[0].properties.touched ?? 'no')) }
            """
        let run = try await Self.run(Self.plugin(code), events: [#"{"event":"original","properties":{}}"#])
        #expect(run.urls == ["https://copy.example/original/no", "https://copy.example/export/original/no"])
    }

    // MARK: 5. Scheduled tasks and teardown

    @Test func tasksRunInTheOrderGivenThenTeardown() async throws {
        let code = """
            export function runEveryMinute() { return fetch('https://tasks.example/minute') }
            export function runEveryDay() { return fetch('https://tasks.example/day') }
            export function teardownPlugin() { return fetch('https://tasks.example/teardown') }
            export function onEvent() { return fetch('https://tasks.example/event') }
            """
        let run = try await Self.run(
            Self.plugin(code), events: [#"{"event":"x"}"#],
            arguments: ["--run", "runEveryDay", "--run", "runEveryMinute", "--run", "runEveryHour", "--run", "runEveryDay"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(
            run.urls == [
                "https://tasks.example/event", "https://tasks.example/day", "https://tasks.example/minute",
                "https://tasks.example/day", "https://tasks.example/teardown",
            ])
        #expect(run.standardError.contains("Skipped runEveryHour"))
    }

    /// What a plugin started and didn't await finishes, with the jobs it queues, before teardownPlugin runs.
    @Test func theRunWaitsForWhatThePluginStartedThenTearsDown() async throws {
        let code = """
            export const jobs = { late: (payload) => fetch('https://late.example/job/' + payload.step) }
            export function runEveryMinute({ storage, jobs }) {
                storage.set('a', 1).then(() => storage.get('a')).then((a) => storage.set('b', a + 1))
                    .then(() => fetch('https://late.example/chain')).then(() => jobs.late({ step: 1 }).runNow())
            }
            export function teardownPlugin() { return fetch('https://late.example/teardown') }
            """
        let run = try await Self.run(Self.plugin(code), events: [], arguments: ["--run", "runEveryMinute"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.urls == ["https://late.example/chain", "https://late.example/job/1", "https://late.example/teardown"])
    }

    // MARK: 6. Jobs

    @Test func queuedJobsRunRightAfterTheirCallEarliestDueFirst() async throws {
        let code = """
            export const jobs = {
                report: (payload) => fetch('https://jobs.example/report/' + payload.n),
                chain: async (payload, { jobs }) => { await fetch('https://jobs.example/chain/' + payload.n); if (payload.n < 2) await jobs.chain({ n: payload.n + 1 }).runNow() },
            }
            export async function onEvent(event, { jobs }) {
                await jobs.report({ n: 'later' }).runIn(1, 'hour')
                await jobs.report({ n: 'date' }).runAt(new Date(Date.now() + 60000))
                await jobs.report({ n: 'now' }).runNow()
            }
            export function composeWebhook(event) { return { url: 'https://jobs.example/webhook' } }
            export function runEveryHour(meta) { return meta.jobs.chain({ n: 0 }).runNow() }
            """
        let run = try await Self.run(
            Self.plugin(code), events: [#"{"event":"x"}"#],
            arguments: ["--run", "runEveryHour", "--job", #"report={"n":"cli"}"#, "--job", "missing"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(
            run.urls == [
                "https://jobs.example/report/now", "https://jobs.example/report/date", "https://jobs.example/report/later",
                "https://jobs.example/webhook",
                "https://jobs.example/chain/0", "https://jobs.example/chain/1", "https://jobs.example/chain/2",
                "https://jobs.example/report/cli",
            ])
        #expect(run.standardError.contains("Dropped job 'missing'"))
    }

    // MARK: 7. meta

    @Test func metaHasItsPartsCacheGetGivesTheDefaultAndTTLsDoNotExpire() async throws {
        let code = """
            export const metrics = { seen: 'sum' }
            export async function onEvent(event, meta) {
                const keys = Object.keys(meta).sort().join(',')
                const missing = await meta.cache.get('missing', 'fallback')
                await meta.cache.set('k', 1, 0.001)
                const end = Date.now() + 20
                while (Date.now() < end) {}
                meta.metrics.seen.increment(1)
                await fetch('https://meta.example/?' + new URLSearchParams({ keys, missing, k: await meta.cache.get('k'), tz: String(new Date(0).getHours()) }))
            }
            """
        // The run is in UTC whatever the machine's time zone is.
        let environment = ProcessInfo.processInfo.environment.merging(["TZ": "America/New_York"]) { $1 }
        let run = try await Self.run(Self.plugin(code), events: [#"{"event":"x"}"#], environment: environment)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.urls == ["https://meta.example/?keys=attachments%2Ccache%2Cconfig%2Cgeoip%2Cglobal%2Cjobs%2Cmetrics%2Cstorage%2Cutils&missing=fallback&k=1&tz=0"])
    }

    // MARK: fetch, the mock and the logs

    @Test func fetchIsAnsweredFromTheMockAndLoggedAsSent() async throws {
        let code = """
            const nodeFetch = require('node-fetch')
            export async function onEvent() {
                const exact = await fetch('HTTPS://API.Example.com/v1/x', { method: 'post', body: 'hi', headers: { 'X-Token': 't' } })
                const prefix = await nodeFetch.default(new URL('https://api.example.com/v1/items?page=2'))
                const method = await require('node-fetch')('https://api.example.com/v1/x', { method: 'DELETE' })
                const none = await fetch('https://nowhere.example/', { method: 'PUT', body: new URLSearchParams({ a: '1' }) })
                let typeError = 'none'
                try { await fetch('https://api.example.com/', { method: 'GET', body: 'x' }) } catch (e) { typeError = e.name }
                let fetchError = 'none'
                try { await (await fetch('https://api.example.com/text')).json() } catch (e) { fetchError = e.name }
                const summary = [exact.status, exact.ok, exact.statusText, exact.headers.get('x-mock'), await exact.text(),
                    prefix.status, JSON.stringify(await prefix.json()), method.status, none.status, await none.text(),
                    JSON.stringify(exact), typeError, fetchError]
                await fetch('https://report.example/', { method: 'POST', body: JSON.stringify(summary) })
            }
            """
        let mock = """
            [
                {"method": "post", "url": "https://api.example.com/v1/x", "status": 201, "headers": {"X-Mock": "yes"}, "body": "created"},
                {"method": "DELETE", "url": "https://api.example.com/v1/x", "status": 404},
                {"url": "https://api.example.com/v1/*", "body": {"items": [1, 2.50]}},
                {"url": "https://api.example.com/text", "body": "not json"}
            ]
            """
        let run = try await Self.run(Self.plugin(code), events: [#"{"event":"x"}"#], mock: mock)
        #expect(run.status == 0, "\(run.standardError)")
        let lines = run.fetchLogText.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                #"{"method":"POST","url":"https://api.example.com/v1/x","headers":{"x-token":"t","content-type":"text/plain;charset=UTF-8"},"body":"hi"}"#,
                #"{"method":"GET","url":"https://api.example.com/v1/items?page=2","headers":{},"body":null}"#,
                #"{"method":"DELETE","url":"https://api.example.com/v1/x","headers":{},"body":null}"#,
                #"{"method":"PUT","url":"https://nowhere.example/","headers":{"content-type":"application/x-www-form-urlencoded;charset=UTF-8"},"body":"a=1"}"#,
                #"{"method":"GET","url":"https://api.example.com/text","headers":{},"body":null}"#,
                #"{"method":"POST","url":"https://report.example/","headers":{"content-type":"text/plain;charset=UTF-8"},"body":"[201,true,\"Created\",\"yes\",\"created\",200,\"{\\\"items\\\":[1,2.5]}\",404,200,\"{}\",\"{\\\"size\\\":0,\\\"timeout\\\":0}\",\"TypeError\",\"FetchError\"]"}"#,
            ])
    }

    @Test func aMockMatchesTheNormalisedURLOrTheRawOne() async throws {
        let code = """
            export async function onEvent() {
                const normalised = await fetch('HTTPS://Raw.Example/a/../b')
                const raw = await fetch('https://raw.example/c?q=a b')
                await fetch('https://report.example/' + normalised.status + '/' + raw.status)
            }
            """
        let mock = #"[{"url": "https://raw.example/b", "status": 201}, {"url": "https://raw.example/c?q=a b", "status": 202}]"#
        let run = try await Self.run(Self.plugin(code), events: [#"{"event":"x"}"#], mock: mock)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.urls == ["https://raw.example/b", "https://raw.example/c?q=a%20b", "https://report.example/201/202"])
    }

    @Test func captureAndAPICallsGoToTheCaptureLogNotTheFetchLog() async throws {
        let code = """
            export async function runEveryMinute() {
                await posthog.capture('made', { n: 1, nested: { a: [1, 2] } })
                await posthog.capture('bare')
                const cohorts = await posthog.api.get('/api/projects/@current/cohorts', { host: 'https://eu.posthog.com///' })
                const created = await posthog.api.post('/api/projects/1/annotations', { data: { content: 'hi' } })
                await fetch('https://report.example/' + cohorts.status + '/' + (await cohorts.json()).count + '/' + created.status)
            }
            """
        let mock = """
            [{"url": "https://eu.posthog.com/api/projects/@current/cohorts", "body": {"count": 3}},
             {"method": "POST", "url": "https://app.posthog.com/api/projects/1/annotations", "status": 201}]
            """
        let run = try await Self.run(Self.plugin(code), events: [], mock: mock, arguments: ["--run", "runEveryMinute"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(
            run.captureLogText == """
                {"type":"capture","event":"made","properties":{"n":1,"nested":{"a":[1,2]}}}
                {"type":"capture","event":"bare","properties":{}}
                {"type":"api","method":"GET","path":"/api/projects/@current/cohorts","options":{"host":"https://eu.posthog.com///"}}
                {"type":"api","method":"POST","path":"/api/projects/1/annotations","options":{"data":{"content":"hi"}}}

                """)
        #expect(run.urls == ["https://report.example/200/3/201"])
    }

    // MARK: Offline by default

    @Test func withoutMockOrNetworkARequestIsLoggedAndNoSocketIsOpened() async throws {
        let strace = "/usr/bin/strace"
        let hits = Mutex(0)
        let router = Router()
        router.get("/hit") { _, _ in
            hits.withLock { $0 += 1 }
            return "reached"
        }
        let server = try await LocalHTTPServer.start(router)
        defer { server.stop() }
        let code = """
            export async function onEvent() {
                const r = await fetch('\(server.baseURL)/hit')
                console.log('answer', r.status, await r.text())
                await fetch('https://offline.example/')
            }
            """
        let trace = try TemporaryFolder()
        let traceFile = trace.url.appending(path: "trace").path
        let environment = ProcessInfo.processInfo.environment.merging(["QUILL_FETCH_ALLOW": "127.0.0.1"]) { $1 }
        let offline = try await Self.run(
            Self.plugin(code), events: [#"{"event":"x"}"#], environment: environment,
            wrapper: [strace, "-f", "-e", "trace=socket,connect", "-o", traceFile])
        #expect(offline.status == 0, "\(offline.standardError)")
        #expect(offline.urls == ["\(server.baseURL)/hit", "https://offline.example/"])
        #expect(offline.standardError.contains("[LOG] answer 200 {}"))
        let calls = try String(contentsOfFile: traceFile, encoding: .utf8)
        #expect(calls.contains("exited with 0"), "strace did not trace the run: \(calls)")
        // No TCP connection and no name lookup. (Foundation's Process, which runs esbuild, makes itself a
        // pair of UDP sockets on 127.0.0.1 to wake its run loop: those carry nothing out of the process.)
        let network = calls.split(separator: "\n").filter {
            ($0.contains("AF_INET") && $0.contains("SOCK_STREAM")) || $0.contains("htons(53)") || $0.contains("AF_INET6")
        }
        #expect(network.isEmpty, "\(network)")
        #expect(hits.withLock { $0 } == 0)

        let online = try await Self.run(
            Self.plugin(code), events: [#"{"event":"x"}"#], arguments: ["--allow-network"], environment: environment)
        #expect(online.status == 0, "\(online.standardError)")
        #expect(online.urls == ["\(server.baseURL)/hit", "https://offline.example/"])
        #expect(online.standardError.contains("[LOG] answer 200 reached"))
        #expect(hits.withLock { $0 } == 1)
    }

    @Test func networkStillGoesThroughTheAddressGuard() async throws {
        let code = "export async function onEvent() { try { await fetch('http://127.0.0.1:9/') } catch (e) { console.log('refused', e.message) } }"
        let run = try await Self.run(Self.plugin(code), events: [#"{"event":"x"}"#], arguments: ["--allow-network"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardError.contains("[LOG] refused"))
        #expect(run.urls == ["http://127.0.0.1:9/"])
    }

    @Test func aLogPathThatIsALinkIsWrittenThroughNotReplaced() async throws {
        let folder = try TemporaryFolder(["target.jsonl": "old content\n"])
        let link = folder.url.appending(path: "link.jsonl")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: folder.url.appending(path: "target.jsonl").path)
        let plugin = try TemporaryFolder(Self.plugin("export function onEvent() { return fetch('https://link.example/') }"))
        let output = try await QuillProcess.run(
            ["plugin", "run", plugin.path, "--fetch-log", link.path], input: #"{"event":"x"}"# + "\n")
        #expect(output.status == 0, "\(output.standardError)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path).hasSuffix("target.jsonl"))
        #expect(
            try String(contentsOf: folder.url.appending(path: "target.jsonl"), encoding: .utf8)
                == #"{"method":"GET","url":"https://link.example/","headers":{},"body":null}"# + "\n")
    }

    // MARK: The destination examples

    /// Every folder under `examples/` with a `test/fetch-mock.json`: a destination plugin and its transcripts.
    static let destinations: [String] = {
        let root = QuillExecutable.repositoryRoot.appending(path: "examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: root.appending(path: "\($0)/test/fetch-mock.json").path) }.sorted()
    }()

    @Test func thereAreTenDestinationExamples() {
        #expect(Self.destinations.count >= 10)
    }

    /// The example's run with its mock gives the requests of `test/fetch-log.jsonl` and the calls of
    /// `test/capture-log.jsonl` (none when absent), byte for byte, and prints its events as `test/expected.jsonl`.
    @Test(arguments: destinations)
    func destinationExampleMakesItsTranscripts(name: String) async throws {
        let folder = QuillExecutable.repositoryRoot.appending(path: "examples/\(name)")
        let logs = try TemporaryFolder()
        let arguments = (try String(contentsOf: folder.appending(path: "test/args"), encoding: .utf8)).split(separator: "\n").map(String.init)
        let output = try await QuillProcess.run(
            ["plugin", "run", folder.path] + arguments + [
                "--fetch-mock", folder.appending(path: "test/fetch-mock.json").path,
                "--fetch-log", logs.url.appending(path: "fetch.jsonl").path,
                "--capture-log", logs.url.appending(path: "capture.jsonl").path,
                folder.appending(path: "test/input.jsonl").path,
            ])
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardOutput == (try String(contentsOf: folder.appending(path: "test/expected.jsonl"), encoding: .utf8)))
        func text(_ url: URL) -> String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        #expect(text(logs.url.appending(path: "fetch.jsonl")) == text(folder.appending(path: "test/fetch-log.jsonl")))
        #expect(text(logs.url.appending(path: "capture.jsonl")) == text(folder.appending(path: "test/capture-log.jsonl")))
        #expect(!text(folder.appending(path: "test/fetch-log.jsonl")).isEmpty, "every destination makes requests")
        #expect(!output.standardError.contains("ERROR"), "\(output.standardError)")
    }

    // MARK: --help

    @Test func helpDocumentsEveryOption() async throws {
        let output = try await QuillProcess.run(["plugin", "run", "--help"])
        for option in [
            "--config", "--attachment", "--only", "--export-batch-size", "--run", "--job", "--fetch-mock", "--fetch-log",
            "--capture-log", "--allow-network", "--time-limit",
        ] {
            #expect(output.standardOutput.contains(option), "\(option)")
        }
        #expect(output.standardOutput.contains("composeWebhook"))
    }
}

/// `quill plugin run` installs a folder's package.json dependencies from the registry into its compile, leaving
/// the folder as it is.
@Suite struct PluginRunDependenciesTests {
    @Test func runsAFolderWithDependencies() async throws {
        let registry = FakeNpmRegistry()
        registry.publish("case", "1.0.0", files: ["index.js": "module.exports = s => s.toUpperCase()"])
        registry.publish(
            "greet", "1.3.1", files: ["index.js": "const c = require('case'); module.exports = who => 'hello ' + c(who)"],
            dependencies: ["case": "^1.0.0"])
        try await registry.start()
        defer { registry.stop() }
        let files = PluginRunCommandTests.plugin(
            "const greet = require('greet'); export function processEvent(event) { event.properties.greeting = greet('world'); return event }")
            .merging(["package.json": #"{"name": "p", "dependencies": {"greet": "^1.0.0"}}"#]) { $1 }
        let environment = ProcessInfo.processInfo.environment.merging(["QUILL_NPM_REGISTRY_URL": registry.baseURL]) { $1 }
        let plugin = try TemporaryFolder(files)
        let work = try TemporaryFolder(["events.jsonl": #"{"event":"x","properties":{}}"# + "\n"])
        let run = try await QuillProcess.run(
            ["plugin", "run", plugin.path, work.url.appending(path: "events.jsonl").path], environment: environment)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("hello WORLD"), "\(run.standardOutput)")
        let left = try FileManager.default.subpathsOfDirectory(atPath: plugin.path).sorted()
        #expect(left == ["index.js", "package.json", "plugin.json"], "nothing written into the folder")

        // A folder where npm install has run compiles from its own node_modules, without the registry.
        let requestsBefore = registry.requests.count
        let installed = try TemporaryFolder(
            files.merging([
                "node_modules/greet/package.json": #"{"name": "greet", "version": "1.9.0"}"#,
                "node_modules/greet/index.js": "module.exports = who => 'hi ' + who + ' from node_modules'",
            ]) { $1 })
        let local = try await QuillProcess.run(
            ["plugin", "run", installed.path, work.url.appending(path: "events.jsonl").path], environment: environment)
        #expect(local.standardOutput.contains("hi world from node_modules"), "\(local.standardOutput)\(local.standardError)")
        #expect(registry.requests.count == requestsBefore)

        let unknown = try TemporaryFolder(files.merging(["package.json": #"{"name": "p", "dependencies": {"nowhere": "1"}}"#]) { $1 })
        let refused = try await QuillProcess.run(
            ["plugin", "run", unknown.path, work.url.appending(path: "events.jsonl").path], environment: environment)
        #expect(refused.status != 0)
        #expect(refused.standardError.contains("'nowhere'"), "\(refused.standardError)")
    }
}
