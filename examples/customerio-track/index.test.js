const { createEvent, resetMeta } = require('@posthog/plugin-scaffold/test/utils')
const fetch = require('node-fetch')
const { onEvent } = require('./index')

jest.mock('node-fetch')
const { Response } = jest.requireActual('node-fetch')

const meta = () => resetMeta({ config: { siteId: 'site', apiKey: 'key', host: 'track-eu.customer.io' } })

beforeEach(() => {
    fetch.mockReset()
    fetch.mockResolvedValue(new Response('{}'))
})

test('an $identify updates the customer with basic auth', async () => {
    await onEvent({ ...createEvent({ event: '$identify', distinct_id: 'a b' }), timestamp: '2024-05-01T00:00:00.000Z', $set: { email: 'a@example.com' } }, meta())
    const [url, init] = fetch.mock.calls[0]
    expect(url).toBe('https://track-eu.customer.io/api/v1/customers/a%20b')
    expect(init.method).toBe('PUT')
    expect(init.headers.Authorization).toBe(`Basic ${Buffer.from('site:key').toString('base64')}`)
    expect(JSON.parse(init.body)).toEqual({ email: 'a@example.com', updated_at: 1714521600 })
})

test('other events are tracked, $ events skipped', async () => {
    await onEvent({ ...createEvent({ event: '$pageview' }), timestamp: '2024-05-01T00:00:00.000Z' }, meta())
    expect(fetch).not.toHaveBeenCalled()
    await onEvent({ ...createEvent({ event: 'paid', properties: { amount: 3 } }), timestamp: '2024-05-01T00:00:00.000Z' }, meta())
    expect(fetch.mock.calls[0][0]).toBe('https://track-eu.customer.io/api/v1/customers/007/events')
    expect(JSON.parse(fetch.mock.calls[0][1].body)).toEqual({ name: 'paid', data: { amount: 3 }, timestamp: 1714521600 })
})
