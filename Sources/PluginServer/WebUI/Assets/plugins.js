// The plugins page: the project's chain in order, the organization's other plugins, installing.
import { api, pluginsPath, projectPath, configPath } from './api.js';
import { h, pageHeading, errorBox, announce } from './dom.js';

/** enabled, error (enabled but its last call failed), disabled by failures, or disabled. */
export function configStatus(config) {
  if (config.enabled) return config.last_error ? { label: 'Error', kind: 'error' } : { label: 'Enabled', kind: 'enabled' };
  if (config.error) return { label: 'Disabled by failures', kind: 'failed' };
  return { label: 'Disabled', kind: 'disabled' };
}

export async function renderPlugins(main) {
  const [plugins, configs] = await Promise.all([api('GET', pluginsPath()), api('GET', projectPath('plugin_configs/'))]);
  const chain = configs.results;
  const configured = new Set(chain.map((config) => config.plugin));
  const others = plugins.results.filter((plugin) => !configured.has(plugin.id));
  const message = h('div', { className: 'page-message' });

  async function saveOrder(ordered) {
    const orders = Object.fromEntries(ordered.map((config, index) => [String(config.id), index + 1]));
    try {
      await api('PATCH', projectPath('plugin_configs/rearrange/'), { orders });
      announce('Order saved');
      await renderPlugins(main);
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  }

  /** Moves the config at `index` by `by` places and saves; the focus goes back to its `focus` control. */
  function move(index, by, focus = by < 0 ? '.move-up' : '.move-down') {
    const ordered = [...chain];
    const [config] = ordered.splice(index, 1);
    ordered.splice(index + by, 0, config);
    return saveOrder(ordered).then(() => {
      const row = main.querySelector(`[data-config-id="${config.id}"]`);
      (row?.querySelector(`${focus}:not(:disabled)`) ?? row?.querySelector('.drag-handle'))?.focus();
    });
  }

  async function toggle(config, input) {
    input.disabled = true;
    try {
      await api('PATCH', configPath(config.id), { enabled: input.checked });
      announce(`${config.plugin_info.name} ${input.checked ? 'enabled' : 'disabled'}`);
      await renderPlugins(main);
      main.querySelector(`[data-config-id="${config.id}"] .toggle input`)?.focus();
    } catch (error) {
      input.checked = !input.checked;
      input.disabled = false;
      message.replaceChildren(errorBox(error));
    }
  }

  const rows = chain.map((config, index) => {
    const plugin = config.plugin_info;
    const status = configStatus(config);
    const toggleInput = h('input', {
      type: 'checkbox', role: 'switch', checked: config.enabled, onchange: (event) => toggle(config, event.target),
    });
    const handle = h('button', {
      type: 'button', className: 'drag-handle', title: 'Drag to reorder, or use the arrow keys',
      'aria-label': `Reorder ${plugin.name}, now ${index + 1} of ${chain.length}: drag, or press the up and down arrow keys`,
      onkeydown: (event) => {
        const by = { ArrowUp: -1, ArrowDown: 1 }[event.key];
        if (!by || index + by < 0 || index + by >= chain.length) return;
        event.preventDefault();
        move(index, by, '.drag-handle');
      },
      onpointerdown: (event) => dragRow(event, list, index, (to) => move(index, to - index, '.drag-handle')),
    }, '⠿');
    return h('li', { className: 'plugin-row', dataset: { configId: config.id } },
      handle,
      h('span', { className: 'order' }, String(index + 1)),
      pluginSummary(plugin, status),
      h('div', { className: 'row-actions' },
        h('label', { className: 'toggle' }, toggleInput, h('span', {}, `Enabled`),
          h('span', { className: 'visually-hidden' }, ` ${plugin.name}`)),
        h('button', {
          type: 'button', className: 'icon move-up', disabled: index === 0, 'aria-label': `Move ${plugin.name} up`,
          onclick: () => move(index, -1),
        }, '↑'),
        h('button', {
          type: 'button', className: 'icon move-down', disabled: index === chain.length - 1,
          'aria-label': `Move ${plugin.name} down`, onclick: () => move(index, 1),
        }, '↓'),
        h('a', { href: `#/plugins/${plugin.id}/configure` }, 'Configure'),
        h('a', { href: `#/plugins/${plugin.id}/source` }, 'Source'),
        h('a', { href: `#/configs/${config.id}/logs` }, 'Logs'),
        h('a', { href: `#/configs/${config.id}/jobs` }, 'Jobs & exports')));
  });

  const list = h('ol', { className: 'plugin-list' }, rows);

  const otherRows = others.map((plugin) => h('li', { className: 'plugin-row' },
    pluginSummary(plugin, { label: 'Not configured', kind: 'disabled' }),
    h('div', { className: 'row-actions' },
      h('a', { href: `#/plugins/${plugin.id}/configure`, className: 'button-link' }, `Configure ${plugin.name}`),
      h('a', { href: `#/plugins/${plugin.id}/source` }, 'Source'))));

  main.replaceChildren(...[
    pageHeading('Plugins'), message,
    h('section', { 'aria-labelledby': 'chain-heading' },
      h('h2', { id: 'chain-heading' }, 'This project\'s chain'),
      h('p', { className: 'hint' }, 'Events go through the plugins in this order. Drag a row by its handle (or focus the handle and press the up and down arrow keys), or use the arrow buttons.'),
      rows.length ? list : h('p', { className: 'empty' }, 'No plugin is configured yet.')),
    otherRows.length ? h('section', { 'aria-labelledby': 'other-heading' },
      h('h2', { id: 'other-heading' }, 'Installed, not configured here'),
      h('ul', { className: 'plugin-list' }, otherRows)) : null,
    installSection(main)].filter(Boolean));
}

/**
 * Drags a row by its handle with the pointer (mouse, pen or touch, where HTML drag and drop doesn't
 * work): a line marks where it would land, and `drop(newIndex)` is called when it lands elsewhere.
 */
function dragRow(event, list, index, drop) {
  if (event.button !== 0) return;
  event.preventDefault();
  const handle = event.currentTarget;
  const rows = [...list.children];
  const dragged = rows[index];
  handle.setPointerCapture(event.pointerId);
  dragged.classList.add('dragging');
  let target = index;
  const onMove = (moveEvent) => {
    // The new place: after every other row whose middle is above the pointer.
    target = rows.filter((row) => row !== dragged && row.getBoundingClientRect().top + row.offsetHeight / 2 < moveEvent.clientY).length;
    for (const row of rows) row.classList.remove('drop-before', 'drop-after');
    if (target === index) return;
    const others = rows.filter((row) => row !== dragged);
    if (target < others.length) others[target].classList.add('drop-before');
    else others[others.length - 1].classList.add('drop-after');
  };
  const finish = (dropped) => {
    handle.removeEventListener('pointermove', onMove);
    handle.removeEventListener('pointerup', onUp);
    handle.removeEventListener('pointercancel', onCancel);
    for (const row of rows) row.classList.remove('dragging', 'drop-before', 'drop-after');
    if (dropped && target !== index) drop(target);
  };
  const onUp = () => finish(true);
  const onCancel = () => finish(false);
  handle.addEventListener('pointermove', onMove);
  handle.addEventListener('pointerup', onUp);
  handle.addEventListener('pointercancel', onCancel);
}

function pluginSummary(plugin, status) {
  const capabilities = plugin.capabilities ?? {};
  const chips = [...(capabilities.methods ?? []), ...(capabilities.scheduled_tasks ?? []),
    ...(capabilities.jobs ?? []).map((job) => `job: ${job}`)];
  return h('div', { className: 'plugin-summary' },
    h('div', { className: 'plugin-title' },
      h('strong', {}, plugin.name),
      h('span', { className: `status status-${status.kind}` }, status.label)),
    plugin.description ? h('p', { className: 'description' }, plugin.description) : null,
    h('ul', { className: 'chips', 'aria-label': 'Capabilities' }, chips.map((chip) => h('li', {}, chip))));
}

function installSection(main) {
  const message = h('div');
  async function install(body, form) {
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    message.replaceChildren(h('p', { className: 'loading' }, 'Installing…'));
    try {
      const plugin = await api('POST', pluginsPath(), body);
      announce(`${plugin.name} installed`);
      location.hash = `#/plugins/${plugin.id}/configure`;
    } catch (error) {
      message.replaceChildren(errorBox(error));
      button.disabled = false;
    }
  }
  const archiveInput = h('input', { id: 'install-archive', type: 'file', accept: '.zip,.tgz,.tar.gz,application/zip', required: true });
  const pathInput = h('input', { id: 'install-path', type: 'text', required: true, placeholder: '/path/to/plugin or https://github.com/…' });
  return h('section', { 'aria-labelledby': 'install-heading', className: 'card' },
    h('h2', { id: 'install-heading' }, 'Install a plugin'),
    h('div', { className: 'install-options' },
      h('form', {
        onsubmit: (event) => {
          event.preventDefault();
          const form = new FormData();
          form.append('archive', archiveInput.files[0]);
          install(form, event.target);
        },
      },
        h('label', { for: 'install-archive' }, 'Upload an archive (.zip or .tgz)'), archiveInput,
        h('button', { type: 'submit' }, 'Upload and install')),
      h('form', {
        onsubmit: (event) => {
          event.preventDefault();
          const url = pathInput.value.trim();
          install({ url: url.startsWith('/') ? `file:${url}` : url }, event.target);
        },
      },
        h('label', { for: 'install-path' }, 'From a folder on the server, or a GitHub, GitLab or npm URL'), pathInput,
        h('button', { type: 'submit' }, 'Install')),
      h('div', {},
        h('p', {}, 'Or write one in the browser.'),
        h('a', { href: '#/new', className: 'button-link' }, 'Open the source editor'))),
    message);
}
