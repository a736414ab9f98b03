// Under testPathIgnorePatterns: a helper the checks require, not a test file.
module.exports = { event: () => ({ event: 'signup', properties: {} }) }
