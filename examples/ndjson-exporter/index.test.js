const { RetryError } = require('@posthog/plugin-scaffold')
const { createEvent, resetMeta } = require('@posthog/plugin-scaffold/test/utils')
const fetch = require('node-fetch')
const { exportEvents } = require('./index')

jest.mock('node-fetch')
const { Response } = jest.requireActual('node-fetch')

const meta = () => resetMeta({ config: { url: 'https://ingest.example.com/v1/rows', apiKey: 'k', exportEventsToIgnore: 'noise' } })

beforeEach(() => fetch.mockReset())

test('posts one JSON line per event, skipping ignored events', async () => {
    fetch.mockResolvedValue(new Response('', { status: 202 }))
    await exportEvents([createEvent({ event: 'a', uuid: '1' }), createEvent({ event: 'noise' }), createEvent({ event: 'b', uuid: '2' })], meta())
    const [url, init] = fetch.mock.calls[0]
    expect(url).toBe('https://ingest.example.com/v1/rows')
    expect(init.headers).toEqual({ 'Content-Type': 'application/x-ndjson', 'X-API-Key': 'k' })
    expect(init.body.trim().split('\n').map((line) => JSON.parse(line).event)).toEqual(['a', 'b'])
})

test('nothing is sent for a batch of ignored events', async () => {
    await exportEvents([createEvent({ event: 'noise' })], meta())
    expect(fetch).not.toHaveBeenCalled()
})

test('a 503 is a RetryError, a 400 an error', async () => {
    fetch.mockResolvedValueOnce(new Response('', { status: 503 }))
    await expect(exportEvents([createEvent()], meta())).rejects.toThrow(RetryError)
    fetch.mockResolvedValueOnce(new Response('', { status: 400 }))
    await expect(exportEvents([createEvent()], meta())).rejects.toThrow('refused a batch of 1 events: 400')
})
