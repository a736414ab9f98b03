// A batch exporter modelled on PostHog's warehouse exporters: exportEvents gets the buffered events and posts
// them as newline-delimited JSON. A 5xx or 429 is a RetryError (Quill retries the same batch); a refusal
// fails the batch, which Quill keeps as a dead letter.

function row(event) {
    return {
        uuid: event.uuid,
        event: event.event,
        distinct_id: event.distinct_id,
        timestamp: event.timestamp,
        ip: event.ip,
        properties: event.properties,
    }
}

async function exportEvents(events, { config }) {
    const ignored = new Set((config.exportEventsToIgnore || '').split(',').map((name) => name.trim()))
    const rows = events.filter((event) => !ignored.has(event.event)).map(row)
    if (rows.length === 0) return
    const response = await fetch(config.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-ndjson', 'X-API-Key': config.apiKey },
        body: rows.map((r) => JSON.stringify(r)).join('\n') + '\n',
    })
    if (response.status === 429 || response.status >= 500) {
        throw new RetryError(`the endpoint answered ${response.status} to a batch of ${rows.length} events`)
    }
    if (!response.ok) throw new Error(`the endpoint refused a batch of ${rows.length} events: ${response.status}`)
}

module.exports = { exportEvents }
