const { processEvent } = require('./index')

const order = []

beforeAll(() => order.push('beforeAll outer'))
beforeEach(() => order.push('beforeEach outer'))
afterEach(() => order.push('afterEach outer'))

describe('hooks', () => {
    beforeAll(() => order.push('beforeAll inner'))
    beforeEach(() => order.push('beforeEach inner'))
    afterEach(() => order.push('afterEach inner'))
    afterAll(() => order.push('afterAll inner'))

    test('run outer to inner before a test', () => {
        expect(order).toEqual(['beforeAll outer', 'beforeAll inner', 'beforeEach outer', 'beforeEach inner'])
    })

    it('run inner to outer after a test', () => {
        expect(order.slice(4)).toEqual(['afterEach inner', 'afterEach outer', 'beforeEach outer', 'beforeEach inner'])
    })
})

describe('after a block', () => {
    test('its afterAll ran and only the outer hooks run here', () => {
        expect(order.slice(8)).toEqual(['afterEach inner', 'afterEach outer', 'afterAll inner', 'beforeEach outer'])
    })
})

describe('each', () => {
    test.each([
        [1, 1, 2],
        [1, 2, 3],
    ])('add(%i, %i) is %i', (a, b, expected) => {
        expect(a + b).toBe(expected)
    })

    test.each([{ a: 1, b: 2, sum: 3 }])('object row $a + $b', ({ a, b, sum }) => {
        expect(a + b).toBe(sum)
    })

    it.each`
        a    | b    | sum
        ${1} | ${1} | ${2}
        ${2} | ${3} | ${5}
    `('template $a + $b = $sum', ({ a, b, sum }) => {
        expect(a + b).toBe(sum)
    })

    test.each(['x', 'y'])('single value %s', (value) => {
        expect(typeof value).toBe('string')
    })

    describe.each([['alpha'], ['beta']])('block %s', (name) => {
        test('gets its row', () => {
            expect(name).toMatch(/a$/)
        })
    })
})

describe('skipping', () => {
    test.skip('a skipped test', () => {
        throw new Error('must not run')
    })

    xit('an xit', () => {
        throw new Error('must not run')
    })

    describe.skip('a skipped block', () => {
        test('inside it', () => {
            throw new Error('must not run')
        })
    })

    test.todo('a test to write')
})

describe('async', () => {
    test('an async function', async () => {
        const event = await processEvent({ event: 'signup', properties: {} })
        expect(event.properties.processed).toBe(true)
    })

    test('a returned promise', () => {
        return processEvent({ event: 'signup', properties: { plan: 'free' } }).then((event) => {
            expect(event.properties).toEqual({ plan: 'free', processed: true })
        })
    })

    test('a done callback', (done) => {
        setTimeout(() => {
            expect(order.length).toBeGreaterThan(0)
            done()
        }, 10)
    })

    test('real timers wait', async () => {
        const started = Date.now()
        await new Promise((resolve) => setTimeout(resolve, 30))
        expect(Date.now() - started).toBeGreaterThanOrEqual(25)
    })

    test('its own time-out lets a test take longer', async () => {
        await new Promise((resolve) => setTimeout(resolve, 50))
    }, 1000)
})

jest.setTimeout(2000)
