const { resetMeta } = require('@posthog/plugin-scaffold/test/utils')
const fetch = require('node-fetch')
const { jobs, runEveryHour } = require('./index')

jest.mock('node-fetch')
const { Response } = jest.requireActual('node-fetch')

const page = (orders, has_more) => new Response(JSON.stringify({ orders, has_more }))
const order = (id) => ({ id, customer_email: `c${id}@example.com`, total: '10.00', currency: 'EUR', created_at: '2024-05-01T00:00:00Z' })

beforeEach(() => {
    fetch.mockReset()
    posthog.capture.mockClear()
})

test('runEveryHour starts the import at page 1', async () => {
    const meta = resetMeta()
    await runEveryHour(meta)
    expect(meta.jobs.queued.map(({ type, payload }) => [type, payload])).toEqual([['importPage', { page: 1 }]])
})

test('a page captures its orders and queues the next one', async () => {
    const meta = resetMeta({ config: { shop: 'https://shop.example.com/', apiKey: 'k' } })
    fetch.mockResolvedValue(page([order(1), order(2)], true))
    await jobs.importPage({ page: 1 }, meta)
    expect(fetch.mock.calls[0][0]).toBe('https://shop.example.com/v1/orders?since_id=0&page=1')
    expect(posthog.capture.mock.calls.map(([, properties]) => properties.order_id)).toEqual([1, 2])
    expect(meta.jobs.queued.map(({ payload }) => payload)).toEqual([{ page: 2 }])
})

test('the last page remembers the last order', async () => {
    const meta = resetMeta({ config: { shop: 'https://shop.example.com', apiKey: 'k' } })
    fetch.mockResolvedValue(page([order(7)], false))
    await jobs.importPage({ page: 3 }, meta)
    expect(await meta.storage.get('lastOrderId')).toBe(7)
    expect(meta.jobs.queued).toEqual([])
})

test('a busy shop is asked again later', async () => {
    const meta = resetMeta({ config: { shop: 'https://shop.example.com', apiKey: 'k' } })
    fetch.mockResolvedValue(new Response('', { status: 503 }))
    await jobs.importPage({ page: 2 }, meta)
    expect(meta.jobs.queued.map(({ payload }) => payload)).toEqual([{ page: 2 }])
    expect(posthog.capture).not.toHaveBeenCalled()
})
