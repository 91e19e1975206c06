// The sidebar: who I am, the connection state, channels (public and private), direct
// messages (with presence), videos; unread badges.
import { h, icon, clear, initials, hue, fill } from '../dom.js';
import { formDialog } from './dialogs.js';

export function avatar(name, online) {
  const el = h('span.avatar', { 'aria-hidden': 'true' }, initials(name));
  el.style.setProperty('--hue', String(hue(name)));
  if (online !== undefined) el.append(h('span.presence', { class: online ? 'online' : 'offline' }));
  return el;
}

export function sidebarView(app) {
  const { chat, session, socket } = app;
  const root = h('nav.sidebar-inner', { 'aria-label': 'Workspace' });

  const render = () => {
    const route = app.route();
    const channels = [...chat.channels.values()].filter((c) => c.kind !== 'direct');
    const directs = [...chat.channels.values()].filter((c) => c.kind === 'direct');
    const item = (channel) => {
      const unread = chat.unread(channel);
      const active = route.name === 'channel' && route.id === channel.id;
      const title = chat.channelTitle(channel);
      let lead;
      if (channel.kind === 'direct') {
        const peer = chat.directPeer(channel);
        lead = avatar(title, peer ? Boolean(chat.presence.get(peer)) : false);
      } else {
        lead = icon(channel.kind === 'private' ? 'lock' : 'hash', channel.kind === 'private' ? 'private channel' : 'channel');
      }
      const label = `${title}${unread ? `, ${unread} unread` : ''}${channel.kind === 'direct' ? (chat.presence.get(chat.directPeer(channel)) ? ', online' : ', offline') : ''}`;
      return h('li', h('a.nav-item', {
        href: `#/c/${channel.id}`, class: `${active ? 'active' : ''} ${unread ? 'unread' : ''}`,
        'aria-current': active ? 'page' : undefined, 'aria-label': label, dataset: { channel: channel.id },
        on: { click: () => app.closeDrawer() },
      }, lead, h('span.nav-label', title), unread ? h('span.badge', { 'aria-hidden': 'true' }, unread > 99 ? '99+' : String(unread)) : null));
    };
    const me = session.user;
    const status = socket.state;
    fill(root, 
      h('div.sidebar-header',
        h('div.brand', h('img.brand-logo', { src: document.querySelector('link[rel=icon]').href, alt: '' }), 'StreamLy'),
        h('div.connection', { class: `connection-${status}`, id: 'connection-state', role: 'status' },
          h('span.dot', { 'aria-hidden': 'true' }),
          status === 'online' ? 'Connected' : status === 'reconnecting' ? 'Reconnecting…' : status === 'connecting' ? 'Connecting…' : 'Offline')),
      h('div.sidebar-scroll',
        h('div.nav-section',
          h('div.nav-heading', h('h2#channels-heading', 'Channels'),
            h('button.icon-button#new-channel', { type: 'button', title: 'Create a channel', 'aria-label': 'Create a channel', on: { click: () => newChannel(app) } }, icon('plus'))),
          h('ul.nav-list', { 'aria-labelledby': 'channels-heading' }, channels.map(item),
            channels.length === 0 ? h('li.nav-empty', 'No channels yet') : null)),
        h('div.nav-section',
          h('div.nav-heading', h('h2#dms-heading', 'Direct messages'),
            h('button.icon-button#new-direct', { type: 'button', title: 'Message someone', 'aria-label': 'Start a direct conversation', on: { click: () => newDirect(app) } }, icon('plus'))),
          h('ul.nav-list', { 'aria-labelledby': 'dms-heading' }, directs.map(item),
            directs.length === 0 ? h('li.nav-empty', 'No conversations yet') : null)),
        h('div.nav-section',
          h('ul.nav-list',
            h('li', h('a.nav-item#nav-videos', {
              href: '#/videos', class: route.name === 'videos' || route.name === 'video' ? 'active' : '',
              'aria-current': route.name === 'videos' ? 'page' : undefined, on: { click: () => app.closeDrawer() },
            }, icon('video'), h('span.nav-label', 'Videos')))))),
      h('div.sidebar-footer',
        avatar(me?.username || '?', socket.state === 'online'),
        h('span.me', { id: 'me' }, me?.username),
        h('button.icon-button#sign-out', { type: 'button', title: 'Sign out', 'aria-label': 'Sign out', on: { click: () => app.signOut() } }, icon('out'))));
  };
  for (const event of ['channels', 'presence', 'users']) chat.on(event, render);
  socket.on('state', render);
  window.addEventListener('hashchange', render);
  render();
  return root;
}

async function newChannel(app) {
  await formDialog({
    id: 'create-channel', title: 'Create a channel', submitLabel: 'Create',
    fields: [
      { name: 'name', label: 'Name', required: true, placeholder: 'e.g. design-review', maxlength: 80 },
      { name: 'private', label: 'Private', type: 'checkbox', hint: 'Only people you add can see it' },
    ],
    action: async (values) => {
      const id = await app.chat.createChannel(values.name, values.private);
      location.hash = `#/c/${id}`;
    },
  });
}

async function newDirect(app) {
  await formDialog({
    id: 'new-direct', title: 'Message someone', submitLabel: 'Open conversation',
    fields: [{ name: 'username', label: 'Username', required: true, placeholder: 'their username' }],
    action: async (values) => {
      const id = await app.chat.openDirect(values.username);
      location.hash = `#/c/${id}`;
    },
  });
}
