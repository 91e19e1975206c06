// One channel: header (title, members, call), the message list (history paging on scroll,
// live messages, pending sends with retry), the typing line and the composer (attachments by
// picking or dropping, uploaded with a progress bar before sending).
import { h, icon, clear, formatBytes, formatTime, toast, fill } from '../dom.js';
import { avatar } from './sidebar.js';
import { formDialog } from './dialogs.js';
import { uploadAttachment, attachmentURL } from '../uploads.js';

const GROUP_MS = 5 * 60_000;

export function channelView(app, channelID) {
  const { chat, rest, call } = app;
  const channel = chat.channels.get(channelID);
  if (!channel) return h('div.empty', h('h2', 'Channel not found'), h('p', 'It may be private, or it was removed.'));

  const title = chat.channelTitle(channel);
  const list = h('ol.messages#messages', { 'aria-label': `Messages in ${title}`, tabindex: '0' });
  const scroller = h('div.message-scroll#message-scroll', list);
  const typing = h('div.typing#typing', { 'aria-live': 'polite' });
  const banner = h('div.banner#reconnecting-banner', { role: 'status', hidden: true });
  const headerActions = h('div.header-actions');
  const header = h('header.channel-header',
    h('button.icon-button.menu-button', { type: 'button', 'aria-label': 'Open navigation', on: { click: () => app.openDrawer() } }, icon('menu')),
    h('div.channel-title',
      channel.kind === 'direct' ? null : icon(channel.kind === 'private' ? 'lock' : 'hash'),
      h('h1#channel-title', title),
      h('span.channel-kind', channel.kind === 'direct' ? 'Direct message' : channel.kind === 'private' ? 'Private channel' : 'Public channel')),
    headerActions);

  // Composer.
  const attachments = [];
  const chips = h('ul.chips#attachment-chips', { 'aria-label': 'Attachments to send' });
  const fileInput = h('input.visually-hidden#attach-input', { type: 'file', multiple: true, tabindex: '-1' });
  const textarea = h('textarea#composer-input', {
    rows: '1', placeholder: `Message ${channel.kind === 'direct' ? title : `#${title}`}`, 'aria-label': `Message ${title}`,
    maxlength: '8000',
  });
  const sendButton = h('button.icon-button.send#send-button', { type: 'submit', 'aria-label': 'Send message', title: 'Send (Enter)' }, icon('send'));
  const attachButton = h('button.icon-button#attach-button', {
    type: 'button', 'aria-label': 'Attach files', title: 'Attach files', on: { click: () => fileInput.click() },
  }, icon('clip'));
  const composer = h('form.composer#composer', { 'aria-label': 'Write a message' },
    chips, h('div.composer-row', attachButton, fileInput, textarea, sendButton));

  const renderChips = () => {
    fill(chips, attachments.map((a) => h('li.chip', { class: a.error ? 'chip-error' : '' },
      h('span.chip-name', a.file.name), h('span.chip-size', formatBytes(a.file.size)),
      a.done ? null : h('progress.chip-progress', { max: '1', value: String(a.progress), 'aria-label': `Uploading ${a.file.name}` }),
      a.error ? h('span.chip-status', a.error) : a.done ? h('span.chip-status', 'ready') : null,
      h('button.icon-button.small', {
        type: 'button', 'aria-label': `Remove ${a.file.name}`,
        on: { click: () => { attachments.splice(attachments.indexOf(a), 1); renderChips(); } },
      }, icon('close')))));
    sendButton.disabled = attachments.some((a) => !a.done && !a.error);
  };
  const addFiles = (files) => {
    for (const file of files) {
      const item = { file, progress: 0, done: false, error: null, info: null };
      attachments.push(item);
      uploadAttachment(rest, file, (p) => { item.progress = p; renderChips(); })
        .then((info) => { item.info = info; item.done = true; renderChips(); })
        .catch((error) => { item.error = error.message; renderChips(); });
    }
    renderChips();
  };
  fileInput.addEventListener('change', () => { addFiles([...fileInput.files]); fileInput.value = ''; });

  const send = () => {
    const body = textarea.value.trim();
    const ready = attachments.filter((a) => a.done).map((a) => a.info);
    if (!body && ready.length === 0) return;
    if (attachments.some((a) => !a.done && !a.error)) return;
    chat.send(channel.id, body, ready);
    attachments.length = 0;
    renderChips();
    textarea.value = '';
    resize();
    stickToBottom = true;
  };
  const resize = () => {
    textarea.style.height = 'auto';
    textarea.style.height = `${Math.min(200, textarea.scrollHeight)}px`;
  };
  composer.addEventListener('submit', (event) => { event.preventDefault(); send(); });
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  textarea.addEventListener('input', () => {
    resize();
    if (textarea.value.trim()) chat.typing(channel.id);
  });

  // Drop files anywhere on the channel.
  const view = h('section.channel#channel-view', { 'aria-labelledby': 'channel-title' },
    header, banner, scroller, typing, composer, h('div.drop-hint', { 'aria-hidden': 'true' }, 'Drop files to attach'));
  let dragDepth = 0;
  view.addEventListener('dragenter', (event) => {
    if (![...event.dataTransfer.types].includes('Files')) return;
    dragDepth += 1;
    view.classList.add('dragging');
  });
  view.addEventListener('dragleave', () => { dragDepth = Math.max(0, dragDepth - 1); if (!dragDepth) view.classList.remove('dragging'); });
  view.addEventListener('dragover', (event) => event.preventDefault());
  view.addEventListener('drop', (event) => {
    event.preventDefault();
    dragDepth = 0;
    view.classList.remove('dragging');
    addFiles([...event.dataTransfer.files]);
  });

  // Messages.
  let stickToBottom = true;
  const attachmentView = (attachment) => {
    if (attachment.content_type?.startsWith('image/')) {
      const img = h('img.attachment-image', { alt: attachment.filename, loading: 'lazy', decoding: 'async' });
      const link = h('a.attachment-image-link', { href: '#', 'aria-label': `Open ${attachment.filename}`, target: '_blank', rel: 'noopener' }, img);
      attachmentURL(rest, attachment.id).then((url) => { img.src = url; link.href = url; })
        .catch(() => img.replaceWith(h('span.attachment-missing', `${attachment.filename} (unavailable)`)));
      img.addEventListener('load', () => { if (stickToBottom) scrollToBottom(); });
      return h('figure.attachment.image', link, h('figcaption', attachment.filename, ' · ', formatBytes(attachment.size)));
    }
    const link = h('a.attachment-file', {
      href: '#', download: attachment.filename, rel: 'noopener',
      on: {
        click: async (event) => {
          event.preventDefault();
          try {
            const url = await attachmentURL(rest, attachment.id);
            window.open(url, '_blank', 'noopener');
          } catch (error) { toast(`Download failed: ${error.message}`, 'error'); }
        },
      },
    }, icon('clip'), h('span', attachment.filename), h('small', formatBytes(attachment.size)));
    return h('div.attachment.file', link);
  };

  const messageView = (message, grouped, pending) => {
    const name = chat.userName(message.author);
    const body = message.body ? h('div.message-body', message.body) : null;
    const files = (message.attachments || []).map((a) => attachmentView(a.info || a));
    const meta = pending ? h('span.pending-state', { class: `state-${pending.state}` },
      pending.state === 'failed' ? `Not sent: ${pending.error}` : pending.state === 'sent' ? 'Sent' : 'Sending…') : null;
    const actions = pending?.state === 'failed' ? h('span.pending-actions',
      h('button.link-button', { type: 'button', on: { click: () => chat.retry(channel.id, pending.client_id) } }, 'Retry'),
      h('button.link-button', { type: 'button', on: { click: () => chat.discard(channel.id, pending.client_id) } }, 'Discard')) : null;
    return h('li.message', {
      class: `${grouped ? 'grouped' : ''} ${pending ? 'pending' : ''}`,
      dataset: { seq: message.seq ? String(message.seq) : '', clientId: message.client_id || '', author: message.author || '' },
    },
    grouped ? h('span.message-gutter', h('time', { datetime: message.ts }, formatTime(message.ts)))
      : avatar(name, Boolean(chat.presence.get(message.author))),
    h('div.message-main',
      grouped ? null : h('div.message-head', h('span.author', name), h('time', { datetime: message.ts }, formatTime(message.ts))),
      body, files, meta, actions));
  };

  const renderMessages = () => {
    const previousHeight = scroller.scrollHeight;
    const previousTop = scroller.scrollTop;
    const messages = channel.messages();
    const items = [];
    if (channel.loaded && !channel.hasOlder) {
      items.push(h('li.channel-start', h('h2', channel.kind === 'direct' ? `This is the start of your conversation with ${title}` : `Welcome to #${title}`),
        h('p', channel.kind === 'private' ? 'This channel is private: only its members can see it.' : channel.kind === 'direct' ? 'Only the two of you can see it.' : 'Everyone can join and read it.')));
    } else if (channel.hasOlder) {
      items.push(h('li.loading-older', channel.loadingOlder ? 'Loading earlier messages…' : 'Scroll up for earlier messages'));
    }
    if (!channel.loaded) items.push(h('li.loading-older', 'Loading…'));
    let previous = null;
    let lastDay = null;
    for (const message of messages) {
      const day = new Date(message.ts).toDateString();
      if (day !== lastDay) {
        items.push(h('li.day-divider', h('span', new Date(message.ts).toLocaleDateString([], { weekday: 'long', month: 'long', day: 'numeric' }))));
        lastDay = day;
        previous = null;
      }
      const grouped = previous && previous.author === message.author && new Date(message.ts) - new Date(previous.ts) < GROUP_MS;
      items.push(messageView(message, grouped, null));
      previous = message;
    }
    for (const pending of channel.pending.values()) {
      items.push(messageView({ ...pending, author: chat.me.id }, false, pending));
    }
    fill(list, items);
    if (stickToBottom) scrollToBottom();
    else if (scroller.scrollTop < 50 && previousTop < 50) scroller.scrollTop = scroller.scrollHeight - previousHeight + previousTop;
  };
  const scrollToBottom = () => { scroller.scrollTop = scroller.scrollHeight; };
  // Images that load, banners that come and go: whatever changes the sizes keeps a reader who
  // was at the newest message there.
  const resizes = new ResizeObserver(() => { if (stickToBottom) scrollToBottom(); });
  resizes.observe(list);
  resizes.observe(scroller);
  scroller.addEventListener('scroll', async () => {
    // Only while the list has content: re-rendering empties it for a moment, and the scroll
    // event that clamping fires must not unstick the reader.
    if (list.childElementCount > 0) stickToBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
    if (stickToBottom) chat.markRead(channel);
    if (scroller.scrollTop < 80 && channel.hasOlder && !channel.loadingOlder) {
      const before = scroller.scrollHeight - scroller.scrollTop;
      if (await chat.loadOlder(channel.id)) scroller.scrollTop = scroller.scrollHeight - before;
    }
  });

  const renderTyping = () => {
    const names = chat.typingUsers(channel.id);
    typing.textContent = names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…`
      : names.length === 2 ? `${names[0]} and ${names[1]} are typing…` : 'Several people are typing…';
  };

  const renderHeader = () => {
    const members = channel.members || [];
    const online = members.filter((m) => chat.presence.get(m.id)).length;
    const inThisCall = call.active && call.channel === channel.id;
    fill(headerActions, 
      channel.kind === 'direct' ? h('span.peer-status', { id: 'peer-status' },
        chat.presence.get(chat.directPeer(channel)) ? 'Online' : 'Offline') : null,
      h('button.button.ghost#members-button', {
        type: 'button', 'aria-label': `Members: ${members.length}, ${online} online`, on: { click: () => membersDialog(app, channel) },
      }, icon('users'), h('span', String(members.length || '–'))),
      h('button.button#call-button', {
        type: 'button', class: inThisCall ? 'danger' : 'primary',
        'aria-label': inThisCall ? 'Leave the call' : 'Join the call',
        on: { click: () => (inThisCall ? call.leave() : app.joinCall(channel.id)) },
      }, icon(inThisCall ? 'leave' : 'phone'), h('span.button-text', inThisCall ? 'Leave call' : 'Call')));
  };

  const renderBanner = () => {
    const state = app.socket.state;
    banner.hidden = state === 'online';
    banner.className = `banner banner-${state}`;
    banner.textContent = state === 'reconnecting' ? 'Reconnecting… messages you send are kept and go out once the connection is back.'
      : state === 'connecting' ? 'Connecting…' : 'Offline';
  };

  const unsubscribers = [
    chat.on('messages', (id) => { if (id === channel.id) renderMessages(); }),
    chat.on('users', renderMessages),
    chat.on('presence', () => { renderHeader(); }),
    chat.on('channels', renderHeader),
    chat.on('typing', (id) => { if (id === channel.id) renderTyping(); }),
    call.on('changed', renderHeader),
    app.socket.on('state', renderBanner),
  ];
  view.destroy = () => {
    unsubscribers.forEach((off) => off());
    resizes.disconnect();
  };
  renderHeader();
  renderBanner();
  renderMessages();
  renderTyping();
  chat.open(channel.id).then(renderMessages).catch((error) => toast(error.message, 'error'));
  queueMicrotask(() => { if (window.matchMedia('(min-width: 760px)').matches) textarea.focus(); });
  return view;
}

async function membersDialog(app, channel) {
  const { chat } = app;
  const members = await chat.loadMembers(channel.id).catch(() => channel.members || []);
  const listItems = () => (channel.members || members).map((m) => h('li.member',
    avatar(m.username, Boolean(chat.presence.get(m.id))), h('span', m.username),
    h('small', chat.presence.get(m.id) ? 'online' : 'offline')));
  const list = h('ul.member-list#member-list', listItems());
  const error = h('p.form-error', { role: 'alert' });
  const input = h('input#add-member-username', { placeholder: 'username', autocomplete: 'off', autocapitalize: 'none', required: true });
  const canAdd = channel.kind !== 'direct';
  const dialog = h('dialog.dialog#members-dialog', { 'aria-labelledby': 'members-title' },
    h('div.dialog-form',
      h('h2#members-title', `Members of ${chat.channelTitle(channel)}`),
      list,
      canAdd ? h('form.inline-form#add-member-form', {
        on: {
          submit: async (event) => {
            event.preventDefault();
            error.textContent = '';
            try {
              const user = await chat.addMember(channel.id, input.value);
              input.value = '';
              toast(`${user.username} was added`);
              fill(list, listItems());
            } catch (failure) { error.textContent = failure.message; }
          },
        },
      }, h('label.visually-hidden', { for: 'add-member-username' }, 'Username to add'), input,
      h('button.button.primary#add-member-submit', { type: 'submit' }, 'Add')) : null,
      error,
      h('div.dialog-actions', h('button.button#members-close', { type: 'button', on: { click: () => { dialog.close(); dialog.remove(); } } }, 'Close'))));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  (canAdd ? input : dialog.querySelector('#members-close')).focus();
}
