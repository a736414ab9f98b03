// The catalogue: known public plugins (shipped with Quill, or the operator's QUILL_PLUGIN_CATALOGUE),
// searchable and filtered by kind; one click installs from the plugin's URL and opens its config form.
// Installed ones are marked, and updates that check_for_updates finds are offered.
import { api, pluginsPath } from './api.js';
import { h, pageHeading, errorBox, announce } from './dom.js';

const kinds = [['', 'All kinds'], ['transformation', 'Transformations'], ['destination', 'Destinations'], ['source', 'Sources']];

/** A repository URL as installs compare it: any case, without a trailing slash or `.git`. */
export function urlKey(url) {
  return (url ?? '').trim().toLowerCase().replace(/\/+$/, '').replace(/\.git$/, '');
}

const shortTag = (tag) => (/^[0-9a-f]{40}$/.test(tag ?? '') ? tag.slice(0, 7) : tag);

export async function renderCatalogue(main) {
  const [catalogue, plugins] = await Promise.all([api('GET', '/api/organizations/@current/plugin_catalogue/'), api('GET', pluginsPath())]);
  const installed = new Map(plugins.results.filter((plugin) => plugin.url).map((plugin) => [urlKey(plugin.url), plugin]));
  const message = h('div', { className: 'page-message' });
  const searchInput = h('input', { id: 'catalogue-search', type: 'search', placeholder: 'Name or what it does', autocomplete: 'off' });
  const kindSelect = h('select', { id: 'catalogue-kind' }, kinds.map(([value, label]) => h('option', { value }, label)));
  const count = h('p', { className: 'hint', id: 'catalogue-count', role: 'status' });
  const list = h('ul', { className: 'catalogue-list' });
  const checkButton = h('button', { type: 'button', id: 'check-updates', className: 'secondary', onclick: checkForUpdates },
    'Check installed plugins for updates');

  function matches(entry) {
    const words = searchInput.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const text = `${entry.name} ${entry.description ?? ''} ${entry.kind}`.toLowerCase();
    return (!kindSelect.value || entry.kind === kindSelect.value) && words.every((word) => text.includes(word));
  }

  function show() {
    const shown = catalogue.results.filter(matches);
    count.textContent = `${shown.length} of ${catalogue.results.length} plugins`;
    list.replaceChildren(...(shown.length ? shown.map((entry) => entryCard(entry, installed.get(urlKey(entry.url)), actions))
      : [h('li', { className: 'empty' }, 'No plugin matches.')]));
  }

  async function install(entry, button) {
    button.disabled = true;
    message.replaceChildren(h('p', { className: 'loading' }, `Installing ${entry.name}…`));
    try {
      const plugin = await api('POST', pluginsPath(), { url: entry.url });
      announce(`${plugin.name} installed`);
      location.hash = `#/plugins/${plugin.id}/configure`;
    } catch (error) {
      message.replaceChildren(errorBox(error));
      button.disabled = false;
    }
  }

  async function upgrade(plugin, button) {
    button.disabled = true;
    try {
      const upgraded = await api('POST', pluginsPath(`${plugin.id}/upgrade/`));
      installed.set(urlKey(upgraded.url), upgraded);
      announce(`${upgraded.name} updated`);
      message.replaceChildren(h('p', { className: 'success-box', role: 'status' }, `${upgraded.name} updated to ${shortTag(upgraded.tag)}.`));
      show();
    } catch (error) {
      message.replaceChildren(errorBox(error));
      button.disabled = false;
    }
  }

  async function checkForUpdates() {
    const ours = catalogue.results.map((entry) => installed.get(urlKey(entry.url))).filter(Boolean);
    checkButton.disabled = true;
    message.replaceChildren(h('p', { className: 'loading' }, 'Checking…'));
    const problems = [];
    for (const plugin of ours) {
      try {
        const answer = await api('GET', pluginsPath(`${plugin.id}/check_for_updates/`));
        installed.set(urlKey(answer.plugin.url), answer.plugin);
      } catch (error) {
        problems.push(`${plugin.name}: ${error.message}`);
      }
    }
    checkButton.disabled = false;
    const updates = ours.filter((plugin) => hasUpdate(installed.get(urlKey(plugin.url)))).length;
    message.replaceChildren(problems.length ? errorBox(new Error(problems.join('\n')))
      : h('p', { className: 'success-box', role: 'status' },
        ours.length === 0 ? 'No plugin of the catalogue is installed.' : `${updates || 'No'} update${updates === 1 ? '' : 's'} available.`));
    show();
  }

  const actions = { install, upgrade };
  let searchTimer;
  searchInput.addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(show, 150); });
  kindSelect.addEventListener('change', show);
  main.replaceChildren(
    pageHeading('Plugin catalogue'),
    h('p', { className: 'hint' }, 'Public PostHog plugins. Installing downloads one from its repository; its settings come next.'),
    h('form', { className: 'filters card', role: 'search', onsubmit: (event) => { event.preventDefault(); show(); } },
      h('div', { className: 'field' }, h('label', { for: 'catalogue-search' }, 'Search'), searchInput),
      h('div', { className: 'field' }, h('label', { for: 'catalogue-kind' }, 'Kind'), kindSelect),
      checkButton),
    message, count, list);
  show();
}

const hasUpdate = (plugin) => Boolean(plugin?.latest_tag && plugin.latest_tag !== plugin.tag);

function entryCard(entry, plugin, { install, upgrade }) {
  const headingId = `catalogue-${urlKey(entry.url).replace(/[^a-z0-9]+/g, '-')}`;
  const config = entry.config ?? [];
  let action;
  if (!plugin) {
    action = h('button', { type: 'button', className: 'install', onclick: (event) => install(entry, event.target) },
      'Install', h('span', { className: 'visually-hidden' }, ` ${entry.name}`));
  } else {
    action = h('div', { className: 'row-actions' },
      h('span', { className: 'status status-enabled' }, 'Installed'),
      hasUpdate(plugin) ? h('button', { type: 'button', className: 'upgrade', onclick: (event) => upgrade(plugin, event.target) },
        `Update to ${shortTag(plugin.latest_tag)}`, h('span', { className: 'visually-hidden' }, ` (${entry.name})`)) : null,
      h('a', { href: `#/plugins/${plugin.id}/configure` }, 'Configure', h('span', { className: 'visually-hidden' }, ` ${entry.name}`)));
  }
  return h('li', { className: 'catalogue-entry card', 'aria-labelledby': headingId, dataset: { url: entry.url } },
    h('div', { className: 'plugin-title' },
      h('h2', { id: headingId }, entry.name),
      h('span', { className: `kind kind-${entry.kind}` }, entry.kind)),
    entry.description ? h('p', { className: 'description' }, entry.description) : null,
    h('p', { className: 'config-summary' }, config.length
      ? ['Asks for: ', config.map((field) => `${field.name ?? field.key}${field.required ? ' (required)' : ''}${field.secret ? ' (secret)' : ''}`).join(', ')]
      : 'No settings.'),
    h('div', { className: 'entry-footer' },
      h('a', { href: entry.url, className: 'repository', rel: 'noopener noreferrer', target: '_blank' }, entry.url.replace(/^https?:\/\//, '')),
      action));
}
