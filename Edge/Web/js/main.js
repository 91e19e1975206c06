// Boot: the contract clients (the edge they talk to, session, REST, WebSocket), the state they
// feed (chat, videos, call) and the views, switched by the URL's hash (#/c/<channel>, #/videos,
// #/videos/<id>).
import { h, clear, toast, fill } from './dom.js';
import { Edges } from './edges.js';
import { Session } from './session.js';
import { Rest } from './rest.js';
import { Socket } from './socket.js';
import { Chat } from './chat.js';
import { Videos } from './videos.js';
import { Call } from './calls.js';
import { authView } from './views/auth.js';
import { sidebarView } from './views/sidebar.js';
import { channelView } from './views/channel.js';
import { videosView, playerView } from './views/videos.js';
import { callView } from './views/call.js';

const root = document.getElementById('app');
const edges = new Edges();
const session = new Session(edges);
const rest = new Rest(session, edges);
const socket = new Socket(session, edges);
const chat = new Chat(session, rest, socket);
const videos = new Videos(session, rest, socket);
const call = new Call(socket, chat);

const app = {
  edges, session, rest, socket, chat, videos, call,
  route() {
    const parts = location.hash.replace(/^#\/?/, '').split('/');
    if (parts[0] === 'c' && parts[1]) return { name: 'channel', id: parts[1] };
    if (parts[0] === 'videos' && parts[1]) return { name: 'video', id: parts[1] };
    if (parts[0] === 'videos') return { name: 'videos' };
    return { name: 'home' };
  },
  openDrawer() { document.body.classList.add('drawer-open'); document.querySelector('.sidebar a, .sidebar button')?.focus(); },
  closeDrawer() { document.body.classList.remove('drawer-open'); },
  async joinCall(channelID) {
    try {
      await call.start(channelID);
    } catch (error) {
      toast(call.error || error.message, 'error');
    }
  },
  signOut() {
    call.leave();
    socket.stop();
    session.signOut();
  },
};
window.streamly = app; // for the browser console (and the browser tests)

let content = null;
let current = null;

function renderRoute() {
  if (!session.user || !content) return;
  current?.destroy?.();
  const route = app.route();
  if (route.name === 'channel') current = channelView(app, route.id);
  else if (route.name === 'videos') current = videosView(app);
  else if (route.name === 'video') current = playerView(app, route.id);
  else {
    const first = [...chat.channels.values()][0];
    if (first) {
      location.replace(`#/c/${first.id}`);
      return;
    }
    current = h('section.empty-state',
      h('button.icon-button.menu-button', { type: 'button', 'aria-label': 'Open navigation', on: { click: () => app.openDrawer() } }, '☰'),
      h('h1', `Welcome, ${session.user.username}`),
      h('p', 'Create a channel or message someone to start talking.'));
  }
  fill(content, current);
}

function shell() {
  content = h('div.content#content');
  const callStage = callView(app);
  const main = h('main.main#main', callStage, content);
  call.on('changed', () => main.classList.toggle('in-call', call.active));
  const scrim = h('div.scrim', { on: { click: () => app.closeDrawer() } });
  const view = h('div.shell', h('aside.sidebar#sidebar', sidebarView(app)), scrim, main);
  document.addEventListener('keydown', (event) => { if (event.key === 'Escape') app.closeDrawer(); });
  return view;
}

async function start() {
  clear(root);
  if (!session.user) {
    content = null;
    root.append(authView(session));
    return;
  }
  root.append(shell());
  edges.start();
  socket.start();
  try {
    await chat.load();
  } catch (error) {
    toast(`Could not load your channels: ${error.message}`, 'error');
  }
  renderRoute();
}

session.on('signedin', () => start());
session.on('signedout', () => {
  socket.stop();
  chat.reset();
  current?.destroy?.();
  current = null;
  start();
});
edges.on('moved', (edge) => toast(`Connection moved to another server${edge.region ? ` (${edge.region})` : ''}.`));
window.addEventListener('hashchange', renderRoute);
document.addEventListener('visibilitychange', () => {
  const channel = chat.channels.get(chat.current);
  if (document.visibilityState === 'visible' && channel) chat.markRead(channel);
});
// Channels others add me to appear without a reload.
setInterval(() => {
  if (session.user && document.visibilityState === 'visible') chat.load().catch(() => {});
}, 10_000);
start();
