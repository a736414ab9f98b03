// A config's log: live tail, filters by type and source, search, and the last error with its event.
import { api, configPath } from './api.js';
import { h, pageHeading, errorBox, formatTime } from './dom.js';

const types = ['DEBUG', 'LOG', 'INFO', 'WARN', 'ERROR'];
const sources = ['SYSTEM', 'PLUGIN', 'CONSOLE'];
const tailInterval = 2000;

export async function renderLogs(main, configId) {
  const config = await api('GET', configPath(configId));
  const typeBoxes = types.map((type) => h('input', { type: 'checkbox', id: `type-${type}`, value: type, checked: true }));
  const sourceSelect = h('select', { id: 'log-source' }, h('option', { value: '' }, 'All sources'),
    sources.map((source) => h('option', { value: source }, source.toLowerCase())));
  const searchInput = h('input', { id: 'log-search', type: 'search', placeholder: 'Text in the message' });
  const tailBox = h('input', { id: 'log-tail', type: 'checkbox', role: 'switch', checked: true });
  const table = h('tbody');
  const message = h('div');
  const lastError = h('section', { className: 'card last-error', 'aria-labelledby': 'last-error-heading' });

  async function load() {
    const parameters = new URLSearchParams({ limit: '200' });
    const chosen = typeBoxes.filter((box) => box.checked).map((box) => box.value);
    if (chosen.length < types.length) parameters.set('type', chosen.join(',') || 'NONE');
    if (sourceSelect.value) parameters.set('source', sourceSelect.value);
    if (searchInput.value.trim()) parameters.set('search', searchInput.value.trim());
    if (chosen.length === 0) {
      table.replaceChildren();
      return;
    }
    try {
      const [logs, current] = await Promise.all([api('GET', `${configPath(configId, 'logs/')}?${parameters}`), api('GET', configPath(configId))]);
      message.replaceChildren();
      table.replaceChildren(...(logs.results.length ? logs.results.map((entry) => h('tr', { className: `log-${entry.type.toLowerCase()}` },
        h('td', { className: 'nowrap' }, formatTime(entry.timestamp)), h('td', {}, entry.type), h('td', {}, entry.source.toLowerCase()),
        h('td', { className: 'log-message' }, entry.message))) : [h('tr', {}, h('td', { colspan: '4', className: 'empty' }, 'No entries match.'))]));
      renderLastError(lastError, current.last_error);
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  }

  let searchTimer;
  for (const box of typeBoxes) box.addEventListener('change', load);
  sourceSelect.addEventListener('change', load);
  searchInput.addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(load, 250); });
  const timer = setInterval(() => { if (tailBox.checked) load(); }, tailInterval);

  main.replaceChildren(
    pageHeading(`Logs of ${config.plugin_info?.name ?? `config ${configId}`}`),
    h('nav', { className: 'sub-nav', 'aria-label': 'Plugin' },
      h('a', { href: '#/plugins' }, '← Plugins'),
      h('a', { href: `#/plugins/${config.plugin}/configure` }, 'Configure'),
      h('a', { href: `#/configs/${configId}/jobs` }, 'Jobs & exports')),
    lastError,
    h('form', { className: 'filters card', onsubmit: (event) => { event.preventDefault(); load(); } },
      h('fieldset', {}, h('legend', {}, 'Types'),
        typeBoxes.map((box) => h('label', { className: 'check' }, box, ` ${box.value.toLowerCase()}`))),
      h('div', { className: 'field' }, h('label', { for: 'log-source' }, 'Source'), sourceSelect),
      h('div', { className: 'field' }, h('label', { for: 'log-search' }, 'Search'), searchInput),
      h('label', { className: 'toggle' }, tailBox, h('span', {}, 'Live tail'))),
    message,
    h('table', { className: 'log-table' },
      h('caption', { className: 'visually-hidden' }, 'Log entries, newest first'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Time'), h('th', { scope: 'col' }, 'Type'),
        h('th', { scope: 'col' }, 'Source'), h('th', { scope: 'col' }, 'Message'))),
      table));
  await load();
  return () => clearInterval(timer);
}

function renderLastError(section, lastError) {
  if (!lastError) {
    section.replaceChildren(h('h2', { id: 'last-error-heading' }, 'Last error'), h('p', { className: 'empty' }, 'No error since the plugin was loaded.'));
    return;
  }
  section.replaceChildren(...[
    h('h2', { id: 'last-error-heading' }, 'Last error'),
    h('p', { className: 'error-box' }, `${lastError.name}: ${lastError.message}`),
    h('p', { className: 'hint' }, formatTime(lastError.time)),
    lastError.event ? h('details', { open: true }, h('summary', {}, 'The event that caused it'),
      h('pre', { className: 'code-block' }, JSON.stringify(lastError.event, null, 2))) : null].filter(Boolean));
}
