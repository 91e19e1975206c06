"""A call in Chromium: two people join a channel's call with fake cameras and microphones;
each decodes the other's video (getStats on the receiving peer connection), sees the other's
tile with their name; the active speaker is highlighted; camera and microphone are switched
in the devices dialog; a shared screen reaches the other side; a brief network drop is
survived; mute and camera off show on the other side; the call is left; screenshots.

The edge announces a non-loopback address (a veth end, see NetworkNamespace): Chromium skips
loopback ICE candidates.

usage: call_scenario.py BASE_URL ARTIFACTS_DIR
"""
import os
import secrets
import subprocess
import sys
import tempfile

from selenium.webdriver.support.select import Select

from browser import (ScenarioFailure, click, console, csp_violations, decoded_video, find, find_all, join_call, log,
                     run, screenshot, set_offline, severe, two_in_a_channel, visible, wait_until)

BASE, ARTIFACTS = sys.argv[1], sys.argv[2]

SENDER_DEVICE = """
const kind = arguments[0];
const call = window.streamly.call;
const sender = call.pub && call.pub.getSenders().find((s) => s.track && s.track.kind === kind
  && s.track !== call.local.screen);
return sender ? [sender.track.label, sender.track.getSettings().deviceId, sender.track.readyState] : null;
"""


RTP_STATS = """
const [which, done] = arguments;
const pc = window.streamly.call[which];
if (!pc) { done(null); return; }
pc.getStats().then((report) => {
  const out = [];
  report.forEach((s) => {
    if ((s.type === 'inbound-rtp' || s.type === 'outbound-rtp') && s.kind === 'video') {
      out.push({type: s.type, mid: s.mid, ssrc: s.ssrc, rid: s.rid, packets: s.packetsReceived ?? s.packetsSent,
        frames: s.framesDecoded ?? s.framesEncoded, width: s.frameWidth, keyFrames: s.keyFramesDecoded ?? s.keyFramesEncoded,
        pli: s.pliCount, limit: s.qualityLimitationReason, active: s.active});
    }
    if (s.type === 'media-source' && s.kind === 'video') out.push({type: s.type, frames: s.frames, fps: s.framesPerSecond});
  });
  done(out);
}).catch((error) => done(String(error)));
"""


def rtp_stats(driver, which):
    """Video RTP figures of the `pub` or `sub` connection (for failure reports)."""
    return driver.execute_async_script(RTP_STATS, which)


SPEAKING = """
return [...document.querySelectorAll('#call-grid .tile')]
  .filter((t) => t.classList.contains('speaking') && t.getAttribute('aria-label').endsWith(', speaking'))
  .map((t) => t.dataset.participant);
"""


def flowing(me, other, source, description, frames=30):
    """Waits until `me` has decoded `frames` more frames of `other`'s `source`."""
    start = decoded_video(me, source=source)
    try:
        wait_until(description, lambda: decoded_video(me, source=source) > start + frames, timeout=30, interval=0.5)
    except ScenarioFailure as failure:
        raise ScenarioFailure(f"{failure}: decoded {start} → {decoded_video(me, source=source)}; {other.streamly_name}'s pub "
                              f"{rtp_stats(other, 'pub')}; {me.streamly_name}'s sub {rtp_stats(me, 'sub')}") from None


def active_speaker(ann, bob):
    """Ann's microphone plays a steady tone, Bob's only the fake device's short beeps: the
    edge's rtc.speakers names Ann, and her tile alone is highlighted on both sides."""
    ann_id = ann.execute_script("return window.streamly.call.participant")
    wait_until("Ann's tile highlighted at Bob's", lambda: bob.execute_script(SPEAKING) == [ann_id], timeout=30)
    wait_until("Ann's own tile highlighted at hers", lambda: ann.execute_script(SPEAKING) == ["self"], timeout=30)
    screenshot(bob, ARTIFACTS, "33-call-speaker")


def switch_devices(ann, bob):
    """The devices dialog lists the fake cameras and microphones (enumerateDevices); picking
    another one replaces the sender's track (replaceTrack, no renegotiation) and Bob goes on
    decoding Ann's camera."""
    flowing(bob, ann, "camera", "Bob decoding Ann's camera before the switch")
    click(ann, "#call-settings")
    wait_until("the devices dialog", lambda: visible(ann, "#devices-dialog"))
    cameras = wait_until("three cameras listed", lambda: (lambda o: o if len(o) >= 3 else None)(
        [(e.get_attribute("value"), e.text) for e in find_all(ann, "#device-video option")]))
    microphones = [(e.get_attribute("value"), e.text) for e in find_all(ann, "#device-audio option")]
    if len(microphones) < 2 or not all(label for _, label in cameras + microphones):
        raise ScenarioFailure(f"the device lists are incomplete: {cameras} {microphones}")
    screenshot(ann, ARTIFACTS, "34-call-devices")
    senders = {}
    for kind, select, options in (("video", "#device-video", cameras), ("audio", "#device-audio", microphones)):
        before = ann.execute_script(SENDER_DEVICE, kind)
        # Another camera that gives frames a sender can encode (not the Y16 fake_device_1).
        choice = next((value, label) for value, label in options
                      if value != before[1] and label != before[0] and label != "fake_device_1")
        Select(find(ann, select)).select_by_value(choice[0])
        after = wait_until(f"Ann's {kind} sender on {choice[1]}", lambda: (lambda s: s if s and s[0] == choice[1]
                           and s[2] == "live" else None)(ann.execute_script(SENDER_DEVICE, kind)), timeout=20)
        senders[kind] = (before[0], after[0])
    log("devices switched", senders)
    click(ann, "#devices-dialog button")
    wait_until("the devices dialog closed", lambda: not find_all(ann, "#devices-dialog"))
    flowing(bob, ann, "camera", "Bob decoding Ann's new camera")


def share_screen(ann, bob, ann_name):
    """Ann shares her screen (getDisplayMedia: the fake screen): Bob gets a new track, decodes
    it and shows it in a tile of its own with the screen's shape; stopping the share removes
    it at Bob's."""
    click(ann, "#toggle-screen")
    wait_until("Ann's own screen tile", lambda: find_all(ann, "#call-grid .tile.screen video"))
    wait_until("Bob decoding Ann's screen", lambda: decoded_video(bob, source="screen") > 10, timeout=60, interval=0.5)
    size = wait_until("Ann's screen in a tile at Bob's", lambda: bob.execute_script("""
        const video = document.querySelector('#call-grid .tile.screen video');
        return video && video.videoWidth > 0 ? [video.videoWidth, video.videoHeight] : null;"""), timeout=30)
    screen = ann.execute_script("const s = window.streamly.call.local.screen.getSettings(); return [s.width, s.height];")
    if abs(size[0] / size[1] - screen[0] / screen[1]) > 0.05 or size[0] > screen[0]:
        raise ScenarioFailure(f"the screen tile at Bob's ({size}) is not Ann's screen ({screen})")
    # The grid re-renders on every speaker change: read it in one script.
    label = bob.execute_script("return document.querySelector('#call-grid .tile.screen')?.textContent")
    if ann_name not in (label or ""):
        raise ScenarioFailure(f"the screen tile does not name Ann: {label}")
    if decoded_video(bob, source="camera") == 0:
        raise ScenarioFailure("Ann's camera stopped reaching Bob while she shares her screen")
    log("screen at Bob's", size, "shared", screen)
    screenshot(bob, ARTIFACTS, "35-call-screen-share")
    click(ann, "#toggle-screen")
    wait_until("the screen tile gone at Bob's", lambda: not find_all(bob, "#call-grid .tile.screen"), timeout=30)
    wait_until("the screen tile gone at Ann's", lambda: not find_all(ann, "#call-grid .tile.screen"))


def scenario(drivers):
    suffix = secrets.token_hex(3)
    # Ann's microphone plays a steady tone: she is the one speaking.
    tone = os.path.join(tempfile.mkdtemp(), "tone.wav")
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-af", "volume=0.5", "-t", "10", "-ac", "1", "-c:a", "pcm_s16le", tone], check=True)
    ann, bob, _ = two_in_a_channel(drivers, BASE, BASE, f"cal{suffix}", f"cbo{suffix}", f"standup-{suffix}", ann_audio=tone)
    join_call(ann)
    join_call(bob)
    state = """
const c = window.streamly.call;
return JSON.stringify({state: c.state, pub: c.pub && c.pub.connectionState, sub: c.sub && c.sub.connectionState,
  subMids: [...c.subMids.entries()], participants: [...c.participants.values()].map(p => [p.id, p.user, [...p.tracks.values()]])});"""
    log("ann", ann.execute_script(state))
    log("bob", bob.execute_script(state))
    for me, other, name in ((ann, bob, "Bob"), (bob, ann, "Ann")):
        wait_until(f"{me.streamly_name} decoding {name}'s video",
                   lambda: decoded_video(me) > 10, timeout=60, interval=0.5)
    log("ann", ann.execute_script(state))
    log("bob", bob.execute_script(state))
    frames = {d.streamly_name: decoded_video(d) for d in (ann, bob)}
    log("frames decoded", frames)
    wait_until("two tiles with video at Ann's", lambda: len(find_all(ann, "#call-grid .tile video")) >= 2)
    wait_until("Bob's name on his tile at Ann's", lambda: f"cbo{suffix}" in find(ann, "#call-grid").text)
    screenshot(ann, ARTIFACTS, "30-call")
    active_speaker(ann, bob)
    switch_devices(ann, bob)
    share_screen(ann, bob, f"cal{suffix}")

    # A brief network drop at Ann's: the call shows it is reconnecting, joins again, and each
    # side decodes the other's video again (on new peer connections).
    set_offline(ann, True)
    wait_until("Ann's call reconnecting", lambda: "Reconnecting" in find(ann, "#call-status").text, timeout=30)
    set_offline(ann, False)
    wait_until("Ann back in the call", lambda: "In call" in find(ann, "#call-status").text, timeout=60)
    for me, name in ((ann, "Bob"), (bob, "Ann")):
        wait_until(f"{me.streamly_name} decoding {name}'s video after the rejoin",
                   lambda: decoded_video(me) > 10, timeout=60, interval=0.5)

    click(ann, "#toggle-mic")
    wait_until("Ann shown muted at Bob's", lambda: any(
        "muted" in (t.get_attribute("aria-label") or "") and f"cal{suffix}" in t.text for t in find_all(bob, "#call-grid .tile")), timeout=20)
    click(ann, "#toggle-camera")
    wait_until("Ann's camera off at Bob's", lambda: any(
        f"cal{suffix}" in t.text and not t.find_elements("css selector", "video") for t in find_all(bob, "#call-grid .tile")), timeout=20)
    screenshot(bob, ARTIFACTS, "31-call-muted")
    ann.set_window_size(390, 844)
    screenshot(ann, ARTIFACTS, "32-phone-call")

    click(bob, "#leave-call")
    wait_until("Bob gone from Ann's call", lambda: len(find_all(ann, "#call-grid .tile")) == 1, timeout=20)
    click(ann, "#leave-call")
    wait_until("Ann out of the call", lambda: not visible(ann, "#call-stage"))
    for driver in (ann, bob):
        console(driver)
        errors = csp_violations(driver.streamly_console) + severe(driver.streamly_console, allow_offline_noise=driver is ann)
        if errors:
            raise ScenarioFailure(f"{driver.streamly_name}: console errors: {errors}")
    return {"frames_decoded": frames}


if __name__ == "__main__":
    run(scenario)
