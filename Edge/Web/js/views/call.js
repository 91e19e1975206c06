// The call stage: a grid of participants (names, muted state, active speaker), my own
// preview, and the controls (microphone, camera, screen, devices, leave).
import { h, icon, clear, toast, fill } from '../dom.js';
import { avatar } from './sidebar.js';

export function callView(app) {
  const { call, chat } = app;
  const grid = h('div.call-grid#call-grid', { role: 'list', 'aria-label': 'Participants' });
  const audioSink = h('div.visually-hidden', { 'aria-hidden': 'true' });
  const controls = h('div.call-controls', { role: 'toolbar', 'aria-label': 'Call controls' });
  const status = h('div.call-status#call-status', { role: 'status' });
  const view = h('section.call-stage#call-stage', { 'aria-label': 'Call' }, status, grid, controls, audioSink);
  const videos = new Map();

  const mediaElement = (key, stream, kind) => {
    let el = videos.get(key);
    if (!el) {
      el = kind === 'audio' ? h('audio', { autoplay: true }) : h('video', { autoplay: true, playsinline: true, muted: true });
      if (kind !== 'audio') el.muted = true;
      videos.set(key, el);
    }
    // Renders build new MediaStreams around the same tracks: re-attach only when the tracks
    // changed, or every speaker change would restart the playback.
    const current = el.srcObject?.getTracks() || [];
    const tracks = stream.getTracks();
    if (current.length !== tracks.length || tracks.some((t) => !current.includes(t))) el.srcObject = stream;
    return el;
  };

  const tile = ({ key, name, stream, muted, cameraOff, speaking, self, screen }) => {
    const media = stream && !cameraOff ? mediaElement(key, stream, 'video') : avatar(name);
    return h('div.tile', {
      role: 'listitem', class: `${speaking ? 'speaking' : ''} ${self ? 'self' : ''} ${screen ? 'screen' : ''}`,
      'aria-label': `${name}${self ? ' (you)' : ''}${muted ? ', muted' : ''}${speaking ? ', speaking' : ''}`,
      dataset: { participant: key },
    }, media, h('div.tile-name', muted ? icon('micoff', 'muted') : null, h('span', name + (self ? ' (you)' : '') + (screen ? ' — screen' : ''))));
  };

  const render = () => {
    if (!call.active) {
      view.hidden = true;
      clear(grid);
      clear(audioSink);
      videos.clear();
      return;
    }
    view.hidden = false;
    const channel = chat.channels.get(call.channel);
    status.textContent = call.state === 'connected' ? `In call · ${channel ? chat.channelTitle(channel) : ''} · ${call.participants.size + 1} people`
      : call.state === 'reconnecting' ? 'Reconnecting to the call…' : 'Joining…';
    const tiles = [tile({
      key: 'self', name: app.session.user.username, stream: call.localStream(), muted: call.muted.audio,
      cameraOff: call.muted.video, speaking: call.speaker === call.participant, self: true,
    })];
    if (call.local.screen) tiles.push(tile({ key: 'self-screen', name: app.session.user.username, stream: new MediaStream([call.local.screen]), self: true, screen: true }));
    const audios = [];
    for (const p of call.participants.values()) {
      const tracks = [...p.tracks.values()];
      const mic = tracks.find((t) => t.source === 'microphone');
      const cam = tracks.find((t) => t.source === 'camera');
      tiles.push(tile({
        key: p.id, name: p.user ? chat.userName(p.user) : '…', stream: p.streams.get('camera'),
        muted: !mic || mic.muted, cameraOff: !cam || cam.muted, speaking: call.speaker === p.id,
      }));
      if (p.streams.get('screen')) tiles.push(tile({ key: `${p.id}-screen`, name: chat.userName(p.user), stream: p.streams.get('screen'), screen: true }));
      if (p.streams.get('audio')) audios.push(mediaElement(`${p.id}-audio`, p.streams.get('audio'), 'audio'));
    }
    grid.dataset.count = String(tiles.length);
    fill(grid, tiles);
    fill(audioSink, audios);
    updateControls();
  };

  // The controls are built once and updated in place: a re-render on every speaker change
  // must not take keyboard focus (or a pointer's target) away from them.
  const roundButton = (id, extra, onClick) => {
    const button = h(`button.round-button#${id}`, { type: 'button', class: extra, on: { click: onClick } });
    button.iconName = null;
    return button;
  };
  const setButton = (button, { iconName, label, title, pressed, off, on }) => {
    button.setAttribute('aria-label', label);
    button.title = title;
    if (pressed !== undefined) button.setAttribute('aria-pressed', String(pressed));
    button.classList.toggle('off', Boolean(off));
    button.classList.toggle('on', Boolean(on));
    if (button.iconName !== iconName) {
      fill(button, icon(iconName));
      button.iconName = iconName;
    }
  };
  const micButton = roundButton('toggle-mic', '', () => call.toggle('audio'));
  const cameraButton = roundButton('toggle-camera', '', () => call.toggle('video'));
  const screenButton = navigator.mediaDevices?.getDisplayMedia ? roundButton('toggle-screen', '',
    () => call.toggleScreen().catch((error) => toast(`Screen sharing failed: ${error.message}`, 'error'))) : null;
  const settingsButton = roundButton('call-settings', '', () => devicesDialog(call));
  const leaveButton = roundButton('leave-call', 'leave', () => call.leave());
  setButton(settingsButton, { iconName: 'settings', label: 'Choose camera and microphone', title: 'Devices' });
  setButton(leaveButton, { iconName: 'leave', label: 'Leave the call', title: 'Leave' });
  fill(controls, micButton, cameraButton, screenButton, settingsButton, leaveButton);
  const updateControls = () => {
    setButton(micButton, {
      iconName: call.muted.audio ? 'micoff' : 'mic', pressed: call.muted.audio, off: call.muted.audio,
      label: call.muted.audio ? 'Unmute microphone' : 'Mute microphone', title: call.muted.audio ? 'Unmute' : 'Mute',
    });
    setButton(cameraButton, {
      iconName: call.muted.video ? 'camoff' : 'cam', pressed: call.muted.video, off: call.muted.video,
      label: call.muted.video ? 'Turn camera on' : 'Turn camera off', title: call.muted.video ? 'Camera on' : 'Camera off',
    });
    if (screenButton) {
      setButton(screenButton, {
        iconName: 'screen', pressed: Boolean(call.local.screen), on: Boolean(call.local.screen), title: 'Share screen',
        label: call.local.screen ? 'Stop sharing your screen' : 'Share your screen',
      });
    }
  };
  call.on('changed', render);
  chat.on('users', render);
  render();
  return view;
}

async function devicesDialog(call) {
  const { audio, video } = await call.devicesList();
  const select = (id, label, devices, current, kind) => h('label.field', { for: id }, h('span', label),
    h('select', {
      id,
      on: { change: (event) => call.useDevice(kind, event.target.value).catch((error) => toast(error.message, 'error')) },
    }, devices.map((d, index) => h('option', { value: d.deviceId, selected: d.deviceId === current }, d.label || `${label} ${index + 1}`))));
  const dialog = h('dialog.dialog#devices-dialog', { 'aria-labelledby': 'devices-title' },
    h('div.dialog-form', h('h2#devices-title', 'Camera and microphone'),
      select('device-audio', 'Microphone', audio, call.devices.audio || call.local.audio?.getSettings().deviceId, 'audio'),
      select('device-video', 'Camera', video, call.devices.video || call.local.video?.getSettings().deviceId, 'video'),
      h('div.dialog-actions', h('button.button.primary', { type: 'button', on: { click: () => dialog.close() } }, 'Done'))));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
