const { createEvent, getMeta, resetMeta } = require('@posthog/plugin-scaffold/test/utils')
const { processEvent, setupPlugin } = require('./index')

beforeEach(async () => {
    resetMeta({ config: { events: 'signed up, Purchase Completed', setPersonProperty: 'Yes' } })
    await setupPlugin(getMeta())
})

test('marks the first tracked event of each user', async () => {
    const first = await processEvent(createEvent({ event: 'signed up', distinct_id: 'ada' }), getMeta())
    expect(first.properties).toEqual({ is_first_signed_up: true, $set_once: { first_signed_up_at: '2020-11-26T12:58:58.453Z' } })
    const again = await processEvent(createEvent({ event: 'signed up', distinct_id: 'ada' }), getMeta())
    expect(again.properties).toEqual({ is_first_signed_up: false })
    const someoneElse = await processEvent(createEvent({ event: 'signed up', distinct_id: 'grace' }), getMeta())
    expect(someoneElse.properties.is_first_signed_up).toBe(true)
})

test('remembers who sent what in storage', async () => {
    await processEvent(createEvent({ event: 'Purchase Completed', distinct_id: 'ada' }), getMeta())
    expect(await getMeta().storage.get('seen/Purchase Completed/ada')).toBe(true)
})

test('leaves other events as they are', async () => {
    expect(await processEvent(createEvent({ event: '$pageview' }), getMeta())).toEqual(createEvent({ event: '$pageview' }))
})

test('needs at least one event to track', async () => {
    await expect(setupPlugin(resetMeta({ config: { events: ' , ' } }))).rejects.toThrow('List at least one event to track')
})
