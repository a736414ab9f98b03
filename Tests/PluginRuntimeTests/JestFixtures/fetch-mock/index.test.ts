// Not matched by jest.config.js's testMatch, so never run.
test('must not run', () => {
    throw new Error('index.test.ts is outside testMatch')
})
