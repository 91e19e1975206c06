// Chat state on top of the REST and WebSocket contracts: channels, ordered messages per
// channel (by seq, gapless, each once), optimistic sends with client_id and retry, history
// paging, unread counts, typing and presence. Views render from it and listen to its events:
// 'channels', 'messages' (channel id), 'typing' (channel id), 'presence', 'users'.
import { Emitter } from './emitter.js';
import { randomID } from './dom.js';

const PAGE = 50;
// The edge admits 50 requests a second per connection (bursts of 100) and 200 subscriptions
// (docs/api.md, limits): subscriptions go out in paced batches and stop short of the cap, so a
// user who can see hundreds of channels is not disconnected for flooding.
// Public channels fill at most PUBLIC_SUBSCRIPTIONS, leaving room up to SUBSCRIPTION_LIMIT for
// the open channel and the private and direct ones, also those that appear later.
const SUBSCRIBE_BATCH = 25;
const SUBSCRIBE_PAUSE_MS = 1000;
const PUBLIC_SUBSCRIPTIONS = 120;
const SUBSCRIPTION_LIMIT = 190;
const RETRYABLE = new Set(['timeout', 'unavailable', 'rate_limited', 'closed']);

class ChannelState {
  constructor(info) {
    this.id = info.id;
    this.update(info);
    this.bySeq = new Map();
    this.first = null;       // lowest seq held
    this.last = 0;           // highest seq held with none missing from `first`
    this.loaded = false;     // history loaded (the channel was opened)
    this.loading = null;
    this.buffered = [];      // events that arrived while the first page loaded
    this.hasOlder = false;
    this.loadingOlder = false;
    this.pending = new Map();
    this.typing = new Map();
    this.members = null;
    this.subscribed = false;
    this.gapFill = null;
  }

  update(info) {
    this.name = info.name;
    this.private = info.private;
    this.kind = info.kind || (info.private ? 'private' : 'public');
    this.seq = Math.max(this.seq || 0, info.last_seq || 0);
  }

  /** Messages in seq order, up to the last one held without a gap. */
  messages() {
    if (this.first === null) return [];
    const list = [];
    for (let seq = this.first; seq <= this.last; seq += 1) {
      const message = this.bySeq.get(seq);
      if (message) list.push(message);
    }
    return list;
  }
}

export class Chat extends Emitter {
  constructor(session, rest, socket) {
    super();
    this.session = session;
    this.rest = rest;
    this.socket = socket;
    this.channels = new Map();
    this.users = new Map();
    this.presence = new Map();
    this.current = null;
    this.userLookups = new Set();
    socket.on('open', () => this.#resume());
    socket.on('message', (event) => this.#onMessage(event));
    socket.on('typing', (event) => this.#onTyping(event));
    socket.on('presence', (event) => {
      this.presence.set(event.user, event.status === 'online');
      this.emit('presence');
    });
  }

  get me() { return this.session.user; }

  reset() {
    this.channels.clear();
    this.current = null;
    this.emit('channels');
  }

  // MARK: Channels

  async load() {
    if (this.me) this.users.set(this.me.id, this.me.username);
    const answer = await this.rest.get('/channels?limit=500');
    const fresh = [];
    for (const info of answer.channels) {
      const existing = this.channels.get(info.id);
      if (existing) {
        existing.update(info);
      } else {
        const channel = new ChannelState(info);
        this.channels.set(info.id, channel);
        fresh.push(channel);
      }
    }
    this.emit('channels');
    if (this.socket.state === 'online') await this.#subscribeMany(fresh);
    // Direct conversations show the other person's presence: load their members.
    await Promise.all([...this.channels.values()].filter((c) => c.kind === 'direct' && !c.members)
      .map((c) => this.loadMembers(c.id).catch(() => {})));
  }

  channelTitle(channel) {
    if (channel.kind !== 'direct') return channel.name;
    const names = channel.name.split(',');
    return names.find((n) => n !== this.me?.username) || names[0];
  }

  /** For a direct channel: the other user's id (once members are known). */
  directPeer(channel) {
    return channel.members?.find((m) => m.id !== this.me?.id)?.id || null;
  }

  readSeq(channel) {
    return Number(localStorage.getItem(`streamly.read.${this.me?.id}.${channel.id}`) || 0);
  }

  markRead(channel) {
    const seq = Math.max(channel.seq, channel.last);
    if (seq > this.readSeq(channel)) {
      localStorage.setItem(`streamly.read.${this.me?.id}.${channel.id}`, String(seq));
      this.emit('channels');
    }
  }

  unread(channel) {
    if (channel.id === this.current && document.visibilityState === 'visible') return 0;
    return Math.max(0, channel.seq - this.readSeq(channel));
  }

  async createChannel(name, isPrivate) {
    const info = await this.rest.post('/channels', { name, private: isPrivate });
    this.#addChannel(info);
    return info.id;
  }

  async openDirect(username) {
    const user = await this.findUser(username);
    const info = await this.rest.post('/channels/direct', { user_id: user.id });
    this.#addChannel({ ...info, kind: 'direct' });
    this.loadMembers(info.id).catch(() => {});
    return info.id;
  }

  async addMember(channelID, username) {
    const user = await this.findUser(username);
    await this.rest.post(`/channels/${channelID}/members`, { user_id: user.id });
    await this.loadMembers(channelID);
    return user;
  }

  async findUser(username) {
    const answer = await this.rest.get(`/users?username=${encodeURIComponent(username.trim().toLowerCase())}`);
    const user = answer.users[0];
    if (!user) throw new Error(`There is no user called ${username}.`);
    this.users.set(user.id, user.username);
    return user;
  }

  async loadMembers(channelID) {
    const channel = this.channels.get(channelID);
    if (!channel) return [];
    const answer = await this.rest.get(`/channels/${channelID}/members`);
    channel.members = answer.members;
    for (const member of answer.members) {
      this.users.set(member.id, member.username);
      if (member.online !== undefined) this.presence.set(member.id, member.online);
    }
    this.emit('users');
    this.emit('presence');
    this.emit('channels');
    return answer.members;
  }

  #addChannel(info) {
    if (!this.channels.has(info.id)) {
      const channel = new ChannelState(info);
      this.channels.set(info.id, channel);
      if (this.socket.state === 'online') this.#subscribe(channel).catch(() => {});
    }
    this.emit('channels');
  }

  userName(id) {
    if (this.users.has(id)) return this.users.get(id);
    this.#lookup(id);
    return '…';
  }

  #lookup(id) {
    if (this.userLookups.has(id)) return;
    this.userLookups.add(id);
    queueMicrotask(async () => {
      const ids = [...this.userLookups].filter((u) => !this.users.has(u)).slice(0, 100);
      this.userLookups.clear();
      if (ids.length === 0) return;
      try {
        const answer = await this.rest.get(`/users?ids=${ids.join(',')}`);
        for (const user of answer.users) this.users.set(user.id, user.username);
        this.emit('users');
      } catch { /* names stay pending; the next render asks again */ }
    });
  }

  // MARK: Subscriptions and live events

  async #resume() {
    await this.#subscribeAll();
    for (const channel of this.channels.values()) {
      for (const pending of channel.pending.values()) {
        if (pending.state !== 'failed') this.#publish(channel, pending);
      }
    }
  }

  async #subscribeAll() {
    this.subscriptions = new Set();  // a new connection: the edge holds none of them
    await this.#subscribeMany([...this.channels.values()]);
  }

  // Subscribes `channels` in paced batches: the open channel first, then direct and private
  // ones (up to SUBSCRIPTION_LIMIT held), then the most active public ones (up to
  // PUBLIC_SUBSCRIPTIONS held).
  async #subscribeMany(channels) {
    this.subscriptions ??= new Set();
    const rank = (c) => (c.id === this.current ? 0 : c.kind === 'public' ? 2 : 1);
    const wanted = [];
    let held = this.subscriptions.size;
    for (const channel of channels.filter((c) => !this.subscriptions.has(c.id))
      .sort((a, b) => rank(a) - rank(b) || b.seq - a.seq)) {
      if (held >= (rank(channel) === 2 ? PUBLIC_SUBSCRIPTIONS : SUBSCRIPTION_LIMIT)) continue;
      wanted.push(channel);
      held += 1;
    }
    for (let start = 0; start < wanted.length; start += SUBSCRIBE_BATCH) {
      if (start > 0) await new Promise((resolve) => setTimeout(resolve, SUBSCRIBE_PAUSE_MS));
      await Promise.all(wanted.slice(start, start + SUBSCRIBE_BATCH).map((c) => this.#subscribe(c).catch(() => {})));
    }
  }

  async #subscribe(channel) {
    // Loaded channels resume after the last message held (the edge replays the missed
    // ones); others only need new ones, for the unread count.
    const since = channel.loaded ? channel.last : channel.seq;
    this.subscriptions ??= new Set();
    this.subscriptions.add(channel.id);
    const answer = await this.socket.request({ op: 'subscribe', channel: channel.id, since });
    channel.subscribed = true;
    channel.seq = Math.max(channel.seq, answer.seq);
    if (!answer.recovered && channel.loaded) {
      // Too much was missed for a replay: start again from the newest page.
      channel.bySeq.clear();
      channel.first = null;
      channel.last = 0;
      channel.loaded = false;
      if (channel.id === this.current) await this.#loadFirstPage(channel);
    }
    this.emit('channels');
  }

  #onMessage(event) {
    const channel = this.channels.get(event.channel);
    if (!channel) return;
    channel.seq = Math.max(channel.seq, event.seq);
    if (event.author === this.me?.id) {
      channel.pending.delete(event.client_id);
      if (event.seq > this.readSeq(channel)) localStorage.setItem(`streamly.read.${this.me.id}.${channel.id}`, String(event.seq));
    }
    if (channel.typing.delete(event.author)) this.emit('typing', channel.id);
    if (channel.loading) {
      channel.buffered.push(event);
    } else if (channel.loaded) {
      this.#insert(channel, [event]);
    }
    if (channel.id === this.current && document.visibilityState === 'visible') this.markRead(channel);
    this.emit('messages', channel.id);
    this.emit('channels');
  }

  /** Adds messages; advances `last` over the ones now contiguous; fills a gap from history. */
  #insert(channel, messages) {
    for (const message of messages) {
      if (channel.first !== null && message.seq < channel.first) continue; // older pages come through loadOlder
      if (!channel.bySeq.has(message.seq)) channel.bySeq.set(message.seq, message);
      if (message.author === this.me?.id) channel.pending.delete(message.client_id);
      if (channel.first === null) {
        channel.first = message.seq;
        channel.last = message.seq;
      }
    }
    while (channel.bySeq.has(channel.last + 1)) channel.last += 1;
    const highest = Math.max(0, ...channel.bySeq.keys());
    if (highest > channel.last) this.#fillGap(channel);
  }

  #fillGap(channel) {
    if (channel.gapFill) return;
    channel.gapFill = (async () => {
      try {
        const answer = await this.rest.get(`/channels/${channel.id}/messages?after=${channel.last}&limit=500`);
        this.#insert(channel, answer.messages);
        this.emit('messages', channel.id);
      } finally {
        channel.gapFill = null;
      }
    })().catch(() => setTimeout(() => this.#fillGap(channel), 2000));
  }

  #onTyping(event) {
    const channel = this.channels.get(event.channel);
    if (!channel || event.user === this.me?.id) return;
    const until = Date.now() + (event.ttl_ms || 5000);
    channel.typing.set(event.user, until);
    this.emit('typing', channel.id);
    setTimeout(() => {
      if (channel.typing.get(event.user) === until) {
        channel.typing.delete(event.user);
        this.emit('typing', channel.id);
      }
    }, (event.ttl_ms || 5000) + 50);
  }

  typingUsers(channelID) {
    const channel = this.channels.get(channelID);
    if (!channel) return [];
    return [...channel.typing.keys()].map((id) => this.userName(id));
  }

  #lastTyping = 0;

  typing(channelID) {
    const now = Date.now();
    if (now - this.#lastTyping < 2000) return;
    this.#lastTyping = now;
    this.socket.send({ op: 'typing', channel: channelID });
  }

  // MARK: Opening channels and history

  async open(channelID) {
    this.current = channelID;
    const channel = this.channels.get(channelID);
    if (!channel) return;
    if (this.socket.state === 'online') await this.#subscribeMany([channel]);
    if (!channel.loaded && !channel.loading) await this.#loadFirstPage(channel);
    this.markRead(channel);
    if (!channel.members) this.loadMembers(channelID).catch(() => {});
  }

  async #loadFirstPage(channel) {
    channel.loading = (async () => {
      const answer = await this.rest.get(`/channels/${channel.id}/messages?limit=${PAGE}`);
      channel.bySeq.clear();
      channel.first = null;
      channel.last = 0;
      const messages = answer.messages;
      if (messages.length === 0) {
        channel.first = 1;
        channel.last = 0;
      }
      channel.hasOlder = messages.length > 0 && messages[0].seq > 1;
      this.#insert(channel, messages);
      channel.loaded = true;
    })();
    try {
      await channel.loading;
    } finally {
      channel.loading = null;
      const buffered = channel.buffered;
      channel.buffered = [];
      if (channel.loaded) this.#insert(channel, buffered);
      this.emit('messages', channel.id);
    }
  }

  /** The page before the oldest message held; false when there is none. */
  async loadOlder(channelID) {
    const channel = this.channels.get(channelID);
    if (!channel?.loaded || !channel.hasOlder || channel.loadingOlder) return false;
    channel.loadingOlder = true;
    try {
      const answer = await this.rest.get(`/channels/${channel.id}/messages?before=${channel.first}&limit=${PAGE}`);
      for (const message of answer.messages) channel.bySeq.set(message.seq, message);
      if (answer.messages.length > 0) channel.first = answer.messages[0].seq;
      channel.hasOlder = answer.messages.length > 0 && channel.first > 1;
      this.emit('messages', channel.id);
      return answer.messages.length > 0;
    } finally {
      channel.loadingOlder = false;
    }
  }

  // MARK: Sending

  send(channelID, body, attachments = []) {
    const channel = this.channels.get(channelID);
    if (!channel) return;
    const pending = {
      client_id: randomID(), body, attachments, state: 'sending', ts: new Date().toISOString(), error: null,
    };
    channel.pending.set(pending.client_id, pending);
    this.emit('messages', channelID);
    this.#publish(channel, pending);
  }

  retry(channelID, clientID) {
    const channel = this.channels.get(channelID);
    const pending = channel?.pending.get(clientID);
    if (!pending) return;
    pending.state = 'sending';
    pending.error = null;
    this.emit('messages', channelID);
    this.#publish(channel, pending);
  }

  discard(channelID, clientID) {
    this.channels.get(channelID)?.pending.delete(clientID);
    this.emit('messages', channelID);
  }

  async #publish(channel, pending) {
    if (this.socket.state !== 'online') return; // sent when the connection is back
    if (pending.inFlight) return;
    pending.inFlight = true;
    try {
      const answer = await this.socket.request({
        op: 'publish', channel: channel.id, client_id: pending.client_id, body: pending.body,
        attachments: pending.attachments.length ? pending.attachments.map((a) => a.id) : undefined,
      });
      pending.inFlight = false;
      if (channel.bySeq.has(answer.seq) || answer.seq <= channel.last) {
        channel.pending.delete(pending.client_id);
      } else if (channel.pending.has(pending.client_id)) {
        pending.state = 'sent';
        pending.seq = answer.seq;
        // The event normally follows; if it was missed, history fills the gap.
        channel.seq = Math.max(channel.seq, answer.seq);
        if (channel.loaded && !channel.loading) setTimeout(() => {
          if (channel.pending.has(pending.client_id)) this.#fillGap(channel);
        }, 3000);
      }
    } catch (error) {
      pending.inFlight = false;
      if (error.code === 'closed') {
        // Resent after the reconnect.
      } else if (RETRYABLE.has(error.code)) {
        setTimeout(() => this.#publish(channel, pending), 2000);
      } else {
        pending.state = 'failed';
        pending.error = error.message;
      }
    }
    this.emit('messages', channel.id);
  }
}
