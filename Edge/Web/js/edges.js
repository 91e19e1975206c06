// Which edge the page talks to (docs/webapp.md "Moving to another edge"). REST, the WebSocket,
// session refreshes and tus retries build their URLs here: on the page's own edge at first.
// When that edge drains (its WebSocket closes with 1001) or stops answering, the app asks
// another live edge, from the list `GET /api/v1/edges` gave, where to go (`GET /api/v1/route`)
// and moves there; the session, the channels and a call in progress go along (the call is
// joined again there). Emits 'moved' with the new edge ({id, region, base}).
import { Emitter } from './emitter.js';

const LIST_EVERY_MS = 60_000;
const ASK_WITHIN_MS = 3_000;

async function getJSON(url) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ASK_WITHIN_MS);
  try {
    const response = await fetch(url, { signal: abort.signal, cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return await response.json();
  } finally {
    clearTimeout(timer);
  }
}

export class Edges extends Emitter {
  #timer = null;

  constructor() {
    super();
    this.base = location.origin;
    this.id = null;
    this.region = null;
    /** The other live edges last listed: [{id, region, base}], in the order listed. */
    this.others = [];
  }

  /** An absolute URL on the current edge. */
  url(path) { return this.base + path; }

  /** The WebSocket URL of `path` on the current edge. */
  webSocketURL(path) {
    const url = new URL(path, this.base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.href;
  }

  /** `url` on the current edge when it is one of our API's URLs on another (a tus upload
   *  created through an edge that has gone): the resource is the same through every edge. */
  rebase(url) {
    try {
      const parsed = new URL(url, this.base);
      if (parsed.origin === this.base || !parsed.pathname.startsWith('/api/v1/')) return url;
      return this.base + parsed.pathname + parsed.search;
    } catch {
      return url;
    }
  }

  /** The base (origin) the page can use for `edge`: an https page cannot call http. */
  static baseOf(edge) {
    const url = location.protocol === 'https:' ? edge.https_url : (edge.http_url || edge.https_url);
    try { return url ? new URL(url).origin : null; } catch { return null; }
  }

  start() {
    if (this.#timer) return;
    this.list();
    this.#timer = setInterval(() => this.list(), LIST_EVERY_MS);
  }

  /** Reads the live edges from the current one (kept when it cannot answer). */
  async list() {
    try {
      const answer = await getJSON(this.url('/api/v1/edges'));
      this.id = answer.edge;
      const self = answer.edges.find((edge) => edge.id === answer.edge);
      if (self) this.region = self.region;
      this.others = answer.edges
        .filter((edge) => edge.id !== answer.edge && !edge.draining)
        .map((edge) => ({ id: edge.id, region: edge.region, base: Edges.baseOf(edge) }))
        .filter((edge) => edge.base && edge.base !== this.base);
    } catch {
      // Keep the last list: it is what a move needs when this edge is gone.
    }
  }

  /** Moves to another live edge: asks each of the others in turn where to go. Resolves true
   *  when the page now talks to another edge, false when none answered (it stays). */
  async moveAway() {
    const leaving = this.base;
    for (const candidate of this.others) {
      if (candidate.base === leaving) continue;
      let target = candidate;
      try {
        const answer = await getJSON(candidate.base + '/api/v1/route');
        const base = Edges.baseOf(answer.edge);
        // The route may name the edge being left (the directory has not dropped it yet).
        if (base && base !== leaving) target = { id: answer.edge.id, region: answer.edge.region, base };
      } catch {
        continue; // that one is gone too
      }
      this.base = target.base;
      this.id = target.id;
      this.region = target.region;
      this.others = this.others.filter((edge) => edge.base !== target.base);
      this.emit('moved', target);
      this.list();
      return true;
    }
    return false;
  }
}
