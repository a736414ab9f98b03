// The Node baseline of the VM-stage benchmark: the same compiled plugins Quill runs (written by
// `quill-bench vm-stage --export`), each in its own node:vm context with a simple in-memory meta, over
// the same events. Per event: UTF-8 bytes → JSON.parse → each processEvent in order → JSON.stringify →
// UTF-8 bytes, as PostHog's plugin server does with Kafka messages. Prints one JSON line.
//
//   node bench/vm_stage_node.mjs --chain compiled.json --events events.jsonl [--warmup 10000] [--print]
//
// With --print it is a whole runner, as `quill plugin run` is: each result goes to stdout as a JSON line
// (`null` for a dropped event), written in batches, and the summary line goes to stderr.
import { readFileSync, writeSync } from 'node:fs'
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'
import vm from 'node:vm'

const { values: args } = parseArgs({
    options: {
        chain: { type: 'string' }, events: { type: 'string' }, warmup: { type: 'string', default: '10000' },
        print: { type: 'boolean', default: false },
    },
})

class RetryError extends Error {
    constructor(message) {
        super(message)
        this.name = 'RetryError'
    }
}
const nodeRequire = createRequire(import.meta.url)
const provided = { '@posthog/plugin-scaffold': { RetryError } }
const requireModule = (name) => provided[name] ?? nodeRequire(name)

/** PostHog's meta, kept in memory: enough for pure processEvent plugins. */
function makeMeta(config) {
    const cache = new Map()
    const storage = new Map()
    return {
        config,
        global: {},
        attachments: {},
        metrics: {},
        jobs: {},
        cache: {
            get: async (key, fallback) => (cache.has(key) ? cache.get(key) : fallback),
            set: async (key, value) => void cache.set(key, value),
            incr: async (key, by = 1) => {
                cache.set(key, (cache.get(key) ?? 0) + by)
                return cache.get(key)
            },
        },
        storage: {
            get: async (key, fallback) => (storage.has(key) ? storage.get(key) : fallback),
            set: async (key, value) => void storage.set(key, value),
            del: async (key) => void storage.delete(key),
        },
        geoip: { locate: async () => null },
    }
}

/** Evaluates one compiled plugin in a fresh context and finds its functions as Quill's prelude does. */
async function load({ name, config, code }) {
    const module = { exports: {} }
    const context = vm.createContext({
        module, exports: module.exports, require: requireModule, console: { log() {}, info() {}, warn() {}, error() {}, debug() {} },
        RetryError, URL, URLSearchParams, TextEncoder, TextDecoder, Buffer, crypto: globalThis.crypto,
    })
    vm.runInContext(code, context, { filename: `${name}/index.js` })
    const exported = (key) => {
        for (const source of [context.exports, context.exports?.default, context.module.exports, context.module.exports?.default]) {
            if (source && source[key] !== undefined) return source[key]
        }
        return vm.runInContext(`typeof ${key} === 'undefined' ? undefined : ${key}`, context)
    }
    const meta = makeMeta(config)
    const setupPlugin = exported('setupPlugin')
    if (typeof setupPlugin === 'function') await setupPlugin(meta)
    return { processEvent: exported('processEvent'), meta }
}

async function runChain(plugins, lines, print = false) {
    let outputBytes = 0
    let dropped = 0
    let batch = []
    for (const line of lines) {
        let event = JSON.parse(line.toString('utf8'))
        for (const { processEvent, meta } of plugins) {
            event = await processEvent(event, meta)
            if (event == null) break
        }
        if (event == null) dropped += 1
        const text = event == null ? 'null' : JSON.stringify(event)
        const bytes = Buffer.from(text, 'utf8')
        outputBytes += event == null ? 0 : bytes.length
        if (print) {
            batch.push(bytes, NEWLINE)
            if (batch.length >= 512) {
                writeSync(1, Buffer.concat(batch))
                batch = []
            }
        }
    }
    if (batch.length > 0) writeSync(1, Buffer.concat(batch))
    return { outputBytes, dropped }
}
const NEWLINE = Buffer.from('\n')

const plugins = []
for (const entry of JSON.parse(readFileSync(args.chain, 'utf8'))) plugins.push(await load(entry))
const file = readFileSync(args.events)
const lines = []
for (let start = 0; start < file.length; ) {
    let end = file.indexOf(10, start)
    if (end === -1) end = file.length
    if (end > start) lines.push(file.subarray(start, end))
    start = end + 1
}

await runChain(plugins, lines.slice(0, Number(args.warmup)))
const cpuBefore = process.cpuUsage()
const started = process.hrtime.bigint()
const { outputBytes, dropped } = await runChain(plugins, lines, args.print)
const seconds = Number(process.hrtime.bigint() - started) / 1e9
const cpu = process.cpuUsage(cpuBefore)
const cpuSeconds = (cpu.user + cpu.system) / 1e6
const summary = JSON.stringify({
    events: lines.length, seconds, cpu_seconds: cpuSeconds, events_per_second: lines.length / seconds,
    events_per_cpu_second: lines.length / cpuSeconds, dropped, output_bytes: outputBytes,
})
if (args.print) process.stderr.write(summary + '\n')
else console.log(summary)
