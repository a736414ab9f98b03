import { RetryError } from '@posthog/plugin-scaffold'
import { createEvent, resetMeta } from '@posthog/plugin-scaffold/test/utils'
import fetch from 'node-fetch'
import { gunzipSync } from 'zlib'
import { onEvent, setupPlugin, teardownPlugin } from './index'

jest.mock('node-fetch')
const { Response } = jest.requireActual('node-fetch')
const mockedFetch = fetch as unknown as jest.Mock

function exporter(batchSize: string) {
    const meta = resetMeta({
        config: { host: 'https://collector.example.com/v1/events', user: 'quill', password: 'secret', batchSize, flushSeconds: '10' },
    }) as any
    setupPlugin(meta)
    return meta
}

/** The events of the batch sent by a call of fetch. */
const sentEvents = (call: any[]) => JSON.parse(gunzipSync(call[1].body).toString()).batch.map((event: any) => event.event)

beforeEach(() => {
    mockedFetch.mockReset()
})

describe('Buffered HTTP Exporter', () => {
    test('sends a full batch, gzipped, with basic auth', async () => {
        mockedFetch.mockResolvedValue(new Response('ok'))
        const meta = exporter('2')
        await onEvent(createEvent({ event: 'first' }), meta)
        expect(mockedFetch).not.toHaveBeenCalled()
        await onEvent(createEvent({ event: 'second' }), meta)
        expect(mockedFetch).toHaveBeenCalledTimes(1)
        const [url, init] = mockedFetch.mock.calls[0]
        expect(url).toBe('https://collector.example.com/v1/events')
        expect(init).toMatchObject({
            method: 'POST',
            headers: {
                Authorization: `Basic ${Buffer.from('quill:secret').toString('base64')}`,
                'Content-Type': 'application/json',
                'Content-Encoding': 'gzip',
            },
        })
        expect(sentEvents(mockedFetch.mock.calls[0])).toEqual(['first', 'second'])
        await teardownPlugin(meta)
    })

    test('a busy destination makes the delivery a RetryError', async () => {
        mockedFetch.mockResolvedValue(new Response('busy', { status: 503 }))
        const meta = exporter('1')
        await expect(onEvent(createEvent(), meta)).rejects.toThrow(RetryError)
        await expect(teardownPlugin(meta)).resolves.toBeUndefined()
    })

    test('a refusal is not retried', async () => {
        mockedFetch.mockResolvedValue(new Response('bad credentials', { status: 401 }))
        const meta = exporter('1')
        const delivery = onEvent(createEvent(), meta)
        await expect(delivery).rejects.toThrow('refused a batch of 1 events: 401 bad credentials')
        await expect(delivery).rejects.not.toBeInstanceOf(RetryError)
    })

    test('teardown sends what is left', async () => {
        mockedFetch.mockResolvedValue(new Response('ok'))
        const meta = exporter('10')
        await onEvent(createEvent({ event: 'left over' }), meta)
        expect(mockedFetch).not.toHaveBeenCalled()
        await teardownPlugin(meta)
        expect(sentEvents(mockedFetch.mock.calls[0])).toEqual(['left over'])
    })
})
