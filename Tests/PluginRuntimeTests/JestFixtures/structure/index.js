async function processEvent(event) {
    return { ...event, properties: { ...event.properties, processed: true } }
}

module.exports = { processEvent }
