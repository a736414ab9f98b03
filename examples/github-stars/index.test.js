const { resetMeta } = require('@posthog/plugin-scaffold/test/utils')
const fetch = require('node-fetch')
const { runEveryMinute } = require('./index')

jest.mock('node-fetch')
const { Response } = jest.requireActual('node-fetch')

const repository = (stars, forks) => new Response(JSON.stringify({ stargazers_count: stars, forks_count: forks }))

beforeEach(() => {
    fetch.mockReset()
    posthog.capture.mockClear()
})

test('captures the counts when they change, and only then', async () => {
    const meta = resetMeta({ config: { repository: 'PostHog/posthog', token: 't' } })
    fetch.mockResolvedValueOnce(repository(10, 2)).mockResolvedValueOnce(repository(10, 2)).mockResolvedValueOnce(repository(12, 2))
    await runEveryMinute(meta)
    await runEveryMinute(meta)
    await runEveryMinute(meta)
    expect(fetch.mock.calls[0]).toEqual([
        'https://api.github.com/repos/PostHog/posthog',
        { headers: { Accept: 'application/vnd.github+json', Authorization: 'Bearer t' } },
    ])
    expect(posthog.capture.mock.calls.map(([, properties]) => [properties.stars, properties.stars_added])).toEqual([
        [10, null],
        [12, 2],
    ])
})

test('an error answer fails the run', async () => {
    fetch.mockResolvedValue(new Response('', { status: 404 }))
    await expect(runEveryMinute(resetMeta({ config: { repository: 'no/such' } }))).rejects.toThrow('GitHub answered 404')
})
