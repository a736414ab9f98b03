// The management API, with the personal API key and project kept in session storage.

const keyItem = 'quill.personalApiKey';
const projectItem = 'quill.projectId';

export const session = {
  get key() { return sessionStorage.getItem(keyItem); },
  get projectId() { return sessionStorage.getItem(projectItem) || '@current'; },
  signIn(key, projectId) {
    sessionStorage.setItem(keyItem, key);
    sessionStorage.setItem(projectItem, String(projectId));
  },
  switchProject(projectId) { sessionStorage.setItem(projectItem, String(projectId)); },
  signOut() {
    sessionStorage.removeItem(keyItem);
    sessionStorage.removeItem(projectItem);
  },
};

/** An answer other than 2xx, with the API's `{detail, attr, errors}`. */
export class ApiError extends Error {
  constructor(status, body) {
    super(typeof body === 'object' && body?.detail ? body.detail : `The server answered ${status}.`);
    this.status = status;
    this.attribute = body?.attr ?? null;
    // Field → message, from `errors` when several fields are wrong, else from `attr`.
    this.fieldErrors = new Map((body?.errors ?? []).map((error) => [error.attr, error.detail]));
    if (this.fieldErrors.size === 0 && this.attribute) this.fieldErrors.set(this.attribute, this.message);
  }
}

/** Sends a request; a plain object body goes as JSON, FormData as multipart. */
export async function api(method, path, body, key = session.key) {
  const headers = { Authorization: `Bearer ${key}` };
  let payload = body;
  if (body !== undefined && !(body instanceof FormData)) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload });
  } catch {
    throw new ApiError(0, { detail: 'The server could not be reached.' });
  }
  if (response.status === 204) return null;
  const isJSON = response.headers.get('Content-Type')?.includes('json');
  const data = isJSON ? await response.json() : await response.text();
  if (!response.ok) {
    if (response.status === 401 && key && key === session.key) window.dispatchEvent(new CustomEvent('quill:unauthorized'));
    throw new ApiError(response.status, isJSON ? data : { detail: data });
  }
  return data;
}

export const pluginsPath = (rest = '') => `/api/organizations/@current/plugins/${rest}`;
export const projectPath = (rest = '') => `/api/projects/${session.projectId}/${rest}`;
export const configPath = (configId, rest = '') => projectPath(`plugin_configs/${configId}/${rest}`);
