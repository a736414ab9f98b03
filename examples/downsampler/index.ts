import { PluginEvent, PluginMeta } from '@posthog/plugin-scaffold'
import { createHash } from 'crypto'

type SamplingMethod = 'Distinct ID aware sampling' | 'Random sampling'

type DownsamplerMeta = PluginMeta & {
    config: { percentage: string; samplingMethod?: SamplingMethod }
    global: { rate: number; byDistinctId: boolean }
}

export function setupPlugin({ config, global }: DownsamplerMeta): void {
    const percentage = Number(config.percentage.trim())
    if (config.percentage.trim() === '' || !Number.isFinite(percentage) || percentage < 0 || percentage > 100) {
        throw new Error(`% of users to keep must be a number from 0 to 100, not '${config.percentage}'`)
    }
    global.rate = percentage / 100
    global.byDistinctId = config.samplingMethod !== 'Random sampling'
}

/** A number in [0, 1) that depends only on `distinctId`: the first 32 bits of its SHA-256. */
export function sampleValue(distinctId: string): number {
    const digest = createHash('sha256').update(distinctId).digest('hex')
    return parseInt(digest.slice(0, 8), 16) / 0x1_0000_0000
}

export function processEvent(event: PluginEvent, { global }: DownsamplerMeta): PluginEvent | null {
    if (global.rate >= 1) {
        return event
    }
    const distinctId = event.distinct_id
    let value: number
    if (!global.byDistinctId) {
        value = Math.random()
    } else if (distinctId === undefined || distinctId === null || distinctId === '') {
        // Without a distinct_id the event can't be sampled consistently: keep it.
        return event
    } else {
        value = sampleValue(String(distinctId))
    }
    if (value >= global.rate) {
        return null
    }
    // Tells analyses how much to scale counts up by.
    event.properties = { ...event.properties, $sample_rate: global.rate }
    return event
}
