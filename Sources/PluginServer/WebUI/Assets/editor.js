// The source editor: plugin.json and the code side by side with line numbers; saving checks the code
// first and shows a compile error at its line; the test panel runs the unsaved code on an event.
import { api, pluginsPath, projectPath } from './api.js';
import { h, pageHeading, errorBox, announce } from './dom.js';
import { diffBlock } from './diff.js';

const newPluginFiles = {
  'plugin.json': JSON.stringify({
    name: 'My plugin', description: 'Adds a greeting to every event.', main: 'index.ts',
    config: [{ key: 'greeting', name: 'Greeting', type: 'string', default: 'Hello', required: true }],
  }, null, 2) + '\n',
  'index.ts': `export async function processEvent(event, { config }) {
    event.properties = { ...event.properties, greeting: config.greeting }
    console.log('greeted', event.event)
    return event
}
`,
};

const sampleEvent = {
  event: '$pageview', distinct_id: 'ada', timestamp: '2024-05-01T12:00:00.000Z',
  properties: { $current_url: 'https://example.com/pricing?utm_source=news', plan: 'free' },
};

export async function renderEditor(main, pluginId) {
  const isNew = pluginId === undefined;
  const plugin = isNew ? null : await api('GET', pluginsPath(`${pluginId}/`));
  const files = isNew ? { ...newPluginFiles } : await api('GET', pluginsPath(`${pluginId}/source/`));
  const configs = isNew ? null : await api('GET', projectPath('plugin_configs/'));
  const config = configs?.results.find((candidate) => candidate.plugin === plugin.id);
  const entry = entryFile(files);

  const manifestEditor = codeEditor('plugin.json', files['plugin.json'] ?? '{}\n');
  const codeEditorPane = codeEditor(entry, files[entry] ?? '');
  const editors = [manifestEditor, codeEditorPane];
  const message = h('div', { className: 'page-message' });

  const sources = () => ({ ...files, 'plugin.json': manifestEditor.value(), [entry]: codeEditorPane.value() });

  /** Shows a compile or plugin.json error at its line; true when there was one. */
  function showCodeError(error) {
    for (const editor of editors) editor.markError(null);
    if (!error) return false;
    const editor = editors.find((candidate) => candidate.name === error.file) ?? codeEditorPane;
    editor.markError(error);
    const where = error.line ? `${editor.name}, line ${error.line}${error.column !== null ? `, column ${error.column + 1}` : ''}` : editor.name;
    message.replaceChildren(h('p', { className: 'error-box code-error', role: 'alert' }, `${where}: ${error.message}`));
    return true;
  }

  async function save() {
    message.replaceChildren(h('p', { className: 'loading' }, 'Checking…'));
    try {
      const check = await api('POST', projectPath('plugin_test_runs/'), { source: sources(), event: sampleEvent, config: {} });
      if (['manifest', 'compile'].includes(check.error?.stage) && showCodeError(check.error)) return;
      showCodeError(null);
      if (isNew) {
        const installed = await api('POST', pluginsPath(), { plugin_type: 'source', source: sources() });
        announce(`${installed.name} installed`);
        location.hash = `#/plugins/${installed.id}/configure`;
        return;
      }
      await api('PATCH', pluginsPath(`${plugin.id}/source/`), { 'plugin.json': manifestEditor.value(), [entry]: codeEditorPane.value() });
      message.replaceChildren(h('p', { className: 'success-box', role: 'status' }, 'Saved. Configs of this plugin reloaded.'));
      announce('Source saved');
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  }

  main.replaceChildren(
    pageHeading(isNew ? 'New plugin' : `Source of ${plugin.name}`),
    h('nav', { className: 'sub-nav', 'aria-label': 'Plugin' },
      h('a', { href: '#/plugins' }, '← Plugins'),
      isNew ? null : h('a', { href: `#/plugins/${plugin.id}/configure` }, 'Configure')),
    message,
    h('div', { className: 'editors' }, editors.map((editor) => editor.element)),
    h('div', { className: 'editor-actions' },
      h('button', { type: 'button', onclick: save }, isNew ? 'Check and install' : 'Check and save')),
    testPanel(sources, config, showCodeError));
}

function entryFile(files) {
  try {
    const main = JSON.parse(files['plugin.json'] ?? '{}').main;
    if (main && files[main] !== undefined) return main;
  } catch { /* a broken plugin.json is shown in its editor */ }
  return files['index.ts'] !== undefined ? 'index.ts' : 'index.js';
}

/** A textarea with a line-number gutter that can mark an error's line. */
function codeEditor(name, text) {
  const id = `editor-${name.replace(/\W/g, '-')}`;
  const gutter = h('pre', { className: 'gutter', 'aria-hidden': 'true' });
  const errorNote = h('p', { className: 'field-error', id: `${id}-error` });
  const textarea = h('textarea', {
    id, className: 'code', spellcheck: 'false', wrap: 'off', value: text, 'aria-describedby': errorNote.id,
    autocapitalize: 'off', autocomplete: 'off',
  });
  let errorLine = null;
  const renderGutter = () => {
    const count = textarea.value.split('\n').length;
    gutter.replaceChildren(...Array.from({ length: count }, (_, index) =>
      h('span', { className: index + 1 === errorLine ? 'error-line' : '' }, `${index + 1}\n`)));
    gutter.scrollTop = textarea.scrollTop;
  };
  textarea.addEventListener('input', renderGutter);
  textarea.addEventListener('scroll', () => { gutter.scrollTop = textarea.scrollTop; });
  renderGutter();
  return {
    name,
    value: () => textarea.value,
    element: h('div', { className: 'editor' },
      h('label', { for: id }, name), h('div', { className: 'editor-body' }, gutter, textarea), errorNote),
    markError(error) {
      errorLine = error?.line ?? null;
      errorNote.textContent = error ? `${error.line ? `Line ${error.line}: ` : ''}${error.message}` : '';
      textarea.setAttribute('aria-invalid', String(Boolean(error)));
      renderGutter();
      if (errorLine) {
        const lines = textarea.value.split('\n');
        const start = lines.slice(0, errorLine - 1).reduce((sum, line) => sum + line.length + 1, 0);
        textarea.focus();
        textarea.setSelectionRange(start + (error.column ?? 0), start + (lines[errorLine - 1]?.length ?? 0));
        textarea.scrollTop = Math.max(0, (errorLine - 3) * parseFloat(getComputedStyle(textarea).lineHeight));
        gutter.scrollTop = textarea.scrollTop;
      }
    },
  };
}

function testPanel(sources, config, showCodeError) {
  const eventInput = h('textarea', {
    id: 'test-event', className: 'code', rows: '10', spellcheck: 'false', value: JSON.stringify(sampleEvent, null, 2),
  });
  const configInput = h('textarea', {
    id: 'test-config', className: 'code', rows: '4', spellcheck: 'false', value: JSON.stringify(config?.config ?? {}, null, 2),
  });
  const output = h('div', { className: 'test-output', 'aria-live': 'polite' });

  async function run() {
    let event;
    let configValues;
    try {
      event = JSON.parse(eventInput.value);
      configValues = JSON.parse(configInput.value || '{}');
    } catch (error) {
      output.replaceChildren(errorBox(new Error(`The event and the config must be JSON: ${error.message}`)));
      return;
    }
    output.replaceChildren(h('p', { className: 'loading' }, 'Running…'));
    try {
      const result = await api('POST', projectPath('plugin_test_runs/'), { source: sources(), event, config: configValues });
      if (['manifest', 'compile'].includes(result.error?.stage)) showCodeError(result.error);
      else showCodeError(null);
      output.replaceChildren(...renderResult(event, result));
    } catch (error) {
      output.replaceChildren(errorBox(error));
    }
  }

  return h('section', { className: 'card test-panel', 'aria-labelledby': 'test-heading' },
    h('h2', { id: 'test-heading' }, 'Test processEvent'),
    h('p', { className: 'hint' }, 'Runs the code in the editors, saved or not, on this event. Nothing is stored.'),
    h('div', { className: 'test-inputs' },
      h('div', { className: 'field' }, h('label', { for: 'test-event' }, 'Event'), eventInput),
      h('div', { className: 'field' }, h('label', { for: 'test-config' }, 'Config values'), configInput)),
    h('button', { type: 'button', id: 'run-test', onclick: run }, 'Run processEvent'),
    output);
}

function renderResult(input, result) {
  const parts = [];
  if (result.error) {
    parts.push(h('p', { className: 'error-box', role: 'alert' }, `${result.error.stage} failed: ${result.error.message}`));
  } else if (result.dropped) {
    parts.push(h('p', { className: 'result-dropped' }, 'processEvent dropped the event (returned null).'));
  } else {
    parts.push(h('p', { className: 'result-ok' }, 'Output event, as a diff of the input:'));
    parts.push(diffBlock(input, result.event, 'Output event diff'));
  }
  parts.push(h('h3', {}, 'Console'));
  parts.push(result.logs.length
    ? h('ol', { className: 'console-lines' }, result.logs.map((log) =>
      h('li', { className: `log-${log.type.toLowerCase()}` }, h('span', { className: 'log-type' }, log.type), ' ', log.message)))
    : h('p', { className: 'empty' }, 'No console output.'));
  return parts;
}
