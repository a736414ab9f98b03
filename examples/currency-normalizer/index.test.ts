import { createEvent, resetMeta } from '@posthog/plugin-scaffold/test/utils'
import { processEvent, roundToCents, setupPlugin } from './index'

const rates = JSON.stringify({ USD: 1, EUR: 0.92, GBP: 0.79, JPY: 151.6 })

function normalizer(config: Record<string, string> = {}) {
    const meta = resetMeta({
        config: { baseCurrency: 'eur', rates, amountProperty: 'amount', currencyProperty: 'currency', events: 'order completed', ...config },
    }) as any
    setupPlugin(meta)
    return meta
}

describe('Currency Normalizer', () => {
    test('converts an amount to the base currency and keeps the original', () => {
        const event = createEvent({ event: 'order completed', properties: { amount: 100, currency: 'usd' } })
        expect(processEvent(event, normalizer()).properties).toEqual({
            amount: 92,
            currency: 'EUR',
            original_amount: 100,
            original_currency: 'usd',
        })
    })

    test('leaves other events and unknown currencies as they are', () => {
        const meta = normalizer()
        const pageview = createEvent({ event: '$pageview', properties: { amount: 1, currency: 'USD' } })
        expect(processEvent(pageview, meta).properties).toEqual({ amount: 1, currency: 'USD' })
        const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
        const unknown = processEvent(createEvent({ event: 'order completed', properties: { amount: 1, currency: 'XYZ' } }), meta)
        expect(unknown.properties).toEqual({ amount: 1, currency: 'XYZ' })
        expect(warn).toHaveBeenCalledWith('order completed: no exchange rate for "XYZ", left as it is')
        warn.mockRestore()
    })

    test.each([
        [0.125, 0.13],
        [-0.125, -0.13],
        [2, 2],
    ])('roundToCents(%p) is %p', (value, rounded) => {
        expect(roundToCents(value)).toBe(rounded)
    })

    test('refuses rates without the base currency', () => {
        expect(() => normalizer({ baseCurrency: 'CHF' })).toThrow('no rate for the base currency CHF')
    })
})
