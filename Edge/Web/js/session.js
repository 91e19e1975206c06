// Accounts (docs/api.md "REST"): sign up, sign in, sign out, and the tokens. The access token
// is refreshed a minute before it expires; the refresh token rotates on every use, so tabs
// share one refresh at a time (Web Locks) and adopt each other's new tokens (storage events).
import { Emitter } from './emitter.js';

const KEY = 'streamly.session';
const REFRESH_MARGIN_MS = 60_000;

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

/** Reads a JWT's `exp` (seconds) without verifying it (the edge does that). */
export function tokenExpiry(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload)).exp * 1000;
  } catch {
    return Date.now() + 5 * 60_000;
  }
}

export async function postJSON(url, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection.');
  }
  return readAnswer(response);
}

export async function readAnswer(response) {
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!response.ok) {
    throw new ApiError(response.status, json?.error?.code, json?.error?.message || `HTTP ${response.status}`);
  }
  return json;
}

export class Session extends Emitter {
  #timer = null;
  #refreshing = null;

  constructor(edges) {
    super();
    this.edges = edges;
    this.state = this.#load();
    window.addEventListener('storage', (event) => {
      if (event.key !== KEY) return;
      const next = this.#load();
      const before = this.state;
      this.state = next;
      if (!next && before) this.emit('signedout');
      else if (next && next.access_token !== before?.access_token) {
        this.#schedule();
        this.emit('token', next.access_token);
      }
    });
    if (this.state) this.#schedule();
  }

  get user() { return this.state?.user || null; }
  get token() { return this.state?.access_token || null; }

  #load() {
    try {
      const value = JSON.parse(localStorage.getItem(KEY) || 'null');
      return value?.access_token && value?.refresh_token && value?.user ? value : null;
    } catch {
      return null;
    }
  }

  #store(answer) {
    this.state = {
      user: answer.user,
      access_token: answer.access_token,
      refresh_token: answer.refresh_token,
      expires_at: tokenExpiry(answer.access_token),
    };
    localStorage.setItem(KEY, JSON.stringify(this.state));
    this.#schedule();
    this.emit('token', this.state.access_token);
  }

  async signUp(username, password) {
    this.#store(await postJSON(this.edges.url('/api/v1/auth/signup'), { username, password }));
    this.emit('signedin', this.user);
  }

  async signIn(username, password) {
    this.#store(await postJSON(this.edges.url('/api/v1/auth/login'), { username, password }));
    this.emit('signedin', this.user);
  }

  signOut() {
    clearTimeout(this.#timer);
    this.state = null;
    localStorage.removeItem(KEY);
    this.emit('signedout');
  }

  #schedule() {
    clearTimeout(this.#timer);
    if (!this.state) return;
    const wait = Math.max(1_000, this.state.expires_at - Date.now() - REFRESH_MARGIN_MS);
    this.#timer = setTimeout(() => this.refresh().catch(() => {}), wait);
  }

  /** A fresh access token (rotating the refresh token); one refresh at a time across tabs. */
  refresh() {
    if (this.#refreshing) return this.#refreshing;
    const run = async () => {
      const seen = this.state?.refresh_token;
      const stored = this.#load();
      // Another tab refreshed already: adopt its tokens instead of spending a used one.
      if (stored && stored.refresh_token !== seen) {
        this.state = stored;
        this.#schedule();
        this.emit('token', stored.access_token);
        return stored.access_token;
      }
      if (!stored) throw new ApiError(401, 'unauthorized', 'signed out');
      try {
        this.#store(await postJSON(this.edges.url('/api/v1/auth/refresh'), { refresh_token: stored.refresh_token }));
        return this.state.access_token;
      } catch (error) {
        if (error.status === 401) {
          this.signOut();
        } else {
          clearTimeout(this.#timer);
          this.#timer = setTimeout(() => this.refresh().catch(() => {}), 10_000);
        }
        throw error;
      }
    };
    const locked = navigator.locks?.request ? navigator.locks.request('streamly-refresh', run) : run();
    this.#refreshing = locked.finally(() => { this.#refreshing = null; });
    return this.#refreshing;
  }
}
