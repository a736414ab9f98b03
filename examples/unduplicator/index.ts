import { PluginEvent, PluginMeta } from '@posthog/plugin-scaffold'
import { createHash } from 'crypto'

type DedupBy = 'Event, distinct ID and timestamp' | 'UUID'

type UnduplicatorMeta = PluginMeta & {
    config: { dedupBy: DedupBy; windowSeconds?: string }
    global: { windowSeconds: number }
}

export function setupPlugin({ config, global }: UnduplicatorMeta): void {
    const seconds = Number(config.windowSeconds || '86400')
    if (!Number.isInteger(seconds) || seconds <= 0) {
        throw new Error(`The time window must be a whole number of seconds, not '${config.windowSeconds}'`)
    }
    global.windowSeconds = seconds
}

/** What identifies the event, or null when it lacks what the chosen mode needs. */
function identity(event: PluginEvent, dedupBy: DedupBy): string | null {
    if (dedupBy === 'UUID') {
        return event.uuid ? `uuid:${event.uuid.toLowerCase()}` : null
    }
    if (!event.timestamp || event.distinct_id === undefined || event.distinct_id === null) {
        return null
    }
    // JSON keeps the parts apart: ("a b", "c") and ("a", "b c") are different events.
    return `event:${JSON.stringify([event.event, String(event.distinct_id), event.timestamp])}`
}

export async function processEvent(event: PluginEvent, { config, global, cache }: UnduplicatorMeta): Promise<PluginEvent | null> {
    const id = identity(event, config.dedupBy)
    if (id === null) {
        return event
    }
    const key = `dedup/${createHash('sha1').update(id).digest('hex')}`
    if (await cache.get(key, null)) {
        console.info(`Dropped a duplicate ${event.event} of ${event.distinct_id} (${id})`)
        return null
    }
    await cache.set(key, 1, global.windowSeconds)
    return event
}
