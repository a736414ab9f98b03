import Foundation
@testable import PluginRuntime
import QuillTestSupport
import Testing

/// `pg` (node-postgres) in plugins against a real PostgreSQL server: PostHog's PostgreSQL export plugin, values
/// both ways, the callback forms, `Pool`, errors, the address guard, and connections closed with the VM.
@Suite struct PgModuleTests {
    // MARK: PostHog's PostgreSQL export plugin

    /// PostHog's PostgreSQL export plugin (posthog-postgres-plugin); the file `ExactlyOnceExportTests` runs through
    /// the server.
    static func exportPlugin() throws -> String {
        try String(contentsOf: QuillExecutable.repositoryRoot.appending(path: "Tests/Fixtures/export-plugins/postgres-export/index.js"), encoding: .utf8)
    }

    @Test func postHogsExportPluginWritesABatchIntoJsonbOverTLS() async throws {
        // The plugin always asks for TLS; its setting accepts the server's self-signed certificate.
        let server = try await PostgresTestServer.sharedWithTLS()
        let url = try await server.createDatabase()
        let harness = try PluginHarness(timeLimit: .seconds(120), fetchPolicy: FetchTests.loopback)
        let outcome = try await harness.load(
            try Self.exportPlugin(), config: ["databaseUrl": url, "tableName": "posthog_event", "hasSelfSignedCert": "Yes"])
        guard case .ready = outcome else { throw PgTestError(description: "the plugin did not load: \(outcome)") }

        let events: [[String: Any]] = (1...3).map { number in
            var event = sampleEvent("order \(number)", properties: ["number": number, "note": "héllo 🎉", "$ip": "10.0.0.\(number)"])
            event["uuid"] = "0192b1f4-0000-7000-8000-00000000000\(number)"
            return event
        }
        let batch = Array(try JSONSerialization.data(withJSONObject: events))
        #expect(await harness.runtime.deliver(.exportEvents(batch), pluginConfigID: 39, teamID: 2) == .succeeded)

        let rows = try await server.psql(
            "SELECT uuid, event, properties->>'number', properties->>'note', set::text, ip, distinct_id, "
                + "to_char(timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM posthog_event ORDER BY uuid",
            database: url)
        #expect(
            rows.split(separator: "\n").map(String.init) == (1...3).map { number in
                "0192b1f4-0000-7000-8000-00000000000\(number)|order \(number)|\(number)|héllo 🎉|{}|10.0.0.\(number)|007|2026-11-21 12:00:00"
            })
        let kinds = try await server.psql("SELECT DISTINCT jsonb_typeof(properties) FROM posthog_event", database: url)
        #expect(kinds.trimmingCharacters(in: .whitespacesAndNewlines) == "object")
    }

    // MARK: Values

    @Test func resultsAreParsedAsNodePostgresParsesThem() async throws {
        let result = try await run(
            """
            const client = new Client({ connectionString: url })
            await client.connect()
            const { rows: [row], fields, command, rowCount } = await client.query(`SELECT
                2::int2 AS small, 41::int4 AS int, 9007199254740993::int8 AS big, 1.5::float8 AS double, 1.1::float4 AS float,
                12.3400::numeric AS numeric, -0.05::numeric AS fraction, true AS yes, false AS no,
                '{"a": [1, 2]}'::jsonb AS jsonb, '{"b": null}'::json AS json,
                '2026-11-21T12:00:00.123Z'::timestamptz AS timestamptz, NULL::text AS nothing, '\\\\x00ff41'::bytea AS bytes,
                'héllo'::varchar AS text, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS uuid, ARRAY[1, NULL, 3]::int[] AS ints,
                ARRAY['x', 'y']::text[] AS texts, '2026-11-21'::date AS date, '2026-11-21 12:30:00'::timestamp AS timestamp`)
            await client.end()
            return {
              command, rowCount, fields: fields.map((field) => [field.name, field.dataTypeID]),
              types: Object.fromEntries(Object.entries(row).map(([key, value]) => [key,
                value === null ? 'null' : value instanceof Date ? 'Date' : Buffer.isBuffer(value) ? 'Buffer'
                  : Array.isArray(value) ? 'array' : typeof value])),
              row: { ...row, timestamptz: row.timestamptz.toISOString(), bytes: row.bytes.toString('hex'),
                     date: [row.date.getFullYear(), row.date.getMonth(), row.date.getDate(), row.date.getHours()],
                     timestamp: [row.timestamp.getDate(), row.timestamp.getHours(), row.timestamp.getMinutes()] },
            }
            """)
        #expect(result["command"] as? String == "SELECT")
        #expect(result["rowCount"] as? Int == 1)
        let fields = try #require(result["fields"] as? [[Any]])
        #expect(fields.first?.first as? String == "small")
        #expect(fields.map { $0[1] as? Int } == [21, 23, 20, 701, 700, 1700, 1700, 16, 16, 3802, 114, 1184, 25, 17, 1043, 2950, 1007, 1009, 1082, 1114])
        let types = try #require(result["types"] as? [String: String])
        #expect(
            types == [
                "small": "number", "int": "number", "big": "string", "double": "number", "float": "number", "numeric": "string",
                "fraction": "string", "yes": "boolean", "no": "boolean", "jsonb": "object", "json": "object", "timestamptz": "Date",
                "nothing": "null", "bytes": "Buffer", "text": "string", "uuid": "string", "ints": "array", "texts": "array",
                "date": "Date", "timestamp": "Date",
            ])
        let row = try #require(result["row"] as? [String: Any])
        #expect(row["small"] as? Int == 2)
        #expect(row["int"] as? Int == 41)
        #expect(row["big"] as? String == "9007199254740993")
        #expect(row["double"] as? Double == 1.5)
        #expect(row["float"] as? Double == 1.1)
        #expect(row["numeric"] as? String == "12.3400")
        #expect(row["fraction"] as? String == "-0.05")
        #expect(row["yes"] as? Bool == true)
        #expect(row["no"] as? Bool == false)
        #expect((row["jsonb"] as? [String: Any])?["a"] as? [Int] == [1, 2])
        #expect((row["json"] as? [String: Any])?["b"] is NSNull)
        #expect(row["timestamptz"] as? String == "2026-11-21T12:00:00.123Z")
        #expect(row["nothing"] is NSNull)
        #expect(row["bytes"] as? String == "00ff41")
        #expect(row["text"] as? String == "héllo")
        #expect(row["uuid"] as? String == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
        #expect((row["ints"] as? [Any])?.count == 3)
        #expect((row["ints"] as? [Any])?[1] is NSNull)
        #expect((row["ints"] as? [Any])?[2] as? Int == 3)
        #expect(row["texts"] as? [String] == ["x", "y"])
        // date and timestamp have no zone: their wall clock is read as local time, as node-postgres does.
        #expect(row["date"] as? [Int] == [2026, 10, 21, 0])
        #expect(row["timestamp"] as? [Int] == [21, 12, 30])
    }

    @Test func timesNetworksAndIntervalsReadAsNodePostgresReadsThem() async throws {
        let result = try await run(
            """
            const client = new Client({ connectionString: url })
            await client.connect()
            const { rows: [row] } = await client.query(`SELECT '12:30:00.5'::time AS time, '12:30:00+05:30'::timetz AS timetz,
                '192.168.0.1/24'::inet AS network, '10.0.0.1'::inet AS host, '10.0.0.0/8'::cidr AS cidr, '::1'::inet AS ipv6,
                '1 year 2 mons 3 days 04:05:06.789'::interval AS interval, '-1 day -00:00:01'::interval AS negative`)
            await client.end()
            return row
            """)
        #expect(result["time"] as? String == "12:30:00.5")
        #expect(result["timetz"] as? String == "12:30:00+05:30")
        #expect(result["network"] as? String == "192.168.0.1/24")
        #expect(result["host"] as? String == "10.0.0.1")
        #expect(result["cidr"] as? String == "10.0.0.0/8")
        #expect(result["ipv6"] as? String == "::1")
        let interval = try #require(result["interval"] as? [String: Double])
        #expect(interval == ["years": 1, "months": 2, "days": 3, "hours": 4, "minutes": 5, "seconds": 6, "milliseconds": 789])
        #expect(result["negative"] as? [String: Double] == ["days": -1, "seconds": -1])
    }

    @Test func parametersAreSentAsNodePostgresSendsThem() async throws {
        let result = try await run(
            """
            const client = new Client({ connectionString: url })
            await client.connect()
            await client.query('CREATE TABLE t (n int, big bigint, doc jsonb, at timestamptz, data bytea, tags text[], flag boolean, note text)')
            const inserted = await client.query(
              'INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7, $8), ($9, $10, $11, $12, $13, $14, $15, $16)',
              [41, '9007199254740993', JSON.stringify({ k: 'v' }), new Date(Date.UTC(2026, 10, 21, 12)), Buffer.from([0, 255]),
               ['a', 'b "c"'], true, 'it\\'s',
               '7', null, { nested: [1] }, '2026-11-21T13:00:00Z', new Uint8Array([1, 2, 3]).subarray(1), [], false, undefined])
            const { rows } = await client.query({ text: 'SELECT n + 1 AS next, big, doc, at, data, tags, flag, note FROM t ORDER BY n DESC' })
            await client.end()
            return {
              command: inserted.command, rowCount: inserted.rowCount,
              rows: rows.map((row) => ({ ...row, at: row.at.toISOString(), data: row.data.toString('hex') })),
            }
            """)
        #expect(result["command"] as? String == "INSERT")
        #expect(result["rowCount"] as? Int == 2)
        let rows = try #require(result["rows"] as? [[String: Any]])
        try #require(rows.count == 2)
        #expect(rows[0]["next"] as? Int == 42)
        #expect(rows[0]["big"] as? String == "9007199254740993")
        #expect((rows[0]["doc"] as? [String: Any])?["k"] as? String == "v")
        #expect(rows[0]["at"] as? String == "2026-11-21T12:00:00.000Z")
        #expect(rows[0]["data"] as? String == "00ff")
        #expect(rows[0]["tags"] as? [String] == ["a", "b \"c\""])
        #expect(rows[0]["flag"] as? Bool == true)
        #expect(rows[0]["note"] as? String == "it's")
        #expect(rows[1]["next"] as? Int == 8)
        #expect(rows[1]["big"] is NSNull)
        #expect(((rows[1]["doc"] as? [String: Any])?["nested"]) as? [Int] == [1])
        #expect(rows[1]["at"] as? String == "2026-11-21T13:00:00.000Z")
        #expect(rows[1]["data"] as? String == "0203")
        #expect(rows[1]["tags"] as? [String] == [])
        #expect(rows[1]["flag"] as? Bool == false)
        #expect(rows[1]["note"] is NSNull)
    }

    // MARK: Forms

    @Test func callbackFormsAndRowModeArray() async throws {
        let result = try await run(
            """
            const client = new Client({ connectionString: url })
            const connected = await new Promise((resolve) => client.connect((error, connectedClient) => resolve([error, connectedClient === client])))
            const answer = await new Promise((resolve) =>
              client.query('SELECT $1::int * 2 AS doubled', [21], (error, result) => resolve([error, result.rows[0].doubled])))
            const failed = await new Promise((resolve) => client.query('SELECT * FROM missing', (error, result) => resolve([error.code, result])))
            const asArray = await client.query({ text: 'SELECT 1 AS a, $1::text AS b', values: ['x'], rowMode: 'array' })
            const beforeEnd = client.query('SELECT 5 AS five')
            const ended = await new Promise((resolve) => client.end((error) => resolve(error ?? 'ended')))
            const five = (await beforeEnd).rows[0].five
            const afterEnd = await client.query('SELECT 1').catch((error) => error.message)
            const passwordShown = Object.keys(new Client({ password: 'secret' })).includes('password')
            return { connected, answer, failed, arrayRows: asArray.rows, ended, five, afterEnd, passwordShown }
            """)
        #expect((result["connected"] as? [Any])?.first is NSNull)
        #expect((result["connected"] as? [Any])?.last as? Bool == true)
        #expect((result["answer"] as? [Any])?.last as? Int == 42)
        #expect((result["failed"] as? [Any])?.first as? String == "42P01")
        #expect(result["arrayRows"] as? [[AnyHashable]] == [[1, "x"]])
        #expect(result["ended"] as? String == "ended")
        // A query asked for before end() still runs.
        #expect(result["five"] as? Int == 5)
        #expect(result["passwordShown"] as? Bool == false)
        #expect(result["afterEnd"] as? String == "Client was closed and is not queryable")
    }

    @Test func poolLendsAtMostMaxClients() async throws {
        let result = try await run(
            """
            const pg = require('pg')
            const pool = new pg.Pool({ connectionString: url, max: 2 })
            const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => pool.query('SELECT $1::int AS n, pg_backend_pid() AS pid', [n])))
            const total = pool.totalCount
            const client = await pool.connect()
            const inTransaction = await client.query('SELECT 7 AS seven')
            client.release()
            const viaCallback = await new Promise((resolve) => pool.query('SELECT 8 AS eight', (error, result) => resolve(result.rows[0].eight)))
            await pool.end()
            const afterEnd = await pool.query('SELECT 1').catch((error) => error.message)
            return {
              numbers: answers.map((answer) => answer.rows[0].n), pids: new Set(answers.map((answer) => answer.rows[0].pid)).size,
              total, seven: inTransaction.rows[0].seven, viaCallback, afterEnd, idle: pool.idleCount,
            }
            """)
        #expect(result["numbers"] as? [Int] == [1, 2, 3, 4, 5])
        #expect((result["pids"] as? Int).map { $0 <= 2 } == true)
        #expect(result["total"] as? Int == 2)
        #expect(result["seven"] as? Int == 7)
        #expect(result["viaCallback"] as? Int == 8)
        #expect(result["afterEnd"] as? String == "Cannot use a pool after calling end on the pool")
        #expect(result["idle"] as? Int == 0)
    }

    // MARK: Errors

    @Test func sqlErrorsCarryTheServersFields() async throws {
        let result = try await run(
            """
            const { Client, DatabaseError } = require('pg')
            const client = new Client({ connectionString: url })
            await client.connect()
            const missing = await client.query('SELECT * FROM missing_table').catch((error) => error)
            await client.query('CREATE TABLE once (id int CONSTRAINT once_id UNIQUE)')
            await client.query('INSERT INTO once VALUES (1)')
            const duplicate = await client.query('INSERT INTO once VALUES ($1)', [1]).catch((error) => error)
            const still = await client.query('SELECT count(*)::int AS count FROM once')
            await client.end()
            return {
              missing: { message: missing.message, code: missing.code, severity: missing.severity, name: missing.name,
                         isError: missing instanceof Error, isDatabaseError: missing instanceof DatabaseError, position: missing.position },
              duplicate: { code: duplicate.code, table: duplicate.table, constraint: duplicate.constraint, detail: duplicate.detail },
              count: still.rows[0].count,
            }
            """)
        let missing = try #require(result["missing"] as? [String: Any])
        #expect(missing["message"] as? String == #"relation "missing_table" does not exist"#)
        #expect(missing["code"] as? String == "42P01")
        #expect(missing["severity"] as? String == "ERROR")
        #expect(missing["name"] as? String == "error")
        #expect(missing["isError"] as? Bool == true)
        #expect(missing["isDatabaseError"] as? Bool == true)
        #expect(missing["position"] as? String == "15")
        let duplicate = try #require(result["duplicate"] as? [String: Any])
        #expect(duplicate["code"] as? String == "23505")
        #expect(duplicate["table"] as? String == "once")
        #expect(duplicate["constraint"] as? String == "once_id")
        #expect(duplicate["detail"] as? String == "Key (id)=(1) already exists.")
        // The connection is still usable after an error.
        #expect(result["count"] as? Int == 1)
    }

    @Test func aRefusedConnectionRejectsWithNodesError() async throws {
        let port = try LoopbackPort().port
        let started = ContinuousClock.now
        let result = try await run(
            """
            const client = new Client({ host: '127.0.0.1', port: \(port), user: 'quill', database: 'none' })
            const error = await client.connect().catch((error) => error)
            const query = await client.query('SELECT 1').catch((error) => error.message)
            return { message: error.message, code: error.code, syscall: error.syscall, isError: error instanceof Error, query }
            """)
        #expect(result["message"] as? String == "connect ECONNREFUSED 127.0.0.1:\(port)")
        #expect(result["code"] as? String == "ECONNREFUSED")
        #expect(result["syscall"] as? String == "connect")
        #expect(result["isError"] as? Bool == true)
        #expect(result["query"] as? String == "Client has encountered a connection error and is not queryable")
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test func anAddressTheOperatorDidNotAllowIsRefused() async throws {
        let result = try await run(
            """
            const error = await new Client({ connectionString: url }).connect().catch((error) => error)
            return { message: error.message, code: error.code }
            """, policy: FetchPolicy())
        #expect(result["code"] as? String == "ERR_ADDRESS_NOT_ALLOWED")
        let message = try #require(result["message"] as? String)
        #expect(message.contains("address 127.0.0.1:"))
        #expect(message.contains("(loopback) is not allowed for plugins; the operator can allow it with QUILL_FETCH_ALLOW"))
    }

    @Test func tlsIsUsedAsAskedAndCertificatesAreCheckedUnlessRejectUnauthorizedIsFalse() async throws {
        let url = try await PostgresTestServer.sharedWithTLS().createDatabase()
        let result = try await run(
            """
            const encrypted = async (options) => {
              const client = new Client({ connectionString: url, ...options })
              try {
                await client.connect()
                const { rows } = await client.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')
                await client.end()
                return rows[0].ssl
              } catch (error) {
                return `${error.name}: ${error.message}`
              }
            }
            return {
              insecure: await encrypted({ ssl: { rejectUnauthorized: false } }), plain: await encrypted({ ssl: false }),
              absent: await encrypted({}), noVerifyMode: await encrypted({ connectionString: `${url}?sslmode=no-verify` }),
              verified: await encrypted({ ssl: true }), requireMode: await encrypted({ connectionString: `${url}?sslmode=require` }),
            }
            """, url: url)
        #expect(result["insecure"] as? Bool == true)
        #expect(result["plain"] as? Bool == false)
        #expect(result["absent"] as? Bool == false)
        #expect(result["noVerifyMode"] as? Bool == true)
        // node-postgres checks the certificate for ssl: true and sslmode=require alike.
        let unverified = "Error: the server's certificate could not be verified (ssl: { rejectUnauthorized: false } accepts it unchecked)"
        #expect(result["verified"] as? String == unverified)
        #expect(result["requireMode"] as? String == unverified)
    }

    @Test func tlsAgainstAServerWithoutItFailsAsNodePostgresDoes() async throws {
        let result = try await run(
            """
            const error = await new Client({ connectionString: url, ssl: { rejectUnauthorized: false } }).connect().catch((error) => error)
            return { message: error.message }
            """)
        #expect(result["message"] as? String == "The server does not support SSL connections")
    }

    // MARK: Order

    @Test func queriesRunInTheOrderAskedEvenUnawaited() async throws {
        let result = try await run(
            """
            const client = new Client({ connectionString: url })
            client.connect()
            client.query('CREATE TABLE sequence (id serial, n int)')
            for (let n = 1; n <= 20; n++) client.query('INSERT INTO sequence (n) VALUES ($1)', [n])
            const { rows } = await client.query('SELECT n FROM sequence ORDER BY id')
            await client.end()
            return { order: rows.map((row) => row.n) }
            """)
        #expect(result["order"] as? [Int] == Array(1...20))
    }

    @Test func aCallGivenUpOnAtItsTimeLimitDoesNotHoldUpTheClientsNextQueries() async throws {
        let url = try await PostgresTestServer.shared().createDatabase()
        let harness = try PluginHarness(timeLimit: .seconds(3), fetchPolicy: FetchTests.loopback)
        let outcome = try await harness.load(
            """
            import { Client } from 'pg'
            export async function setupPlugin({ global, config }) {
              global.client = new Client({ connectionString: config.url })
              await global.client.connect()
            }
            export const jobs = { sleep: async (payload, { global }) => global.client.query('SELECT pg_sleep(4)') }
            export async function processEvent(event, { global }) {
              event.properties.seven = (await global.client.query('SELECT 7 AS seven')).rows[0].seven
              return event
            }
            """, config: ["url": url])
        guard case .ready = outcome else { throw PgTestError(description: "the plugin did not load: \(outcome)") }
        let slept = await harness.runtime.deliver(.job(name: "sleep", payload: Array("{}".utf8)), pluginConfigID: 39, teamID: 2)
        guard case .timedOut = slept else { throw PgTestError(description: "the sleeping job was not given up on: \(slept)") }
        // The given-up query still ends on the server; the next one waits for it, then runs.
        let (event, _) = try await harness.process(sampleEvent())
        #expect((event?["properties"] as? [String: Any])?["seven"] as? Int == 7)
    }

    // MARK: Lifetime

    @Test func aTornDownPluginLeavesNoConnectionOpen() async throws {
        let server = try await PostgresTestServer.shared()
        let url = try await server.createDatabase()
        let name = try #require(url.split(separator: "/").last)
        let openConnections = { () async throws -> Int? in
            Int(try await server.psql("SELECT count(*) FROM pg_stat_activity WHERE datname = '\(name)'", database: url)
                .trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let baseline = try #require(try await openConnections())
        let harness = try PluginHarness(timeLimit: .seconds(120), fetchPolicy: FetchTests.loopback)
        // Connections the plugin never ends: a client, and a pool that lent out two.
        let outcome = try await harness.load(
            """
            import { Client, Pool } from 'pg'
            export async function setupPlugin({ global, config }) {
              global.client = new Client({ connectionString: config.url })
              await global.client.connect()
              global.pool = new Pool({ connectionString: config.url })
              const [first, second] = await Promise.all([global.pool.connect(), global.pool.connect()])
              first.release()
              second.release()
            }
            """, config: ["url": url])
        guard case .ready = outcome else { throw PgTestError(description: "the plugin did not load: \(outcome)") }
        #expect(try await openConnections() == baseline + 3)

        await harness.runtime.unload(pluginConfigID: 39, teamID: 2)
        let deadline = ContinuousClock.now + .seconds(20)
        var open = try await openConnections()
        while open != baseline, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            open = try await openConnections()
        }
        #expect(open == baseline)
    }

    // MARK: Support

    /// Runs `body` in a plugin's `processEvent`, with `Client` imported and `url` the database's (by default a fresh
    /// one on the shared server), and returns what it returned.
    private func run(_ body: String, url: String? = nil, policy: FetchPolicy = FetchTests.loopback) async throws -> [String: Any] {
        let url = if let url { url } else { try await PostgresTestServer.shared().createDatabase() }
        // A loaded machine must not turn a slow answer into a time-out: these tests are about pg, not speed.
        let harness = try PluginHarness(timeLimit: .seconds(120), fetchPolicy: policy)
        return try await harness.runInProcessEvent(
            body, imports: "import { Client } from 'pg'", setup: "const url = event.properties.url", properties: ["url": url])
    }
}

struct PgTestError: Error, CustomStringConvertible {
    var description: String
}
