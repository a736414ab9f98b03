test.only('a focused test runs', () => {
    console.log('focused', { plan: 'pro' }, new Error('boom'))
    expect(1 + 1).toBe(2)
})

test('an unfocused test does not', () => {
    throw new Error('must not run')
})

describe.only('a focused block', () => {
    it('runs its tests', () => {
        expect([1, 2]).toHaveLength(2)
    })
})

describe('an unfocused block', () => {
    it('does not run', () => {
        throw new Error('must not run')
    })
})
