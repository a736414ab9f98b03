// Alerts modelled on PostHog's Slack destinations: onEvent posts a Block Kit message for the chosen events.
// Slack answers 429 with Retry-After when a webhook posts too often: that is a RetryError.

function message(event, channel) {
    const fields = Object.entries(event.properties)
        .filter(([key]) => !key.startsWith('$'))
        .map(([key, value]) => ({ type: 'mrkdwn', text: `*${key}*\n${typeof value === 'object' ? JSON.stringify(value) : value}` }))
    const text = `${event.distinct_id} triggered *${event.event}*`
    const body = { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] }
    if (fields.length > 0) body.blocks.push({ type: 'section', fields: fields.slice(0, 10) })
    if (channel) body.channel = channel
    return body
}

async function onEvent(event, { config }) {
    const names = config.events.split(',').map((name) => name.trim())
    if (!names.includes(event.event)) return
    const response = await fetch(config.webhookUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(message(event, config.channel)),
    })
    if (response.status === 429 || response.status >= 500) throw new RetryError(`Slack answered ${response.status}`)
    if (!response.ok) throw new Error(`Slack refused the message: ${response.status} ${await response.text()}`)
}

module.exports = { onEvent, message }
