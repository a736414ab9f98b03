import { PluginEvent, PluginMeta, RetryError } from '@posthog/plugin-scaffold'

type GreeterMeta = PluginMeta & {
    config: { name?: string; greeting: 'Hello' | 'Hi' | 'Ahoy' }
    global: { greeting: string }
}

export function setupPlugin({ config, global }: GreeterMeta): void {
    if (config.name === 'nobody yet') {
        throw new RetryError('No one to greet yet, try again later')
    }
    global.greeting = `${config.greeting} ${config.name || 'world'}`
}

/* Runs on every event */
export function processEvent(event: PluginEvent, { global }: GreeterMeta): PluginEvent {
    // Some events (like $identify) don't have properties
    if (event.properties) {
        event.properties['hello'] = global.greeting
    }
    // Return the event to ingest, return nothing to discard
    return event
}
