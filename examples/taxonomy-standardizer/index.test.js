const { createEvent, resetMeta } = require('@posthog/plugin-scaffold/test/utils')
const { processEvent, setupPlugin } = require('./index')

function standardizer(config) {
    const meta = resetMeta({ config })
    setupPlugin(meta)
    return (event) => processEvent(event, meta)
}

describe('renames custom events', () => {
    test.each`
        namingConvention | renamed
        ${'camelCase'}   | ${'signedUpForHtmlNewsletter'}
        ${'PascalCase'}  | ${'SignedUpForHtmlNewsletter'}
        ${'snake_case'}  | ${'signed_up_for_html_newsletter'}
        ${'kebab-case'}  | ${'signed-up-for-html-newsletter'}
        ${'Title Case'}  | ${'Signed Up For Html Newsletter'}
    `('to $namingConvention', ({ namingConvention, renamed }) => {
        const event = standardizer({ namingConvention })(createEvent({ event: 'Signed up for HTML newsletter' }))
        expect(event.event).toBe(renamed)
    })
})

test('keeps the original name when asked', () => {
    const event = standardizer({ namingConvention: 'snake_case', keepOriginalName: 'Yes' })(createEvent({ event: 'Order Placed' }))
    expect(event).toMatchObject({ event: 'order_placed', properties: { $original_event_name: 'Order Placed' } })
})

test('leaves PostHog’s own events alone', () => {
    expect(standardizer({ namingConvention: 'camelCase' })(createEvent({ event: '$pageview' })).event).toBe('$pageview')
})

test('refuses an unknown convention', () => {
    expect(() => standardizer({ namingConvention: 'SCREAMING' })).toThrow('Unknown naming convention: SCREAMING')
})
