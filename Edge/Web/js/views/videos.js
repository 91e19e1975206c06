// The video library (uploads with progress, transcode progress, posters) and the player page.
import { h, icon, clear, formatBytes, toast, fill } from '../dom.js';
import { storedUploads } from '../tus.js';
import { Videos } from '../videos.js';
import { createPlayer } from '../player.js';

const STATUS = {
  uploading: 'Uploading', queued: 'Queued for processing', transcoding: 'Processing', ready: 'Ready', failed: 'Failed',
};

function topbar(app, title, ...actions) {
  return h('header.channel-header',
    h('button.icon-button.menu-button', { type: 'button', 'aria-label': 'Open navigation', on: { click: () => app.openDrawer() } }, icon('menu')),
    h('div.channel-title', icon('video'), h('h1#page-title', title)),
    h('div.header-actions', actions));
}

export function videosView(app) {
  const { videos } = app;
  const fileInput = h('input.visually-hidden#video-file', { type: 'file', accept: 'video/*', tabindex: '-1' });
  const uploadButton = h('button.button.primary#upload-video', { type: 'button', on: { click: () => fileInput.click() } },
    icon('upload'), h('span.button-text', 'Upload video'));
  fileInput.addEventListener('change', () => {
    const file = fileInput.files[0];
    fileInput.value = '';
    if (!file) return;
    const title = file.name.replace(/\.[^.]+$/, '').slice(0, 200) || 'Untitled';
    videos.upload(file, title);
  });
  const resumeBox = h('div.resume#resume-uploads');
  const grid = h('ul.video-grid#video-grid', { 'aria-label': 'Your videos' });

  const card = (video) => {
    const upload = videos.uploadFor(video.id);
    const uploading = upload && upload.state !== 'uploaded' && upload.state !== 'failed';
    const progress = uploading ? upload.progress : video.progress || 0;
    let status = STATUS[video.status] || video.status;
    if (upload?.state === 'failed') status = `Upload failed: ${upload.error}`;
    if (uploading) {
      status = upload.state === 'retrying' ? 'Upload paused — retrying' : 'Uploading';
      if (upload.resumedFrom !== null) status += ` (resumed at ${Math.round((upload.resumedFrom / upload.file.size) * 100)}%)`;
    }
    const poster = Videos.posterURL(video);
    const thumb = poster
      ? h('img.poster', { src: poster, alt: '', loading: 'lazy' })
      : h('div.poster.placeholder', icon('video'));
    const showProgress = uploading || ['uploading', 'transcoding', 'queued'].includes(video.status);
    const content = [
      h('div.thumb', thumb, video.duration ? h('span.duration', formatDuration(video.duration)) : null),
      h('div.card-body',
        h('h2.card-title', video.title || 'Untitled'),
        h('p.card-status', { class: `status-${uploading ? 'uploading' : video.status}`, dataset: { status: uploading ? 'uploading' : video.status } },
          status, showProgress ? ` · ${Math.round(progress * 100)}%` : '',
          video.status === 'failed' && video.error ? ` — ${video.error}` : ''),
        showProgress ? h('progress.card-progress', {
          max: '1', value: String(progress), 'aria-label': `${status} ${video.title}`,
          dataset: { kind: uploading || video.status === 'uploading' ? 'upload' : 'transcode' },
        }) : null),
    ];
    return h('li.video-card', { dataset: { video: video.id, status: video.status } },
      video.status === 'ready'
        ? h('a.card-link', { href: `#/videos/${video.id}`, 'aria-label': `Play ${video.title}` }, content)
        : h('div.card-link', content));
  };

  const render = () => {
    const stored = Object.values(storedUploads()).filter((u) => !videos.uploadFor(u.video_id));
    fill(resumeBox, stored.length ? h('div.notice',
      h('strong', 'Unfinished uploads'),
      h('ul', stored.map((u) => h('li', `${u.name} (${formatBytes(u.size)}) — pick the same file again to continue where it stopped.`)))) : null);
    const items = videos.list();
    fill(grid, items.length ? items.map(card)
      : h('li.empty-card', h('p', videos.loaded ? 'No videos yet. Upload one to share it.' : 'Loading…')));
  };
  const view = h('section.videos-page#videos-view', { 'aria-labelledby': 'page-title' },
    topbar(app, 'Videos', fileInput, uploadButton),
    h('div.page-scroll', resumeBox, grid));
  const off = videos.on('changed', render);
  view.destroy = off;
  render();
  videos.load().catch((error) => toast(error.message, 'error'));
  return view;
}

export function playerView(app, id) {
  const { videos } = app;
  const stage = h('div.player-stage#player-stage');
  const quality = h('select#quality-select', { 'aria-label': 'Quality', disabled: true }, h('option', { value: 'auto' }, 'Auto'));
  const info = h('div.player-info');
  let player = null;
  let destroyed = false;
  const view = h('section.player-page#player-view', { 'aria-labelledby': 'page-title' },
    topbar(app, 'Video', h('a.button.ghost', { href: '#/videos' }, 'All videos')),
    h('div.page-scroll', stage,
      h('div.player-bar', info, h('label.quality', { for: 'quality-select' }, h('span', 'Quality'), quality))));
  view.destroy = () => { destroyed = true; player?.destroy(); };
  videos.refresh(id).then(async (video) => {
    if (destroyed) return;
    view.querySelector('#page-title').textContent = video.title;
    fill(info, h('h2', video.title), h('p', `${video.renditions.map((r) => `${r.height}p`).join(' · ')}${video.duration ? ` · ${formatDuration(video.duration)}` : ''}`));
    if (video.status !== 'ready') {
      stage.append(h('p.empty', `This video is ${STATUS[video.status]?.toLowerCase() || video.status}.`));
      return;
    }
    player = await createPlayer(stage, video.playback_url, { poster: Videos.posterURL(video), qualitySelect: quality, title: video.title });
    stage.dataset.engine = player.engine;
    if (destroyed) player.destroy();
  }).catch((error) => stage.append(h('p.form-error', { role: 'alert' }, `The video cannot be played: ${error.message}`)));
  return view;
}

function formatDuration(seconds) {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
