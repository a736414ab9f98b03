test('a sound file still runs', () => {
    expect(require('./index').processEvent({ event: 'x' })).toEqual({ event: 'x' })
})
