// The video library: the user's videos (GET /videos), live upload and transcode state from
// `watch` events, and uploads in progress. Emits 'changed'.
import { Emitter } from './emitter.js';
import { TusUpload } from './tus.js';

export class Videos extends Emitter {
  constructor(session, rest, socket) {
    super();
    this.session = session;
    this.rest = rest;
    this.socket = socket;
    this.items = new Map();
    this.uploads = new Map();
    this.watched = new Set();
    this.loaded = false;
    socket.on('video', (event) => this.#onEvent(event));
    socket.on('open', () => {
      const ids = [...this.watched];
      this.watched.clear();
      for (const id of ids) this.watch(id);
    });
  }

  async load() {
    const answer = await this.rest.get('/videos?owner=me&limit=200');
    answer.videos.forEach((video, index) => {
      this.#absolute(video);
      const known = this.items.get(video.id);
      this.items.set(video.id, { ...known, ...video, created: known?.created ?? -index });
    });
    this.loaded = true;
    for (const video of answer.videos) if (!['ready', 'failed'].includes(video.status)) this.watch(video.id);
    this.emit('changed');
  }

  list() {
    return [...this.items.values()].sort((a, b) => (b.created || 0) - (a.created || 0));
  }

  watch(id) {
    if (this.watched.has(id)) return;
    this.watched.add(id);
    // The answer is the video's state as a `video` event (its `id` is the video's), handled
    // like every later one.
    if (this.socket.state === 'online') this.socket.send({ op: 'watch', video: id });
  }

  #onEvent(event) {
    if (event.op !== 'video') return;
    const item = this.items.get(event.id) || { id: event.id, title: '', renditions: [] };
    item.status = event.status;
    item.progress = event.progress;
    item.error = event.error;
    this.items.set(event.id, item);
    if (event.status === 'ready') this.refresh(event.id);
    this.emit('changed');
  }

  async refresh(id) {
    const video = this.#absolute(await this.rest.get(`/videos/${id}`));
    this.items.set(id, { ...this.items.get(id), ...video });
    this.emit('changed');
    return video;
  }

  upload(file, title) {
    const upload = new TusUpload(this.session, this.rest, file, title);
    const key = upload.fingerprint;
    this.uploads.set(key, upload);
    upload.on('created', (id) => {
      this.items.set(id, { id, title, status: 'uploading', progress: 0, renditions: [], created: Date.now() });
      this.watch(id);
      this.emit('changed');
    });
    upload.on('progress', () => this.emit('changed'));
    upload.on('state', () => this.emit('changed'));
    upload.on('done', (id) => {
      this.uploads.delete(key);
      this.watch(id);
      this.emit('changed');
    });
    upload.on('error', () => this.emit('changed'));
    upload.start().then(() => {
      if (upload.videoID && !this.items.has(upload.videoID)) this.refresh(upload.videoID).catch(() => {});
    });
    return upload;
  }

  /** A `playback_url` on the edge that answered is a path: made absolute on that edge (the
   *  page may have moved to it, edges.js). */
  #absolute(video) {
    if (video.playback_url) video.playback_url = this.rest.absolute(video.playback_url);
    return video;
  }

  uploadFor(id) {
    return [...this.uploads.values()].find((u) => u.videoID === id) || null;
  }

  static posterURL(video) {
    return video.playback_url ? video.playback_url.replace('/master.m3u8', '/poster.jpg') : null;
  }
}
