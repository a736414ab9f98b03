import { PluginEvent } from '@posthog/plugin-scaffold'

export class PricingError extends Error {
    constructor(message: string) {
        super(message)
        this.name = 'PricingError'
    }
}

export function priceOf(event: PluginEvent): number {
    const amount = event.properties?.amount
    if (typeof amount !== 'number') {
        throw new PricingError(`no amount in ${event.event}`)
    }
    return Math.round(amount * 1.2 * 100) / 100
}

export async function fetchPlan(id: string): Promise<{ id: string; plan: string }> {
    if (id === '') {
        throw new PricingError('no id')
    }
    return { id, plan: 'pro' }
}
