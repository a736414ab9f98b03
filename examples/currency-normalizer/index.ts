import { PluginEvent, PluginMeta } from '@posthog/plugin-scaffold'

type Rates = Record<string, number>

interface NormalizerConfig {
    baseCurrency: string
    rates: string
    amountProperty: string
    currencyProperty: string
    events?: string
}

type NormalizerMeta = PluginMeta & {
    config: NormalizerConfig
    global: { base: string; rates: Rates; events: Set<string> | null }
}

function parseRates(text: string): Rates {
    let parsed: unknown
    try {
        parsed = JSON.parse(text)
    } catch (error) {
        throw new Error(`Exchange rates are not valid JSON: ${(error as Error).message}`)
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new Error('Exchange rates must be a JSON object like {"USD": 1, "EUR": 0.92}')
    }
    const rates: Rates = {}
    for (const [code, rate] of Object.entries(parsed as Record<string, unknown>)) {
        if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
            throw new Error(`The rate of ${code} must be a positive number, not ${JSON.stringify(rate)}`)
        }
        rates[code.trim().toUpperCase()] = rate
    }
    return rates
}

export function setupPlugin({ config, global }: NormalizerMeta): void {
    global.base = config.baseCurrency.trim().toUpperCase()
    global.rates = parseRates(config.rates)
    if (!(global.base in global.rates)) {
        throw new Error(`The exchange rates have no rate for the base currency ${global.base}`)
    }
    const names = (config.events ?? '').split(',').map((name) => name.trim()).filter(Boolean)
    global.events = names.length > 0 ? new Set(names) : null
}

/** Rounds half away from zero to cents, so 0.125 is 0.13 and -0.125 is -0.13. */
export function roundToCents(value: number): number {
    const cents = Math.round(Math.abs(value) * 100 + 1e-9)
    return (Math.sign(value) * cents) / 100 || 0
}

function toNumber(value: unknown): number | null {
    if (typeof value === 'number') {
        return Number.isFinite(value) ? value : null
    }
    if (typeof value === 'string' && value.trim() !== '') {
        const number = Number(value.trim())
        return Number.isFinite(number) ? number : null
    }
    return null
}

export function processEvent(event: PluginEvent, { config, global }: NormalizerMeta): PluginEvent {
    const properties = event.properties
    if (!properties || (global.events && !global.events.has(event.event))) {
        return event
    }
    const { amountProperty, currencyProperty } = config
    const rawAmount = properties[amountProperty]
    const rawCurrency = properties[currencyProperty]
    if (rawAmount === undefined || rawAmount === null || typeof rawCurrency !== 'string') {
        return event
    }
    const amount = toNumber(rawAmount)
    const currency = rawCurrency.trim().toUpperCase()
    if (amount === null) {
        console.warn(`${event.event}: ${amountProperty} ${JSON.stringify(rawAmount)} is not a number, left as it is`)
        return event
    }
    const rate = global.rates[currency]
    if (rate === undefined) {
        console.warn(`${event.event}: no exchange rate for ${JSON.stringify(rawCurrency)}, left as it is`)
        return event
    }
    properties[`original_${amountProperty}`] = rawAmount
    properties[`original_${currencyProperty}`] = rawCurrency
    properties[amountProperty] = roundToCents((amount / rate) * global.rates[global.base])
    properties[currencyProperty] = global.base
    return event
}
