// The shell: sign-in, the project switcher and the hash router (#/plugins, #/configs/3/logs, …).
import { api, session } from './api.js';
import { h, pageHeading, errorBox } from './dom.js';
import { renderPlugins } from './plugins.js';
import { renderConfigure } from './configure.js';
import { renderEditor } from './editor.js';
import { renderLogs } from './logs.js';
import { renderJobs } from './jobs.js';
import { renderCatalogue } from './catalogue.js';
import { renderUsage } from './usage.js';
import { renderLive } from './live.js';
import { renderWebhooks } from './webhooks.js';
import { renderProject } from './project.js';

const routes = [
  [/^#\/plugins$/, renderPlugins],
  [/^#\/plugins\/(\d+)\/configure$/, renderConfigure],
  [/^#\/plugins\/(\d+)\/source$/, renderEditor],
  [/^#\/new$/, renderEditor],
  [/^#\/configs\/(\d+)\/logs$/, renderLogs],
  [/^#\/configs\/(\d+)\/jobs$/, renderJobs],
  [/^#\/catalogue$/, renderCatalogue],
  [/^#\/usage(?:\/(organization))?(?:\?.*)?$/, renderUsage],
  [/^#\/live$/, renderLive],
  [/^#\/webhooks$/, renderWebhooks],
  [/^#\/project$/, renderProject],
];

const main = document.getElementById('main');
// What the current page stops when it is left: timers of live views.
let leavePage = () => {};

async function route() {
  leavePage();
  leavePage = () => {};
  if (!session.key) {
    renderSignIn();
    return;
  }
  const match = routes.map(([pattern, render]) => [location.hash.match(pattern), render]).find(([found]) => found);
  if (!match) {
    location.replace('#/plugins');
    return;
  }
  const [found, render] = match;
  await showShell();
  main.replaceChildren(h('p', { className: 'loading' }, 'Loading…'));
  try {
    leavePage = (await render(main, ...found.slice(1))) ?? (() => {});
  } catch (error) {
    main.replaceChildren(pageHeading('Something went wrong'), errorBox(error));
  }
  main.querySelector('.page-heading')?.focus();
  for (const link of document.querySelectorAll('.top-bar nav a')) {
    if (location.hash.startsWith(link.getAttribute('href'))) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

let shownProjects = null;
async function showShell() {
  document.getElementById('top-bar').hidden = false;
  if (shownProjects) return;
  const me = await api('GET', '/api/users/@me/');
  shownProjects = me.projects;
  const select = document.getElementById('project-select');
  select.replaceChildren(...me.projects.map((project) => h('option', { value: String(project.id) }, project.name)));
  select.value = session.projectId === '@current' ? String(me.projects[0]?.id) : session.projectId;
  session.switchProject(select.value);
}

function renderSignIn() {
  document.getElementById('top-bar').hidden = true;
  shownProjects = null;
  const keyInput = h('input', {
    id: 'api-key', type: 'password', autocomplete: 'off', required: true, placeholder: 'phx_…', spellcheck: 'false',
  });
  const message = h('div');
  const form = h('form', { className: 'card sign-in', onsubmit: signIn },
    pageHeading('Sign in to Quill'),
    h('p', {}, 'Use a personal API key. It stays in this browser tab\'s session storage and is sent only to this server.'),
    h('label', { for: 'api-key' }, 'Personal API key'), keyInput,
    h('button', { type: 'submit' }, 'Sign in'), message);

  async function signIn(event) {
    event.preventDefault();
    const key = keyInput.value.trim();
    if (!key) return;
    try {
      const me = await api('GET', '/api/users/@me/', undefined, key);
      session.signIn(key, me.projects[0]?.id ?? '@current');
      if (!location.hash.startsWith('#/') || location.hash === '#/sign-in') location.hash = '#/plugins';
      else route();
    } catch (error) {
      message.replaceChildren(errorBox(error.status === 401 ? new Error('That key is not valid here.') : error));
      keyInput.focus();
    }
  }
  main.replaceChildren(form);
  keyInput.focus();
}

document.getElementById('project-select').addEventListener('change', (event) => {
  session.switchProject(event.target.value);
  location.hash = '#/plugins';
  route();
});
document.getElementById('sign-out').addEventListener('click', () => {
  session.signOut();
  route();
});
window.addEventListener('quill:unauthorized', () => {
  session.signOut();
  route();
});
window.addEventListener('hashchange', route);
route();
