const { RetryError } = require('@posthog/plugin-scaffold')
const { createIdentify, createEvent, resetMeta } = require('@posthog/plugin-scaffold/test/utils')
const fetch = require('node-fetch')
const { onEvent } = require('./index')

jest.mock('node-fetch')
const { Response } = jest.requireActual('node-fetch')

const meta = () => resetMeta({ config: { apiKey: 'key', host: 'https://crm.example.com/', properties: 'email,name' } })
const json = (body, status = 200) => new Response(JSON.stringify(body), { status })

beforeEach(() => fetch.mockReset())

test('updates the contact found by email', async () => {
    fetch.mockResolvedValueOnce(json({ results: [{ id: 'c-7' }] })).mockResolvedValueOnce(json({ id: 'c-7' }))
    await onEvent({ ...createIdentify(), $set: { email: 'ada@example.com', name: 'Ada', age: 36 } }, meta())
    expect(fetch.mock.calls.map(([url, init]) => `${init.method} ${url}`)).toEqual([
        'GET https://crm.example.com/v1/contacts?email=ada%40example.com',
        'PATCH https://crm.example.com/v1/contacts/c-7',
    ])
    expect(JSON.parse(fetch.mock.calls[1][1].body)).toEqual({
        properties: { email: 'ada@example.com', name: 'Ada', posthog_distinct_id: '007' },
    })
})

test('creates the contact when none is found', async () => {
    fetch.mockResolvedValueOnce(json({ results: [] })).mockResolvedValueOnce(json({ id: 'c-8' }, 201))
    await onEvent(createEvent({ properties: { $set: { email: 'grace@example.com' } } }), meta())
    expect(fetch.mock.calls[1][0]).toBe('https://crm.example.com/v1/contacts')
})

test('ignores events without an email', async () => {
    await onEvent(createEvent({ properties: {} }), meta())
    expect(fetch).not.toHaveBeenCalled()
})

test('a busy CRM makes a RetryError', async () => {
    fetch.mockResolvedValue(json({}, 429))
    await expect(onEvent({ ...createIdentify(), $set: { email: 'a@example.com' } }, meta())).rejects.toThrow(RetryError)
})
