// Modelled on PostHog's Customer.io plugin: $identify updates the customer (PUT), other events are tracked for
// the customer (POST), with basic auth of site ID and API key.

async function send(url, method, body, config) {
    const response = await fetch(url, {
        method,
        headers: {
            Authorization: `Basic ${Buffer.from(`${config.siteId}:${config.apiKey}`).toString('base64')}`,
            'Content-Type': 'application/json',
        },
        body: JSON.stringify(body),
    })
    if (response.status === 429 || response.status >= 500) throw new RetryError(`Customer.io answered ${response.status}`)
    if (!response.ok) throw new Error(`Customer.io refused ${method} ${url}: ${response.status}`)
}

async function onEvent(event, { config }) {
    const base = `https://${config.host}/api/v1/customers/${encodeURIComponent(event.distinct_id)}`
    const seconds = Math.floor(new Date(event.timestamp).getTime() / 1000)
    if (event.event === '$identify') {
        await send(base, 'PUT', { ...event.$set, updated_at: seconds }, config)
    } else if (!event.event.startsWith('$')) {
        await send(`${base}/events`, 'POST', { name: event.event, data: event.properties, timestamp: seconds }, config)
    }
}

module.exports = { onEvent }
