import { RetryError } from '@posthog/plugin-scaffold'
import { createEvent, resetMeta } from '@posthog/plugin-scaffold/test/utils'
import { processEvent, setupPlugin } from './index'

describe('Hello World (TypeScript)', () => {
    test.each([
        [{ name: 'Quill', greeting: 'Ahoy' }, 'Ahoy Quill'],
        [{ greeting: 'Hi' }, 'Hi world'],
    ])('greets with %j', (config, hello) => {
        const meta = resetMeta({ config }) as any
        setupPlugin(meta)
        expect(processEvent(createEvent({ properties: {} }), meta).properties).toEqual({ hello })
    })

    test('asks to be retried while there is no one to greet', () => {
        const meta = resetMeta({ config: { name: 'nobody yet', greeting: 'Hello' } }) as any
        expect(() => setupPlugin(meta)).toThrow(RetryError)
    })
})
