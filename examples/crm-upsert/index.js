// A CRM upsert modelled on PostHog's HubSpot plugin: on $identify (or any event setting an email), the person's
// properties are sent to the CRM; the contact is searched by email and then updated or created.
// A busy CRM (429 or 5xx) makes the call a RetryError, so Quill retries it later.

function contactProperties(event, names) {
    const set = { ...(event.properties && event.properties.$set), ...event.$set }
    const properties = {}
    for (const name of names) {
        if (set[name] !== undefined) properties[name] = set[name]
    }
    return properties
}

async function call(url, init, what) {
    const response = await fetch(url, init)
    if (response.status === 429 || response.status >= 500) {
        throw new RetryError(`${what}: the CRM answered ${response.status}`)
    }
    if (!response.ok) throw new Error(`${what}: the CRM refused with ${response.status}: ${await response.text()}`)
    return response.json()
}

async function onEvent(event, { config }) {
    const names = config.properties.split(',').map((name) => name.trim()).filter(Boolean)
    const properties = contactProperties(event, names)
    if (!properties.email) return
    const host = config.host.replace(/\/+$/, '')
    const headers = { Authorization: `Bearer ${config.apiKey}`, 'Content-Type': 'application/json' }
    const search = await call(
        `${host}/v1/contacts?email=${encodeURIComponent(properties.email)}`,
        { method: 'GET', headers: { Authorization: headers.Authorization } },
        'searching the contact'
    )
    const body = JSON.stringify({ properties: { ...properties, posthog_distinct_id: event.distinct_id } })
    if (search.results && search.results.length > 0) {
        await call(`${host}/v1/contacts/${search.results[0].id}`, { method: 'PATCH', headers, body }, 'updating the contact')
    } else {
        await call(`${host}/v1/contacts`, { method: 'POST', headers, body }, 'creating the contact')
    }
}

module.exports = { onEvent, contactProperties }
