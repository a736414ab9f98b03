// The config form of a plugin, generated from its plugin.json: the rules are checked live, the API's
// field errors are shown beside their fields, and secrets are never filled in.
import { api, pluginsPath, projectPath, configPath } from './api.js';
import { h, pageHeading, errorBox, announce } from './dom.js';
import { renderMarkdown } from './markdown.js';
import { configStatus } from './plugins.js';

/** plugin.json's `config`, array or object shape, as an array of fields. */
export function schemaFields(schema) {
  if (Array.isArray(schema)) return schema;
  return Object.entries(schema ?? {}).map(([key, field]) => ({ key, ...field }));
}

/** Whether `["key"]` (any value) or `["key", "value"]` holds for every dependency. */
function holds(dependencies, valueOf) {
  return (dependencies ?? []).every(([key, expected]) => {
    const value = valueOf(key);
    return expected === undefined ? value !== '' : value === String(expected);
  });
}

export async function renderConfigure(main, pluginId) {
  const [plugin, configs] = await Promise.all([
    api('GET', pluginsPath(`${pluginId}/`)), api('GET', projectPath('plugin_configs/'))]);
  const config = configs.results.find((candidate) => candidate.plugin === plugin.id);
  const fields = schemaFields(plugin.config_schema);
  const values = config?.config ?? {};
  const secretsSet = new Set(config?.secret_fields_set ?? []);
  const attachments = config?.attachments ?? {};
  const message = h('div');
  const controls = new Map();
  const rows = new Map();

  const valueOf = (key) => {
    const control = controls.get(key);
    if (!control) return values[key] ?? '';
    if (control.type === 'file') return control.files.length || attachments[key] ? 'set' : '';
    if (control.dataset.secret && control.value === '' && secretsSet.has(key)) return 'set';
    return control.value.trim();
  };
  const isVisible = (field) => holds(field.visible_if, valueOf);
  const isRequired = (field) => isVisible(field) && (field.required || (field.required_if?.length > 0 && holds(field.required_if, valueOf)));

  function refresh() {
    for (const field of fields) {
      const row = rows.get(field);
      if (!row) continue;
      row.hidden = !isVisible(field);
      if (field.key) {
        const required = isRequired(field);
        row.querySelector('.required-mark').hidden = !required;
        controls.get(field.key).setAttribute('aria-required', String(required));
      }
    }
  }

  const formRows = fields.map((field, index) => {
    if (!field.key) {
      const note = field.markdown ? renderMarkdown(field.markdown) : h('p', {}, field.name ?? '');
      note.classList.add('form-note');
      rows.set(field, note);
      return note;
    }
    const id = `field-${index}`;
    const control = makeControl(field, id, values, secretsSet);
    control.addEventListener('input', refresh);
    control.addEventListener('change', refresh);
    controls.set(field.key, control);
    const describedBy = [];
    const hint = field.hint ? renderMarkdown(field.hint, 'small') : null;
    if (hint) { hint.id = `${id}-hint`; hint.classList.add('hint'); describedBy.push(hint.id); }
    const errorSlot = h('p', { className: 'field-error', id: `${id}-error`, role: 'alert' });
    describedBy.push(errorSlot.id);
    let secretNote = null;
    if (field.secret) {
      const set = secretsSet.has(field.key);
      secretNote = h('span', { className: `secret-state ${set ? 'is-set' : ''}`, id: `${id}-secret` }, set ? 'Set' : 'Not set');
      describedBy.push(secretNote.id);
    }
    let fileNote = null;
    if (field.type === 'attachment') {
      const current = attachments[field.key];
      fileNote = h('small', { className: 'attachment-state', id: `${id}-file` }, current ? `Current file: ${current.file_name}` : 'No file yet');
      describedBy.push(fileNote.id);
    }
    control.setAttribute('aria-describedby', describedBy.join(' '));
    const row = h('div', { className: 'field', dataset: { key: field.key } },
      h('label', { for: id }, field.name ?? field.key, h('span', { className: 'required-mark', title: 'required' }, ' *'),
        secretNote ? ' ' : null, secretNote),
      control, fileNote, hint, errorSlot);
    rows.set(field, row);
    return row;
  });

  const enabledInput = h('input', { id: 'config-enabled', type: 'checkbox', role: 'switch', checked: config?.enabled ?? false });
  const form = h('form', { className: 'card config-form', novalidate: true, onsubmit: save },
    formRows.length ? formRows : h('p', { className: 'empty' }, 'This plugin has no settings.'),
    h('div', { className: 'field inline' }, h('label', { className: 'toggle' }, enabledInput, h('span', {}, 'Enabled'))),
    h('button', { type: 'submit' }, config ? 'Save' : 'Save and add to the chain'),
    message);

  function showFieldErrors(errors) {
    for (const [key, row] of [...rows.values()].filter((row) => row.dataset?.key).map((row) => [row.dataset.key, row])) {
      const text = errors.get(key) ?? '';
      row.querySelector('.field-error').textContent = text;
      controls.get(key).setAttribute('aria-invalid', String(Boolean(text)));
    }
    const first = [...errors.keys()].map((key) => controls.get(key)).find(Boolean);
    first?.focus();
  }

  function checkLocally() {
    const errors = new Map();
    for (const field of fields.filter((candidate) => candidate.key && isVisible(candidate))) {
      const value = valueOf(field.key);
      if (isRequired(field) && value === '') errors.set(field.key, `${field.name ?? field.key} is required.`);
      else if (field.type === 'json' && value !== '') {
        try { JSON.parse(value); } catch { errors.set(field.key, 'This must be valid JSON.'); }
      }
    }
    return errors;
  }

  async function save(event) {
    event.preventDefault();
    message.replaceChildren();
    const localErrors = checkLocally();
    showFieldErrors(localErrors);
    if (localErrors.size) return;
    const configValues = {};
    const uploads = [];
    for (const field of fields.filter((candidate) => candidate.key)) {
      const control = controls.get(field.key);
      if (field.type === 'attachment') {
        if (control.files.length) uploads.push([field.key, control.files[0]]);
      } else if (field.secret) {
        if (control.value !== '') configValues[field.key] = control.value;
      } else {
        configValues[field.key] = control.value.trim() === '' ? null : control.value;
      }
    }
    const fieldsToSend = { enabled: enabledInput.checked, config: configValues };
    if (!config) fieldsToSend.plugin = plugin.id;
    let body = fieldsToSend;
    if (uploads.length) {
      body = new FormData();
      for (const [name, value] of Object.entries(fieldsToSend)) body.append(name, JSON.stringify(value));
      for (const [key, file] of uploads) body.append(`add_attachment[${key}]`, file, file.name);
    }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const saved = config
        ? await api('PATCH', configPath(config.id), body)
        : await api('POST', projectPath('plugin_configs/'), body);
      announce(`${plugin.name} saved`);
      await renderConfigure(main, pluginId);
      main.querySelector('.page-message').replaceChildren(
        h('p', { className: 'success-box', role: 'status' }, `Saved. Status: ${configStatus(saved).label}.`));
      main.querySelector('.page-heading').focus();
    } catch (error) {
      button.disabled = false;
      showFieldErrors(error.fieldErrors ?? new Map());
      message.replaceChildren(errorBox(error));
    }
  }

  main.replaceChildren(...[
    pageHeading(`Configure ${plugin.name}`),
    h('div', { className: 'page-message' }),
    plugin.description ? h('p', { className: 'description' }, plugin.description) : null,
    h('nav', { className: 'sub-nav', 'aria-label': 'Plugin' },
      h('a', { href: '#/plugins' }, '← Plugins'),
      h('a', { href: `#/plugins/${plugin.id}/source` }, 'Source'),
      config ? h('a', { href: `#/configs/${config.id}/logs` }, 'Logs') : null,
      config ? h('a', { href: `#/configs/${config.id}/jobs` }, 'Jobs & exports') : null),
    form].filter(Boolean));
  refresh();
}

function makeControl(field, id, values, secretsSet) {
  const value = values[field.key] ?? field.default ?? '';
  switch (field.type) {
    case 'choice':
      return h('select', { id, name: field.key },
        h('option', { value: '' }, '—'),
        (field.choices ?? []).map((choice) => h('option', { value: String(choice), selected: String(choice) === String(value) }, String(choice))));
    case 'json':
      return h('textarea', { id, name: field.key, rows: '5', spellcheck: 'false', className: 'code', value: String(value) });
    case 'attachment': {
      return h('input', { id, name: field.key, type: 'file' });
    }
    default:
      if (field.secret) {
        return h('input', {
          id, name: field.key, type: 'password', autocomplete: 'new-password', dataset: { secret: 'true' },
          placeholder: secretsSet.has(field.key) ? 'Set: type to replace it' : 'Not set',
        });
      }
      return h('input', { id, name: field.key, type: 'text', value: String(value) });
  }
}
