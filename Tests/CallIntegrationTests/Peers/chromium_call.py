"""Chromium in a StreamLy call (issue 12, Tests, second and third bullets), driven by selenium.

Headless Chromium (Debian `chromium` + `chromium-driver`, fake camera and microphone) loads
`chromium_call.html` from a local HTTP server (127.0.0.1 in the namespace: a secure context for
getUserMedia); its members (`chromium_call.js`) talk to the edge's WebSocket and media port like
any web client. Scenarios:

  interop    Chromium publishes 640x480 + audio, an aiortc participant (three_party_call.py's)
             320x240 + audio; each decodes the other's video at its size and its audio.
  simulcast  one Chromium member publishes three-layer VP8 simulcast (1280x720 / 2 / 4), another
             subscribes: asking `low` gives the low layer's width, then `high` the top layer's.
  loss       one Chromium member publishes 640x480, another subscribes through a UDP relay that
             drops 5% of the datagrams each way: video keeps decoding, NACKs are sent and answered.
  codecs     Chromium offers video in VP9/AV1 only: the edge rejects that m-section in its answer
             (inactive, no track), keeps Opus, and Chromium's audio flows.
  tcp        the edge announces only its ICE-TCP passive candidates (`rtc.udp.candidates=false`):
             a Chromium publisher and a Chromium subscriber connect over TCP (RFC 6544) and the
             subscriber decodes the video.

The simulcast scenario also checks transport-wide congestion control: the publisher's bandwidth
estimate (availableOutgoingBitrate) grows past what the top layer needs, which Chromium allows
only when the edge answers its packets with transport-cc feedback (SFU-NOTES §9, obs S6).

Usage: chromium_call.py SCENARIO WS_URL CHANNEL EDGE_HOST RTC_PORT TOKEN1 TOKEN2
Prints progress, then one JSON line {"ok": bool, ...}; exits 0 on success, 1 with a reason.
Every wait is bounded (TIMEOUT seconds each).
"""
import asyncio
import functools
import http.server
import json
import os
import socket
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "WebRTCTestSupport", "Scripts"))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

from udp_relay import LossyRelay  # noqa: E402

TIMEOUT = 60
AIORTC_SIZE = (320, 240)
CHROMIUM_SIZE = (640, 480)


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *arguments):
        pass


class Page:
    """The test page in headless Chromium; every call blocks (run them off the event loop)."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="streamly-chromium-")
        handler = functools.partial(QuietHandler, directory=HERE)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        os.environ["HOME"] = self.profile  # Chromium writes caches under HOME and TMPDIR
        os.environ["TMPDIR"] = self.profile
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ["--headless=new", "--no-sandbox", "--use-fake-device-for-media-stream",
                         "--use-fake-ui-for-media-stream", "--disable-dev-shm-usage", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-default-apps", "--autoplay-policy=no-user-gesture-required",
                         f"--user-data-dir={self.profile}/profile"]:
            options.add_argument(argument)
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.driver.set_script_timeout(30)
        self.driver.get(f"http://127.0.0.1:{self.server.server_address[1]}/chromium_call.html")
        deadline = time.monotonic() + TIMEOUT
        while not self.driver.execute_script("return window.pageReady === true"):
            if time.monotonic() > deadline:
                raise RuntimeError("the test page did not load")
            time.sleep(0.1)

    def add_member(self, name, url, token, options):
        self.driver.execute_script("window.addMember(...arguments)", name, url, token, options)

    def send(self, name, message):
        self.driver.execute_script("window.sendOp(...arguments)", name, message)

    def snapshot(self, *names):
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.snapshot(arguments[0]).then(done, e => done({error: String(e)}));", list(names))

    def close(self):
        try:
            self.driver.quit()
        finally:
            self.server.shutdown()


class Scenario:
    def __init__(self, url, channel, edge_host, rtc_port, tokens):
        self.url, self.channel, self.tokens = url, channel, tokens
        self.edge = (edge_host, rtc_port)
        self.page = None
        self.loop = None
        self.last = {}

    async def call(self, function, *arguments):
        return await self.loop.run_in_executor(None, function, *arguments)

    async def snapshot(self, *names):
        result = await self.call(self.page.snapshot, *names)
        if "error" in result:
            raise RuntimeError(f"getStats failed: {result['error']}")
        for name, member in result.items():
            if member.get("errors"):
                raise RuntimeError(f"chromium member {name}: {member['errors']}")
        self.last = result
        return result

    async def wait(self, what, condition, *names, extra=None):
        """Polls the members' stats until `condition(snapshot)` is true; TIMEOUT at most."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            snap = await self.snapshot(*names)
            if extra is not None:
                extra()
            if condition(snap):
                return snap
            if time.monotonic() > deadline:
                brief = {name: {k: v for k, v in member.items() if k not in ("answer", "offer")}
                         for name, member in snap.items()}
                raise RuntimeError(f"timed out waiting for {what}: {json.dumps(brief)}")
            await asyncio.sleep(0.5)


def inbound(member, kind, publisher=None):
    """The member's inbound-rtp stat of `kind` (from `publisher` if given), or {}."""
    for stat in member.get("inbound", []):
        if stat.get("kind") == kind and (publisher is None or stat.get("publisher") == publisher):
            return stat
    return {}


def outbound_widths(member):
    """rid -> frameWidth of the member's video encodings."""
    return {stat.get("rid", ""): stat.get("frameWidth", 0) for stat in member.get("outbound", [])
            if stat.get("kind") == "video"}


async def interop(s):
    from three_party_call import Participant, SIZES  # the aiortc participant of the three-party test

    SIZES[0] = AIORTC_SIZE
    peer = Participant(0, s.url, s.channel, s.tokens[0])
    try:
        await peer.start()
        await s.call(s.page.add_member, "c", s.url, s.tokens[1], {"channel": s.channel, "publish": "plain"})

        def check_peer():
            for task in peer.tasks:
                if task.done() and not task.cancelled() and task.exception():
                    raise task.exception()

        def both(snap):
            c = snap["c"]
            video, audio = inbound(c, "video", peer.id), inbound(c, "audio", peer.id)
            return (video.get("framesDecoded", 0) >= 30 and video.get("frameWidth", 0) > 0
                    and audio.get("totalSamplesReceived", 0) >= 48_000
                    and peer.video_frames.get(c["id"], 0) >= 30 and peer.audio_frames.get(c["id"], 0) >= 30)

        try:
            snap = await s.wait("media both ways", both, "c", extra=check_peer)
        except RuntimeError as error:
            raise RuntimeError(f"{error}; aiortc saw {json.dumps(peer.summary())}") from None
        c = snap["c"]
        video, audio = inbound(c, "video", peer.id), inbound(c, "audio", peer.id)
        log("chromium receives", json.dumps(video), json.dumps(audio))
        # Decoding goes on: frames and audio samples keep growing, at the published size.
        later = await s.wait("decoding to go on", lambda n: inbound(n["c"], "video", peer.id).get("framesDecoded", 0)
                             >= video["framesDecoded"] + 20
                             and inbound(n["c"], "audio", peer.id).get("totalSamplesReceived", 0)
                             >= audio["totalSamplesReceived"] + 24_000, "c", extra=check_peer)
        later_video, later_audio = inbound(later["c"], "video", peer.id), inbound(later["c"], "audio", peer.id)
        problems = []
        if (later_video.get("frameWidth"), later_video.get("frameHeight")) != AIORTC_SIZE:
            problems.append(f"chromium decoded {later_video.get('frameWidth')}x{later_video.get('frameHeight')}, aiortc sends {AIORTC_SIZE}")
        decoded_audio = later_audio.get("totalSamplesReceived", 0) - later_audio.get("concealedSamples", 0)
        if decoded_audio < later_audio.get("totalSamplesReceived", 0) / 2:
            problems.append(f"chromium's audio is mostly concealment: {later_audio}")
        sizes = peer.video_sizes.get(c["id"], set())
        if sizes != {CHROMIUM_SIZE}:
            problems.append(f"aiortc decoded {sorted(sizes)} from chromium, expected {CHROMIUM_SIZE}")
        if problems:
            raise RuntimeError("; ".join(problems))
        return {"chromium_video": later_video, "chromium_audio": later_audio, "aiortc": peer.summary(),
                "transports": later["c"]["transports"]}
    finally:
        await peer.close()


async def simulcast(s):
    await s.call(s.page.add_member, "pub", s.url, s.tokens[0], {"channel": s.channel, "publish": "simulcast"})
    snap = await s.wait("the simulcast publisher's track ids", lambda n: "video" in n["pub"]["ownTracks"], "pub")
    track = snap["pub"]["ownTracks"]["video"]
    publisher = snap["pub"]["id"]
    await s.call(s.page.add_member, "sub", s.url, s.tokens[1], {"channel": s.channel})
    snap = await s.wait("first frames", lambda n: inbound(n["sub"], "video", publisher).get("framesDecoded", 0) > 0,
                        "pub", "sub")
    log("first frames", json.dumps(inbound(snap["sub"], "video", publisher)), json.dumps(outbound_widths(snap["pub"])))
    steps = {}
    for quality, rid in [("low", "q"), ("high", "f")]:
        await s.call(s.page.send, "sub", {"op": "rtc.quality", "track": track, "quality": quality})
        start = inbound(s.last["sub"], "video", publisher).get("framesDecoded", 0)

        def arrived(n, rid=rid, start=start):
            video = inbound(n["sub"], "video", publisher)
            width = outbound_widths(n["pub"]).get(rid, 0)
            return width > 0 and video.get("frameWidth") == width and video.get("framesDecoded", 0) >= start + 20

        snap = await s.wait(f"the {rid} layer after asking {quality}", arrived, "pub", "sub")
        steps[quality] = {"received": inbound(snap["sub"], "video", publisher), "layers": outbound_widths(snap["pub"])}
        log(quality, json.dumps(steps[quality]))
    if not steps["low"]["received"]["frameWidth"] < steps["high"]["received"]["frameWidth"]:
        raise RuntimeError(f"the high layer is not wider than the low one: {steps}")
    # transport-cc: without the edge's feedback Chromium's estimate stays near 80 kbit/s.
    snap = await s.wait("the publisher's bandwidth estimate past 1 Mbit/s",
                        lambda n: (n["pub"].get("pubPair", {}).get("availableOutgoingBitrate") or 0) > 1_000_000, "pub")
    return {"steps": steps, "publisher": snap["pub"]["outbound"], "publisherPair": snap["pub"].get("pubPair")}


async def tcp(s):
    await s.call(s.page.add_member, "pub", s.url, s.tokens[0], {"channel": s.channel, "publish": "plain"})
    snap = await s.wait("the publisher's answer", lambda n: "video" in n["pub"]["ownTracks"], "pub")
    publisher = snap["pub"]["id"]
    await s.call(s.page.add_member, "sub", s.url, s.tokens[1], {"channel": s.channel})
    snap = await s.wait("frames over ICE-TCP",
                        lambda n: inbound(n["sub"], "video", publisher).get("framesDecoded", 0) >= 30
                        and inbound(n["sub"], "video", publisher).get("frameWidth", 0) > 0, "pub", "sub")
    pairs = {"pub": snap["pub"].get("pubPair", {}), "sub": snap["sub"].get("subPair", {})}
    log("ice-tcp", json.dumps(pairs), json.dumps(inbound(snap["sub"], "video", publisher)))
    wrong = {name: pair for name, pair in pairs.items() if pair.get("protocol") != "tcp"}
    if wrong:
        raise RuntimeError(f"not connected over TCP: {json.dumps(wrong)}")
    return {"pairs": pairs, "received": inbound(snap["sub"], "video", publisher)}


async def loss(s):
    relay = await LossyRelay.start((s.edge_peer_address(), 0), s.edge, loss=0.05)
    try:
        await s.call(s.page.add_member, "pub", s.url, s.tokens[0], {"channel": s.channel, "publish": "plain"})
        snap = await s.wait("the publisher's answer", lambda n: "video" in n["pub"]["ownTracks"], "pub")
        publisher = snap["pub"]["id"]
        await s.call(s.page.add_member, "sub", s.url, s.tokens[1],
                     {"channel": s.channel, "relay": f"{relay.address[0]}:{relay.address[1]}"})
        snap = await s.wait("first frames through the relay",
                            lambda n: inbound(n["sub"], "video", publisher).get("framesDecoded", 0) >= 10, "sub")
        first = inbound(snap["sub"], "video", publisher)
        started = time.monotonic()
        # Decoding goes on under loss until enough was lost for NACKs to matter.
        snap = await s.wait("decoding under loss", lambda n: inbound(n["sub"], "video", publisher).get("framesDecoded", 0)
                            >= first["framesDecoded"] + 200
                            and inbound(n["sub"], "video", publisher).get("nackCount", 0) >= 5,
                            "sub")
        elapsed = time.monotonic() - started
        video = inbound(snap["sub"], "video", publisher)
        log("under loss", json.dumps(video), json.dumps(relay.stats))
        problems = []
        if video.get("nackCount", 0) == 0:
            problems.append("chromium sent no NACK")
        if relay.stats["down"]["dropped"] == 0:
            problems.append("the relay dropped nothing")
        freezes = video.get("totalFreezesDuration", 0) - first.get("totalFreezesDuration", 0)
        if freezes > elapsed / 4:
            problems.append(f"video froze {freezes:.1f} s of {elapsed:.1f} s")
        if problems:
            raise RuntimeError("; ".join(problems))
        return {"received": video, "relay": relay.stats, "seconds": round(elapsed, 1), "frozen_seconds": freezes}
    finally:
        relay.close()


def media_sections(sdp):
    """[(kind, port, formats)] of an SDP's m-lines."""
    result = []
    for line in sdp.splitlines():
        if line.startswith("m="):
            kind, port, _, *formats = line[2:].split(" ")
            result.append((kind, int(port), formats))
    return result


async def codecs(s):
    """Chromium offers video in VP9 and AV1 only (setCodecPreferences): the edge's answer rejects
    that m-section (no track; inactive, since it is the BUNDLE tag) and keeps Opus; Chromium
    applies the answer and its audio flows."""
    await s.call(s.page.add_member, "v", s.url, s.tokens[0],
                 {"channel": s.channel, "publish": "plain", "videoCodecs": ["video/VP9", "video/AV1"]})
    snap = await s.wait("the answer applied and audio sent",
                        lambda n: n["v"]["answerApplied"] and n["v"]["pubState"] == "connected"
                        and any(o.get("kind") == "audio" and o.get("packetsSent", 0) >= 50 for o in n["v"]["outbound"]),
                        "v")
    member = snap["v"]
    offered = {kind: formats for kind, _, formats in media_sections(member["offer"])}
    answered = media_sections(member["answer"])
    problems = []
    if not offered.get("video") or any(f in member["offer"] for f in ("VP8/90000", "H264/90000")):
        problems.append(f"chromium did not offer VP9/AV1 video only: {offered}")
    video = [section for section in answered if section[0] == "video"]
    audio = [section for section in answered if section[0] == "audio"]
    # The video m-section is the BUNDLE tag: rejected as a track, it stays bundled and inactive
    # (Chromium cannot apply a port-0 tag under max-bundle) with none of the forwarded codecs.
    video_section = member["answer"].split("m=video")[1].split("m=audio")[0] if "m=video" in member["answer"] else ""
    if (len(video) != 1 or "a=inactive" not in video_section
            or any(codec in video_section for codec in ("VP8/90000", "H264/90000"))):
        problems.append(f"the video m-section is not rejected (inactive, no forwarded codec): {answered}")
    if len(audio) != 1 or audio[0][1] == 0 or "a=rtpmap:111 opus/48000/2" not in member["answer"]:
        problems.append(f"audio is not answered with Opus: {answered}")
    if set(member["ownTracks"]) != {"audio"}:
        problems.append(f"published tracks: {member['ownTracks']}")
    if problems:
        raise RuntimeError("; ".join(problems))
    return {"offered": offered, "answered": answered, "tracks": member["ownTracks"]}


SCENARIOS = {"interop": interop, "simulcast": simulcast, "loss": loss, "codecs": codecs, "tcp": tcp}


async def main(name, url, channel, edge_host, rtc_port, tokens):
    scenario = Scenario(url, channel, edge_host, int(rtc_port), tokens)
    scenario.loop = asyncio.get_running_loop()
    scenario.edge_peer_address = lambda: own_address(edge_host)
    try:
        scenario.page = await scenario.call(Page)
        result = await SCENARIOS[name](scenario)
        print(json.dumps({"ok": True, "scenario": name, **result}))
        return 0
    except Exception as error:  # noqa: BLE001 — the reason is the test's failure message
        print(json.dumps({"ok": False, "scenario": name, "error": f"{type(error).__name__}: {error}"[:6000]}))
        return 1
    finally:
        if scenario.page is not None:
            await scenario.call(scenario.page.close)


def own_address(towards):
    """This namespace's address on the route to `towards` (the relay listens there: not loopback)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect((towards, 9))
        return probe.getsockname()[0]
    finally:
        probe.close()


if __name__ == "__main__":
    if len(sys.argv) != 8 or sys.argv[1] not in SCENARIOS:
        sys.exit(__doc__)
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:8])))
