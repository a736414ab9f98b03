// Modelled on PostHog's GitHub release tracker: runEveryDay reads the repository's releases and, through
// posthog.api, lists the project's annotations and creates one for each release not annotated yet.

async function runEveryDay({ config }) {
    const releasesResponse = await fetch(`https://api.github.com/repos/${config.repository}/releases?per_page=10`, {
        headers: { Accept: 'application/vnd.github+json' },
    })
    if (!releasesResponse.ok) throw new Error(`GitHub answered ${releasesResponse.status}`)
    const releases = await releasesResponse.json()
    const host = config.posthogHost
    const existing = await (await posthog.api.get('/api/projects/@current/annotations/?scope=organization', { host })).json()
    const annotated = new Set(existing.results.map((annotation) => annotation.content))
    for (const release of releases.reverse()) {
        const content = `${config.repository} ${release.tag_name}`
        if (annotated.has(content)) continue
        await posthog.api.post('/api/projects/@current/annotations/', {
            host,
            data: { content, date_marker: release.published_at, scope: 'organization' },
        })
    }
}

module.exports = { runEveryDay }
