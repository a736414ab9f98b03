// Only the specs under tests/ are this plugin's tests; setup enables jest-fetch-mock first.
module.exports = {
    testMatch: ['**/tests/**/*.spec.ts'],
    setupFiles: ['<rootDir>/jest.setup.ts'],
}
