import leftPad from 'left-pad'

test('never runs', () => {
    expect(leftPad('a', 2)).toBe(' a')
})
