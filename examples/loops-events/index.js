// Modelled on PostHog's Loops plugin, one of those that moved to composeWebhook: the plugin only says what to send;
// Quill delivers it (with retries, dead letters and replay).

function composeWebhook(event, { config }) {
    const tracked = (config.trackedEvents || '').split(',').map((name) => name.trim()).filter(Boolean)
    if (tracked.length > 0 ? !tracked.includes(event.event) : event.event.startsWith('$')) return null
    const email = event.properties.$set && event.properties.$set.email
    const body = { userId: event.distinct_id, eventName: event.event, eventProperties: {} }
    if (email) body.email = email
    for (const [key, value] of Object.entries(event.properties)) {
        if (!key.startsWith('$') && ['string', 'number', 'boolean'].includes(typeof value)) body.eventProperties[key] = value
    }
    return {
        url: 'https://app.loops.so/api/v1/events/send',
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${config.apiKey}` },
        body: JSON.stringify(body),
    }
}

module.exports = { composeWebhook }
