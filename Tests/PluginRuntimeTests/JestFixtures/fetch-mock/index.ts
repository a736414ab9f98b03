import { PluginEvent, PluginMeta } from '@posthog/plugin-scaffold'

type LookupMeta = PluginMeta & { config: { host: string; apiKey: string } }

export async function processEvent(event: PluginEvent, { config }: LookupMeta): Promise<PluginEvent> {
    const response = await fetch(`${config.host}/lookup?id=${event.distinct_id}`, {
        headers: { Authorization: `Bearer ${config.apiKey}` },
    })
    if (!response.ok) {
        throw new Error(`lookup failed: ${response.status}`)
    }
    const { company } = (await response.json()) as { company: string }
    return { ...event, properties: { ...event.properties, company } }
}
