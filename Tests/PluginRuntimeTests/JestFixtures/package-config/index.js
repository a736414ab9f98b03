exports.processEvent = (event) => ({ ...event, properties: { ...event.properties, checked: true } })
