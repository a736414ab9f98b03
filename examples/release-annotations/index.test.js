const { resetMeta } = require('@posthog/plugin-scaffold/test/utils')
const fetch = require('node-fetch')
const { runEveryDay } = require('./index')

jest.mock('node-fetch')
const { Response } = jest.requireActual('node-fetch')

const json = (body) => new Response(JSON.stringify(body))

test('annotates the releases not annotated yet, oldest first', async () => {
    fetch.mockResolvedValue(
        json([
            { tag_name: 'v2', published_at: '2024-05-02T00:00:00Z' },
            { tag_name: 'v1', published_at: '2024-05-01T00:00:00Z' },
            { tag_name: 'v0', published_at: '2024-04-01T00:00:00Z' },
        ])
    )
    posthog.api.get.mockResolvedValue(json({ results: [{ content: 'o/r v0' }] }))
    posthog.api.post.mockResolvedValue(json({}))
    await runEveryDay(resetMeta({ config: { repository: 'o/r', posthogHost: 'https://eu.posthog.com' } }))
    expect(fetch.mock.calls[0][0]).toBe('https://api.github.com/repos/o/r/releases?per_page=10')
    expect(posthog.api.post.mock.calls.map(([, options]) => options.data.content)).toEqual(['o/r v1', 'o/r v2'])
    expect(posthog.api.post.mock.calls[0][1].host).toBe('https://eu.posthog.com')
})
