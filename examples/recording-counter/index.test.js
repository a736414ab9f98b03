const { createEvent, getMeta, resetMeta } = require('@posthog/plugin-scaffold/test/utils.js')
const { setupPlugin, onSnapshot } = require('./index')

const snapshot = (properties) => createEvent({ event: '$snapshot', properties })

beforeEach(async () => {
    resetMeta({ config: { sessionHours: '1' } })
    await setupPlugin(getMeta())
})

test('counts the recording batches of each session', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => {})
    await onSnapshot(snapshot({ $session_id: 's1', $window_id: 'w1', $snapshot_data: { type: 2, data: {} } }), getMeta())
    await onSnapshot(snapshot({ $session_id: 's1', $snapshot_data: [{ type: 3 }, { type: 3 }] }), getMeta())
    await onSnapshot(
        createEvent({ event: '$snapshot_items', properties: { $session_id: 's2', $snapshot_items: [{ type: 2 }, { type: 4 }] } }),
        getMeta()
    )
    expect(await getMeta().cache.get('recording-batches/s1')).toBe(2)
    expect(await getMeta().cache.get('recording-batches/s2')).toBe(1)
    expect(log.mock.calls.map(([line]) => line)).toEqual([
        'Session s1: recording batch 1 with 1 rrweb event (1 full snapshot) from window w1',
        'Session s1: recording batch 2 with 2 rrweb events (0 full snapshots)',
        'Session s2: recording batch 1 with 2 rrweb events (1 full snapshot)',
    ])
    log.mockRestore()
})

test('ignores snapshots without a session', async () => {
    await onSnapshot(snapshot({ $snapshot_data: { type: 2 } }), getMeta())
    expect(await getMeta().cache.get('recording-batches/undefined', null)).toBe(null)
})

test('refuses a session length that is not a positive number', async () => {
    resetMeta({ config: { sessionHours: 'soon' } })
    await expect(setupPlugin(getMeta())).rejects.toThrow('Hours to remember a session must be a number above 0')
})
