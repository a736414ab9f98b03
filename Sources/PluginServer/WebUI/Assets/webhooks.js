// A project's action webhooks (a message to Slack, Discord, Teams or a JSON webhook when an event
// matches a rule) and REST hooks (Zapier's subscriptions): list, add, edit, remove, dead letters.
import { api, projectPath } from './api.js';
import { h, pageHeading, errorBox, announce, field, formatTime } from './dom.js';

const services = [['slack', 'Slack'], ['discord', 'Discord'], ['teams', 'Microsoft Teams'], ['json', 'Plain JSON']];
const defaultFormat = '[action.name] was triggered by [person]';

export async function renderWebhooks(main) {
  const message = h('div', { className: 'page-message' });
  const webhooksCard = h('section', { className: 'card', 'aria-labelledby': 'webhooks-heading' });
  const hooksCard = h('section', { className: 'card', 'aria-labelledby': 'hooks-heading' });
  const formCard = h('section', { className: 'card', 'aria-labelledby': 'webhook-form-heading' });

  async function refresh() {
    const [webhooks, hooks] = await Promise.all([api('GET', projectPath('action_webhooks/')), api('GET', projectPath('hooks/'))]);
    const letters = await Promise.all(webhooks.results.map((webhook) =>
      api('GET', projectPath(`action_webhooks/${webhook.id}/dead_letters/`)).then((page) => page.count)));
    webhooksCard.replaceChildren(...webhooksSection(webhooks.results, letters, { edit: showForm, remove, replay }));
    hooksCard.replaceChildren(...hooksSection(hooks.results, webhooks.results, { subscribe, unsubscribe }));
  }

  /** Runs an action, then says how it went and shows the lists as they are now. */
  async function act(action, done) {
    try {
      await action();
      announce(done);
      message.replaceChildren(h('p', { className: 'success-box', role: 'status' }, done));
      await refresh();
      return true;
    } catch (error) {
      message.replaceChildren(errorBox(error));
      return false;
    }
  }

  function showForm(webhook) {
    formCard.replaceChildren(...webhookForm(webhook, async (body, formMessage) => {
      try {
        if (webhook) await api('PATCH', projectPath(`action_webhooks/${webhook.id}/`), body);
        else await api('POST', projectPath('action_webhooks/'), body);
      } catch (error) {
        formMessage.replaceChildren(errorBox(error));
        return;
      }
      await act(async () => {}, webhook ? `Saved ${body.name}` : `Added ${body.name}`);
      showForm(null);
    }));
    if (webhook) document.getElementById('webhook-name')?.focus();
  }

  const remove = (webhook) => act(() => api('DELETE', projectPath(`action_webhooks/${webhook.id}/`)), `Removed ${webhook.name}`);
  const replay = (webhook) => act(() => api('POST', projectPath(`action_webhooks/${webhook.id}/dead_letters/replay/`), {}),
    `Sending the undelivered messages of ${webhook.name} again`);
  const subscribe = (body) => act(() => api('POST', projectPath('hooks/'), body), `Subscribed ${body.target}`);
  const unsubscribe = (hook) => act(() => api('DELETE', projectPath(`hooks/${hook.id}/`)), `Unsubscribed ${hook.target}`);

  main.replaceChildren(pageHeading('Webhooks'), message, webhooksCard, formCard, hooksCard);
  showForm(null);
  await refresh();
}

function webhooksSection(webhooks, letters, { edit, remove, replay }) {
  return [
    h('h2', { id: 'webhooks-heading' }, 'Action webhooks'),
    h('p', { className: 'hint' }, 'Each rule posts a message when a processed event matches its event name and property filters.'),
    webhooks.length ? h('div', { className: 'table-scroll' }, h('table', { id: 'webhook-table' },
      h('thead', {}, h('tr', {}, ['Name', 'Event', 'Filters', 'Service', 'URL', 'Undelivered', ''].map((label) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, webhooks.map((webhook, index) => h('tr', { dataset: { id: String(webhook.id) } },
        h('td', {}, webhook.name, webhook.enabled ? null : h('span', { className: 'status status-disabled' }, ' off')),
        h('td', {}, webhook.event ?? 'every event'),
        h('td', {}, webhook.property_filters.map((filter) => `${filter.key} ${filter.operator ?? 'exact'} ${filter.value === undefined ? '' : JSON.stringify(filter.value)}`).join('; ')),
        h('td', {}, services.find(([value]) => value === webhook.service)?.[1] ?? webhook.service),
        h('td', { className: 'log-message' }, webhook.url),
        h('td', {}, String(letters[index]),
          letters[index] ? h('button', { type: 'button', className: 'secondary', onclick: () => replay(webhook) }, 'Send again') : null),
        h('td', {}, h('div', { className: 'row-actions' },
          h('button', { type: 'button', className: 'secondary edit', onclick: () => edit(webhook) }, 'Edit',
            h('span', { className: 'visually-hidden' }, ` ${webhook.name}`)),
          h('button', { type: 'button', className: 'secondary remove', onclick: () => remove(webhook) }, 'Remove',
            h('span', { className: 'visually-hidden' }, ` ${webhook.name}`)))))))))
      : h('p', { className: 'empty' }, 'No action webhooks yet.'),
  ];
}

function webhookForm(webhook, save) {
  const formMessage = h('div');
  const name = h('input', { id: 'webhook-name', type: 'text', required: true, value: webhook?.name ?? '' });
  const event = h('input', { id: 'webhook-event', type: 'text', value: webhook?.event ?? '', placeholder: 'every event' });
  const url = h('input', { id: 'webhook-url', type: 'text', required: true, value: webhook?.url ?? '', placeholder: 'https://hooks.slack.com/services/…' });
  const service = h('select', { id: 'webhook-service' },
    h('option', { value: '' }, 'From the URL'), services.map(([value, label]) => h('option', { value }, label)));
  service.value = webhook?.service ?? '';
  const format = h('input', { id: 'webhook-format', type: 'text', value: webhook?.message_format ?? '', placeholder: defaultFormat });
  const filters = h('textarea', { id: 'webhook-filters', className: 'code', rows: '3' },
    JSON.stringify(webhook?.property_filters ?? [], null, 1));
  const enabled = h('input', { id: 'webhook-enabled', type: 'checkbox', checked: webhook?.enabled ?? true });

  async function submit(submitted) {
    submitted.preventDefault();
    let propertyFilters;
    try {
      propertyFilters = JSON.parse(filters.value || '[]');
    } catch (error) {
      formMessage.replaceChildren(errorBox(new Error(`The property filters are not JSON: ${error.message}`)));
      return;
    }
    const body = {
      name: name.value, url: url.value, event: event.value || null, message_format: format.value,
      property_filters: propertyFilters, enabled: enabled.checked,
    };
    if (service.value) body.service = service.value;
    await save(body, formMessage);
  }

  return [
    h('h2', { id: 'webhook-form-heading' }, webhook ? `Edit ${webhook.name}` : 'Add an action webhook'),
    h('form', { className: 'config-form', id: 'webhook-form', onsubmit: submit },
      field('Name', name, { id: 'webhook-name' }),
      field('Event name', event, { id: 'webhook-event', hint: 'Left empty, every event matches.' }),
      field('Property filters', filters, {
        id: 'webhook-filters',
        hint: 'A JSON array of {"key", "value", "operator"}; operators: exact, is_not, icontains, regex, is_set.',
      }),
      field('Webhook URL', url, { id: 'webhook-url' }),
      field('Service', service, { id: 'webhook-service', hint: 'The payload\'s shape.' }),
      field('Message', format, {
        id: 'webhook-format',
        hint: 'Tokens: [event], [event.name], [event.link], [event.uuid], [event.distinct_id], [event.properties.X], [person], [person.properties.X], [user.name], [action.name].',
      }),
      h('div', { className: 'field' }, h('label', { className: 'toggle', for: 'webhook-enabled' }, enabled, 'Post messages')),
      formMessage,
      h('button', { type: 'submit' }, webhook ? 'Save' : 'Add webhook')),
  ];
}

function hooksSection(hooks, webhooks, { subscribe, unsubscribe }) {
  const target = h('input', { id: 'hook-target', type: 'text', required: true, placeholder: 'https://hooks.zapier.com/…' });
  const event = h('input', { id: 'hook-event', type: 'text', required: true, placeholder: 'an event name, or action_performed' });
  const resource = h('select', { id: 'hook-resource' },
    h('option', { value: '' }, 'None'), webhooks.map((webhook) => h('option', { value: String(webhook.id) }, webhook.name)));
  async function submit(submitted) {
    submitted.preventDefault();
    const body = { target: target.value, event: event.value };
    if (resource.value) body.resource_id = Number(resource.value);
    if (await subscribe(body)) document.getElementById('hook-target')?.focus();
  }
  const actionName = (id) => webhooks.find((webhook) => webhook.id === id)?.name ?? `#${id}`;
  return [
    h('h2', { id: 'hooks-heading' }, 'REST hooks'),
    h('p', { className: 'hint' }, 'Subscriptions (Zapier\'s REST hooks): each gets the events of its name, or the matches of an action webhook with action_performed. A target that answers 410 Gone is unsubscribed.'),
    hooks.length ? h('div', { className: 'table-scroll' }, h('table', { id: 'hook-table' },
      h('thead', {}, h('tr', {}, ['Event', 'Action', 'Target', 'Since', ''].map((label) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, hooks.map((hook) => h('tr', { dataset: { id: String(hook.id) } },
        h('td', {}, hook.event), h('td', {}, hook.resource_id === null ? '' : actionName(hook.resource_id)),
        h('td', { className: 'log-message' }, hook.target), h('td', { className: 'nowrap' }, formatTime(hook.created_at)),
        h('td', {}, h('button', { type: 'button', className: 'secondary unsubscribe', onclick: () => unsubscribe(hook) }, 'Unsubscribe',
          h('span', { className: 'visually-hidden' }, ` ${hook.target}`))))))))
      : h('p', { className: 'empty' }, 'No REST hooks.'),
    h('form', { className: 'config-form', id: 'hook-form', onsubmit: submit },
      h('h3', {}, 'Subscribe a URL'),
      field('Target URL', target, { id: 'hook-target' }),
      field('Event', event, { id: 'hook-event' }),
      field('Action webhook', resource, { id: 'hook-resource', hint: 'For action_performed.' }),
      h('button', { type: 'submit' }, 'Subscribe')),
  ];
}
