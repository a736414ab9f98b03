// Live events: the project's events as the chain finishes them (polling the live_events API), with the
// plugins that succeeded, failed or deferred on each, and a diff of what the chain changed when the
// server kept the event as it entered the chain. Filters by event name and distinct_id; pause.
import { api, projectPath } from './api.js';
import { h, pageHeading, errorBox, formatTime } from './dom.js';
import { diffLines, diffBlock } from './diff.js';

const pollInterval = 500;
const shownAtMost = 200;

export async function renderLive(main) {
  const eventInput = h('input', { id: 'live-event', type: 'search', placeholder: '$pageview', autocomplete: 'off', spellcheck: 'false' });
  const distinctInput = h('input', { id: 'live-distinct-id', type: 'search', placeholder: 'Any', autocomplete: 'off', spellcheck: 'false' });
  const pauseButton = h('button', { type: 'button', id: 'live-pause', className: 'secondary', 'aria-pressed': 'false', onclick: togglePause }, 'Pause');
  const state = h('p', { className: 'hint live-state', id: 'live-state', role: 'status' });
  const message = h('div', { className: 'page-message' });
  const list = h('ol', { className: 'live-list', 'aria-label': 'Events, newest first' });
  let cursor = null;
  let paused = false;
  let timer = null;
  let generation = 0;

  function filters() {
    const parameters = new URLSearchParams();
    if (eventInput.value.trim()) parameters.set('event', eventInput.value.trim());
    if (distinctInput.value.trim()) parameters.set('distinct_id', distinctInput.value.trim());
    return parameters;
  }

  async function poll() {
    timer = null;
    const asked = generation;
    const parameters = filters();
    if (cursor !== null) parameters.set('after', String(cursor));
    try {
      const answer = await api('GET', `${projectPath('live_events/')}?${parameters}`);
      if (asked !== generation) return;  // the filters changed meanwhile
      message.replaceChildren();
      cursor = answer.cursor;
      if (answer.results.length) {
        list.querySelector('.empty')?.remove();
        list.prepend(...answer.results.reverse().map(eventItem));
        while (list.children.length > shownAtMost) list.lastElementChild.remove();
      } else if (!list.children.length) {
        list.append(h('li', { className: 'empty' }, 'No events yet. New ones appear here as they are processed.'));
      }
    } catch (error) {
      if (asked !== generation) return;
      message.replaceChildren(errorBox(error));
    }
    schedule();
  }

  function schedule() {
    if (!paused && timer === null && main.contains(list)) timer = setTimeout(poll, pollInterval);
    state.textContent = paused ? 'Paused: new events are not shown until you resume.' : 'Live: events appear as they are processed.';
  }

  function restart() {
    generation += 1;
    clearTimeout(timer);
    timer = null;
    cursor = null;
    list.replaceChildren();
    if (!paused) poll();
  }

  function togglePause() {
    paused = !paused;
    pauseButton.textContent = paused ? 'Resume' : 'Pause';
    pauseButton.setAttribute('aria-pressed', String(paused));
    clearTimeout(timer);
    timer = null;
    if (paused) schedule();
    else poll();
  }

  let filterTimer;
  for (const input of [eventInput, distinctInput]) {
    input.addEventListener('input', () => { clearTimeout(filterTimer); filterTimer = setTimeout(restart, 300); });
  }
  main.replaceChildren(
    pageHeading('Live events'),
    h('p', { className: 'hint' }, 'Events of this project as they leave the plugin chain (the last 500 since the server started, while this page is open).'),
    h('form', { className: 'filters card', role: 'search', onsubmit: (event) => { event.preventDefault(); restart(); } },
      h('div', { className: 'field' }, h('label', { for: 'live-event' }, 'Event name'), eventInput),
      h('div', { className: 'field' }, h('label', { for: 'live-distinct-id' }, 'Distinct ID'), distinctInput),
      pauseButton),
    state, message, list);
  await poll();
  return () => {
    generation += 1;
    clearTimeout(timer);
    clearTimeout(filterTimer);
  };
}

function eventItem(entry) {
  const properties = entry.output?.properties ?? {};
  const plugins = [['succeeded', properties.$plugins_succeeded], ['failed', properties.$plugins_failed], ['deferred', properties.$plugins_deferred]]
    .flatMap(([outcome, names]) => (Array.isArray(names) ? names.map((name) => [outcome, name]) : []));
  let changes;
  if (entry.input) {
    const changed = diffLines(entry.input, entry.output).filter((line) => line.kind !== 'same').length;
    changes = h('details', { className: 'live-diff' },
      h('summary', {}, entry.output ? `What the chain changed (${changed} line${changed === 1 ? '' : 's'})` : 'The event the chain dropped'),
      diffBlock(entry.input, entry.output, 'Input and output: lines removed and added'));
  } else {
    changes = h('details', { className: 'live-diff' }, h('summary', {}, 'The stored event'),
      h('p', { className: 'hint' }, 'Its input was not kept (the page was not open when it was captured, or it was over 64 KiB).'),
      entry.output ? h('pre', { className: 'code-block' }, JSON.stringify(entry.output, null, 2)) : null);
  }
  return h('li', { className: 'live-event card', dataset: { uuid: entry.uuid, event: entry.event } },
    h('div', { className: 'live-title' },
      h('strong', { className: 'event-name' }, entry.event),
      h('span', { className: 'distinct-id' }, entry.distinct_id),
      h('time', { datetime: entry.timestamp ?? '' }, formatTime(entry.timestamp))),
    entry.dropped_by ? h('p', { className: 'status status-failed dropped' }, `Dropped by ${entry.dropped_by}`) : null,
    plugins.length ? h('ul', { className: 'chips plugin-outcomes', 'aria-label': 'Plugins' },
      plugins.map(([outcome, name]) => h('li', { className: `outcome-${outcome}` }, `${outcome === 'succeeded' ? '✓' : outcome === 'failed' ? '✗' : '…'} ${name}`,
        h('span', { className: 'visually-hidden' }, ` ${outcome}`))))
      : null,
    changes);
}
