const {
    clone,
    createCache,
    createEvent,
    createIdentify,
    createPageview,
    getMeta,
    resetMeta,
} = require('@posthog/plugin-scaffold/test/utils.js')
const { processEvent, setupPlugin } = require('./index')

describe('events', () => {
    test('createEvent has the scaffold defaults, with changes over them', () => {
        const event = createEvent({ event: 'purchase', properties: { amount: 3 } })
        expect(event).toEqual({
            distinct_id: '007',
            ip: '127.0.0.1',
            site_url: 'http://localhost',
            team_id: 13,
            now: '2020-11-26T12:58:58.453Z',
            event: 'purchase',
            sent_at: '2020-11-26T12:58:58.453Z',
            timestamp: '2020-11-26T12:58:58.453Z',
            uuid: '00000000-0000-4000-8000-000000000007',
            properties: { amount: 3 },
        })
        expect(createEvent()).not.toBe(createEvent())
    })

    test('createPageview and createIdentify', () => {
        expect(createPageview()).toMatchObject({ event: '$pageview', properties: { $current_url: 'https://posthog.com/docs' } })
        expect(createIdentify()).toMatchObject({ event: '$identify', $set: { email: 'test@posthog.com' } })
    })

    test('clone is a deep copy', () => {
        const event = createPageview()
        const copy = clone(event)
        copy.properties.$os = 'Linux'
        expect(event.properties.$os).toBe('Mac OS X')
        expect(copy).not.toEqual(event)
    })
})

describe('a plugin with the meta of resetMeta', () => {
    beforeEach(async () => {
        resetMeta({ config: { welcomeEvent: 'signed up' } })
        await setupPlugin(getMeta())
    })

    test('setupPlugin fills global', () => {
        expect(getMeta().global).toEqual({ welcomeEvent: 'signed up' })
        expect(getMeta().config).toEqual({ welcomeEvent: 'signed up' })
    })

    test('processEvent keeps counts in the cache, the first event in storage and queues jobs', async () => {
        const first = await processEvent(createEvent({ event: 'signed up', distinct_id: 'ada' }), getMeta())
        const second = await processEvent(createEvent({ event: 'purchase', distinct_id: 'ada' }), getMeta())
        expect(first.properties).toEqual({ event_count: 1, first_event: 'signed up', processed: 1 })
        expect(second.properties).toEqual({ event_count: 2, first_event: 'signed up', processed: 2 })
        expect(await getMeta().storage.get('first/ada')).toEqual({ event: 'signed up', at: '2020-11-26T12:58:58.453Z' })
        const [job] = getMeta().jobs.queued
        expect(job).toMatchObject({ type: 'sendWelcome', payload: { distinct_id: 'ada' } })
        expect(job.runAt.getTime() - Date.now()).toBeGreaterThan(3590 * 1000)
    })

    test('each resetMeta starts empty', async () => {
        expect(await getMeta().cache.get('count/ada', 'none')).toBe('none')
        expect(getMeta().jobs.queued).toEqual([])
    })
})

describe('cache', () => {
    test('values go through JSON, a missing key gives the default', async () => {
        const cache = createCache()
        await cache.set('object', { a: [1, 2] })
        const read = await cache.get('object')
        expect(read).toEqual({ a: [1, 2] })
        read.a.push(3)
        expect(await cache.get('object')).toEqual({ a: [1, 2] })
        expect(await cache.get('missing', 'default')).toBe('default')
        await cache.set('raw', 12, undefined, { jsonSerialize: false })
        expect(await cache.get('raw', null, { jsonSerialize: false })).toBe('12')
    })

    test('incr and expire', async () => {
        const cache = createCache()
        expect(await cache.incr('n')).toBe(1)
        expect(await cache.incr('n')).toBe(2)
        await cache.set('word', 'text')
        await expect(cache.incr('word')).rejects.toThrow('is not an integer')
        expect(await cache.expire('n', 10)).toBe(true)
        expect(await cache.expire('nothing', 10)).toBe(false)
    })

    test('lists', async () => {
        const { cache } = resetMeta()
        expect(await cache.lpush('list', ['a', 'b'])).toBe(2)
        expect(await cache.lpush('list', 'c')).toBe(3)
        expect(await cache.lrange('list', 0, -1)).toEqual(['c', 'b', 'a'])
        expect(await cache.llen('list')).toBe(3)
        expect(await cache.lrem('list', 1, 'b')).toBe(1)
        expect(await cache.lpop('list', 1)).toEqual(['c'])
        expect(await cache.lrange('list', 0, 10)).toEqual(['a'])
    })
})

describe('storage, cursor and metrics', () => {
    test('storage keeps JSON; undefined and del remove', async () => {
        const { storage } = resetMeta()
        await storage.set('k', { nested: true })
        expect(await storage.get('k')).toEqual({ nested: true })
        await storage.set('k', undefined)
        expect(await storage.get('k', 'gone')).toBe('gone')
        await storage.set('j', 1)
        await storage.del('j')
        expect(await storage.get('j', null)).toBeNull()
    })

    test('cursor and metrics', async () => {
        const { utils, metrics } = resetMeta()
        await utils.cursor.init('c', 10)
        await utils.cursor.init('c', 99)
        expect(await utils.cursor.increment('c', 5)).toBe(15)
        metrics.events.increment(2)
        metrics.events.increment(3)
        metrics.slowest.max(10)
        metrics.slowest.max(4)
        expect(metrics.values).toEqual({ events: 5, slowest: 10 })
        expect(() => metrics.events.increment('one')).toThrow('Only numbers are allowed')
    })
})
