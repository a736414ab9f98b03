// The project page: its settings, for now where its plugin alerts go (email addresses and a Slack-compatible webhook).
import { api, projectPath } from './api.js';
import { h, pageHeading, errorBox, announce, field } from './dom.js';

export async function renderProject(main) {
  const [project, alerts] = await Promise.all([api('GET', projectPath('')), api('GET', projectPath('alert_settings/'))]);
  const emails = h('textarea', { id: 'alert-emails', rows: 3, value: alerts.alert_emails.join('\n') });
  const webhook = h('input', { id: 'alert-webhook', type: 'url', value: alerts.alert_webhook_url ?? '', placeholder: 'https://hooks.slack.com/services/…' });
  const message = h('div', { className: 'form-message' });

  async function save(submit) {
    submit.preventDefault();
    const body = {
      alert_emails: emails.value.split(/[\s,]+/).filter(Boolean),
      alert_webhook_url: webhook.value.trim() || null,
    };
    try {
      await api('PATCH', projectPath('alert_settings/'), body);
      announce('Alert settings saved');
      message.replaceChildren(h('p', { className: 'success-box', role: 'status' }, 'Saved.'));
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  }

  main.replaceChildren(
    pageHeading(`Project ${project.name}`),
    h('section', { className: 'card', 'aria-labelledby': 'alerts-heading' },
      h('h2', { id: 'alerts-heading' }, 'Alerts'),
      h('p', { className: 'hint' },
        'When Quill disables one of this project\'s plugins, or a plugin\'s delivery fails for good, it tells these people '
          + '(at most once an hour per plugin and kind).'),
      alerts.email_configured ? null : h('p', { className: 'hint' }, 'This server has no SMTP relay (QUILL_SMTP_URL), so no email goes out.'),
      h('form', { className: 'config-form', onsubmit: save, novalidate: true },
        field('Email addresses', emails, { id: 'alert-emails', hint: 'One per line.' }),
        field('Slack-compatible webhook URL', webhook, { id: 'alert-webhook', hint: 'Gets {"text": …} for each alert. Empty for none.' }),
        h('button', { type: 'submit' }, 'Save alert settings'),
        message)));
}
