// Video uploads over tus 1.0 (docs/api.md "Uploads"): POST /videos creates the video and its
// tus resource; PATCHes send the bytes in chunks. The resource is remembered per file (name,
// size, modification time) in localStorage, so after a reload or a dropped network the same
// file continues from the offset HEAD reports. Emits 'progress' (0…1), 'state', 'done', 'error'.
import { Emitter } from './emitter.js';
import { sendWithProgress } from './uploads.js';

const KEY = 'streamly.uploads';
const CHUNK = 8 * 1024 * 1024;

export function storedUploads() {
  try { return JSON.parse(localStorage.getItem(KEY) || '{}'); } catch { return {}; }
}

function remember(fingerprint, value) {
  const all = storedUploads();
  if (value) all[fingerprint] = value; else delete all[fingerprint];
  localStorage.setItem(KEY, JSON.stringify(all));
}

export function fingerprint(file) {
  return `${file.name}|${file.size}|${file.lastModified}`;
}

export class TusUpload extends Emitter {
  constructor(session, rest, file, title) {
    super();
    this.session = session;
    this.rest = rest;
    this.file = file;
    this.title = title;
    this.fingerprint = fingerprint(file);
    this.offset = 0;
    this.sending = 0;
    this.state = 'starting';
    this.videoID = null;
    this.resumedFrom = null;
  }

  /** Bytes sent (including those of the PATCH in flight) over the file's size. */
  get progress() { return this.file.size ? Math.max(this.offset, this.sending) / this.file.size : 0; }

  #setState(state) {
    this.state = state;
    this.emit('state', state);
  }

  #headers(extra) {
    return { 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${this.session.token}`, ...extra };
  }

  async start() {
    try {
      await this.#locate();
      let failures = 0;
      while (this.offset < this.file.size) {
        try {
          await this.#patch();
          failures = 0;
        } catch (error) {
          if (error.fatal) throw error;
          failures += 1;
          this.#setState('retrying');
          await new Promise((resolve) => setTimeout(resolve, Math.min(15_000, 1000 * 2 ** Math.min(failures, 4))));
          if (navigator.onLine === false) await new Promise((resolve) => window.addEventListener('online', resolve, { once: true }));
          // The upload's edge may be gone: the same upload through the page's current edge.
          if (failures >= 2) this.uploadURL = this.rest.edges.rebase(this.uploadURL);
          await this.#head();
          this.resumedFrom = this.offset;
        }
      }
      remember(this.fingerprint, null);
      this.#setState('uploaded');
      this.emit('progress', 1);
      this.emit('done', this.videoID);
    } catch (error) {
      this.error = error.message;
      this.#setState('failed');
      this.emit('error', error);
    }
  }

  async #locate() {
    const stored = storedUploads()[this.fingerprint];
    if (stored) {
      this.videoID = stored.video_id;
      this.uploadURL = stored.upload_url;
      this.title = stored.title;
      if (await this.#head()) {
        this.resumedFrom = this.offset;
        this.#setState('resuming');
        return;
      }
    }
    const created = await this.rest.post('/videos', { title: this.title, size: this.file.size });
    this.videoID = created.id;
    this.uploadURL = this.rest.absolute(created.upload_url);
    this.offset = 0;
    remember(this.fingerprint, {
      video_id: created.id, upload_url: this.uploadURL, title: this.title,
      name: this.file.name, size: this.file.size, started: Date.now(),
    });
    this.emit('created', this.videoID);
  }

  /** The stored offset; false when the upload is gone (404). */
  async #head() {
    let response;
    try {
      response = await fetch(this.uploadURL, { method: 'HEAD', headers: this.#headers({}) });
    } catch {
      return true; // still offline: the PATCH loop retries
    }
    if (response.status === 401) {
      await this.session.refresh();
      return this.#head();
    }
    if (response.status === 404) {
      remember(this.fingerprint, null);
      return false;
    }
    const offset = Number(response.headers.get('Upload-Offset'));
    if (Number.isFinite(offset)) {
      this.offset = offset;
      this.sending = 0;
      this.emit('progress', this.progress);
    }
    return true;
  }

  async #patch() {
    this.#setState('uploading');
    const end = Math.min(this.file.size, this.offset + CHUNK);
    const start = this.offset;
    const xhr = await sendWithProgress('PATCH', this.uploadURL, this.file.slice(start, end), this.#headers({
      'Upload-Offset': String(start), 'Content-Type': 'application/offset+octet-stream',
    }), (loaded) => {
      this.sending = start + loaded;
      this.emit('progress', this.progress);
    });
    this.sending = 0;
    if (xhr.status === 204) {
      this.offset = Number(xhr.getResponseHeader('Upload-Offset')) || end;
      this.emit('progress', this.progress);
      return;
    }
    if (xhr.status === 401) {
      await this.session.refresh();
      throw new Error('token refreshed');
    }
    if (xhr.status === 409 || xhr.status === 423 || xhr.status >= 500 || xhr.status === 0) {
      throw new Error(`HTTP ${xhr.status}`); // HEAD, then continue from the stored offset
    }
    let message = `HTTP ${xhr.status}`;
    try { message = JSON.parse(xhr.responseText).error.message; } catch { /* keep the status */ }
    throw Object.assign(new Error(message), { fatal: true });
  }
}
