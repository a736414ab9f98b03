import { createEvent, resetMeta } from '@posthog/plugin-scaffold/test/utils'
import { processEvent } from './index'

const chrome = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36'
const iPhone =
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1'

const defaults = { overrideUserAgentDetails: 'No', enableSegmentAnalyticsJs: 'Yes' }

test.each([
    [chrome, { $browser: 'Chrome', $browser_version: 120, $os: 'Windows', $device_type: 'Desktop' }],
    [iPhone, { $browser: 'Mobile Safari', $browser_version: 17.1, $os: 'iOS', $device_type: 'Mobile' }],
])('fills browser details from $useragent %#', (userAgent, details) => {
    const event = processEvent(createEvent({ properties: { $useragent: userAgent } }), resetMeta({ config: defaults }))
    expect(event.properties).toEqual({ $useragent: userAgent, ...details })
})

test('reads Segment’s userAgent when asked to', () => {
    const event = processEvent(createEvent({ properties: { userAgent: chrome } }), resetMeta({ config: defaults }))
    expect(event.properties.$browser).toBe('Chrome')
    const ignored = processEvent(
        createEvent({ properties: { userAgent: chrome } }),
        resetMeta({ config: { ...defaults, enableSegmentAnalyticsJs: 'No' } })
    )
    expect(ignored.properties).toEqual({ userAgent: chrome })
})

test('keeps details the event has unless told to override them', () => {
    const event = createEvent({ properties: { $useragent: chrome, $browser: 'Custom' } })
    expect(processEvent(event, resetMeta({ config: defaults })).properties.$browser).toBe('Custom')
    const overridden = createEvent({ properties: { $useragent: chrome, $browser: 'Custom' } })
    const meta = resetMeta({ config: { ...defaults, overrideUserAgentDetails: 'Yes' } })
    expect(processEvent(overridden, meta).properties.$browser).toBe('Chrome')
})
