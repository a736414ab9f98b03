const { composeWebhook } = require('./index')

const config = { apiKey: 'loops-key', trackedEvents: '' }
const event = (name, properties) => ({ uuid: 'u', team_id: 1, distinct_id: 'ada', event: name, properties, timestamp: new Date() })

test('sends the event with its plain properties and the email set on the person', () => {
    const webhook = composeWebhook(event('signed up', { plan: 'pro', nested: { a: 1 }, $set: { email: 'ada@example.com' } }), { config })
    expect(webhook.url).toBe('https://app.loops.so/api/v1/events/send')
    expect(webhook.headers.Authorization).toBe('Bearer loops-key')
    expect(JSON.parse(webhook.body)).toEqual({ userId: 'ada', eventName: 'signed up', email: 'ada@example.com', eventProperties: { plan: 'pro' } })
})

test('skips $ events unless tracked events are named, then only those', () => {
    expect(composeWebhook(event('$pageview', {}), { config })).toBeNull()
    const named = { config: { ...config, trackedEvents: '$pageview, paid' } }
    expect(composeWebhook(event('$pageview', {}), named)).not.toBeNull()
    expect(composeWebhook(event('signed up', {}), named)).toBeNull()
})
