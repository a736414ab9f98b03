import { expect as globalExpect, jest } from '@jest/globals'
import { createEvent } from '@posthog/plugin-scaffold/test/utils'
import fetchMock from 'jest-fetch-mock'
import leftPad from 'left-pad'
import { processEvent } from '../index'

// Hoisted although `jest` comes from @jest/globals; left-pad is not installed, the factory is all there is.
jest.mock('left-pad', () => (text: string, length: number) => text.padStart(length, '*'))

const meta = { config: { host: 'https://lookup.example.com', apiKey: 'k' } } as any

beforeEach(() => {
    fetchMock.resetMocks()
})

test('mockResponseOnce answers the next call', async () => {
    fetchMock.mockResponseOnce(JSON.stringify({ company: 'Acme' }))
    const event = await processEvent(createEvent({ distinct_id: 'ada' }), meta)
    expect(event.properties?.company).toBe('Acme')
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(fetchMock.mock.calls[0][0]).toBe('https://lookup.example.com/lookup?id=ada')
    expect(fetchMock.mock.calls[0][1]).toEqual({ headers: { Authorization: 'Bearer k' } })
})

test('a response status reaches the plugin', async () => {
    fetchMock.mockResponse('unavailable', { status: 503 })
    await expect(processEvent(createEvent(), meta)).rejects.toThrow('lookup failed: 503')
})

test('mockReject makes fetch fail', async () => {
    fetchMock.mockReject(new Error('network down'))
    await expect(processEvent(createEvent(), meta)).rejects.toThrow('network down')
})

test('a function answers from the request', async () => {
    fetchMock.mockResponse(async (request) => JSON.stringify({ company: new URL(request.url).searchParams.get('id') }))
    const event = await processEvent(createEvent({ distinct_id: 'grace' }), meta)
    expect(event.properties?.company).toBe('grace')
})

test('mockResponses answer in order', async () => {
    fetchMock.mockResponses(JSON.stringify({ company: 'first' }), [JSON.stringify({ company: 'second' }), { status: 200 }])
    const first = await processEvent(createEvent(), meta)
    const second = await processEvent(createEvent(), meta)
    expect([first.properties?.company, second.properties?.company]).toEqual(['first', 'second'])
})

test('node-fetch is the mock too', () => {
    expect(require('node-fetch')).toBe(fetchMock)
})

test('@jest/globals and a hoisted factory', () => {
    globalExpect(leftPad('ab', 5)).toBe('***ab')
    globalExpect(jest.fn()).not.toHaveBeenCalled()
})
