import { createEvent, resetMeta } from '@posthog/plugin-scaffold/test/utils'
import { processEvent, setupPlugin } from './index'

function unduplicator(config: Record<string, string>) {
    const meta = resetMeta({ config }) as any
    setupPlugin(meta)
    return meta
}

describe('Unduplicator', () => {
    beforeEach(() => {
        jest.useFakeTimers()
        jest.spyOn(console, 'info').mockImplementation(() => undefined)
    })

    afterEach(() => {
        jest.useRealTimers()
        jest.restoreAllMocks()
    })

    test('drops a repeat of the same event, user and timestamp', async () => {
        const meta = unduplicator({ dedupBy: 'Event, distinct ID and timestamp', windowSeconds: '3600' })
        expect(await processEvent(createEvent(), meta)).not.toBeNull()
        expect(await processEvent(createEvent(), meta)).toBeNull()
        expect(console.info).toHaveBeenCalledTimes(1)
        expect(await processEvent(createEvent({ timestamp: '2021-01-01T00:00:00.000Z' }), meta)).not.toBeNull()
        expect(await processEvent(createEvent({ distinct_id: 'someone else' }), meta)).not.toBeNull()
    })

    test('by UUID, case aside', async () => {
        const meta = unduplicator({ dedupBy: 'UUID', windowSeconds: '60' })
        expect(await processEvent(createEvent({ uuid: 'ABC' }), meta)).not.toBeNull()
        expect(await processEvent(createEvent({ uuid: 'abc', event: 'other' }), meta)).toBeNull()
    })

    test('forgets an event after the time window', async () => {
        const meta = unduplicator({ dedupBy: 'UUID', windowSeconds: '60' })
        expect(await processEvent(createEvent(), meta)).not.toBeNull()
        jest.advanceTimersByTime(59_000)
        expect(await processEvent(createEvent(), meta)).toBeNull()
        jest.advanceTimersByTime(2_000)
        expect(await processEvent(createEvent(), meta)).not.toBeNull()
    })

    test('refuses a window that is not a whole number of seconds', () => {
        expect(() => unduplicator({ dedupBy: 'UUID', windowSeconds: '1.5' })).toThrow('whole number of seconds')
    })
})
