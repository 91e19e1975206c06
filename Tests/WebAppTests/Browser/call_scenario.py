"""A call in Chromium: two people join a channel's call with fake cameras and microphones;
each decodes the other's video (getStats on the receiving peer connection), sees the other's
tile with their name, mute shows on the other side; the call is left; screenshots.

The edge announces a non-loopback address (a veth end, see NetworkNamespace): Chromium skips
loopback ICE candidates.

usage: call_scenario.py BASE_URL ARTIFACTS_DIR
"""
import secrets
import sys

from browser import (ScenarioFailure, click, console, csp_violations, find, find_all, log, make_browser, run,
                     screenshot, set_offline, severe, sign_up, type_into, visible, wait_until)

BASE, ARTIFACTS = sys.argv[1], sys.argv[2]

DECODED = """
const done = arguments[arguments.length - 1];
const call = window.streamly.call;
if (!call.sub) { done(0); return; }
call.sub.getStats().then((report) => {
  let frames = 0;
  report.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded || 0; });
  done(frames);
}).catch(() => done(0));
"""


def scenario(drivers):
    suffix = secrets.token_hex(3)
    ann = make_browser("ann")
    drivers.append(ann)
    bob = make_browser("bob")
    drivers.append(bob)
    sign_up(ann, BASE, f"cal{suffix}")
    sign_up(bob, BASE, f"cbo{suffix}")
    click(ann, "#new-channel")
    type_into(ann, "#create-channel-name", f"standup-{suffix}")
    click(ann, "#create-channel-submit")
    wait_until("the channel", lambda: find(ann, "#channel-title").text == f"standup-{suffix}")
    channel = ann.execute_script("return location.hash.split('/')[2]")
    wait_until("the public channel in Bob's sidebar", lambda: visible(bob, f"a.nav-item[data-channel='{channel}']"), timeout=30)
    click(bob, f"a.nav-item[data-channel='{channel}']")

    click(ann, "#call-button")
    wait_until("Ann in the call", lambda: "In call" in find(ann, "#call-status").text, timeout=30)
    click(bob, "#call-button")
    wait_until("Bob in the call", lambda: "In call" in find(bob, "#call-status").text, timeout=30)
    state = """
const c = window.streamly.call;
return JSON.stringify({state: c.state, pub: c.pub && c.pub.connectionState, sub: c.sub && c.sub.connectionState,
  subMids: [...c.subMids.entries()], participants: [...c.participants.values()].map(p => [p.id, p.user, [...p.tracks.values()]])});"""
    log("ann", ann.execute_script(state))
    log("bob", bob.execute_script(state))
    for me, other, name in ((ann, bob, "Bob"), (bob, ann, "Ann")):
        wait_until(f"{me.streamly_name} decoding {name}'s video",
                   lambda: me.execute_async_script(DECODED) > 10, timeout=60, interval=0.5)
    log("ann", ann.execute_script(state))
    log("bob", bob.execute_script(state))
    frames = {d.streamly_name: d.execute_async_script(DECODED) for d in (ann, bob)}
    log("frames decoded", frames)
    wait_until("two tiles with video at Ann's", lambda: len(find_all(ann, "#call-grid .tile video")) >= 2)
    wait_until("Bob's name on his tile at Ann's", lambda: f"cbo{suffix}" in find(ann, "#call-grid").text)
    screenshot(ann, ARTIFACTS, "30-call")

    # A brief network drop at Ann's: the call shows it is reconnecting, joins again, and each
    # side decodes the other's video again (on new peer connections).
    set_offline(ann, True)
    wait_until("Ann's call reconnecting", lambda: "Reconnecting" in find(ann, "#call-status").text, timeout=30)
    set_offline(ann, False)
    wait_until("Ann back in the call", lambda: "In call" in find(ann, "#call-status").text, timeout=60)
    for me, name in ((ann, "Bob"), (bob, "Ann")):
        wait_until(f"{me.streamly_name} decoding {name}'s video after the rejoin",
                   lambda: me.execute_async_script(DECODED) > 10, timeout=60, interval=0.5)

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
