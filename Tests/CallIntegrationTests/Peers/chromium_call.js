// Call participants inside one Chromium page, driven by chromium_call.py through selenium.
// Each member signs in over the edge's WebSocket, joins the channel's call (rtc.join), may
// publish the fake camera and microphone on its `pub` connection (plain or three-layer VP8
// simulcast), and answers the edge's `sub` offers. With `relay` set, the edge's candidates in
// the sub offers are pointed at a UDP relay (the loss test), and its TCP candidates removed so
// nothing bypasses the relay.

/** mid -> {stream, kind} from an SDP (the edge's sub offer: a=msid names the publisher). */
function sections(sdp) {
  const result = {};
  let current = null;
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) { current = {kind: line.slice(2).split(' ')[0]}; }
    else if (current && line.startsWith('a=mid:')) { result[line.slice(6)] = current; }
    else if (current && line.startsWith('a=msid:')) { current.stream = line.slice(7).split(' ')[0]; }
  }
  return result;
}

/** The edge's offer with every UDP candidate pointed at `relay` ("ip:port") and no TCP ones. */
function throughRelay(sdp, relay) {
  const [ip, port] = relay.split(':');
  return sdp.split('\r\n').filter(line => !(line.startsWith('a=candidate:') && / tcp /i.test(line)))
    .map(line => {
      if (!line.startsWith('a=candidate:')) return line;
      const parts = line.split(' ');  // foundation component transport priority address port typ host
      parts[4] = ip; parts[5] = port;
      return parts.join(' ');
    }).join('\r\n');
}

class Member {
  constructor(name, url, token, options) {
    this.name = name;
    this.options = options;
    this.id = null;
    this.errors = [];
    this.events = [];
    this.tracks = [];        // rtc.track events: {participant, track, kind, state}
    this.ownTracks = {};     // kind -> track id (rtc.answer tracks)
    this.owners = {};        // sub mid -> {stream, kind}
    this.offers = 0;
    this.pub = null;
    this.sub = null;
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.onopen = resolve;
      this.ws.onerror = () => reject(new Error('websocket error'));
    });
    this.ws.onmessage = event => this.receive(JSON.parse(event.data)).catch(e => this.errors.push(String(e)));
    this.ws.onclose = () => this.events.push('closed');
    this.start(token).catch(e => this.errors.push(String(e)));
  }

  send(message) { this.ws.send(JSON.stringify(message)); }

  async start(token) {
    await this.opened;
    this.send({op: 'auth', token});
    this.send({op: 'rtc.join', channel: this.options.channel, id: 'join'});
  }

  async publish() {
    const simulcast = this.options.publish === 'simulcast';
    const video = simulcast ? {width: 1280, height: 720} : {width: 640, height: 480};
    const stream = await navigator.mediaDevices.getUserMedia({video, audio: true});
    const [videoTrack] = stream.getVideoTracks(), [audioTrack] = stream.getAudioTracks();
    this.pub = new RTCPeerConnection({bundlePolicy: 'max-bundle'});
    const init = {direction: 'sendonly', streams: [stream]};
    if (simulcast) {
      init.sendEncodings = [{rid: 'q', scaleResolutionDownBy: 4}, {rid: 'h', scaleResolutionDownBy: 2}, {rid: 'f'}];
    }
    const transceiver = this.pub.addTransceiver(videoTrack, init);
    if (this.options.videoCodecs) {
      // Offer only these video codecs (the unsupported-codec test).
      const wanted = c => this.options.videoCodecs.includes(c.mimeType);
      transceiver.setCodecPreferences(RTCRtpReceiver.getCapabilities('video').codecs.filter(wanted));
    }
    // Keep the resolution of every layer: on 2 loaded cores Chromium would otherwise scale
    // layers down for CPU, and the test compares widths.
    const parameters = transceiver.sender.getParameters();
    parameters.degradationPreference = 'maintain-resolution';
    await transceiver.sender.setParameters(parameters).catch(e => this.errors.push('setParameters: ' + e));
    this.pub.addTransceiver(audioTrack, {direction: 'sendonly', streams: [stream]});
    await this.pub.setLocalDescription(await this.pub.createOffer());
    this.send({op: 'rtc.offer', pc: 'pub', sdp: this.pub.localDescription.sdp, id: 'offer'});
  }

  async receive(message) {
    this.events.push(message.op);
    switch (message.op) {
      case 'error':
        this.errors.push(JSON.stringify(message));
        break;
      case 'rtc.joined':
        this.id = message.participant;
        if (this.options.publish) await this.publish();
        break;
      case 'rtc.answer':
        for (const track of message.tracks || []) this.ownTracks[track.kind] = track.id;
        this.answer = message.sdp;
        await this.pub.setRemoteDescription({type: 'answer', sdp: message.sdp});
        this.answerApplied = true;
        break;
      case 'rtc.track':
        this.tracks.push({participant: message.participant, track: message.track, kind: message.kind, state: message.state});
        break;
      case 'rtc.offer': {
        this.offers += 1;
        const sdp = this.options.relay ? throughRelay(message.sdp, this.options.relay) : message.sdp;
        this.owners = sections(sdp);
        if (!this.sub) {
          this.sub = new RTCPeerConnection({bundlePolicy: 'max-bundle'});
          // Play what arrives, as a call page does: Chromium decodes audio only for a sink.
          this.sub.ontrack = event => {
            const element = document.createElement(event.track.kind);
            element.autoplay = true;
            element.srcObject = new MediaStream([event.track]);
            document.body.appendChild(element);
            element.play().catch(e => this.events.push('play: ' + e));
          };
        }
        await this.sub.setRemoteDescription({type: 'offer', sdp});
        await this.sub.setLocalDescription(await this.sub.createAnswer());
        this.send({op: 'rtc.answer', pc: 'sub', sdp: this.sub.localDescription.sdp});
        break;
      }
    }
  }

  /** The selected candidate pair of a connection's stats: the remote candidate's protocol and
   * the sender's bandwidth estimate (transport-cc or REMB driven). */
  static selectedPair(stats) {
    for (const stat of stats.values()) {
      if (stat.type !== 'transport' || !stat.selectedCandidatePairId) continue;
      const pair = stats.get(stat.selectedCandidatePairId) || {};
      const remote = stats.get(pair.remoteCandidateId) || {};
      return {protocol: remote.protocol, remotePort: remote.port, availableOutgoingBitrate: pair.availableOutgoingBitrate};
    }
    return {};
  }

  /** What this member sends and receives now, from getStats. */
  async snapshot() {
    const result = {id: this.id, errors: this.errors, offers: this.offers, inbound: [], outbound: [], transports: [],
                    pubState: this.pub && this.pub.connectionState, subState: this.sub && this.sub.connectionState,
                    ownTracks: this.ownTracks, tracks: this.tracks, answer: this.answer || null,
                    answerApplied: !!this.answerApplied, offer: this.pub && this.pub.localDescription && this.pub.localDescription.sdp};
    const pick = (stat, keys) => Object.fromEntries(keys.filter(k => stat[k] !== undefined).map(k => [k, stat[k]]));
    if (this.sub) {
      const stats = await this.sub.getStats();
      result.subPair = Member.selectedPair(stats);
      for (const stat of stats.values()) {
        if (stat.type === 'inbound-rtp') {
          const entry = pick(stat, ['kind', 'mid', 'ssrc', 'packetsReceived', 'packetsLost', 'nackCount', 'pliCount', 'firCount',
            'framesDecoded', 'framesReceived', 'frameWidth', 'frameHeight', 'freezeCount', 'totalFreezesDuration',
            'keyFramesDecoded', 'retransmittedPacketsReceived', 'totalSamplesReceived', 'concealedSamples', 'audioLevel',
            'decoderImplementation', 'bytesReceived']);
          entry.publisher = (this.owners[stat.mid] || {}).stream || null;
          result.inbound.push(entry);
        } else if (stat.type === 'transport') {
          result.transports.push(pick(stat, ['dtlsState', 'dtlsRole', 'iceRole', 'srtpCipher', 'bytesReceived']));
        }
      }
    }
    if (this.pub) {
      const stats = await this.pub.getStats();
      result.pubPair = Member.selectedPair(stats);
      for (const stat of stats.values()) {
        if (stat.type === 'outbound-rtp') {
          result.outbound.push(pick(stat, ['kind', 'rid', 'mid', 'ssrc', 'packetsSent', 'framesEncoded', 'frameWidth',
            'frameHeight', 'active', 'targetBitrate', 'qualityLimitationReason', 'pliCount', 'nackCount',
            'retransmittedPacketsSent', 'scalabilityMode']));
        } else if (stat.type === 'transport') {
          result.transports.push(pick(stat, ['dtlsState', 'dtlsRole', 'iceRole', 'srtpCipher', 'bytesSent']));
        }
      }
    }
    return result;
  }
}

window.members = {};
window.addMember = (name, url, token, options) => { window.members[name] = new Member(name, url, token, options); };
window.sendOp = (name, message) => window.members[name].send(message);
window.snapshot = async names => {
  const result = {};
  for (const name of names) result[name] = await window.members[name].snapshot();
  return result;
};
window.pageReady = true;
