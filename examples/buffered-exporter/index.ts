import { PluginEvent, PluginMeta, RetryError } from '@posthog/plugin-scaffold'
import { createBuffer } from '@posthog/plugin-contrib'
import { gzipSync } from 'zlib'

interface EventBuffer {
    add(event: PluginEvent, points?: number): void
    flush(): Promise<void>
}

interface ExporterConfig {
    host: string
    user: string
    password: string
    batchSize: string
    flushSeconds: string
}

interface ExporterGlobal {
    url: string
    authorization: string
    buffer: EventBuffer
    /** The event `onEvent` is adding right now, while it adds it. */
    adding: PluginEvent | null
    /** The send that adding that event started, for `onEvent` to wait for. */
    started: Promise<void> | null
    stopping: boolean
}

type ExporterMeta = PluginMeta & { config: ExporterConfig; global: ExporterGlobal }

function positiveInteger(value: string, name: string): number {
    const number = Number(value)
    if (!Number.isInteger(number) || number < 1) {
        throw new Error(`${name} must be a whole number of at least 1, not '${value}'`)
    }
    return number
}

async function postBatch(batch: PluginEvent[], global: ExporterGlobal): Promise<void> {
    const body = gzipSync(JSON.stringify({ batch }))
    let response: Response
    try {
        response = await fetch(global.url, {
            method: 'POST',
            headers: {
                Authorization: global.authorization,
                'Content-Type': 'application/json',
                'Content-Encoding': 'gzip',
            },
            body,
        })
    } catch (error) {
        throw new RetryError(`Could not reach ${global.url}: ${(error as Error).message}`)
    }
    if (response.status === 429 || response.status >= 500) {
        throw new RetryError(`${global.url} answered ${response.status} to a batch of ${batch.length} events`)
    }
    if (!response.ok) {
        // The destination refuses this data (bad credentials, bad payload): sending it again won't help.
        throw new Error(`${global.url} refused a batch of ${batch.length} events: ${response.status} ${await response.text()}`)
    }
}

/** Sends a batch; when the destination should be tried again, keeps the batch for the next flush. */
async function exportBatch(batch: PluginEvent[], delivering: PluginEvent | null, global: ExporterGlobal): Promise<void> {
    try {
        await postBatch(batch, global)
    } catch (error) {
        if (error instanceof RetryError && !global.stopping) {
            // The event onEvent is delivering comes back when Quill retries that delivery; the others wait here.
            for (const event of batch) {
                if (event !== delivering) {
                    global.buffer.add(event)
                }
            }
        }
        throw error
    }
}

export function setupPlugin({ config, global }: ExporterMeta): void {
    const url = new URL(config.host)
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new Error(`The destination must be an http(s) URL, not ${config.host}`)
    }
    global.url = url.href
    global.authorization = `Basic ${Buffer.from(`${config.user}:${config.password}`).toString('base64')}`
    global.adding = null
    global.started = null
    global.stopping = false
    global.buffer = createBuffer({
        limit: positiveInteger(config.batchSize, 'Events per batch'),
        timeoutSeconds: positiveInteger(config.flushSeconds, 'Flush interval'),
        onFlush: (batch: PluginEvent[]): Promise<void> => {
            const sending = exportBatch(batch, global.adding, global)
            if (global.adding) {
                global.started = sending
            }
            return sending
        },
    })
}

/** The event goes on unchanged: this plugin only exports. */
export function processEvent(event: PluginEvent): PluginEvent {
    return event
}

export async function onEvent(event: PluginEvent, { global }: ExporterMeta): Promise<void> {
    global.adding = event
    global.started = null
    try {
        global.buffer.add(event)
    } finally {
        global.adding = null
    }
    // A full batch is sent as the event is added; waiting for it makes its failure this delivery's, so a
    // RetryError gets the delivery retried.
    const started = global.started
    global.started = null
    if (started) {
        await started
    }
}

export async function teardownPlugin({ global }: ExporterMeta): Promise<void> {
    global.stopping = true
    await global.buffer.flush()
}
