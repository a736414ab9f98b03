// An importer modelled on PostHog's historical import plugins: runEveryHour starts an import with a job, and each
// job reads one page of orders, captures an `order placed` event per order and queues the next page. The last
// order imported is kept in storage, so a later import starts after it.

const jobs = {
    importPage: async ({ page }, { config, storage, jobs }) => {
        const shop = config.shop.replace(/\/+$/, '')
        const since = await storage.get('lastOrderId', 0)
        const response = await fetch(`${shop}/v1/orders?since_id=${since}&page=${page}`, {
            headers: { Authorization: `Bearer ${config.apiKey}` },
        })
        if (response.status === 429 || response.status >= 500) {
            await jobs.importPage({ page }).runIn(30, 'seconds')
            return
        }
        const { orders, has_more } = await response.json()
        for (const order of orders) {
            await posthog.capture('order placed', {
                distinct_id: order.customer_email,
                order_id: order.id,
                total: order.total,
                currency: order.currency,
                timestamp: order.created_at,
            })
        }
        if (has_more) {
            await jobs.importPage({ page: page + 1 }).runIn(1, 'second')
        } else if (orders.length > 0) {
            await storage.set('lastOrderId', orders[orders.length - 1].id)
        }
    },
}

async function runEveryHour({ jobs }) {
    await jobs.importPage({ page: 1 }).runNow()
}

module.exports = { jobs, runEveryHour }
