const { createEvent } = require('@posthog/plugin-scaffold/test/utils')

describe('snapshots', () => {
    test('of an event', () => {
        const event = createEvent({
            event: 'signup',
            properties: { plan: 'free', seats: 3, tags: ['a', 'b'], nested: { ok: true, none: null } },
        })
        expect(event).toMatchSnapshot()
    })

    test('of values', () => {
        expect('a "quoted" string').toMatchSnapshot()
        expect(42).toMatchSnapshot()
        expect(null).toMatchSnapshot()
        expect(undefined).toMatchSnapshot()
        expect([]).toMatchSnapshot()
        expect({}).toMatchSnapshot()
        expect(new Date('2020-11-26T12:58:58.453Z')).toMatchSnapshot()
        expect(
            new Map([
                ['a', 1],
                ['b', { c: [2] }],
            ])
        ).toMatchSnapshot()
        expect(new Set(['x', 1])).toMatchSnapshot()
        expect('multi\nline `text` with ${x}').toMatchSnapshot()
    })

    test('with property matchers and a hint', () => {
        expect({ id: Math.random(), name: 'ada' }).toMatchSnapshot({ id: expect.any(Number) }, 'user')
    })

    test('of errors', () => {
        expect(() => {
            throw new Error('boom')
        }).toThrowErrorMatchingSnapshot()
        expect(() => {
            throw new Error('bang')
        }).toThrowErrorMatchingInlineSnapshot(`"bang"`)
    })

    test('of mock functions', () => {
        const track = jest.fn()
        track('signup', 1)
        expect(track).toMatchSnapshot()
    })

    test('inline', () => {
        expect({ a: 1, b: ['x'] }).toMatchInlineSnapshot(`
            {
              "a": 1,
              "b": [
                "x",
              ],
            }
        `)
        expect('short').toMatchInlineSnapshot(`"short"`)
    })

    test('inline, written on the first run', () => {
        expect({ written: true }).toMatchInlineSnapshot()
    })

    test('written by an older Jest', () => {
        expect({ kept: ['old'] }).toMatchSnapshot()
    })
})
