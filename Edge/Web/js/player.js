// HLS playback: native HLS where the browser has it and is not Chromium-based (Safari: it
// picks renditions itself), otherwise MSE through Video.js and its HLS engine, served by the
// edge from the installed js.videojs package (<meta name="streamly-videojs">), which lets
// the viewer pick a rendition (the quality menu). Returns {video, destroy}.
import { h } from './dom.js';

let videojsLoading = null;

function meta(name) {
  return document.querySelector(`meta[name="${name}"]`)?.content || '';
}

function loadVideojs() {
  if (window.videojs) return Promise.resolve(window.videojs);
  if (videojsLoading) return videojsLoading;
  const src = meta('streamly-videojs');
  if (!src) return Promise.reject(new Error('Video.js is not installed on this edge'));
  // Video.js would add <style> elements, which the Content-Security-Policy forbids.
  window.VIDEOJS_NO_DYNAMIC_STYLE = true;
  videojsLoading = new Promise((resolve, reject) => {
    const css = meta('streamly-videojs-css');
    if (css) document.head.append(h('link', { rel: 'stylesheet', href: css }));
    const script = h('script', { src });
    script.addEventListener('load', () => resolve(window.videojs));
    script.addEventListener('error', () => reject(new Error('Video.js failed to load')));
    document.head.append(script);
  });
  return videojsLoading;
}

export function prefersNativeHLS() {
  const probe = document.createElement('video');
  const native = probe.canPlayType('application/vnd.apple.mpegurl') !== '';
  const chromium = Boolean(navigator.userAgentData);
  return native && (!chromium || !window.MediaSource || !meta('streamly-videojs'));
}

/**
 * Plays `url` (a master playlist) in `container`; `qualitySelect` gets the renditions
 * ("Auto" plus one per height) once known.
 */
export async function createPlayer(container, url, { poster, qualitySelect, title } = {}) {
  const absolute = new URL(url, location.href).href;
  if (prefersNativeHLS()) {
    const video = h('video.player-native', { controls: true, playsinline: true, preload: 'metadata', 'aria-label': title || 'Video' });
    if (poster) video.poster = poster;
    video.src = absolute;
    container.append(video);
    if (qualitySelect) {
      qualitySelect.replaceChildren(h('option', { value: 'auto' }, 'Auto (browser)'));
      qualitySelect.disabled = true;
    }
    return { video, engine: 'native', destroy: () => { video.removeAttribute('src'); video.load(); video.remove(); } };
  }
  const videojs = await loadVideojs();
  // Sized by Video.js's own CSS classes (vjs-fluid vjs-16-9): its dynamic <style> is off.
  const video = h('video.video-js.vjs-big-play-centered.vjs-fluid.vjs-16-9', {
    controls: true, playsinline: true, preload: 'auto', 'aria-label': title || 'Video',
  });
  if (poster) video.poster = poster;
  container.append(video);
  const player = videojs(video, {
    html5: { hls: { overrideNative: true, enableLowInitialPlaylist: true }, nativeAudioTracks: false, nativeVideoTracks: false },
  });
  player.src({ src: absolute, type: 'application/x-mpegURL' });
  const element = player.el().querySelector('video');
  const engine = () => {
    const tech = player.tech({ IWillNotUseThisInPlugins: true });
    return tech?.vhs || tech?.hls || null;
  };
  if (qualitySelect) {
    const fill = () => {
      const representations = engine()?.representations?.() || [];
      if (representations.length === 0) return false;
      const heights = [...new Set(representations.map((r) => r.height).filter(Boolean))].sort((a, b) => b - a);
      qualitySelect.replaceChildren(
        h('option', { value: 'auto' }, 'Auto'),
        ...heights.map((height) => h('option', { value: String(height) }, `${height}p`)));
      qualitySelect.disabled = false;
      return true;
    };
    player.on('loadedmetadata', fill);
    qualitySelect.onchange = () => {
      const choice = qualitySelect.value;
      for (const representation of engine()?.representations?.() || []) {
        representation.enabled(choice === 'auto' || String(representation.height) === choice);
      }
    };
  }
  return {
    video: element,
    engine: 'videojs',
    current: () => {
      const media = engine()?.playlists?.media?.();
      return media?.attributes?.RESOLUTION?.height || element.videoHeight;
    },
    destroy: () => player.dispose(),
  };
}
