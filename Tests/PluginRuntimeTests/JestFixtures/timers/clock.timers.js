const { createEvent, resetMeta } = require('@posthog/plugin-scaffold/test/utils')
const { processEvent } = require('./index')

describe('fake timers', () => {
    beforeEach(() => {
        jest.useFakeTimers({ now: new Date('2024-01-01T00:00:00Z') })
    })

    afterEach(() => {
        jest.useRealTimers()
    })

    test('advanceTimersByTime runs the timers that come due', () => {
        const calls = []
        setTimeout(() => calls.push(100), 100)
        setTimeout(() => calls.push(200), 200)
        jest.advanceTimersByTime(150)
        expect(calls).toEqual([100])
        expect(jest.getTimerCount()).toBe(1)
        jest.advanceTimersByTime(50)
        expect(calls).toEqual([100, 200])
    })

    test('Date follows the fake clock', () => {
        expect(new Date().toISOString()).toBe('2024-01-01T00:00:00.000Z')
        jest.advanceTimersByTime(60000)
        expect(Date.now()).toBe(Date.parse('2024-01-01T00:01:00Z'))
        jest.setSystemTime(new Date('2030-05-05T00:00:00Z'))
        expect(new Date().getUTCFullYear()).toBe(2030)
        expect(jest.now()).toBe(Date.now())
    })

    test('intervals, runOnlyPendingTimers and clearAllTimers', () => {
        const tick = jest.fn()
        const interval = setInterval(tick, 1000)
        jest.advanceTimersByTime(3500)
        expect(tick).toHaveBeenCalledTimes(3)
        jest.runOnlyPendingTimers()
        expect(tick).toHaveBeenCalledTimes(4)
        clearInterval(interval)
        setTimeout(tick, 10)
        jest.clearAllTimers()
        jest.runAllTimers()
        expect(tick).toHaveBeenCalledTimes(4)
    })

    test('runAllTimers runs timers set by timers', () => {
        const done = jest.fn()
        setTimeout(() => setTimeout(done, 500), 500)
        jest.runAllTimers()
        expect(done).toHaveBeenCalledTimes(1)
    })

    test('advanceTimersToNextTimer', () => {
        const order = []
        setTimeout(() => order.push('a'), 300)
        setTimeout(() => order.push('b'), 100)
        jest.advanceTimersToNextTimer()
        expect(order).toEqual(['b'])
        jest.advanceTimersToNextTimer()
        expect(order).toEqual(['b', 'a'])
    })

    test('a timer that always sets another is stopped', () => {
        const again = () => setTimeout(again, 1)
        again()
        expect(() => jest.runAllTimers()).toThrow('Aborting after running 100000 timers, assuming an infinite loop!')
        jest.clearAllTimers()
    })

    test('advanceTimersByTimeAsync lets promises run between timers', async () => {
        const seen = []
        setTimeout(async () => {
            await Promise.resolve()
            seen.push('a')
            setTimeout(() => seen.push('b'), 10)
        }, 10)
        await jest.advanceTimersByTimeAsync(30)
        expect(seen).toEqual(['a', 'b'])
    })

    test('cache TTLs of the scaffold meta follow the fake clock', async () => {
        const meta = resetMeta()
        const event = createEvent({ distinct_id: 'ada' })
        expect((await processEvent(event, meta)).properties.returning).toBe(false)
        jest.advanceTimersByTime(3599 * 1000)
        expect((await processEvent(event, meta)).properties.returning).toBe(true)
        jest.advanceTimersByTime(3600 * 1000)
        expect((await processEvent(event, meta)).properties.returning).toBe(false)
    })
})

describe('real timers', () => {
    test('clearTimeout cancels a timer', async () => {
        const fired = jest.fn()
        const timer = setTimeout(fired, 5)
        clearTimeout(timer)
        await new Promise((resolve) => setTimeout(resolve, 30))
        expect(fired).not.toHaveBeenCalled()
    })

    test('setInterval repeats until cleared', async () => {
        let count = 0
        await new Promise((resolve) => {
            const interval = setInterval(() => {
                count += 1
                if (count === 3) {
                    clearInterval(interval)
                    resolve()
                }
            }, 5)
        })
        expect(count).toBe(3)
    })

    test('setImmediate and process.nextTick', async () => {
        const order = []
        await new Promise((resolve) => {
            setImmediate(() => {
                order.push('immediate')
                resolve()
            })
            process.nextTick(() => order.push('tick'))
        })
        expect(order).toEqual(['tick', 'immediate'])
    })
})
