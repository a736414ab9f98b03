const { composeWebhook, render } = require('./index')

const event = {
    uuid: 'u-1',
    event: 'signed up',
    team_id: 2,
    distinct_id: 'ada',
    properties: { plan: 'pro "team"', seats: 3 },
    timestamp: new Date('2024-05-01T10:00:00Z'),
}

const config = { url: 'https://hooks.example.com/in', method: 'POST', template: '{"text": "{{event.distinct_id}} did {{event.event}}"}', events: '' }

test('fills the template from the event, JSON-escaped', () => {
    expect(render('{"plan": "{{event.properties.plan}}", "at": "{{event.timestamp}}", "none": "{{event.properties.none}}"}', event)).toBe(
        '{"plan": "pro \\"team\\"", "at": "2024-05-01T10:00:00.000Z", "none": ""}'
    )
})

test('composes a webhook for every event when no names are given', () => {
    expect(composeWebhook(event, { config })).toEqual({
        url: 'https://hooks.example.com/in',
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"text": "ada did signed up"}',
    })
})

test('skips events not named', () => {
    expect(composeWebhook(event, { config: { ...config, events: 'paid, churned' } })).toBeNull()
    expect(composeWebhook({ ...event, event: 'paid' }, { config: { ...config, events: 'paid, churned' } })).not.toBeNull()
})
