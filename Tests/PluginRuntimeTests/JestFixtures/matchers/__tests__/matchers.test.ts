import { createEvent } from '@posthog/plugin-scaffold/test/utils'
import { fetchPlan, priceOf, PricingError } from '../index'

describe('equality', () => {
    test('toBe and toEqual', () => {
        expect(1 + 1).toBe(2)
        expect('a').not.toBe('b')
        expect({ a: 1 }).not.toBe({ a: 1 })
        expect({ a: 1, b: [1, { c: 2 }] }).toEqual({ a: 1, b: [1, { c: 2 }] })
        expect({ a: 1, b: undefined }).toEqual({ a: 1 })
        expect([1, 2]).not.toEqual([2, 1])
        expect(NaN).toEqual(NaN)
        expect(new Date('2020-01-01')).toEqual(new Date('2020-01-01'))
        expect(new Map([['a', { x: 1 }]])).toEqual(new Map([['a', { x: 1 }]]))
        expect(new Set([1, { y: 2 }])).toEqual(new Set([{ y: 2 }, 1]))
        expect(/ab+/g).toEqual(/ab+/g)
    })

    test('toStrictEqual minds undefined properties and classes', () => {
        class Point {
            constructor(public x: number) {}
        }
        expect({ a: 1 }).toStrictEqual({ a: 1 })
        expect({ a: 1, b: undefined }).not.toStrictEqual({ a: 1 })
        expect(new Point(1)).toEqual({ x: 1 })
        expect(new Point(1)).not.toStrictEqual({ x: 1 })
        // eslint-disable-next-line no-sparse-arrays
        expect([, 1]).not.toStrictEqual([undefined, 1])
    })

    test('toMatchObject takes a subset', () => {
        const event = createEvent({ event: 'purchase', properties: { amount: 10, currency: 'EUR' } })
        expect(event).toMatchObject({ event: 'purchase', properties: { amount: 10 } })
        expect(event).not.toMatchObject({ properties: { amount: 11 } })
        expect([{ a: 1, b: 2 }]).toMatchObject([{ a: 1 }])
    })
})

describe('truthiness and numbers', () => {
    test('truthy, falsy, null, undefined, defined, NaN', () => {
        expect(1).toBeTruthy()
        expect('').toBeFalsy()
        expect(null).toBeNull()
        expect(undefined).toBeUndefined()
        expect(0).toBeDefined()
        expect(NaN).toBeNaN()
        expect(1).not.toBeNaN()
        expect(null).not.toBeUndefined()
    })

    test('comparisons', () => {
        expect(3).toBeGreaterThan(2)
        expect(3).toBeGreaterThanOrEqual(3)
        expect(2).toBeLessThan(3)
        expect(2).toBeLessThanOrEqual(2)
        expect(10n).toBeGreaterThan(9n)
        expect(2).not.toBeGreaterThan(3)
        expect(0.1 + 0.2).toBeCloseTo(0.3)
        expect(0.1 + 0.2).not.toBeCloseTo(0.31, 5)
        expect(priceOf(createEvent({ properties: { amount: 10 } }))).toBeCloseTo(12, 2)
    })
})

describe('strings, arrays and objects', () => {
    test('toMatch, toContain, toContainEqual, toHaveLength', () => {
        expect('posthog plugin').toMatch('plugin')
        expect('posthog plugin').toMatch(/^post/)
        expect('posthog').not.toMatch(/^plugin/)
        expect(['a', 'b']).toContain('b')
        expect('abc').toContain('bc')
        expect(new Set([1, 2])).toContain(2)
        expect([{ a: 1 }]).not.toContain({ a: 1 })
        expect([{ a: 1 }]).toContainEqual({ a: 1 })
        expect([1, 2, 3]).toHaveLength(3)
        expect('four').toHaveLength(4)
    })

    test('toHaveProperty', () => {
        const event = createEvent({ properties: { $set: { email: 'a@b.c' }, list: [10, 20] } })
        expect(event).toHaveProperty('properties.$set.email')
        expect(event).toHaveProperty('properties.$set.email', 'a@b.c')
        expect(event).toHaveProperty(['properties', '$set', 'email'], 'a@b.c')
        expect(event).toHaveProperty('properties.list[1]', 20)
        expect(event).not.toHaveProperty('properties.missing')
        expect(event).not.toHaveProperty('distinct_id', 'someone else')
    })

    test('toBeInstanceOf', () => {
        expect(new PricingError('x')).toBeInstanceOf(PricingError)
        expect(new PricingError('x')).toBeInstanceOf(Error)
        expect({}).not.toBeInstanceOf(PricingError)
    })
})

describe('errors and promises', () => {
    test('toThrow with a message, a pattern, a class and an error', () => {
        const noAmount = () => priceOf(createEvent({ event: 'view' }))
        expect(noAmount).toThrow()
        expect(noAmount).toThrow('no amount')
        expect(noAmount).toThrow(/in view$/)
        expect(noAmount).toThrow(PricingError)
        expect(noAmount).toThrow(new Error('no amount in view'))
        expect(noAmount).toThrowError(expect.objectContaining({ name: 'PricingError' }))
        expect(() => undefined).not.toThrow()
        expect(noAmount).not.toThrow(TypeError)
    })

    test('resolves and rejects', async () => {
        await expect(fetchPlan('7')).resolves.toEqual({ id: '7', plan: 'pro' })
        await expect(fetchPlan('')).rejects.toThrow('no id')
        await expect(fetchPlan('')).rejects.toBeInstanceOf(PricingError)
        await expect(fetchPlan('7')).resolves.not.toBeNull()
        await expect(Promise.reject(new Error('down'))).rejects.toHaveProperty('message', 'down')
    })
})

describe('asymmetric matchers', () => {
    test('any, anything, objectContaining, arrayContaining, stringContaining, stringMatching', () => {
        const event = createEvent({ properties: { amount: 3, tags: ['a', 'b', 'c'], url: 'https://posthog.com/docs' } })
        expect(event).toEqual(
            expect.objectContaining({
                uuid: expect.any(String),
                team_id: expect.any(Number),
                properties: expect.objectContaining({
                    amount: expect.anything(),
                    tags: expect.arrayContaining(['c', 'a']),
                    url: expect.stringContaining('posthog.com'),
                }),
                timestamp: expect.stringMatching(/^2020-/),
            })
        )
        expect({ a: 1 }).toEqual(expect.not.objectContaining({ b: 2 }))
        expect(['x']).toEqual(expect.not.arrayContaining(['y']))
        expect('abc').toEqual(expect.not.stringContaining('z'))
        expect(null).not.toEqual(expect.anything())
        expect({ price: 0.30000000000000004 }).toEqual({ price: expect.closeTo(0.3, 5) })
    })

    test('expect.assertions and expect.hasAssertions count', async () => {
        expect.assertions(2)
        expect.hasAssertions()
        const plan = await fetchPlan('9')
        expect(plan.id).toBe('9')
        expect(plan.plan).toBe('pro')
    })

    test('expect.extend adds matchers', () => {
        expect.extend({
            toBeEven(received: number) {
                const pass = received % 2 === 0
                return { pass, message: () => `expected ${received} ${pass ? 'not ' : ''}to be even` }
            },
        })
        ;(expect(4) as any).toBeEven()
        ;(expect(3) as any).not.toBeEven()
        expect({ n: 6 }).toEqual({ n: (expect as any).toBeEven() })
    })
})

describe('mock matchers', () => {
    test('calls and returns', () => {
        const double = jest.fn((n: number) => n * 2)
        double(1)
        double(2, 'extra' as never)
        expect(double).toHaveBeenCalled()
        expect(double).toHaveBeenCalledTimes(2)
        expect(double).toHaveBeenCalledWith(1)
        expect(double).toHaveBeenCalledWith(2, expect.any(String))
        expect(double).toHaveBeenLastCalledWith(2, 'extra')
        expect(double).toHaveBeenNthCalledWith(1, 1)
        expect(double).toHaveReturned()
        expect(double).toHaveReturnedTimes(2)
        expect(double).toHaveReturnedWith(4)
        expect(double).toHaveLastReturnedWith(4)
        expect(double).toHaveNthReturnedWith(1, 2)
        expect(double).not.toHaveBeenCalledWith(3)
        expect(jest.fn()).not.toHaveBeenCalled()
        expect(double).toBeCalledTimes(2)
    })
})
