"""Three aiortc participants in one StreamLy call (issue 12, Tests, first bullet).

Each participant signs in over the edge's WebSocket (`auth`), joins the channel's call
(`rtc.join`), publishes a synthetic video track of its own size plus an audio track on its
`pub` connection, and answers the edge's `sub` offers. It must decode video frames of the
right size and audio from both others. Then the third leaves: the two others must get
`rtc.participant` `left` and a `sub` re-offer without its tracks.

Usage: three_party_call.py WS_URL CHANNEL TOKEN1 TOKEN2 TOKEN3
Prints one JSON line with what each participant saw; exits 0 on success, 1 with a reason.
"""
import asyncio
import json
import os
import sys
import time

import websockets
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack
from av import VideoFrame

SIZES = [(320, 240), (352, 288), (416, 240)]
TIMEOUT = 60
FRAMES_NEEDED = 10


class SizedVideo(VideoStreamTrack):
    """A changing flat picture of a fixed size, so a receiver can tell publishers apart."""

    def __init__(self, width, height):
        super().__init__()
        self.width, self.height = width, height
        self.counter = 0

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        frame = VideoFrame(width=self.width, height=self.height, format="yuv420p")
        for index, plane in enumerate(frame.planes):
            plane.update(bytes([(self.counter + 80 * index) % 256]) * plane.buffer_size)
        self.counter += 4
        frame.pts, frame.time_base = pts, time_base
        return frame


def media_owners(sdp):
    """mid -> (stream id, kind, active) from an edge sub offer."""
    owners, mid, kind, stream, active = {}, None, None, None, True
    for line in sdp.splitlines() + ["m=end"]:
        if line.startswith("m="):
            if mid is not None:
                owners[mid] = (stream, kind, active)
            kind, mid, stream, active = line[2:].split(" ")[0], None, None, True
        elif line.startswith("a=mid:"):
            mid = line[6:]
        elif line.startswith("a=msid:"):
            stream = line[7:].split(" ")[0]
        elif line.strip() == "a=inactive":
            active = False
    return owners


class Participant:
    def __init__(self, index, url, channel, token):
        self.index, self.url, self.channel, self.token = index, url, channel, token
        self.id = None
        self.events = []
        self.pub = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.sub = None
        self.owners = {}
        self.video_sizes = {}  # publisher id -> set of (w, h)
        self.video_frames = {}  # publisher id -> count
        self.audio_frames = {}  # publisher id -> count
        self.left = set()
        self.left_at = {}  # participant id → time.monotonic() when its `left` arrived
        self.own_tracks = {}  # kind -> track id (from rtc.answer's tracks)
        self.track_states = []  # (participant, track, state) from rtc.track
        self.offers = []
        self.tasks = []
        self.answered = asyncio.Event()
        self.track_events = []  # (mid, kind) per "track" event
        self.sub_states = []  # (seconds since start, offers so far, state) per sub connection state change
        self.started = time.monotonic()
        self.frames_by_mid = {}

    async def send(self, message):
        await self.ws.send(json.dumps(message))

    def video_track(self):
        width, height = SIZES[self.index]
        return SizedVideo(width, height)

    async def start(self):
        self.ws = await websockets.connect(self.url, max_size=1 << 20)
        await self.send({"op": "auth", "token": self.token})
        await self.send({"op": "rtc.join", "channel": self.channel, "id": "join"})
        self.tasks.append(asyncio.ensure_future(self.read()))
        while self.id is None:
            await asyncio.sleep(0.05)
        self.pub.addTransceiver(self.video_track(), direction="sendonly")
        self.pub.addTransceiver(AudioStreamTrack(), direction="sendonly")
        await self.pub.setLocalDescription(await self.pub.createOffer())
        await self.send({"op": "rtc.offer", "pc": "pub", "sdp": self.pub.localDescription.sdp, "id": "offer"})

    async def read(self):
        async for text in self.ws:
            event = json.loads(text)
            op = event.get("op")
            self.events.append(op)
            if op == "error":
                raise RuntimeError(f"participant {self.index}: error {event}")
            if op == "rtc.joined":
                self.id = event["participant"]
            elif op == "rtc.answer":
                self.own_tracks = {track["kind"]: track["id"] for track in event.get("tracks", [])}
                await self.pub.setRemoteDescription(RTCSessionDescription(event["sdp"], "answer"))
            elif op == "rtc.track":
                self.track_states.append((event["participant"], event["track"], event["state"]))
            elif op == "rtc.offer":
                await self.on_sub_offer(event["sdp"])
            elif op == "rtc.participant" and event["state"] == "left":
                self.left.add(event["participant"])
                self.left_at.setdefault(event["participant"], time.monotonic())

    async def on_sub_offer(self, sdp):
        self.offers.append(sdp)
        self.owners = media_owners(sdp)
        if self.sub is None:
            self.sub = RTCPeerConnection(RTCConfiguration(iceServers=[]))
            self.sub.on("track", self.on_track)
            # For failure messages: when and after how many offers the connection changed state.
            self.sub.on("connectionstatechange", lambda: self.sub_states.append(
                (round(time.monotonic() - self.started, 1), len(self.offers), self.sub.connectionState)))
        await self.sub.setRemoteDescription(RTCSessionDescription(sdp, "offer"))
        await self.sub.setLocalDescription(await self.sub.createAnswer())
        await self.send({"op": "rtc.answer", "pc": "sub", "sdp": self.sub.localDescription.sdp})
        self.answered.set()
        if os.environ.get("CALL_DEBUG_DIR"):
            base = os.path.join(os.environ["CALL_DEBUG_DIR"], f"p{self.index}-sub{len(self.offers)}")
            with open(base + "-offer.sdp", "w") as file:
                file.write(sdp)
            with open(base + "-answer.sdp", "w") as file:
                file.write(self.sub.localDescription.sdp)

    def on_track(self, track):
        mid = next((t.mid for t in self.sub.getTransceivers() if t.receiver.track is track), None)
        self.track_events.append((mid, track.kind))
        self.tasks.append(asyncio.ensure_future(self.consume(track, mid)))

    async def consume(self, track, mid):
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.frames_by_mid[mid] = self.frames_by_mid.get(mid, 0) + 1
            owner = self.owners.get(mid, (None,))[0]
            if owner is None:
                continue
            if track.kind == "video":
                self.video_sizes.setdefault(owner, set()).add((frame.width, frame.height))
                self.video_frames[owner] = self.video_frames.get(owner, 0) + 1
            else:
                self.audio_frames[owner] = self.audio_frames.get(owner, 0) + 1

    def saw_everyone(self, others):
        return all(self.video_frames.get(o.id, 0) >= FRAMES_NEEDED and self.audio_frames.get(o.id, 0) >= FRAMES_NEEDED
                   for o in others)

    async def leave(self):
        await self.send({"op": "rtc.leave", "id": "leave"})
        await self.pub.close()
        if self.sub:
            await self.sub.close()

    async def close(self):
        for task in self.tasks:
            task.cancel()
        await self.pub.close()
        if self.sub:
            await self.sub.close()
        await self.ws.close()

    def summary(self):
        return {"id": self.id, "video_frames": self.video_frames, "audio_frames": self.audio_frames,
                "video_sizes": {k: sorted(v) for k, v in self.video_sizes.items()}, "left": sorted(self.left),
                "offers": len(self.offers), "track_events": self.track_events, "frames_by_mid": self.frames_by_mid,
                "sub_states": self.sub_states}


async def receive_stats(person):
    """Per receiving transceiver: mid, kind and RTP packets received (for failure messages)."""
    if person.sub is None:
        return []
    report = []
    for transceiver in person.sub.getTransceivers():
        stats = await transceiver.receiver.getStats()
        packets = [(getattr(s, "ssrc", 0), getattr(s, "packetsReceived", 0)) for s in stats.values() if s.type == "inbound-rtp"]
        report.append((transceiver.mid, transceiver.kind, packets))
    return report


async def wait_for(condition, what, people):
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        for person in people:
            for task in person.tasks:
                if task.done() and not task.cancelled() and task.exception():
                    raise task.exception()
        if time.monotonic() > deadline:
            stats = [await receive_stats(p) for p in people]
            raise RuntimeError(f"timed out waiting for {what}: {[p.summary() for p in people]} received {stats}")
        await asyncio.sleep(0.1)


async def main(url, channel, tokens):
    people = [Participant(i, url, channel, token) for i, token in enumerate(tokens)]

    async def scenario():
        for person in people:
            await person.start()
        # Every participant decodes the other two, each at the size it publishes.
        def everyone():
            return all(p.saw_everyone([o for o in people if o is not p]) for p in people)
        await wait_for(everyone, "media from every other participant", people)
        for person in people:
            for other in people:
                if other is person:
                    continue
                sizes = person.video_sizes.get(other.id, set())
                if sizes != {SIZES[other.index]}:
                    raise RuntimeError(f"participant {person.index} decoded {sizes} from {other.index}, expected {SIZES[other.index]}")
        # Mute stops forwarding without renegotiation; unmute resumes it (keyframe asked upstream).
        # Relative bounds only: while the muted video gains (almost) nothing, another keeps flowing.
        muter, watcher, other = people[0], people[1], people[2]
        offers = len(watcher.offers)
        await muter.send({"op": "rtc.mute", "track": muter.own_tracks["video"], "muted": True})
        await wait_for(lambda: (muter.id, muter.own_tracks["video"], "muted") in watcher.track_states, "rtc.track muted", people)
        await asyncio.sleep(0.2)  # frames already in flight
        muted_start, other_start = watcher.video_frames[muter.id], watcher.video_frames[other.id]
        await wait_for(lambda: watcher.video_frames[other.id] >= other_start + 60, "the other video while muted", people)
        muted_gain = watcher.video_frames[muter.id] - muted_start
        if muted_gain > 5:
            raise RuntimeError(f"{muted_gain} frames of a muted video arrived while another video gained 60")
        await muter.send({"op": "rtc.mute", "track": muter.own_tracks["video"], "muted": False})
        await wait_for(lambda: watcher.video_frames[muter.id] >= muted_start + muted_gain + 30, "video after unmute", people)
        if len(watcher.offers) != offers:
            raise RuntimeError("mute or unmute renegotiated the sub connection")
        # The third leaves; the others hear it and get a sub offer without its tracks.
        leaver = people[2]
        stayers = people[:2]
        offers_before = [len(p.offers) for p in stayers]
        await leaver.leave()
        await wait_for(lambda: all(leaver.id in p.left for p in stayers), "rtc.participant left", people)
        await wait_for(lambda: all(len(p.offers) > n for p, n in zip(stayers, offers_before)), "a sub re-offer", people)
        for person in stayers:
            owners = media_owners(person.offers[-1])
            active = {stream for stream, _, is_active in owners.values() if is_active}
            if leaver.id in active:
                raise RuntimeError(f"participant {person.index}'s re-offer still sends {leaver.id}'s tracks")
        return {"participants": [p.summary() for p in people]}
    return await run_script(scenario, people)


async def run_script(scenario, people):
    """The scripts' epilogue: runs `scenario`, prints one JSON line (`ok` with what it returned, or
    the error it raised: the test's failure message) and closes every participant in `people`
    (as it is then: a script may replace some). Returns the exit status."""
    try:
        result = await scenario()
        print(json.dumps({"ok": True, **result}))
        return 0
    except Exception as error:  # noqa: BLE001 — the reason is the test's failure message
        print(json.dumps({"ok": False, "error": str(error)}))
        return 1
    finally:
        await close_all(people)


async def close_all(people):
    """Closes every participant, each within 5 s, whatever fails (the scripts' last step)."""
    for person in people:
        try:
            await asyncio.wait_for(person.close(), 5)
        except Exception:  # noqa: BLE001
            pass


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3:6])))
