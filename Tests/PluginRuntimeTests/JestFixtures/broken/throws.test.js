const { processEvent } = require('./index')
throw new Error(`the test file threw before its tests: ${typeof processEvent}`)
