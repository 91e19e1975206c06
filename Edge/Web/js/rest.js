// REST under /api/v1 with the session's bearer token; an expired token is refreshed once.
import { ApiError, readAnswer } from './session.js';

export class Rest {
  constructor(session) {
    this.session = session;
  }

  async request(method, path, body) {
    for (let attempt = 0; ; attempt += 1) {
      const headers = { Authorization: `Bearer ${this.session.token}` };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      let response;
      try {
        response = await fetch(`/api/v1${path}`, {
          method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch {
        throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection.');
      }
      if (response.status === 401 && attempt === 0 && this.session.state) {
        await this.session.refresh();
        continue;
      }
      return readAnswer(response);
    }
  }

  get(path) { return this.request('GET', path); }
  post(path, body) { return this.request('POST', path, body ?? {}); }
  delete(path) { return this.request('DELETE', path); }
}
