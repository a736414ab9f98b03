const { processEvent } = require('../index')
const { event } = require('./helpers/event')

test("a file package.json's testMatch selects runs", () => {
    expect(processEvent(event()).properties).toEqual({ checked: true })
})
