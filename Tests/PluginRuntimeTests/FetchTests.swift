import Compression
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
@testable import PluginRuntime
import Storage
import QuillTestSupport
import Testing

/// `fetch` and `node-fetch` against a local server, and the address policy that keeps plugins off
/// the server's own network unless the operator allows it.
@Suite struct FetchTests {
    /// Allows the test server's loopback address, which plugins may not reach by default.
    static let loopback = FetchPolicy(allowedNetworks: [FetchPolicy.Network("127.0.0.0/8")!])

    // MARK: Requests and responses

    @Test func getsTextWithStatusAndHeaders() async throws {
        let result = try await run(
            """
            const response = await fetch(`${base}/text`)
            return {
              status: response.status, ok: response.ok, statusText: response.statusText, url: response.url,
              redirected: response.redirected, contentType: response.headers.get('Content-Type'),
              hasLength: response.headers.has('content-length'), missing: response.headers.get('x-missing'),
              text: await response.text(), bodyUsed: response.bodyUsed,
              again: await response.text().then(() => 'read twice', (error) => `${error.name}: ${error.message}`),
            }
            """)
        #expect(result["status"] as? Int == 200)
        #expect(result["ok"] as? Bool == true)
        #expect(result["statusText"] as? String == "OK")
        #expect((result["url"] as? String)?.hasSuffix("/text") == true)
        #expect(result["redirected"] as? Bool == false)
        #expect(result["contentType"] as? String == "text/plain; charset=utf-8")
        #expect(result["hasLength"] as? Bool == true)
        #expect(result["missing"] is NSNull)
        #expect(result["text"] as? String == "hello")
        #expect(result["bodyUsed"] as? Bool == true)
        #expect((result["again"] as? String)?.hasPrefix("TypeError: body used already for: http://127.0.0.1:") == true)
    }

    @Test func readsBodiesAsJSONBytesAndBuffers() async throws {
        let result = try await run(
            """
            const json = await (await fetch(`${base}/json`)).json()
            const bytes = await (await fetch(`${base}/text`)).arrayBuffer()
            const buffer = await (await fetch(`${base}/text`)).buffer()
            const bad = await (await fetch(`${base}/bad-json`)).json().catch((error) => error)
            return {
              json, arrayBuffer: bytes instanceof ArrayBuffer, bytes: Array.from(new Uint8Array(bytes)),
              isBuffer: Buffer.isBuffer(buffer), buffer: buffer.toString('hex'),
              bad: { name: bad.name, type: bad.type, message: bad.message, isFetchError: bad instanceof fetch.FetchError },
            }
            """)
        #expect((result["json"] as? [String: Any])?["list"] as? [Int] == [1, 2])
        #expect(result["arrayBuffer"] as? Bool == true)
        #expect(result["bytes"] as? [Int] == [104, 101, 108, 108, 111])
        #expect(result["isBuffer"] as? Bool == true)
        #expect(result["buffer"] as? String == "68656c6c6f")
        let bad = try #require(result["bad"] as? [String: Any])
        // node-fetch 2 wraps JSON.parse's SyntaxError in a FetchError of type invalid-json.
        #expect(bad["name"] as? String == "FetchError")
        #expect(bad["type"] as? String == "invalid-json")
        #expect((bad["message"] as? String)?.hasPrefix("invalid json response body at http://127.0.0.1:") == true)
        #expect(bad["isFetchError"] as? Bool == true)
    }

    @Test func reportsStatusesThatAreNotOK() async throws {
        let result = try await run(
            """
            const responses = await Promise.all([404, 500, 201].map((code) => fetch(`${base}/status/${code}`)))
            return { list: await Promise.all(responses.map(async (r) => [r.status, r.ok, r.statusText, await r.text()])) }
            """)
        let list = try #require(result["list"] as? [[Any]])
        #expect(list.map { $0[0] as? Int } == [404, 500, 201])
        #expect(list.map { $0[1] as? Bool } == [false, false, true])
        #expect(list.map { $0[2] as? String } == ["Not Found", "Internal Server Error", "Created"])
        #expect(list.map { $0[3] as? String } == ["status 404", "status 500", "status 201"])
    }

    @Test func sendsEachKindOfBody() async throws {
        let result = try await run(
            """
            const send = async (body, headers) => {
              const echo = await (await fetch(`${base}/echo`, { method: 'post', body, headers })).json()
              const header = (name) => (echo.headers.find(([key]) => key.toLowerCase() === name) || [])[1] ?? null
              return { method: echo.method, body: Buffer.from(echo.body, 'base64').toString('latin1'),
                       type: header('content-type'), length: header('content-length') }
            }
            return {
              string: await send('héllo'),
              json: await send(JSON.stringify({ a: 1 }), { 'Content-Type': 'application/json' }),
              form: await send(new URLSearchParams({ q: 'a b', n: '1' })),
              buffer: await send(Buffer.from([0, 255, 65])),
              uint8: await send(new Uint8Array([1, 2, 3]).subarray(1)),
              arrayBuffer: await send(new Uint8Array([66, 67]).buffer),
              empty: await send(undefined),
            }
            """)
        func sent(_ key: String) -> [String: Any] { result[key] as? [String: Any] ?? [:] }
        #expect(sent("string")["method"] as? String == "POST")
        #expect(sent("string")["body"] as? String == "h\u{C3}\u{A9}llo")
        #expect(sent("string")["type"] as? String == "text/plain;charset=UTF-8")
        #expect(sent("string")["length"] as? String == "6")
        #expect(sent("json")["body"] as? String == #"{"a":1}"#)
        #expect(sent("json")["type"] as? String == "application/json")
        #expect(sent("form")["body"] as? String == "q=a+b&n=1")
        #expect(sent("form")["type"] as? String == "application/x-www-form-urlencoded;charset=UTF-8")
        #expect(sent("buffer")["body"] as? String == "\u{0}\u{FF}A")
        #expect(sent("buffer")["type"] is NSNull)
        #expect(sent("uint8")["body"] as? String == "\u{2}\u{3}")
        #expect(sent("arrayBuffer")["body"] as? String == "BC")
        #expect(sent("empty")["body"] as? String == "")
        #expect(sent("empty")["length"] as? String == "0")
    }

    @Test func sendsMethodsAndRefusesABodyOnGet() async throws {
        let result = try await run(
            """
            const methods = []
            for (const method of ['GET', 'put', 'Patch', 'DELETE']) {
              methods.push((await (await fetch(`${base}/echo`, { method })).json()).method)
            }
            const head = await fetch(`${base}/text`, { method: 'HEAD' })
            const getWithBody = await fetch(`${base}/echo`, { body: 'x' }).catch((error) => `${error.name}: ${error.message}`)
            return { methods, head: [head.status, await head.text()], getWithBody }
            """)
        #expect(result["methods"] as? [String] == ["GET", "PUT", "PATCH", "DELETE"])
        #expect(result["head"] as? [AnyHashable] == [200, ""])
        #expect(result["getWithBody"] as? String == "TypeError: Request with GET/HEAD method cannot have body")
    }

    @Test func sendsHeadersGivenEachWay() async throws {
        let result = try await run(
            """
            const sent = async (headers) => {
              const echo = await (await fetch(`${base}/echo`, { headers })).json()
              return Object.fromEntries(echo.headers.map(([key, value]) => [key.toLowerCase(), value]))
            }
            const headers = new fetch.Headers({ 'X-One': '1' })
            headers.append('x-one', '2')
            return {
              object: await sent({ 'X-Api-Key': 'secret', Accept: 'application/json' }),
              pairs: await sent([['X-Pair', 'a'], ['X-Other', 'b']]),
              // Each value of a repeated header goes on its own line, as Node sends them.
              instance: (await (await fetch(`${base}/echo`, { headers })).json()).headers.filter(([key]) => key.toLowerCase() === 'x-one'),
              defaults: await sent(undefined),
              invalid: (() => { try { new fetch.Headers({ 'bad name': 'x' }) } catch (error) { return `${error.name}: ${error.message}` } })(),
            }
            """)
        let object = try #require(result["object"] as? [String: String])
        #expect(object["x-api-key"] == "secret")
        #expect(object["accept"] == "application/json")
        let pairs = try #require(result["pairs"] as? [String: String])
        #expect(pairs["x-pair"] == "a")
        #expect(pairs["x-other"] == "b")
        #expect(result["instance"] as? [[String]] == [["X-One", "1"], ["X-One", "2"]])
        // node-fetch's own request headers.
        let defaults = try #require(result["defaults"] as? [String: String])
        #expect(defaults["accept"] == "*/*")
        #expect(defaults["user-agent"] == "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)")
        #expect(defaults["accept-encoding"] == "gzip,deflate")
        #expect(defaults["connection"] == "close")
        #expect(result["invalid"] as? String == "TypeError: bad name is not a legal HTTP header name")
    }

    @Test func readsResponseHeadersAsNodeFetchDoes() async throws {
        let result = try await run(
            """
            const { headers } = await fetch(`${base}/cookies`)
            const forEach = []
            headers.forEach((value, name) => { if (name.startsWith('x-') || name === 'set-cookie') forEach.push([name, value]) })
            const keep = (list) => list.filter((name) => name.startsWith('x-') || name === 'set-cookie' || name[0] === 'x' || name[0] === 's')
            return {
              multi: headers.get('X-Multi'), cookie: headers.get('set-cookie'), raw: headers.raw()['set-cookie'],
              forEach, keys: keep([...headers.keys()]), values: [...headers.values()].includes('one, two'),
              entries: [...headers.entries()].filter(([name]) => name === 'x-multi'),
              iterator: [...headers].length === [...headers.entries()].length, tag: String(headers),
            }
            """)
        #expect(result["multi"] as? String == "one, two")
        #expect(result["cookie"] as? String == "a=1, b=2")
        #expect(result["raw"] as? [String] == ["a=1", "b=2"])
        let forEach = try #require(result["forEach"] as? [[String]])
        #expect(forEach == [["set-cookie", "a=1, b=2"], ["x-multi", "one, two"], ["x-single", "first"]])
        #expect(result["keys"] as? [String] == ["set-cookie", "x-multi", "x-single"])
        #expect(result["values"] as? Bool == true)
        #expect(result["entries"] as? [[String]] == [["x-multi", "one, two"]])
        #expect(result["iterator"] as? Bool == true)
        #expect(result["tag"] as? String == "[object Headers]")
    }

    @Test func decompressesGzipBodies() async throws {
        let result = try await run(
            """
            const response = await fetch(`${base}/gzip`)
            const raw = await fetch(`${base}/gzip`, { compress: false })
            return { text: await response.text(), encoding: response.headers.get('content-encoding'), rawLength: (await raw.buffer()).length }
            """)
        #expect(result["text"] as? String == String(repeating: "compressed hello ", count: 50))
        #expect(result["encoding"] as? String == "gzip")
        #expect((result["rawLength"] as? Int ?? 0) < 850)
    }

    // MARK: Redirects

    @Test func followsRedirects() async throws {
        let result = try await run(
            """
            const followed = await fetch(`${base}/redirect/3`)
            const relative = await fetch(`${base}/relative-redirect`)
            const noLocation = await fetch(`${base}/status/301`)
            return {
              followed: [followed.status, followed.redirected, followed.url, await followed.text()],
              relative: [relative.url, await relative.text()], noLocation: `${noLocation.status} ${noLocation.redirected}`,
            }
            """)
        let followed = try #require(result["followed"] as? [Any])
        #expect(followed[0] as? Int == 200)
        #expect(followed[1] as? Bool == true)
        #expect((followed[2] as? String)?.hasSuffix("/redirect/0") == true)
        #expect(followed[3] as? String == "done")
        let relative = try #require(result["relative"] as? [String])
        #expect(relative[0].hasSuffix("/text"))
        #expect(relative[1] == "hello")
        #expect(result["noLocation"] as? String == "301 false")
    }

    @Test func redirectModesAndLimits() async throws {
        let result = try await run(
            """
            const manual = await fetch(`${base}/relative-redirect`, { redirect: 'manual' })
            const failure = (promise) => promise.then(() => 'resolved', (error) => ({ name: error.name, type: error.type, message: error.message }))
            return {
              manual: [manual.status, manual.headers.get('location'), manual.redirected],
              error: await failure(fetch(`${base}/redirect/1`, { redirect: 'error' })),
              tooMany: await failure(fetch(`${base}/redirect/3`, { follow: 2 })),
              defaultLimit: await failure(fetch(`${base}/redirect/21`)),
              twenty: (await fetch(`${base}/redirect/20`)).status,
            }
            """)
        let manual = try #require(result["manual"] as? [Any])
        #expect(manual[0] as? Int == 301)
        #expect((manual[1] as? String)?.hasPrefix("http://127.0.0.1:") == true)
        #expect((manual[1] as? String)?.hasSuffix("/text") == true)
        #expect(manual[2] as? Bool == false)
        let error = try #require(result["error"] as? [String: String])
        #expect(error["name"] == "FetchError")
        #expect(error["type"] == "no-redirect")
        #expect(error["message"]?.hasPrefix("uri requested responds with a redirect, redirect mode is set to error: http://") == true)
        let tooMany = try #require(result["tooMany"] as? [String: String])
        #expect(tooMany["type"] == "max-redirect")
        #expect(tooMany["message"]?.hasPrefix("maximum redirect reached at: http://") == true)
        #expect(tooMany["message"]?.hasSuffix("/redirect/1") == true)
        #expect((result["defaultLimit"] as? [String: String])?["type"] == "max-redirect")
        #expect(result["twenty"] as? Int == 200)
    }

    @Test func redirectsChangeMethodsAndDropCredentialsAsNodeFetchDoes() async throws {
        let policy = FetchPolicy(allowedHosts: ["localhost"], allowedNetworks: [FetchPolicy.Network("127.0.0.1")!])
        let result = try await run(
            """
            const port = new URL(base).port
            const hop = (status, target) => `${base}/redirect-to?status=${status}&url=${encodeURIComponent(target)}`
            const echo = async (url, options) => {
              const json = await (await fetch(url, options)).json()
              return { method: json.method, body: Buffer.from(json.body, 'base64').toString(),
                       authorization: (json.headers.find(([name]) => name.toLowerCase() === 'authorization') || [])[1] ?? null }
            }
            const post = { method: 'POST', body: 'payload', headers: { Authorization: 'Bearer secret' } }
            return {
              seeOther: await echo(hop(303, `${base}/echo`), post),
              temporary: await echo(hop(307, `${base}/echo`), post),
              found: await echo(hop(302, `${base}/echo`), post),
              otherHost: await echo(hop(307, `http://localhost:${port}/echo`), post),
            }
            """, policy: policy)
        func hop(_ key: String) -> [String: String?] {
            (result[key] as? [String: Any] ?? [:]).mapValues { $0 as? String }
        }
        #expect(hop("seeOther") == ["method": "GET", "body": "", "authorization": "Bearer secret"])
        #expect(hop("temporary") == ["method": "POST", "body": "payload", "authorization": "Bearer secret"])
        #expect(hop("found") == ["method": "GET", "body": "", "authorization": "Bearer secret"])
        #expect(hop("otherHost") == ["method": "POST", "body": "payload", "authorization": nil])
    }

    // MARK: Limits and failures

    @Test func timeoutOptionRejects() async throws {
        let result = try await run(
            """
            const started = Date.now()
            const failed = await fetch(`${base}/slow?ms=5000`, { timeout: 200 }).catch((error) => error)
            const elapsed = Date.now() - started
            const quick = await fetch(`${base}/slow?ms=10`, { timeout: 30000 })
            return { name: failed.name, type: failed.type, message: failed.message, elapsed, quick: await quick.text() }
            """)
        // Not a speed check: not before its 200 ms. That it came before the answer (at 5 s) is the rejection itself.
        #expect(result["elapsed"] as? Int ?? 0 >= 200)
        #expect(result["name"] as? String == "FetchError")
        #expect(result["type"] as? String == "request-timeout")
        #expect((result["message"] as? String)?.hasPrefix("network timeout at: http://127.0.0.1:") == true)
        #expect(result["quick"] as? String == "slow")
    }

    /// The fetch ends with the call: either it rejects (a `request-timeout` the plugin sees) or the
    /// call times out first, whichever timer fires first.
    @Test func pluginTimeLimitStopsAFetch() async throws {
        let server = try await FetchTestServer.start()
        defer { server.stop() }
        let harness = try PluginHarness(timeLimit: .milliseconds(500), fetchPolicy: Self.loopback)
        try await harness.load(
            """
            export async function processEvent(event) {
              event.properties.result = { error: await fetch(`${event.properties.base}/slow?ms=60000`).then(() => null, (e) => e.type) }
              return event
            }
            """)
        let started = ContinuousClock.now
        let (event, chain) = try await harness.process(sampleEvent(properties: ["base": server.base]))
        // Not a speed check: the answer would come at 60 s.
        #expect(ContinuousClock.now - started < .seconds(30))
        let seen = (event?["properties"] as? [String: Any])?["result"] as? [String: Any]
        let callTimedOut = chain.failed == ["test-plugin (39)"] && harness.messages(source: .plugin).contains { $0.contains("timed out") }
        #expect(callTimedOut || seen?["error"] as? String == "request-timeout")
    }

    @Test func limitsResponseBodies() async throws {
        let result = try await run(
            """
            const failure = (promise) => promise.then((r) => r.status, (error) => ({ type: error.type, message: error.message }))
            return {
              big: await failure(fetch(`${base}/big?bytes=${10 * 1024 * 1024 + 1}`)),
              exactly: await failure(fetch(`${base}/big?bytes=${10 * 1024 * 1024}`)),
              sized: await failure(fetch(`${base}/big?bytes=101`, { size: 100 })),
              fits: await failure(fetch(`${base}/big?bytes=100`, { size: 100 })),
            }
            """)
        let big = try #require(result["big"] as? [String: String])
        #expect(big["type"] == "max-size")
        #expect(big["message"]?.hasSuffix("over limit: 10485760 (QUILL_FETCH_MAX_RESPONSE_BYTES)") == true)
        #expect(result["exactly"] as? Int == 200)
        #expect((result["sized"] as? [String: String])?["message"]?.hasSuffix("over limit: 100") == true)
        #expect(result["fits"] as? Int == 200)
    }

    @Test func connectionRefusedIsASystemFetchError() async throws {
        let bound = try LoopbackPort()
        let closedPort = bound.port
        let result = try await run(
            """
            return await fetch('http://127.0.0.1:\(closedPort)/').then(() => 'resolved', (error) => ({
              name: error.name, type: error.type, code: error.code, errno: error.errno, message: error.message,
              isFetchError: error instanceof fetch.FetchError, isError: error instanceof Error,
            }))
            """)
        #expect(result["name"] as? String == "FetchError")
        #expect(result["type"] as? String == "system")
        #expect(result["code"] as? String == "ECONNREFUSED")
        #expect(result["errno"] as? String == "ECONNREFUSED")
        #expect(
            result["message"] as? String
                == "request to http://127.0.0.1:\(closedPort)/ failed, reason: connect ECONNREFUSED 127.0.0.1:\(closedPort)")
        #expect(result["isFetchError"] as? Bool == true)
        #expect(result["isError"] as? Bool == true)
        _ = consume bound  // held bound until here, so no other test's server takes the port
    }

    @Test func refusesURLsThatAreNotHTTP() async throws {
        let result = try await run(
            """
            const failure = (url) => fetch(url).then(() => 'resolved', (error) => `${error.name}: ${error.message}`)
            return { ftp: await failure('ftp://example.com/'), file: await failure('file:///etc/passwd'), relative: await failure('/text') }
            """)
        #expect(result["ftp"] as? String == "TypeError: Only HTTP(S) protocols are supported")
        // node-fetch checks for a host first: file:/// has none.
        #expect(result["file"] as? String == "TypeError: Only absolute URLs are supported")
        #expect(result["relative"] as? String == "TypeError: Only absolute URLs are supported")
    }

    // MARK: Address policy

    @Test(arguments: [
        "http://127.0.0.1:1/", "http://10.1.2.3/", "http://169.254.169.254/latest/meta-data/", "http://[::1]:1/",
        "http://localhost:1/", "http://metadata.google.internal/", "http://0.0.0.0:1/", "http://[::ffff:127.0.0.1]:1/",
        "http://[fd00:ec2::254]/", "http://192.168.1.1/", "http://100.64.0.1/", "http://2130706433/", "http://0x7f.1/",
        "http://[64:ff9b::a01:203]/",
    ])
    func refusesForbiddenAddressesByDefault(_ url: String) async throws {
        let result = try await run(
            """
            const error = await fetch('\(url)').then(() => ({}), (error) => error)
            return { name: error.name, type: error.type, code: error.code, message: error.message }
            """, policy: FetchPolicy())
        #expect(result["name"] as? String == "FetchError")
        #expect(result["type"] as? String == "system")
        #expect(result["code"] as? String == "ERR_ADDRESS_NOT_ALLOWED")
        let message = try #require(result["message"] as? String)
        #expect(message.contains("is not allowed for plugins"))
        #expect(message.contains("QUILL_FETCH_ALLOW"))
    }

    @Test func refusalNamesTheAddressAndWhy() async throws {
        let result = try await run(
            """
            const message = (url) => fetch(url).catch((error) => error.message)
            return { metadata: await message('http://169.254.169.254/'), localhost: await message('http://localhost:8/') }
            """, policy: FetchPolicy())
        #expect(
            result["metadata"] as? String
                == "request to http://169.254.169.254/ failed, reason: address 169.254.169.254:80 (cloud metadata) is not allowed "
                + "for plugins; the operator can allow it with QUILL_FETCH_ALLOW"
        )
        let localhost = try #require(result["localhost"] as? String)
        #expect(localhost.contains("host localhost resolves to address "))
        #expect(localhost.contains("(loopback) is not allowed for plugins"))
    }

    @Test func allowsWhatTheOperatorAllows() async throws {
        for policy in [Self.loopback, try FetchPolicy(environmentValue: "127.0.0.1"), FetchPolicy(allowedHosts: ["LOCALHOST."])] {
            let result = try await run(
                """
                const host = \(policy.allowedHosts.isEmpty ? "base" : "base.replace('127.0.0.1', 'localhost')")
                return { text: await (await fetch(`${host}/text`)).text() }
                """, policy: policy)
            #expect(result["text"] as? String == "hello")
        }
    }

    @Test func refusesARedirectToAForbiddenAddress() async throws {
        let result = try await run(
            """
            const hop = (target) => fetch(`${base}/redirect-to?url=${encodeURIComponent(target)}`)
              .then((r) => r.status, (error) => ({ code: error.code, message: error.message }))
            return {
              private: await hop('http://10.1.2.3/'), loopbackV6: await hop('http://[::1]:1/'),
              metadata: await hop('http://169.254.169.254/latest/meta-data/'), allowed: await hop(`${base}/text`),
            }
            """)
        let refused = try #require(result["private"] as? [String: String])
        #expect(refused["code"] == "ERR_ADDRESS_NOT_ALLOWED")
        #expect(refused["message"]?.hasPrefix("request to http://10.1.2.3/ failed, reason: address 10.1.2.3:80 (private)") == true)
        #expect((result["loopbackV6"] as? [String: String])?["code"] == "ERR_ADDRESS_NOT_ALLOWED")
        #expect((result["metadata"] as? [String: String])?["code"] == "ERR_ADDRESS_NOT_ALLOWED")
        #expect(result["allowed"] as? Int == 200)
    }

    @Test func readsTheOperatorsSetting() throws {
        let policy = try FetchPolicy(environmentValue: " 127.0.0.1, 10.0.0.0/8 ,,api.Internal., fd00::/8,[::1]")
        #expect(policy.allowedHosts == ["api.internal"])
        #expect(policy.allowedNetworks.map(\.description) == ["127.0.0.1/32", "10.0.0.0/8", "fd00::/8", "::1/128"])
        #expect(try FetchPolicy(environmentValue: "") == FetchPolicy())
        for bad in ["10.0.0.0/33", "http://example.com", "::1/129", "1.2.3.4/x", "exa mple"] {
            let error = #expect(throws: FetchPolicyError.self) { try FetchPolicy(environmentValue: bad) }
            #expect(error?.description == "QUILL_FETCH_ALLOW: '\(bad)' is not a host name, an IP address or a CIDR network")
        }
    }

    @Test func theQuillServerIsReachedOnlyUnderAPI() {
        for path in ["/api/projects/1/events/", "/api/a%20b/"] {
            #expect(FetchPolicy.isUnderAPI(path), "\(path)")
        }
        for path in ["", "/", "/metrics", "/_ready", "/ui/", "/e/", "/api", "/apix/", "/api/../metrics", "/api/%2e%2E/metrics", "/api/./x",
            "/api/a%2Fb", "/api/a%5Cb"]
        {
            #expect(!FetchPolicy.isUnderAPI(path), "\(path)")
        }
    }

    @Test func classifiesAddresses() throws {
        let expectations: [(String, String?)] = [
            ("8.8.8.8", nil), ("2606:4700::1111", nil), ("127.0.0.1", "loopback"), ("127.255.0.1", "loopback"),
            ("10.0.0.1", "private"), ("172.16.0.1", "private"), ("172.31.255.255", "private"), ("172.32.0.1", nil),
            ("192.168.0.1", "private"), ("169.254.169.254", "cloud metadata"), ("169.254.1.1", "link-local"),
            ("100.64.0.1", "shared (CGNAT)"), ("100.128.0.1", nil), ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"),
            ("255.255.255.255", "reserved"), ("192.0.2.1", "reserved"), ("::", "unspecified"), ("::1", "loopback"),
            ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private"), ("::ffff:8.8.8.8", nil),
            ("::ffff:169.254.169.254", "cloud metadata"), ("::127.0.0.1", "reserved"), ("fc00::1", "private"),
            ("fd00:ec2::254", "cloud metadata"), ("fe80::1", "link-local"), ("ff02::1", "multicast"),
            ("64:ff9b::7f00:1", "loopback"), ("64:ff9b::808:808", nil), ("2002:7f00:1::", "loopback"),
            ("2002:808:808::", nil), ("2001:db8::1", "reserved"),
        ]
        for (text, reason) in expectations {
            let address = try #require(FetchAddress(text))
            #expect(ForbiddenAddresses.reason(for: address) == reason, "\(text)")
        }
        #expect(FetchAddress("[::1]")?.description == "::1")
        #expect(FetchAddress("::ffff:1.2.3.4")?.description == "1.2.3.4")
        #expect(FetchAddress("localhost") == nil)
        #expect(FetchPolicy.Network("10.1.2.3/8")?.description == "10.0.0.0/8")
        #expect(FetchPolicy.Network("10.0.0.0/8")?.contains(FetchAddress("::ffff:10.9.9.9")!) == true)
        #expect(FetchPolicy.Network("::/0")?.contains(FetchAddress("1.2.3.4")!) == true)
    }

    // MARK: The module

    @Test func importRequireAndGlobalAreTheSameFunction() async throws {
        let server = try await FetchTestServer.start()
        defer { server.stop() }
        let harness = try PluginHarness(fetchPolicy: Self.loopback)
        try await harness.load(
            """
            import fetch, { Headers, Response, Request, FetchError } from 'node-fetch'
            const required = require('node-fetch')
            export async function processEvent(event) {
              const response = new Response('{"made":true}', { status: 201, headers: { 'X-A': 'b' } })
              event.properties.result = {
                same: fetch === globalThis.fetch && required === fetch && required.default === fetch,
                named: Headers === required.Headers && Response === required.Response && Request === required.Request,
                error: FetchError === required.FetchError && new FetchError('m', 't').name === 'FetchError',
                isRedirect: [301, 302, 303, 307, 308, 200].map(required.isRedirect),
                made: [response.status, response.statusText, response.ok, response.headers.get('content-type'), await response.json()],
                viaRequest: await (await fetch(new Request(`${event.properties.base}/text`))).text(),
              }
              return event
            }
            """)
        let (event, _) = try await harness.process(sampleEvent(properties: ["base": server.base]))
        let result = try #require((event?["properties"] as? [String: Any])?["result"] as? [String: Any])
        #expect(result["same"] as? Bool == true)
        #expect(result["named"] as? Bool == true)
        #expect(result["error"] as? Bool == true)
        #expect(result["isRedirect"] as? [Bool] == [true, true, true, true, true, false])
        let made = try #require(result["made"] as? [Any])
        #expect(made[0] as? Int == 201)
        #expect(made[1] as? String == "Created")
        #expect(made[2] as? Bool == true)
        #expect(made[3] as? String == "text/plain;charset=UTF-8")
        #expect((made[4] as? [String: Bool]) == ["made": true])
        #expect(result["viaRequest"] as? String == "hello")
    }

    // MARK: Helpers

    /// Runs `body` as the inside of an async function that has the server's URL as `base`, in a
    /// plugin, and returns what it returns (or `{error}` for what it throws).
    private func run(_ body: String, policy: FetchPolicy = FetchTests.loopback) async throws -> [String: Any] {
        let server = try await FetchTestServer.start()
        defer { server.stop() }
        // A loaded machine must not turn a slow answer into a time-out: these tests are about fetch, not speed.
        let harness = try PluginHarness(timeLimit: .seconds(120), fetchPolicy: policy)
        return try await harness.runInProcessEvent(
            body, setup: "const base = event.properties.base", properties: ["base": server.base])
    }
}


/// An HTTP server on 127.0.0.1 with the endpoints the fetch tests call.
final class FetchTestServer: Sendable {
    let base: String
    private let server: LocalHTTPServer

    private init(base: String, server: LocalHTTPServer) {
        self.base = base
        self.server = server
    }

    static func start() async throws -> FetchTestServer {
        let router = Router()
        router.get("text") { _, _ in respond(Array("hello".utf8), type: "text/plain; charset=utf-8") }
        router.head("text") { _, _ in respond(Array("hello".utf8), type: "text/plain; charset=utf-8") }
        router.get("json") { _, _ in respond(Array(#"{"a":1,"list":[1,2]}"#.utf8), type: "application/json") }
        router.get("bad-json") { _, _ in respond(Array("{nope".utf8), type: "application/json") }
        router.get("status/:code") { _, context in
            let code = context.parameters.get("code").flatMap(Int.init) ?? 500
            return respond(Array("status \(code)".utf8), status: HTTPResponse.Status(code: code))
        }
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            router.on("echo", method: method) { request, _ in
                let body = try await request.body.collect(upTo: 1 << 20)
                let echo: [String: Any] = [
                    "method": request.method.rawValue,
                    "headers": request.headers.map { [$0.name.rawName, $0.value] },
                    "body": Data(body.readableBytesView).base64EncodedString(),
                ]
                return respond(Array(try JSONSerialization.data(withJSONObject: echo)), type: "application/json")
            }
        }
        router.get("redirect/:count") { _, context in
            let count = context.parameters.get("count").flatMap(Int.init) ?? 0
            guard count > 0 else { return respond(Array("done".utf8)) }
            return respond([], status: .found, headers: [.location: "/redirect/\(count - 1)"])
        }
        for method in [HTTPRequest.Method.get, .post] {
            router.on("redirect-to", method: method) { request, _ in
                let status = request.uri.queryParameters.get("status").flatMap(Int.init) ?? 302
                let location = request.uri.queryParameters.get("url") ?? "/"
                return respond([], status: HTTPResponse.Status(code: status), headers: [.location: location])
            }
        }
        router.get("relative-redirect") { _, _ in respond([], status: .movedPermanently, headers: [.location: "text"]) }
        router.get("slow") { request, _ in
            let milliseconds = request.uri.queryParameters.get("ms").flatMap(Int.init) ?? 0
            try await Task.sleep(for: .milliseconds(milliseconds))
            return respond(Array("slow".utf8))
        }
        router.get("big") { request, _ in
            let count = request.uri.queryParameters.get("bytes").flatMap(Int.init) ?? 0
            return respond([UInt8](repeating: 0x61, count: count))
        }
        router.get("gzip") { _, _ in
            let text = String(repeating: "compressed hello ", count: 50)
            return respond(Zlib.gzip(Array(text.utf8)), headers: [.contentEncoding: "gzip"])
        }
        router.get("cookies") { _, _ in
            var headers = HTTPFields()
            headers.append(HTTPField(name: .setCookie, value: "a=1"))
            headers.append(HTTPField(name: .setCookie, value: "b=2"))
            headers.append(HTTPField(name: HTTPField.Name("X-Multi")!, value: "one"))
            headers.append(HTTPField(name: HTTPField.Name("X-Multi")!, value: "two"))
            headers.append(HTTPField(name: HTTPField.Name("X-Single")!, value: "first"))
            return respond([], headers: headers)
        }
        let server = try await LocalHTTPServer.start(router)
        return FetchTestServer(base: server.baseURL, server: server)
    }

    func stop() {
        server.stop()
    }

    private static func respond(
        _ bytes: [UInt8], status: HTTPResponse.Status = .ok, type: String? = nil, headers: HTTPFields = [:]
    ) -> Response {
        var headers = headers
        if let type { headers[.contentType] = type }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
