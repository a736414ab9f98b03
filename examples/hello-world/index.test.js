const { createEvent, createIdentify, getMeta, resetMeta } = require('@posthog/plugin-scaffold/test/utils.js')
const { processEvent } = require('./index')

beforeEach(() => {
    resetMeta({ config: { bar: 'baz' } })
})

test('adds hello, bar and a counter to events with properties', async () => {
    const event = createEvent({ event: '$pageview', properties: { $current_url: 'https://example.com/' } })
    const first = await processEvent(event, getMeta())
    expect(first.properties).toEqual({ $current_url: 'https://example.com/', hello: 'world', bar: 'baz', $counter: 0 })
    const second = await processEvent(createEvent({ properties: {} }), getMeta())
    expect(second.properties.$counter).toBe(1)
})

test('leaves events without properties as they are', async () => {
    const identify = { ...createIdentify(), properties: undefined }
    expect(await processEvent(identify, getMeta())).toEqual(identify)
})
