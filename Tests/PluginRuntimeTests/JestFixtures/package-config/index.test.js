// Jest's default testMatch would run this; package.json's "jest".testMatch replaces the default.
test('must not run', () => {
    throw new Error('index.test.js is outside package.json\'s testMatch')
})
