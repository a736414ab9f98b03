// Jobs and exports of a config: public jobs with a payload form, counters and a per-minute chart,
// scheduled-task history, and dead letters to replay.
import { api, configPath } from './api.js';
import { h, pageHeading, errorBox, announce, formatTime } from './dom.js';
import { columnChart } from './charts.js';

const refreshInterval = 3000;

export async function renderJobs(main, configId) {
  const config = await api('GET', configPath(configId));
  const jobs = (await api('GET', configPath(configId, 'jobs/'))).public_jobs ?? {};
  const live = h('div', { className: 'live-sections' });
  const message = h('div', { className: 'page-message' });

  async function refresh() {
    try {
      const [current, rates, runs, letters] = await Promise.all([
        api('GET', configPath(configId)), api('GET', configPath(configId, 'events_per_minute/')),
        api('GET', configPath(configId, 'scheduled_runs/')), api('GET', configPath(configId, 'dead_letters/'))]);
      const focusedId = document.activeElement?.id;
      live.replaceChildren(countersSection(current.stats, rates.results), deadLettersSection(letters.results, replay),
        scheduledRunsSection(runs.results));
      if (focusedId) document.getElementById(focusedId)?.focus();
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  }

  async function replay(ids) {
    try {
      const path = ids.length === 1 ? configPath(configId, `dead_letters/${ids[0]}/replay/`) : configPath(configId, 'dead_letters/replay/');
      const answer = await api('POST', path, ids.length === 1 ? undefined : {});
      announce(`Replaying ${answer.replayed} dead letter${answer.replayed === 1 ? '' : 's'}`);
      message.replaceChildren(h('p', { className: 'success-box', role: 'status' }, `Queued ${answer.replayed} for another try.`));
      await refresh();
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  }

  main.replaceChildren(
    pageHeading(`Jobs & exports of ${config.plugin_info?.name ?? `config ${configId}`}`),
    h('nav', { className: 'sub-nav', 'aria-label': 'Plugin' },
      h('a', { href: '#/plugins' }, '← Plugins'),
      h('a', { href: `#/plugins/${config.plugin}/configure` }, 'Configure'),
      h('a', { href: `#/configs/${configId}/logs` }, 'Logs')),
    message,
    jobsSection(configId, jobs, message),
    live);
  await refresh();
  const timer = setInterval(refresh, refreshInterval);
  return () => clearInterval(timer);
}

function jobsSection(configId, jobs, message) {
  const names = Object.keys(jobs);
  return h('section', { className: 'card', 'aria-labelledby': 'jobs-heading' },
    h('h2', { id: 'jobs-heading' }, 'Public jobs'),
    names.length ? names.map((name) => jobForm(configId, name, jobs[name]?.payload ?? {}, message))
      : h('p', { className: 'empty' }, 'This plugin has no public jobs.'));
}

function jobForm(configId, name, payloadSchema, message) {
  const inputs = Object.entries(payloadSchema).map(([key, spec]) => {
    const id = `job-${name}-${key}`.replace(/\W/g, '-');
    const type = spec?.type ?? 'string';
    const control = type === 'boolean' ? h('input', { id, type: 'checkbox' })
      : type === 'json' ? h('textarea', { id, className: 'code', rows: '3' })
        : h('input', { id, type: type === 'number' ? 'number' : type === 'date' ? 'datetime-local' : 'text', required: spec?.required });
    return { key, type, control, row: h('div', { className: 'field' }, h('label', { for: id }, spec?.title ?? key), control) };
  });
  async function run(event) {
    event.preventDefault();
    const payload = {};
    try {
      for (const { key, type, control } of inputs) {
        if (type === 'boolean') payload[key] = control.checked;
        else if (control.value === '') continue;
        else if (type === 'number') payload[key] = Number(control.value);
        else if (type === 'json') payload[key] = JSON.parse(control.value);
        else if (type === 'date') payload[key] = new Date(control.value).toISOString();
        else payload[key] = control.value;
      }
    } catch (error) {
      message.replaceChildren(errorBox(new Error(`The payload is not valid: ${error.message}`)));
      return;
    }
    try {
      await api('POST', configPath(configId, 'jobs/'), { type: name, payload });
      announce(`${name} queued`);
      message.replaceChildren(h('p', { className: 'success-box', role: 'status' }, `Job ${name} queued to run now.`));
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  }
  return h('form', { className: 'job-form', onsubmit: run },
    h('h3', {}, name), inputs.map((input) => input.row), h('button', { type: 'submit' }, `Run ${name}`));
}

function countersSection(stats, minutes) {
  const counters = [
    ['In', stats?.events_in], ['Succeeded', stats?.events_succeeded], ['Failed', stats?.events_failed], ['Dropped', stats?.events_dropped]];
  return h('section', { className: 'card', 'aria-labelledby': 'counters-heading' },
    h('h2', { id: 'counters-heading' }, 'Events since the plugin was loaded'),
    stats ? h('dl', { className: 'counters' }, counters.map(([label, value]) => h('div', {}, h('dt', {}, label), h('dd', {}, String(value ?? 0)))))
      : h('p', { className: 'empty' }, 'The plugin is not loaded (disabled or failed).'),
    h('h3', {}, 'Per minute, the last 30 minutes'),
    eventsChart(minutes));
}

/** Columns of succeeded (green) and failed (red, on top) events per minute. */
function eventsChart(minutes) {
  return columnChart({
    slots: minutes.map((minute) => ({ label: new Date(minute.minute).toLocaleTimeString(), values: [minute.succeeded, minute.failed] })),
    series: [{ name: 'succeeded', className: 'bar-succeeded' }, { name: 'failed', className: 'bar-failed' }],
    caption: 'In the last 30 minutes', className: 'events-chart',
  });
}

function deadLettersSection(letters, replay) {
  return h('section', { className: 'card', 'aria-labelledby': 'dead-heading' },
    h('h2', { id: 'dead-heading' }, 'Dead letters'),
    h('p', { className: 'hint' }, 'Work (onEvent, exportEvents, jobs) that failed for good. Replaying sends it once more.'),
    letters.length ? [
      h('button', { type: 'button', id: 'replay-all', className: 'secondary', onclick: () => replay(letters.map((letter) => letter.id)) }, 'Replay all'),
      h('table', {},
        h('thead', {}, h('tr', {}, ['Kind', 'Attempts', 'Error', 'Failed at', ''].map((label) => h('th', { scope: 'col' }, label)))),
        h('tbody', {}, letters.map((letter) => h('tr', {},
          h('td', {}, letter.kind), h('td', {}, String(letter.attempts)), h('td', { className: 'log-message' }, letter.error ?? ''),
          h('td', { className: 'nowrap' }, formatTime(letter.failed_at)),
          h('td', {}, h('button', { type: 'button', id: `replay-${letter.id}`, className: 'replay', onclick: () => replay([letter.id]) },
            'Replay', h('span', { className: 'visually-hidden' }, ` dead letter ${letter.id}`)))))))]
      : h('p', { className: 'empty' }, 'No dead letters.'));
}

function scheduledRunsSection(runs) {
  return h('section', { className: 'card', 'aria-labelledby': 'runs-heading' },
    h('h2', { id: 'runs-heading' }, 'Scheduled tasks'),
    runs.length ? h('table', {},
      h('thead', {}, h('tr', {}, ['Task', 'Boundary', 'Started', 'Finished', 'Outcome'].map((label) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, runs.map((run) => h('tr', {},
        h('td', {}, run.task), h('td', { className: 'nowrap' }, formatTime(run.boundary)), h('td', { className: 'nowrap' }, formatTime(run.started_at)),
        h('td', { className: 'nowrap' }, formatTime(run.finished_at)), h('td', {}, run.error ? `${run.outcome}: ${run.error}` : run.outcome)))))
      : h('p', { className: 'empty' }, 'No scheduled task has run.'));
}
