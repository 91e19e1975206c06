// The WebSocket contract (docs/api.md "WebSocket"): one connection, auth first, requests with
// ids answered in order, events to listeners. Reconnects with backoff after a drop (and at
// once when the browser comes back online); a ping every 10 s finds dead connections that
// the browser has not noticed. When the edge drains (close 1001) or its connections keep failing,
// the socket moves to another edge first (edges.js). Emits 'state' (connecting | online |
// reconnecting | offline), 'open' after each (re)authentication, and every event by its op.
import { Emitter } from './emitter.js';

const PING_EVERY_MS = 10_000;
const PONG_WITHIN_MS = 8_000;
const REQUEST_TIMEOUT_MS = 20_000;
// Failed connection attempts in a row after which another edge is asked.
const MOVE_AFTER_FAILURES = 2;
// A connection not open by then is given up (an edge that vanished may never refuse it).
const OPEN_WITHIN_MS = 10_000;

export class SocketError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

export class Socket extends Emitter {
  #ws = null;
  #nextID = 1;
  #pending = new Map();
  #attempt = 0;
  #retryTimer = null;
  #pingTimer = null;
  #stopped = true;
  #moveNext = false;

  constructor(session, edges) {
    super();
    this.session = session;
    this.edges = edges;
    this.state = 'offline';
    session.on('token', (token) => {
      if (this.state === 'online') this.request({ op: 'auth', token }).catch(() => {});
    });
    window.addEventListener('offline', () => {
      // The network is gone: say so now and reconnect when it is back.
      if (!this.#stopped) this.#drop('browser offline');
    });
    window.addEventListener('online', () => {
      if (!this.#stopped && this.state !== 'online') this.#reconnectSoon(0);
    });
  }

  start() {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#connect();
  }

  stop() {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#teardown('stopped');
    this.#setState('offline');
  }

  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }

  async #connect() {
    clearTimeout(this.#retryTimer);
    if (this.#stopped) return;
    if (navigator.onLine === false) {
      this.#setState('reconnecting');
      return; // the 'online' event reconnects
    }
    if (this.session.state && this.session.state.expires_at < Date.now() + 5_000) {
      // An access token that expired while the page slept: refresh before connecting.
      try {
        await this.session.refresh();
      } catch {
        if (this.session.state) this.#reconnectSoon();
        return;
      }
    }
    if (this.#moveNext || this.#attempt >= MOVE_AFTER_FAILURES) {
      // This edge drains or does not answer: another one, if any answers (else this one again).
      this.#moveNext = false;
      await this.edges.moveAway();
    }
    if (this.#stopped || this.#ws) return;
    this.#setState(this.#attempt === 0 && this.state === 'offline' ? 'connecting' : 'reconnecting');
    let ws;
    try {
      ws = new WebSocket(this.edges.webSocketURL('/ws'));
    } catch {
      this.#reconnectSoon();
      return;
    }
    this.#ws = ws;
    setTimeout(() => {
      if (this.#ws === ws && ws.readyState === WebSocket.CONNECTING) this.#drop('no answer');
    }, OPEN_WITHIN_MS);
    ws.onopen = async () => {
      try {
        await this.request({ op: 'auth', token: this.session.token });
      } catch (error) {
        if (error.code === 'closed') return;
        try {
          await this.session.refresh();
          await this.request({ op: 'auth', token: this.session.token });
        } catch {
          ws.close();
          return;
        }
      }
      this.#attempt = 0;
      this.#setState('online');
      this.#startPings(ws);
      this.emit('open');
    };
    ws.onmessage = (event) => this.#receive(event.data);
    ws.onclose = (event) => {
      if (this.#ws !== ws) return;
      if (event.code === 4001 && this.session.state) {
        // The access token expired or was refused: refresh before the next attempt.
        this.session.refresh().catch(() => {});
      }
      this.#teardown(`closed ${event.code}`);
      if (event.code === 1001) {
        // The edge is going away (draining): move at once.
        this.#moveNext = true;
        this.#reconnectSoon(0);
        return;
      }
      this.#reconnectSoon();
    };
    ws.onerror = () => {};
  }

  #drop(reason) {
    this.#teardown(reason);
    this.#reconnectSoon();
  }

  #teardown(reason) {
    clearInterval(this.#pingTimer);
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try { ws.close(); } catch { /* already closed */ }
    }
    for (const { reject, timer } of this.#pending.values()) {
      clearTimeout(timer);
      reject(new SocketError('closed', reason));
    }
    this.#pending.clear();
  }

  #reconnectSoon(delay) {
    if (this.#stopped) return;
    this.#setState('reconnecting');
    this.emit('closed');
    clearTimeout(this.#retryTimer);
    const backoff = delay ?? Math.min(10_000, 500 * 2 ** this.#attempt) * (0.5 + Math.random() / 2);
    this.#attempt += 1;
    this.#retryTimer = setTimeout(() => this.#connect(), backoff);
  }

  #startPings(ws) {
    clearInterval(this.#pingTimer);
    this.#pingTimer = setInterval(() => {
      if (this.#ws !== ws) return;
      this.request({ op: 'ping' }, PONG_WITHIN_MS).catch((error) => {
        if (this.#ws === ws && error.code === 'timeout') this.#drop('no pong');
      });
    }, PING_EVERY_MS);
  }

  #receive(data) {
    let event;
    try { event = JSON.parse(data); } catch { return; }
    if (event.id !== undefined && this.#pending.has(event.id)) {
      const { resolve, reject, timer } = this.#pending.get(event.id);
      this.#pending.delete(event.id);
      clearTimeout(timer);
      if (event.op === 'error') reject(new SocketError(event.code, event.message));
      else resolve(event);
      return;
    }
    this.emit(event.op, event);
  }

  /** Sends `message` with a fresh id; resolves with the answer (rejects on `error`). */
  request(message, timeout = REQUEST_TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      const ws = this.#ws;
      if (!ws || ws.readyState !== WebSocket.OPEN) {
        reject(new SocketError('closed', 'not connected'));
        return;
      }
      const id = `r${this.#nextID++}`;
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new SocketError('timeout', `${message.op} not answered`));
      }, timeout);
      this.#pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ ...message, id }));
    });
  }

  /** Sends without waiting for an answer (typing, rtc.answer, rtc.mute). */
  send(message) {
    if (this.#ws?.readyState === WebSocket.OPEN && this.state === 'online') {
      this.#ws.send(JSON.stringify(message));
      return true;
    }
    return false;
  }
}
