// A webhook for chosen events, modelled on PostHog's webhook destination: the body is a template whose
// {{event.PATH}} placeholders are filled from the event, each value JSON-escaped so the body stays JSON.

function valueAt(event, path) {
    return path.split('.').reduce((value, key) => (value == null ? undefined : value[key]), { event })
}

function render(template, event) {
    return template.replace(/\{\{\s*([\w.$]+)\s*\}\}/g, (_, path) => {
        const value = valueAt(event, path)
        if (value === undefined || value === null) return ''
        const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value)
        return JSON.stringify(text).slice(1, -1)
    })
}

function composeWebhook(event, { config }) {
    const names = (config.events || '').split(',').map((name) => name.trim()).filter(Boolean)
    if (names.length > 0 && !names.includes(event.event)) return null
    return {
        url: config.url,
        method: config.method || 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: render(config.template, event),
    }
}

module.exports = { composeWebhook, render }
