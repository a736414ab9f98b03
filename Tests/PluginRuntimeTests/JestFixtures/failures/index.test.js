const { processEvent } = require('./index')

describe('failures', () => {
    test('toEqual shows a diff', () => {
        const event = processEvent({ event: 'signup', properties: { seats: 3 } })
        expect(event.properties).toEqual({ plan: 'pro', seats: 3 })
    })

    test('toBe shows both values', () => {
        expect(processEvent({ event: 'x', properties: {} }).properties.plan).toBe('pro')
    })

    test('an error in the plugin shows where it was thrown', () => {
        processEvent({ event: 'crash', properties: {} })
    })

    test('a test past its time-out fails', async () => {
        await new Promise((resolve) => setTimeout(resolve, 1000))
    }, 100)

    test('a synchronous loop is stopped at the time-out', () => {
        for (;;) {}
    }, 200)

    test('done with an error fails', (done) => {
        setTimeout(() => done(new Error('the callback failed')), 5)
    })

    test('expect.assertions counts', async () => {
        expect.assertions(2)
        expect(true).toBe(true)
    })

    test('rejects on a resolved promise fails', async () => {
        await expect(Promise.resolve(42)).rejects.toThrow()
    })

    test('a snapshot that differs fails', () => {
        expect({ plan: 'free', seats: 3 }).toMatchSnapshot()
    })

    test('a mock matcher needs a mock', () => {
        expect(processEvent).toHaveBeenCalled()
    })

    test('this one passes', () => {
        expect(processEvent({ event: 'x', properties: {} }).properties.plan).toBe('free')
    })
})

describe('a failing beforeEach', () => {
    beforeEach(() => {
        throw new TypeError('setup broke')
    })

    test('fails the test without running it', () => {
        throw new Error('must not run')
    })
})
