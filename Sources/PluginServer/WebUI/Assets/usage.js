// The usage dashboard, for the project or the whole organization: plugins installed and in use, events
// in and out per config, errors, and plugin-seconds (the plugin_usage API's numbers) per config and hour.
import { api, pluginsPath, session } from './api.js';
import { h, pageHeading } from './dom.js';
import { barChart, columnChart, formatNumber } from './charts.js';
import { configStatus } from './plugins.js';

const ranges = [['24', 'Last 24 hours'], ['168', 'Last 7 days'], ['720', 'Last 30 days']];
const hourMilliseconds = 3600 * 1000;

/** `#/usage` (this project) or `#/usage/organization`, over the hours in `#…?hours=N`. */
export async function renderUsage(main, scope) {
  const organizationWide = scope === 'organization';
  const hours = Number(new URLSearchParams(location.hash.split('?')[1] ?? '').get('hours')) || 24;
  const firstHour = Math.floor(Date.now() / hourMilliseconds) * hourMilliseconds - (hours - 1) * hourMilliseconds;
  const since = new Date(firstHour).toISOString();
  const me = await api('GET', '/api/users/@me/');
  const current = me.projects.find((project) => String(project.id) === String(session.projectId)) ?? me.projects[0];
  const projects = organizationWide ? me.projects : [current];
  const [plugins, ...perProject] = await Promise.all([
    api('GET', pluginsPath()),
    ...projects.map(async (project) => {
      const [configs, usage] = await Promise.all([
        api('GET', `/api/projects/${project.id}/plugin_configs/`),
        api('GET', `/api/projects/${project.id}/plugin_usage/?since=${encodeURIComponent(since)}`)]);
      return { project, configs: configs.results, usage };
    })]);

  const rangeSelect = h('select', { id: 'usage-range' }, ranges.map(([value, label]) => h('option', { value, selected: Number(value) === hours }, label)));
  rangeSelect.addEventListener('change', () => { location.hash = `${organizationWide ? '#/usage/organization' : '#/usage'}?hours=${rangeSelect.value}`; });
  const scopeNav = h('nav', { className: 'sub-nav', 'aria-label': 'Usage of' },
    h('a', { href: `#/usage?hours=${hours}`, 'aria-current': organizationWide ? null : 'page' }, `Project ${current.name}`),
    h('a', { href: `#/usage/organization?hours=${hours}`, 'aria-current': organizationWide ? 'page' : null }, 'Organization'));

  const allConfigs = perProject.flatMap(({ configs }) => configs);
  const inUse = new Set(allConfigs.filter((config) => config.enabled).map((config) => config.plugin));
  const totalSeconds = perProject.reduce((sum, { usage }) => sum + usage.plugin_seconds, 0);
  const totalCalls = perProject.reduce((sum, { usage }) => sum + usage.calls, 0);
  const counters = [
    ['Plugins installed', plugins.results.length], [organizationWide ? 'Plugins in use' : 'Plugins in use here', inUse.size],
    ['Configs', allConfigs.length], ['Plugin-seconds', formatNumber(totalSeconds)], ['Calls', formatNumber(totalCalls)]];

  const hourSlots = Array.from({ length: hours }, (_, index) => {
    const start = new Date(firstHour + index * hourMilliseconds);
    return { key: start.getTime(), label: start.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }) };
  });
  const secondsByHour = new Map();
  for (const { usage } of perProject) {
    for (const hour of usage.by_hour) {
      const key = Date.parse(hour.hour);
      secondsByHour.set(key, (secondsByHour.get(key) ?? 0) + hour.plugin_seconds);
    }
  }
  const perHour = columnChart({
    slots: hourSlots.map((slot) => ({ key: new Date(slot.key).toISOString(), label: slot.label, values: [secondsByHour.get(slot.key) ?? 0] })),
    series: [{ name: 'plugin-seconds', className: 'bar-seconds' }], unit: ' s',
    caption: `Plugin-seconds per hour, ${ranges.find(([value]) => Number(value) === hours)?.[1].toLowerCase() ?? `last ${hours} hours`}`,
    className: 'usage-per-hour',
  });

  let perItem;
  let table;
  if (organizationWide) {
    perItem = barChart({
      items: perProject.map(({ project, usage }) => ({ label: project.name, values: [usage.plugin_seconds] })),
      series: [{ name: 'plugin-seconds', className: 'bar-seconds' }], unit: ' s', caption: 'Plugin-seconds per project',
    });
    table = dataTable('Projects', ['Project', 'Configs', 'Enabled', 'Plugin-seconds', 'Calls'], perProject.map(({ project, configs, usage }) => [
      project.name, configs.length, configs.filter((config) => config.enabled).length, formatNumber(usage.plugin_seconds), formatNumber(usage.calls)]));
  } else {
    const { configs, usage } = perProject[0];
    const names = new Map(configs.map((config) => [config.id, config.plugin_info?.name ?? `config ${config.id}`]));
    const nameOf = (id) => names.get(id) ?? `config ${id} (removed)`;
    const usageByConfig = new Map(usage.by_config.map((entry) => [entry.plugin_config_id, entry]));
    const ids = [...new Set([...configs.map((config) => config.id), ...usageByConfig.keys()])];
    perItem = barChart({
      items: ids.map((id) => ({ label: nameOf(id), values: [usageByConfig.get(id)?.plugin_seconds ?? 0] })),
      series: [{ name: 'plugin-seconds', className: 'bar-seconds' }], unit: ' s', caption: 'Plugin-seconds per plugin config',
    });
    const loaded = configs.filter((config) => config.stats);
    const events = loaded.length === 0 ? h('p', { className: 'empty' }, 'No config is loaded (none is enabled), so there are no event counts.') : barChart({
      items: loaded.map((config) => ({ label: nameOf(config.id), values: [config.stats.events_in, eventsOut(config.stats)] })),
      series: [{ name: 'events in', className: 'bar-in' }, { name: 'events out', className: 'bar-out' }],
      caption: 'Events in and out per plugin config, since each was loaded',
    });
    table = dataTable('Plugin configs', ['Plugin', 'Status', 'In', 'Out', 'Failed', 'Dropped', 'Last error', 'Plugin-seconds', 'Calls'],
      ids.map((id) => {
        const config = configs.find((candidate) => candidate.id === id);
        const stats = config?.stats;
        return [nameOf(id), config ? configStatus(config).label : 'Removed', stats?.events_in ?? '–', eventsOut(stats) ?? '–',
          stats?.events_failed ?? '–', stats?.events_dropped ?? '–', config?.last_error?.message ?? config?.error?.message ?? '',
          formatNumber(usageByConfig.get(id)?.plugin_seconds), formatNumber(usageByConfig.get(id)?.calls)];
      }));
    perItem = [perItem, events];
  }

  main.replaceChildren(
    pageHeading(organizationWide ? 'Usage of the organization' : `Usage of ${current.name}`),
    scopeNav,
    h('div', { className: 'filters card' }, h('div', { className: 'field' }, h('label', { for: 'usage-range' }, 'Period'), rangeSelect)),
    h('section', { className: 'card', 'aria-labelledby': 'usage-totals-heading' },
      h('h2', { id: 'usage-totals-heading' }, 'Totals'),
      h('dl', { className: 'counters usage-counters' }, counters.map(([label, value]) => h('div', {}, h('dt', {}, label), h('dd', {}, String(value)))))),
    h('section', { className: 'card charts', 'aria-labelledby': 'usage-charts-heading' },
      h('h2', { id: 'usage-charts-heading' }, 'Charts'), perItem, perHour),
    table);
}

/** Events that went on from a config: all it got but those it dropped (a failure passes the event on unchanged). */
const eventsOut = (stats) => (stats ? stats.events_succeeded + stats.events_failed : null);

function dataTable(title, headings, rows) {
  const id = `table-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return h('section', { className: 'card', 'aria-labelledby': id },
    h('h2', { id }, title),
    rows.length ? h('div', { className: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': id },
      h('table', { className: 'usage-table' },
        h('thead', {}, h('tr', {}, headings.map((heading) => h('th', { scope: 'col' }, heading)))),
        h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell, index) => (index === 0 ? h('th', { scope: 'row' }, String(cell)) : h('td', {}, String(cell)))))))))
      : h('p', { className: 'empty' }, 'Nothing here yet.'));
}
