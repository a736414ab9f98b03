const { RetryError } = require('@posthog/plugin-scaffold')
const { createEvent, resetMeta } = require('@posthog/plugin-scaffold/test/utils')
const fetch = require('node-fetch')
const { onEvent, message } = require('./index')

jest.mock('node-fetch')
const { Response } = jest.requireActual('node-fetch')

const meta = () => resetMeta({ config: { webhookUrl: 'https://hooks.slack.com/services/T/B/X', events: 'paid', channel: '' } })

beforeEach(() => fetch.mockReset())

test('the message names the person and event and lists the plain properties', () => {
    expect(message({ distinct_id: 'ada', event: 'paid', properties: { amount: 5, $ip: '1.2.3.4' } }, '#sales')).toEqual({
        text: 'ada triggered *paid*',
        blocks: [
            { type: 'section', text: { type: 'mrkdwn', text: 'ada triggered *paid*' } },
            { type: 'section', fields: [{ type: 'mrkdwn', text: '*amount*\n5' }] },
        ],
        channel: '#sales',
    })
})

test('posts only the chosen events', async () => {
    fetch.mockResolvedValue(new Response('ok'))
    await onEvent(createEvent({ event: 'viewed', properties: {} }), meta())
    expect(fetch).not.toHaveBeenCalled()
    await onEvent(createEvent({ event: 'paid', properties: {} }), meta())
    expect(fetch.mock.calls[0][0]).toBe('https://hooks.slack.com/services/T/B/X')
})

test('rate limited: RetryError', async () => {
    fetch.mockResolvedValue(new Response('', { status: 429, headers: { 'Retry-After': '1' } }))
    await expect(onEvent(createEvent({ event: 'paid', properties: {} }), meta())).rejects.toThrow(RetryError)
})
