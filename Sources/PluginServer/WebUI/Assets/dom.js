// Small DOM helpers: element building, messages, focus.

/** `h('button', {type: 'button', onclick}, 'Save')`: attributes, `on…` listeners, children. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'className') element.className = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name === 'value' || (name in element && typeof value !== 'string')) element[name] = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

/** A page heading that takes the focus, so keyboard and screen reader users start at the page. */
export function pageHeading(text) {
  return h('h1', { tabindex: '-1', className: 'page-heading' }, text);
}

/** An error box with the message of a failed action. */
export function errorBox(error) {
  return h('p', { className: 'error-box', role: 'alert' }, error?.message ?? String(error));
}

let toastTimer;
/** A short status message at the bottom, read out by screen readers. */
export function announce(message) {
  const toast = document.getElementById('status-message');
  toast.textContent = message;
  toast.classList.add('visible');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => toast.classList.remove('visible'), 3000);
}

export function formatTime(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

/** `<label>Text <input></label>`-style field with a hint and an error slot. */
export function field(labelText, control, { hint, id } = {}) {
  const hintElement = hint ? h('small', { className: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintElement) control.setAttribute('aria-describedby', hintElement.id);
  return h('div', { className: 'field' }, h('label', { for: id }, labelText), control, hintElement);
}
