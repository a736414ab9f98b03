const { createEvent, resetMeta } = require('@posthog/plugin-scaffold/test/utils')
const { processEvent } = require('./index')

test('adds flat keys for nested properties, also within $set', async () => {
    const event = createEvent({ properties: { a: { b: 1, c: [2, 3] }, $set: { address: { city: 'London' } } } })
    const flattened = await processEvent(event, resetMeta({ config: { separator: '__', keepNested: 'Yes' } }))
    expect(flattened.properties).toEqual({
        a: { b: 1, c: [2, 3] },
        a__b: 1,
        a__c__0: 2,
        a__c__1: 3,
        $set: { address: { city: 'London' }, address__city: 'London' },
    })
})

test('can drop the nested form and use another separator', async () => {
    const event = createEvent({ properties: { a: { b: { c: 'deep' } }, plain: 1 } })
    const flattened = await processEvent(event, resetMeta({ config: { separator: '.', keepNested: 'No' } }))
    expect(flattened.properties).toEqual({ 'a.b.c': 'deep', plain: 1 })
})

test('a property sent with the flat name wins', async () => {
    const event = createEvent({ properties: { a: { b: 'nested' }, a__b: 'sent' } })
    const flattened = await processEvent(event, resetMeta({ config: {} }))
    expect(flattened.properties.a__b).toBe('sent')
})
