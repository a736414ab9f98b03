// Modelled on PostHog's Mixpanel exporter: exportEvents sends each batch to /track as a form field `data`
// holding the events as base64 JSON, PostHog's $ events renamed to Mixpanel's.

const renamed = { $pageview: '$mp_web_page_view', $identify: '$identify', $autocapture: 'click' }

function mixpanelEvent(event, token) {
    const properties = { token, distinct_id: event.distinct_id, time: new Date(event.timestamp).getTime(), $insert_id: event.uuid }
    if (event.ip) properties.ip = event.ip
    for (const [key, value] of Object.entries(event.properties)) {
        if (key === '$set' || key === '$set_once') continue
        properties[key === '$current_url' ? '$current_url' : key] = value
    }
    return { event: renamed[event.event] || event.event, properties }
}

async function exportEvents(events, { config }) {
    const data = Buffer.from(JSON.stringify(events.map((event) => mixpanelEvent(event, config.projectToken)))).toString('base64')
    const response = await fetch(`https://${config.apiHost}/track?verbose=1`, {
        method: 'POST',
        body: new URLSearchParams({ data }),
    })
    if (response.status === 429 || response.status >= 500) throw new RetryError(`Mixpanel answered ${response.status}`)
    const result = await response.json()
    if (result.status !== 1) throw new Error(`Mixpanel refused the batch: ${result.error}`)
}

module.exports = { exportEvents, mixpanelEvent }
