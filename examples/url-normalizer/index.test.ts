import { createPageview, resetMeta } from '@posthog/plugin-scaffold/test/utils'
import { processEvent, setupPlugin } from './index'

function normalizer(config: Record<string, string> = {}) {
    const meta = resetMeta({
        config: { stripParameters: 'utm_*, gclid, fbclid', stripTrailingSlash: 'Yes', sortQuery: 'Yes', stripHash: 'No', ...config },
    }) as any
    setupPlugin(meta)
    return meta
}

function pageview(properties: Record<string, unknown>) {
    const event = createPageview()
    event.properties = properties
    return event
}

describe('URL Normalizer', () => {
    test.each([
        ['HTTPS://Shop.Example.COM:443/Pricing/?utm_source=newsletter&utm_medium=email&plan=pro', 'https://shop.example.com/Pricing?plan=pro'],
        ['https://example.com/', 'https://example.com'],
        ['https://example.com/docs/?z=1&a=2&gclid=EAIaIQob&a=1#install', 'https://example.com/docs?a=2&a=1&z=1#install'],
        ['$direct', '$direct'],
    ])('normalizes %s', (raw, normalized) => {
        expect(processEvent(pageview({ $current_url: raw }), normalizer()).properties).toEqual({ $current_url: normalized })
    })

    test('normalizes the referrer and the path too', () => {
        const event = processEvent(pageview({ $referrer: 'https://www.Google.com/', $pathname: '/docs/' }), normalizer())
        expect(event.properties).toEqual({ $referrer: 'https://www.google.com', $pathname: '/docs' })
    })

    test('keeps what it is told to keep', () => {
        const meta = normalizer({ stripTrailingSlash: 'No', sortQuery: 'No', stripHash: 'Yes' })
        const event = processEvent(pageview({ $current_url: 'https://example.com/a/?b=1&a=2#top' }), meta)
        expect(event.properties?.$current_url).toBe('https://example.com/a/?b=1&a=2')
    })
})
