// testMatch selects this file, testPathIgnorePatterns leaves it out.
test('must not run', () => {
    throw new Error('checks/helpers/ is ignored by testPathIgnorePatterns')
})
