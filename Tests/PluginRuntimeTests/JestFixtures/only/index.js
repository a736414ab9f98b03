exports.processEvent = (event) => event
