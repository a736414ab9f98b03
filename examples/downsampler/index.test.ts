import { createEvent, resetMeta } from '@posthog/plugin-scaffold/test/utils'
import { processEvent, sampleValue, setupPlugin } from './index'

function downsampler(config: Record<string, string>) {
    const meta = resetMeta({ config }) as any
    setupPlugin(meta)
    return meta
}

describe('Downsampler', () => {
    test('keeps every event at 100%', () => {
        const event = createEvent()
        expect(processEvent(event, downsampler({ percentage: '100' }))).toBe(event)
    })

    test('keeps or drops all of a user’s events, and marks the sample rate', () => {
        const meta = downsampler({ percentage: '50' })
        const ids = Array.from({ length: 200 }, (_, index) => `user-${index}`)
        const kept = ids.filter((id) => processEvent(createEvent({ distinct_id: id }), meta) !== null)
        expect(kept.length).toBeGreaterThan(70)
        expect(kept.length).toBeLessThan(130)
        for (const id of kept) {
            expect(processEvent(createEvent({ distinct_id: id }), meta)?.properties).toEqual({ $sample_rate: 0.5 })
        }
    })

    test('sampleValue depends on the distinct ID only', () => {
        expect(sampleValue('ada')).toBe(sampleValue('ada'))
        expect(sampleValue('ada')).toBeGreaterThanOrEqual(0)
        expect(sampleValue('ada')).toBeLessThan(1)
        expect(sampleValue('ada')).not.toBe(sampleValue('grace'))
    })

    test('random sampling draws for each event', () => {
        const meta = downsampler({ percentage: '50', samplingMethod: 'Random sampling' })
        const random = jest.spyOn(Math, 'random').mockReturnValueOnce(0.7).mockReturnValueOnce(0.2)
        expect(processEvent(createEvent(), meta)).toBeNull()
        expect(processEvent(createEvent(), meta)).not.toBeNull()
        random.mockRestore()
    })

    test('refuses a percentage out of range', () => {
        expect(() => downsampler({ percentage: '101' })).toThrow('must be a number from 0 to 100')
    })
})
