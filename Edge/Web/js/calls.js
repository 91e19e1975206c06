// Calls (docs/api.md "Calls"): rtc.join, a `pub` peer connection the client offers to send
// its microphone, camera and screen, a `sub` peer connection the edge offers with the others'
// tracks. Mute and camera-off use rtc.mute (no renegotiation); device changes replace the
// sender's track. After a dropped WebSocket the call is joined again with the same local
// tracks, as after an `rtc.left` with `rejoin` (the edge drains: the socket moves to another
// edge and the call is joined there). Emits 'changed' whenever the call's state changes.
import { Emitter } from './emitter.js';

export class Call extends Emitter {
  constructor(socket, chat) {
    super();
    this.socket = socket;
    this.chat = chat;
    this.channel = null;
    this.state = 'idle';          // idle | joining | connected | reconnecting
    this.participant = null;
    this.participants = new Map(); // id → {id, user, tracks: Map trackId → {kind, source, muted}, streams: Map source → MediaStream}
    this.speaker = null;
    this.local = { audio: null, video: null, screen: null };
    this.muted = { audio: false, video: false };
    this.devices = { audio: '', video: '' };
    this.pub = null;
    this.sub = null;
    this.published = new Map();  // mid → {id, kind, source}
    this.subMids = new Map();    // mid → {participant, track}
    this.error = null;
    socket.on('rtc.participant', (e) => this.#onParticipant(e));
    socket.on('rtc.track', (e) => this.#onTrack(e));
    socket.on('rtc.offer', (e) => {
      // The edge may offer `sub` before the join's answer has been handled: keep it for then.
      if (!this.sub && this.state === 'joining') this.pendingOffer = e;
      else this.#onSubOffer(e).catch((error) => this.#fail(error));
    });
    socket.on('rtc.speakers', (e) => {
      this.speaker = e.speakers?.[0]?.participant || null;
      this.emit('changed');
    });
    socket.on('rtc.left', (e) => {
      if (!e.rejoin) {
        this.#reset('The call ended.');
      } else if (this.channel && this.state !== 'idle') {
        // The call goes on elsewhere: joined again once the socket is back (on another edge).
        this.state = 'reconnecting';
        this.#closePeers();
        this.emit('changed');
      }
    });
    socket.on('closed', () => {
      if (this.channel && this.state !== 'idle') {
        this.state = 'reconnecting';
        this.#closePeers();
        this.emit('changed');
      }
    });
    socket.on('open', () => {
      if (this.channel && this.state === 'reconnecting') this.#join().catch((error) => this.#fail(error));
    });
  }

  get active() { return this.state !== 'idle'; }

  async start(channelID) {
    if (this.active) await this.leave();
    this.channel = channelID;
    this.state = 'joining';
    this.error = null;
    this.emit('changed');
    try {
      await this.#openDevices();
      await this.#join();
    } catch (error) {
      this.#fail(error);
      throw error;
    }
  }

  async #openDevices() {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: this.devices.audio ? { deviceId: { exact: this.devices.audio } } : true,
      video: this.devices.video
        ? { deviceId: { exact: this.devices.video }, width: { ideal: 640 }, height: { ideal: 360 } }
        : { width: { ideal: 640 }, height: { ideal: 360 } },
    });
    this.local.audio = stream.getAudioTracks()[0] || null;
    this.local.video = stream.getVideoTracks()[0] || null;
    if (this.local.audio) this.local.audio.enabled = !this.muted.audio;
    if (this.local.video) this.local.video.enabled = !this.muted.video;
  }

  localStream() {
    const tracks = [this.local.video].filter(Boolean);
    return tracks.length ? new MediaStream(tracks) : null;
  }

  async #join() {
    this.state = 'joining';
    this.pendingOffer = null;
    this.participants.clear();
    this.emit('changed');
    const joined = await this.socket.request({ op: 'rtc.join', channel: this.channel });
    this.participant = joined.participant;
    for (const p of joined.participants) this.#addParticipant(p.id, p.user, p.tracks);
    this.pub = new RTCPeerConnection();
    this.sub = new RTCPeerConnection();
    this.sub.ontrack = (event) => this.#onRemoteTrack(event);
    if (this.pendingOffer) {
      const offer = this.pendingOffer;
      this.pendingOffer = null;
      this.#onSubOffer(offer).catch((error) => this.#fail(error));
    }
    for (const pc of [this.pub, this.sub]) {
      pc.onconnectionstatechange = () => {
        if (pc.connectionState === 'failed' && this.state === 'connected' && this.socket.state === 'online') {
          // Media lost while signaling lives: join again.
          this.state = 'reconnecting';
          this.socket.request({ op: 'rtc.leave' }).catch(() => {}).finally(() => this.#rejoin());
        }
        this.emit('changed');
      };
    }
    const sources = {};
    for (const [kind, track] of [['audio', this.local.audio], ['video', this.local.video], ['video', this.local.screen]]) {
      if (!track) continue;
      const transceiver = this.pub.addTransceiver(track, { direction: 'sendonly' });
      transceiver.sourceName = track === this.local.screen ? 'screen' : kind === 'audio' ? 'microphone' : 'camera';
    }
    await this.#offer(sources);
    this.state = 'connected';
    // Mute states survive a rejoin.
    this.#sendMute('audio');
    this.#sendMute('video');
    this.emit('changed');
  }

  async #rejoin() {
    this.#closePeers();
    try {
      await this.#join();
    } catch (error) {
      this.#fail(error);
    }
  }

  async #offer() {
    const offer = await this.pub.createOffer();
    await this.pub.setLocalDescription(offer);
    const sources = {};
    for (const transceiver of this.pub.getTransceivers()) {
      if (transceiver.mid !== null && transceiver.sourceName && transceiver.currentDirection !== 'stopped') {
        sources[transceiver.mid] = transceiver.sourceName;
      }
    }
    const answer = await this.socket.request({ op: 'rtc.offer', pc: 'pub', sdp: this.pub.localDescription.sdp, sources });
    await this.pub.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    this.published.clear();
    for (const track of answer.tracks || []) this.published.set(track.mid, track);
  }

  #trackID(source) {
    for (const track of this.published.values()) if (track.source === source) return track.id;
    return null;
  }

  #sendMute(kind) {
    const id = this.#trackID(kind === 'audio' ? 'microphone' : 'camera');
    if (id) this.socket.send({ op: 'rtc.mute', track: id, muted: this.muted[kind] });
  }

  toggle(kind) {
    this.muted[kind] = !this.muted[kind];
    if (this.local[kind]) this.local[kind].enabled = !this.muted[kind];
    this.#sendMute(kind);
    this.emit('changed');
  }

  async devicesList() {
    const devices = await navigator.mediaDevices.enumerateDevices();
    return {
      audio: devices.filter((d) => d.kind === 'audioinput'),
      video: devices.filter((d) => d.kind === 'videoinput'),
    };
  }

  async useDevice(kind, deviceId) {
    this.devices[kind] = deviceId;
    if (!this.active) return;
    const constraints = kind === 'audio'
      ? { audio: { deviceId: { exact: deviceId } } }
      : { video: { deviceId: { exact: deviceId }, width: { ideal: 640 }, height: { ideal: 360 } } };
    const stream = await navigator.mediaDevices.getUserMedia(constraints);
    const track = kind === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
    track.enabled = !this.muted[kind];
    const sender = this.pub?.getSenders().find((s) => s.track === this.local[kind]);
    this.local[kind]?.stop();
    this.local[kind] = track;
    if (sender) await sender.replaceTrack(track);
    this.emit('changed');
  }

  async toggleScreen() {
    if (this.local.screen) {
      const sender = this.pub?.getSenders().find((s) => s.track === this.local.screen);
      this.local.screen.stop();
      this.local.screen = null;
      if (sender) {
        const transceiver = this.pub.getTransceivers().find((t) => t.sender === sender);
        this.pub.removeTrack(sender);
        if (transceiver) transceiver.sourceName = null;
        await this.#offer();
      }
      this.emit('changed');
      return;
    }
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = stream.getVideoTracks()[0];
    this.local.screen = track;
    track.addEventListener('ended', () => { if (this.local.screen === track) this.toggleScreen(); });
    if (this.pub) {
      const transceiver = this.pub.addTransceiver(track, { direction: 'sendonly' });
      transceiver.sourceName = 'screen';
      await this.#offer();
    }
    this.emit('changed');
  }

  async leave() {
    const wasActive = this.active;
    this.state = 'idle';
    if (wasActive) await this.socket.request({ op: 'rtc.leave' }).catch(() => {});
    this.#reset(null);
  }

  #reset(message) {
    this.#closePeers();
    for (const track of Object.values(this.local)) track?.stop();
    this.local = { audio: null, video: null, screen: null };
    this.channel = null;
    this.state = 'idle';
    this.participants.clear();
    this.speaker = null;
    this.error = message;
    this.emit('changed');
  }

  #closePeers() {
    this.pub?.close();
    this.sub?.close();
    this.pub = null;
    this.sub = null;
    this.subMids.clear();
    for (const p of this.participants.values()) p.streams.clear();
  }

  #fail(error) {
    console.warn('call failed', error);
    const text = error?.name === 'NotAllowedError' ? 'Camera and microphone access was refused.' : (error?.message || String(error));
    this.#reset(`Call failed: ${text}`);
  }

  #addParticipant(id, user, tracks = []) {
    const existing = this.participants.get(id);
    const participant = existing || { id, user, tracks: new Map(), streams: new Map() };
    for (const t of tracks) participant.tracks.set(t.id, { kind: t.kind, source: t.source, muted: Boolean(t.muted) });
    this.participants.set(id, participant);
    return participant;
  }

  #onParticipant(event) {
    if (!this.active) return;
    if (event.state === 'joined') this.#addParticipant(event.participant, event.user);
    else this.participants.delete(event.participant);
    this.#attachReceivers();
    this.emit('changed');
  }

  #onTrack(event) {
    if (!this.active) return;
    const participant = this.participants.get(event.participant) || this.#addParticipant(event.participant, '');
    if (event.state === 'unpublished') {
      participant.tracks.delete(event.track);
      participant.streams.delete(event.source);
    } else {
      const track = participant.tracks.get(event.track) || { kind: event.kind, source: event.source, muted: false };
      if (event.state === 'muted') track.muted = true;
      if (event.state === 'unmuted') track.muted = false;
      participant.tracks.set(event.track, track);
    }
    this.#attachReceivers();
    this.emit('changed');
  }

  async #onSubOffer(event) {
    if (event.pc !== 'sub' || !this.sub) return;
    // m-section → publishing participant and track (a=msid:<participant> <track>).
    let mid = null;
    for (const line of event.sdp.split(/\r?\n/)) {
      if (line.startsWith('m=')) mid = null;
      else if (line.startsWith('a=mid:')) mid = line.slice(6).trim();
      else if (line.startsWith('a=msid:') && mid !== null) {
        const [participant, track] = line.slice(7).trim().split(' ');
        this.subMids.set(mid, { participant, track });
      }
    }
    await this.sub.setRemoteDescription({ type: 'offer', sdp: event.sdp });
    const answer = await this.sub.createAnswer();
    await this.sub.setLocalDescription(answer);
    this.socket.send({ op: 'rtc.answer', pc: 'sub', sdp: this.sub.localDescription.sdp });
    this.#attachReceivers();
  }

  #onRemoteTrack() {
    this.#attachReceivers();
  }

  /** Streams per participant and source from the sub connection's live receivers. */
  #attachReceivers() {
    if (!this.sub) return;
    for (const p of this.participants.values()) p.streams.clear();
    for (const transceiver of this.sub.getTransceivers()) {
      const owner = this.subMids.get(transceiver.mid);
      if (!owner || transceiver.currentDirection === 'inactive' || transceiver.direction === 'inactive') continue;
      const participant = this.participants.get(owner.participant);
      if (!participant) continue;
      const info = participant.tracks.get(owner.track);
      const source = info?.source || (transceiver.receiver.track.kind === 'audio' ? 'microphone' : 'camera');
      const key = source === 'microphone' ? 'audio' : source;
      participant.streams.set(key, new MediaStream([transceiver.receiver.track]));
    }
    this.emit('changed');
  }

  /** Inbound video decoding figures (for people curious and for tests). */
  async stats() {
    if (!this.sub) return [];
    const report = await this.sub.getStats();
    const inbound = [];
    report.forEach((s) => {
      if (s.type === 'inbound-rtp') inbound.push({ kind: s.kind, framesDecoded: s.framesDecoded || 0, bytes: s.bytesReceived, mid: s.mid });
    });
    return inbound;
  }
}
