const { createEvent, createIdentify, resetMeta } = require('@posthog/plugin-scaffold/test/utils')
const { processEvent, setupPlugin } = require('./index')

function filterOf(properties) {
    const meta = resetMeta({ config: { properties } })
    setupPlugin(meta)
    return (event) => processEvent(event, meta)
}

test('removes listed properties and nested paths', () => {
    const filter = filterOf('email, address.street, card.number.last4')
    const event = filter(
        createEvent({
            properties: {
                email: 'ada@example.com',
                name: 'Ada',
                address: { street: 'Main Street', city: 'London' },
                card: { number: { last4: '1234', brand: 'Visa' } },
            },
        })
    )
    expect(event.properties).toEqual({ name: 'Ada', address: { city: 'London' }, card: { number: { brand: 'Visa' } } })
})

test('removes them from person properties too', () => {
    const event = filterOf('email')(createIdentify())
    expect(event.$set).toEqual({})
    expect(event.properties.$set).toEqual({})
})

test('$ip also clears the address PostHog would fill it from', () => {
    const event = filterOf('$ip')(createEvent({ properties: { $ip: '1.2.3.4', kept: true } }))
    expect(event.ip).toBeNull()
    expect(event.properties).toEqual({ kept: true })
})
