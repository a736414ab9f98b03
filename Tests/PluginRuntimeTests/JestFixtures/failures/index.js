function processEvent(event) {
    if (event.event === 'crash') {
        return event.properties.missing.value
    }
    return { ...event, properties: { ...event.properties, plan: 'free' } }
}

module.exports = { processEvent }
