// REST under /api/v1 on the current edge (edges.js) with the session's bearer token; an
// expired token is refreshed once.
import { ApiError, readAnswer } from './session.js';

export class Rest {
  constructor(session, edges) {
    this.session = session;
    this.edges = edges;
  }

  async request(method, path, body) {
    for (let attempt = 0; ; attempt += 1) {
      const headers = { Authorization: `Bearer ${this.session.token}` };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      let response;
      try {
        response = await fetch(this.edges.url(`/api/v1${path}`), {
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

  /** `url` from an answer (a path on the edge that answered, or absolute) made absolute. */
  absolute(url) { return new URL(url, this.edges.base).href; }

  get(path) { return this.request('GET', path); }
  post(path, body) { return this.request('POST', path, body ?? {}); }
  delete(path) { return this.request('DELETE', path); }
}
