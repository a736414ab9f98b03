import JavaScriptEngine
import Testing

@Suite struct ScriptEngineTests {
    @Test func evaluatesAndConvertsValues() async throws {
        let sandbox = ScriptSandbox()
        let result = try await sandbox.run { context in
            let value = try context.evaluate("({a: [1, 'two', true, null], b: 1.5})")
            let a = try value.get("a")
            return [
                try a.get(0).toNumber() == 1,
                try a.get(1).toString() == "two",
                try a.get(2).boolValue,
                try a.get(3).isNull,
                try value.get("b").toNumber() == 1.5,
                try value.get("missing").isUndefined,
                a.isArray,
                try a.arrayElements().count == 4,
            ]
        }
        #expect(result.allSatisfy { $0 })
    }

    @Test func exceptionsBecomeErrorsWithNameMessageAndStack() async throws {
        let sandbox = ScriptSandbox()
        let error = try await sandbox.run { context in
            do {
                try context.evaluate(
                    "function fail() { throw new TypeError('bad thing') }\nfail()", sourceURL: "plugin.js")
                return ScriptError(name: "none", message: "no error thrown")
            } catch let error as ScriptError {
                return error
            }
        }
        #expect(error.kind == .exception)
        #expect(error.name == "TypeError")
        #expect(error.message == "bad thing")
        #expect(error.stack?.contains("fail") == true)
        #expect(error.description == "TypeError: bad thing")
    }

    @Test func throwingNonErrorValuesIsDescribed() async throws {
        let sandbox = ScriptSandbox()
        let error = try await sandbox.run { context in
            do {
                try context.evaluate("throw 'just a string'")
                return ScriptError(name: "none", message: "")
            } catch let error as ScriptError {
                return error
            }
        }
        #expect(error.name == "Error")
        #expect(error.message == "just a string")
    }

    @Test func syntaxErrorsAreReportedWithoutRunning() async throws {
        let sandbox = ScriptSandbox()
        let error = try await sandbox.run { context in
            do {
                try context.checkSyntax("function f( {", sourceURL: "index.js")
                return ScriptError(name: "none", message: "")
            } catch let error as ScriptError {
                return error
            }
        }
        #expect(error.name == "SyntaxError")
    }

    @Test func synchronousInfiniteLoopStopsAtTheLimitAndContextStaysUsable() async throws {
        let sandbox = ScriptSandbox(timeLimit: .milliseconds(300))
        let (kind, after) = try await sandbox.run { context in
            var kind: ScriptError.Kind?
            do {
                try context.evaluate("while (true) {}")
            } catch let error as ScriptError {
                kind = error.kind
            }
            return (kind, try context.evaluate("40 + 2").toNumber())
        }
        #expect(kind == .timeout)
        #expect(after == 42)
    }

    @Test func loopInsideTryCatchCannotSwallowTheStop() async throws {
        let sandbox = ScriptSandbox(timeLimit: .milliseconds(300))
        let kind = try await sandbox.run { context in
            do {
                try context.evaluate("try { for (;;) {} } catch (e) { 'swallowed' }")
                return ScriptError.Kind?.none
            } catch let error as ScriptError {
                return error.kind
            }
        }
        #expect(kind == .timeout)
    }

    /// A long entry that bumps the group's unit counter is held to the limit unit by unit, not as a whole.
    @Test func eachUnitOfALongEntryIsHeldToTheLimit() async throws {
        let sandbox = ScriptSandbox(timeLimit: .seconds(1))
        let (bumping, stuck) = try await sandbox.run { context in
            try context.globalObject.set("units", try context.group.unitCounter(in: context))
            // Fifteen units of 100 ms: 1.5 seconds in all, each well within the limit.
            let bumping = try context.evaluate(
                """
                for (let unit = 0; unit < 15; unit++) { units[0]++; const end = Date.now() + 100; while (Date.now() < end) {} }
                'done'
                """
            ).toString()
            var stuck: ScriptError.Kind?
            do {
                try context.evaluate("units[0]++; while (true) {}")
            } catch let error as ScriptError {
                stuck = error.kind
            }
            return (bumping, stuck)
        }
        #expect(bumping == "done")
        #expect(stuck == .timeout)
    }

    @Test func deepRecursionIsARangeErrorNotACrash() async throws {
        let sandbox = ScriptSandbox()
        let (name, after) = try await sandbox.run { context in
            var name = ""
            do {
                try context.evaluate("function down(n) { return down(n + 1) + 1 }; down(0)")
            } catch let error as ScriptError {
                name = error.name
            }
            return (name, try context.evaluate("'still here'").toString())
        }
        #expect(name == "RangeError")
        #expect(after == "still here")
    }

    @Test func awaitsAJavaScriptPromise() async throws {
        let sandbox = ScriptSandbox()
        let value = try await sandbox.run { context in
            let promise = try context.evaluate("(async () => { await null; return 'done' })()")
            return try await promise.settled(timeLimit: .seconds(1)).toString()
        }
        #expect(value == "done")
    }

    @Test func rejectedPromiseThrowsItsReason() async throws {
        let sandbox = ScriptSandbox()
        let error = try await sandbox.run { context in
            let promise = try context.evaluate("Promise.reject(new RangeError('nope'))")
            do {
                _ = try await promise.settled(timeLimit: .seconds(1))
                return ScriptError(name: "none", message: "")
            } catch let error as ScriptError {
                return error
            }
        }
        #expect(error.name == "RangeError")
        #expect(error.message == "nope")
    }

    @Test func promiseThatNeverSettlesTimesOutAndContextStaysUsable() async throws {
        let sandbox = ScriptSandbox()
        let (error, after) = try await sandbox.run { context in
            let promise = try context.evaluate("new Promise(() => {})")
            var caught: ScriptError?
            do {
                _ = try await promise.settled(timeLimit: .milliseconds(200), description: "processEvent")
            } catch let error as ScriptError {
                caught = error
            }
            return (caught, try context.evaluate("1 + 1").toNumber())
        }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("processEvent timed out") == true)
        #expect(after == 2)
    }

    @Test func nonPromiseValuesSettleToThemselves() async throws {
        let sandbox = ScriptSandbox()
        let value = try await sandbox.run { context in
            try await context.number(7).settled(timeLimit: .seconds(1)).toNumber()
        }
        #expect(value == 7)
    }

    @Test func hostFunctionsReceiveArgumentsAndThrowIntoJavaScript() async throws {
        let sandbox = ScriptSandbox()
        let result = try await sandbox.run { context in
            let add = context.function { arguments, _ in
                let sum = try arguments.reduce(0) { $0 + (try $1.toNumber()) }
                return arguments.first!.context.number(sum)
            }
            let fail = context.function { _, _ in
                throw HostFunctionError(name: "IllegalOperationError", message: "not allowed")
            }
            try context.globalObject.set("add", add)
            try context.globalObject.set("fail", fail)
            return try context.evaluate(
                "[add(1, 2, 3), typeof add, (() => { try { fail() } catch (e) { return e.name + ': ' + e.message } })()].join('|')"
            ).toString()
        }
        #expect(result == "6|function|IllegalOperationError: not allowed")
    }

    @Test func swiftAsyncWorkBecomesAJavaScriptPromise() async throws {
        let sandbox = ScriptSandbox()
        let value = try await sandbox.run { context in
            let fetchNumber = context.function { arguments, _ in
                let input = try arguments[0].toNumber()
                return try context.promise(
                    for: {
                        try await Task.sleep(for: .milliseconds(10))
                        return input * 2
                    },
                    convert: { output, context in context.number(output) })
            }
            try context.globalObject.set("fetchNumber", fetchNumber)
            let promise = try context.evaluate("(async () => (await fetchNumber(21)) + 0)()")
            return try await promise.settled(timeLimit: .seconds(2)).toNumber()
        }
        #expect(value == 42)
    }

    @Test func failedSwiftAsyncWorkRejectsThePromise() async throws {
        let sandbox = ScriptSandbox()
        let message = try await sandbox.run { context in
            let failing = context.function { _, _ in
                try context.promise(
                    for: { () async throws -> Int in throw HostFunctionError(message: "disk on fire") },
                    convert: { output, context in context.number(Double(output)) })
            }
            try context.globalObject.set("failing", failing)
            let promise = try context.evaluate("failing().then(() => 'no', (e) => e.message)")
            return try await promise.settled(timeLimit: .seconds(2)).toString()
        }
        #expect(message == "disk on fire")
    }

    @Test func callbackOfSwiftAsyncWorkStoppedAtTheTimeLimitTimesOutItsAwaitingCall() async throws {
        let sandbox = ScriptSandbox(timeLimit: .milliseconds(200))
        let (error, after) = try await sandbox.run { context in
            let later = context.function { _, _ in
                try context.promise(for: { try await Task.sleep(for: .milliseconds(10)) }, convert: { _, context in context.undefined })
            }
            try context.globalObject.set("later", later)
            let promise = try context.evaluate("(async () => { await later(); while (true) {} })()")
            var caught: ScriptError?
            do {
                _ = try await promise.settled(timeLimit: .seconds(1), description: "onEvent")
            } catch let error as ScriptError {
                caught = error
            }
            return (caught, try context.evaluate("1 + 1").toNumber())
        }
        #expect(error?.kind == .timeout)
        #expect(after == 2)
    }

    @Test func jsonFastPathRoundTripsBytes() async throws {
        let sandbox = ScriptSandbox()
        let input = #"{"event":"$pageview","properties":{"ü":"✓","n":12345678901,"list":[1,2.5,null]}}"#
        let output = try await sandbox.run { context in
            try context.parseJSON(Array(input.utf8)).jsonBytes()
        }
        #expect(output.map { String(decoding: $0, as: UTF8.self) } == input)
    }

    @Test func malformedJSONSaysWhy() async throws {
        let sandbox = ScriptSandbox()
        let error = try await sandbox.run { context in
            do {
                _ = try context.parseJSON("{\"a\":")
                return ScriptError(name: "none", message: "")
            } catch let error as ScriptError {
                return error
            }
        }
        #expect(error.name == "SyntaxError")
    }

    @Test func contextsInOneGroupShareObjects() async throws {
        let sandbox = ScriptSandbox()
        let result = try await sandbox.runWithSibling { context, sibling in
            let shared = try context.evaluate("({count: 1})")
            try sibling.globalObject.set("shared", shared)
            try sibling.evaluate("shared.count += 1")
            return try shared.get("count").toNumber()
        }
        #expect(result == 2)
    }
}

@Suite struct TypedArrayTests {
    @Test func bytesOfTypedArraysSubarraysAndBuffers() async throws {
        let sandbox = ScriptSandbox()
        let results = try await sandbox.run { context in
            try [
                "new Uint8Array([1, 2, 3])", "new Uint8Array([0, 1, 2, 3, 4]).subarray(1, 3)",
                "new Uint16Array([258]).buffer", "new DataView(new Uint8Array([9, 8, 7]).buffer, 1)",
                "new Uint8Array(0)", "'not bytes'", "[1, 2]",
            ].map { source throws(ScriptError) in try context.evaluate(source).bytes() }
        }
        #expect(results == [[1, 2, 3], [1, 2], [2, 1], nil, [], nil, nil])
    }

    @Test func uint8ArrayFromSwiftBytes() async throws {
        let sandbox = ScriptSandbox()
        let text = try await sandbox.run { context in
            let array = try context.uint8Array([104, 105])
            try context.globalObject.set("made", array)
            return try context.evaluate("made instanceof Uint8Array && String.fromCharCode(...made)").toString()
        }
        #expect(text == "hi")
    }
}

@Suite struct RepeatedTimeLimitTests {
    /// From about the third call the optimizing JIT compiles the loop; only polling traps, asked for
    /// before the process's first thread started, stop it then.
    @Test func everyOneOfManyInfiniteLoopsIsStopped() async throws {
        #expect(ScriptContextGroup.usesPollingTraps)
        let sandbox = ScriptSandbox(timeLimit: .milliseconds(200))
        let stopped = try await sandbox.run { context in
            let spin = try context.evaluate("(function spin() { while (true) {} })")
            var stopped = 0
            for _ in 0..<8 {
                do {
                    try spin.call()
                } catch let error as ScriptError where error.kind == .timeout {
                    stopped += 1
                }
            }
            return stopped
        }
        #expect(stopped == 8)
    }
}
