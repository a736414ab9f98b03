// A poller modelled on PostHog's GitHub star sync: runEveryMinute reads the repository from GitHub's API and,
// when its counts changed since the last poll (kept in storage), captures a `github stars changed` event.

async function runEveryMinute({ config, storage }) {
    const headers = { Accept: 'application/vnd.github+json' }
    if (config.token) headers.Authorization = `Bearer ${config.token}`
    const response = await fetch(`https://api.github.com/repos/${config.repository}`, { headers })
    if (!response.ok) throw new Error(`GitHub answered ${response.status} for ${config.repository}`)
    const repository = await response.json()
    const counts = { stars: repository.stargazers_count, forks: repository.forks_count }
    const last = await storage.get('counts', null)
    if (last && last.stars === counts.stars && last.forks === counts.forks) return
    await storage.set('counts', counts)
    await posthog.capture('github stars changed', {
        distinct_id: `github:${config.repository}`,
        repository: config.repository,
        stars: counts.stars,
        forks: counts.forks,
        stars_added: last ? counts.stars - last.stars : null,
    })
}

module.exports = { runEveryMinute }
