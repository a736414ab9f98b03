const { RetryError } = require('@posthog/plugin-scaffold')
const { resetMeta } = require('@posthog/plugin-scaffold/test/utils')
const fetch = require('node-fetch')
const { exportEvents, mixpanelEvent } = require('./index')

jest.mock('node-fetch')
const { Response } = jest.requireActual('node-fetch')

const event = {
    uuid: 'u-1', event: '$pageview', distinct_id: 'ada', ip: '1.2.3.4', timestamp: '2024-05-01T00:00:00.000Z',
    properties: { $current_url: 'https://example.com/', $set: { a: 1 } },
}
const meta = () => resetMeta({ config: { projectToken: 'tok', apiHost: 'api-eu.mixpanel.com' } })

beforeEach(() => fetch.mockReset())

test('renames PostHog events and keeps the properties but $set', () => {
    expect(mixpanelEvent(event, 'tok')).toEqual({
        event: '$mp_web_page_view',
        properties: { token: 'tok', distinct_id: 'ada', time: 1714521600000, $insert_id: 'u-1', ip: '1.2.3.4', $current_url: 'https://example.com/' },
    })
})

test('sends the batch as base64 JSON in a form', async () => {
    fetch.mockResolvedValue(new Response('{"status":1,"error":null}'))
    await exportEvents([event, { ...event, event: 'paid' }], meta())
    const [url, init] = fetch.mock.calls[0]
    expect(url).toBe('https://api-eu.mixpanel.com/track?verbose=1')
    const sent = JSON.parse(Buffer.from(init.body.get('data'), 'base64').toString())
    expect(sent.map((e) => e.event)).toEqual(['$mp_web_page_view', 'paid'])
})

test('a refusal is an error, a 503 a RetryError', async () => {
    fetch.mockResolvedValueOnce(new Response('{"status":0,"error":"bad token"}'))
    await expect(exportEvents([event], meta())).rejects.toThrow('Mixpanel refused the batch: bad token')
    fetch.mockResolvedValueOnce(new Response('', { status: 503 }))
    await expect(exportEvents([event], meta())).rejects.toThrow(RetryError)
})
