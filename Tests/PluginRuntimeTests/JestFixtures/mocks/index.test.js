import { createEvent, getMeta, resetMeta } from '@posthog/plugin-scaffold/test/utils'
import fetch from 'node-fetch'
import { createHash } from 'crypto'
import { Analytics } from 'analytics-sdk'
import { processEvent, setupPlugin } from './index'

// Hoisted above the imports, as babel-jest does: the plugin's own imports get these mocks.
jest.mock('node-fetch')
jest.mock('crypto', () => ({
    ...jest.requireActual('crypto'),
    createHash: jest.fn(() => ({ update: () => ({ digest: () => 'c0ffee00beef' }) })),
}))
// A package the plugin doesn't ship can still be mocked with a factory.
jest.mock('analytics-sdk', () => ({ Analytics: jest.fn(() => ({ track: jest.fn(() => 'tracked') })) }))

const { Response } = jest.requireActual('node-fetch')

beforeEach(() => {
    resetMeta({ config: { team: 'acme' }, global: { plan: 'free' } })
})

describe('jest.mock of node-fetch', () => {
    test('makes it a jest.fn the plugin calls', async () => {
        expect(jest.isMockFunction(fetch)).toBe(true)
        fetch.mockResolvedValue(new Response(JSON.stringify({ plan: 'enterprise' })))
        await setupPlugin(getMeta())
        expect(fetch).toHaveBeenCalledWith('https://api.example.com/plans/acme')
        expect(getMeta().global.plan).toBe('enterprise')
    })

    test('the global fetch is the mock too', () => {
        expect(globalThis.fetch).toBe(fetch)
    })

    test('clearMocks from package.json empties the calls before each test', () => {
        expect(fetch).not.toHaveBeenCalled()
    })
})

describe('jest.mock with a factory', () => {
    test('replaces the module for the plugin', () => {
        jest.spyOn(console, 'log').mockImplementation(() => undefined)
        const event = processEvent(createEvent({ distinct_id: 'ada' }), getMeta())
        expect(event.properties.user_hash).toBe('c0ffee00')
        expect(createHash).toHaveBeenCalledWith('sha256')
        jest.restoreAllMocks()
    })

    test('jest.requireActual gives the real module', () => {
        const real = jest.requireActual('crypto')
        expect(real.createHash('sha256').update('ada').digest('hex')).toHaveLength(64)
        expect(jest.isMockFunction(real.createHash)).toBe(false)
    })

    test('a package that is not installed', () => {
        const analytics = new Analytics('key')
        expect(analytics.track('signup')).toBe('tracked')
        expect(Analytics).toHaveBeenCalledWith('key')
    })
})

describe('jest.fn', () => {
    test('return values, once, and implementations', () => {
        const fn = jest.fn().mockReturnValueOnce(1).mockReturnValueOnce(2).mockReturnValue(0)
        expect([fn(), fn(), fn()]).toEqual([1, 2, 0])
        fn.mockImplementation((a) => a * 10)
        expect(fn(3)).toBe(30)
        fn.mockImplementationOnce(() => 'once')
        expect(fn()).toBe('once')
        expect(fn.mock.calls).toEqual([[], [], [], [3], []])
        expect(fn.mock.results[3]).toEqual({ type: 'return', value: 30 })
        expect(fn.mock.lastCall).toEqual([])
    })

    test('resolved and rejected values', async () => {
        const fn = jest.fn().mockResolvedValueOnce('first').mockRejectedValue(new Error('nope'))
        await expect(fn()).resolves.toBe('first')
        await expect(fn()).rejects.toThrow('nope')
        const later = jest.fn().mockResolvedValue({ ok: true })
        expect(await later()).toEqual({ ok: true })
    })

    test('instances', () => {
        const Make = jest.fn(function (name) {
            this.name = name
        })
        const made = new Make('a')
        expect(Make.mock.instances[0]).toBe(made)
        expect(made.name).toBe('a')
    })

    test('mockClear, mockReset and mockName', () => {
        const fn = jest.fn(() => 1).mockName('counter')
        fn()
        expect(fn.getMockName()).toBe('counter')
        fn.mockClear()
        expect(fn.mock.calls).toHaveLength(0)
        expect(fn()).toBe(1)
        fn.mockReturnValue(5)
        expect(fn()).toBe(5)
        fn.mockReset()
        expect(fn.getMockName()).toBe('jest.fn()')
        expect(fn.mock.calls).toHaveLength(0)
    })
})

describe('jest.spyOn', () => {
    test('spies on console.log and restores it', () => {
        const original = console.log
        const log = jest.spyOn(console, 'log').mockImplementation(() => undefined)
        processEvent(createEvent({ event: 'signup' }), getMeta())
        expect(log).toHaveBeenCalledWith('processing', 'signup')
        log.mockRestore()
        expect(console.log).toBe(original)
    })

    test('calls through until told otherwise', () => {
        const calculator = { add: (a, b) => a + b }
        const spy = jest.spyOn(calculator, 'add')
        expect(calculator.add(1, 2)).toBe(3)
        expect(spy).toHaveBeenCalledWith(1, 2)
        spy.mockReturnValue(0)
        expect(calculator.add(1, 2)).toBe(0)
        jest.restoreAllMocks()
        expect(calculator.add(1, 2)).toBe(3)
    })

    test('resetAllMocks and clearAllMocks', () => {
        const fn = jest.fn(() => 'value')
        fn()
        jest.clearAllMocks()
        expect(fn).not.toHaveBeenCalled()
        fn.mockReturnValue('changed')
        jest.resetAllMocks()
        expect(fn()).not.toBe('changed')
    })
})
