"""One region's participants of a call spanning the regions world (issue 14, Cascade).

Run inside the region's client namespace, one process per region, all sharing DIR:
1. Each participant joins CHANNEL's call on the region's edge (WS_URL), publishes audio and a
   320x240 video whose every frame carries, as 48 big black or white blocks, the publisher's
   global index (16 bits) and the wall clock in ms at its creation (32 bits).
2. Once every local participant decodes audio and stamped video from every other participant
   (TOTAL in all, those of the other regions included), the process records 3 s of one-way
   latencies (one clock, one machine) and writes DIR/ready-REGION.json with its participants'
   ids and, per (publisher, receiver), the least latency (the path's own: every other frame
   waited besides in a queue of the loaded machine's Python peers): `network_ms` from the stamp
   to the arrival of the frame's first packet, `latency_ms` to its decoding (aiortc's jitter
   buffer adds about a frame interval and any backlog), and the median of the latter.
3. It waits for DIR/kill (the killed region's name, written by the test after it killed that
   region's edge). The killed region's process then exits. The others wait until each of their
   participants hears `rtc.participant` `left` for every participant of the killed region (ids
   from DIR/ready-KILLED.json) and still decodes every surviving participant, then write
   DIR/done-REGION.json and stay in the call until DIR/finish appears (the test reads the edges'
   relay metrics meanwhile).

Usage: world_call.py DIR REGION WS_URL CHANNEL TOTAL 'INDEX|TOKEN' ...
Exits 0 on success, 1 with a reason (also written to DIR/error-REGION.txt).
"""
import asyncio
import fractions
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../CallIntegrationTests/Peers"))
import three_party_call as call  # noqa: E402
from aiortc.mediastreams import MediaStreamError, VideoStreamTrack  # noqa: E402
from aiortc.rtcrtpreceiver import RTCRtpReceiver  # noqa: E402
from av import VideoFrame  # noqa: E402

ARRIVALS = {}  # (id(receiver), RTP timestamp) -> wall clock ms when the frame's first packet arrived
_handle_rtp_packet = RTCRtpReceiver._handle_rtp_packet


async def _handle_rtp_packet_traced(self, packet, arrival_time_ms):
    """Notes when each frame's first packet arrives (after SRTP, before aiortc's jitter buffer,
    which holds a frame until the next one's first packet: the latency the test asserts is the
    media path's, not aiortc's frame assembly)."""
    ARRIVALS.setdefault((id(self), packet.timestamp), int(time.time() * 1000))
    await _handle_rtp_packet(self, packet, arrival_time_ms)


RTCRtpReceiver._handle_rtp_packet = _handle_rtp_packet_traced

WIDTH, HEIGHT, COLUMNS, ROWS = 320, 240, 8, 6
BLOCK_W, BLOCK_H = WIDTH // COLUMNS, HEIGHT // ROWS
TIMEOUT = 120
FPS = 10


class StampedVideo(VideoStreamTrack):
    """Frames stamped with the publisher's index and the wall clock (ms, low 32 bits), at FPS:
    six Python peers on two cores keep up with 10 frames a second (at 30 they fell seconds
    behind, and aioice then lost consent and closed their connections)."""

    def __init__(self, index):
        super().__init__()
        self.index = index
        self.started = None
        self.frames = 0

    async def recv(self):
        if self.started is None:
            self.started = time.monotonic()
        else:
            self.frames += 1
            wait = self.started + self.frames / FPS - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        pts, time_base = self.frames * 90000 // FPS, fractions.Fraction(1, 90000)
        value = (self.index << 32) | (int(time.time() * 1000) & 0xFFFFFFFF)
        luma = bytearray(WIDTH * HEIGHT)
        for bit in range(COLUMNS * ROWS):
            if value >> (47 - bit) & 1:
                row, column = divmod(bit, COLUMNS)
                for y in range(row * BLOCK_H, (row + 1) * BLOCK_H):
                    start = y * WIDTH + column * BLOCK_W
                    luma[start:start + BLOCK_W] = b"\xff" * BLOCK_W
        frame = VideoFrame(width=WIDTH, height=HEIGHT, format="yuv420p")
        frame.planes[0].update(bytes(luma))
        frame.planes[1].update(b"\x80" * frame.planes[1].buffer_size)
        frame.planes[2].update(b"\x80" * frame.planes[2].buffer_size)
        frame.pts, frame.time_base = pts, time_base
        return frame


def read_stamp(frame):
    """(publisher index, stamp ms) from a decoded frame: each block's centre pixel, thresholded."""
    plane = frame.planes[0]
    data, stride = bytes(plane), plane.line_size
    value = 0
    for bit in range(COLUMNS * ROWS):
        row, column = divmod(bit, COLUMNS)
        y, x = row * BLOCK_H + BLOCK_H // 2, column * BLOCK_W + BLOCK_W // 2
        value = value << 1 | (1 if data[y * stride + x] > 128 else 0)
    return value >> 32, value & 0xFFFFFFFF


class Participant(call.Participant):
    def __init__(self, index, url, channel, token):
        super().__init__(index, url, channel, token)
        self.latencies = {}  # publisher index -> [ms]
        self.stamped = {}  # publisher index -> frames
        self.network = {}  # publisher index -> [ms from stamp to the frame's first packet]
        self.recording = False

    def video_track(self):
        return StampedVideo(self.index)

    async def consume(self, track, mid):
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            owner = self.owners.get(mid, (None,))[0]
            if owner is None:
                continue
            if track.kind == "audio":
                self.audio_frames[owner] = self.audio_frames.get(owner, 0) + 1
                continue
            self.video_frames[owner] = self.video_frames.get(owner, 0) + 1
            if (frame.width, frame.height) != (WIDTH, HEIGHT):
                continue
            now = int(time.time() * 1000) & 0xFFFFFFFF
            index, stamp = read_stamp(frame)
            latency = (now - stamp) & 0xFFFFFFFF
            if latency > 10_000:  # not a stamp (a damaged frame)
                continue
            self.stamped[index] = self.stamped.get(index, 0) + 1
            if self.recording:
                self.latencies.setdefault(index, []).append(latency)
                receiver = next((r for r in self.sub.getReceivers() if r.track is track), None)
                origin = receiver._RTCRtpReceiver__timestamp_mapper._origin if receiver else None
                if origin is not None:
                    arrival = ARRIVALS.get((id(receiver), (frame.pts + origin) & 0xFFFFFFFF))
                    if arrival is not None:
                        self.network.setdefault(index, []).append(((arrival & 0xFFFFFFFF) - stamp) & 0xFFFFFFFF)

    def decodes(self, indices):
        """Audio from as many others as `indices` holds, and stamped video from each of them."""
        return (sum(1 for n in self.audio_frames.values() if n >= call.FRAMES_NEEDED) >= len(indices)
                and all(self.stamped.get(i, 0) >= call.FRAMES_NEEDED for i in indices))


async def wait_for(condition, what, people, timeout=TIMEOUT, check=True):
    deadline = time.monotonic() + timeout
    while not condition():
        for person in people if check else []:
            for task in person.tasks:
                if task.done() and not task.cancelled() and task.exception():
                    raise task.exception()
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}: {[(p.index, p.stamped, p.audio_frames) for p in people]}")
        await asyncio.sleep(0.1)


def write(path, value):
    with open(path + ".tmp", "w") as file:
        json.dump(value, file)
    os.rename(path + ".tmp", path)


async def main(directory, region, url, channel, total, specs):
    people = []
    for spec in specs:
        index, token = spec.split("|", 1)
        people.append(Participant(int(index), url, channel, token))
    everyone = list(range(total))
    try:
        for person in people:
            await person.start()
        await wait_for(lambda: all(p.decodes([i for i in everyone if i != p.index]) for p in people),
                       "audio and stamped video from every other participant", people)
        for person in people:
            person.recording = True
        await asyncio.sleep(3)
        latency = {f"{i}->{p.index}": min(p.latencies[i]) for p in people for i in p.latencies}
        median = {f"{i}->{p.index}": statistics.median(p.latencies[i]) for p in people for i in p.latencies}
        network = {f"{i}->{p.index}": min(p.network[i]) for p in people for i in p.network}
        write(os.path.join(directory, f"ready-{region}.json"),
              {"ids": [p.id for p in people], "indices": [p.index for p in people], "latency_ms": latency,
               "median_latency_ms": median, "network_ms": network})
        kill_file = os.path.join(directory, "kill")
        # The killed region's connections may break before the file appears: no task checks here.
        await wait_for(lambda: os.path.exists(kill_file), "the kill", people, timeout=300, check=False)
        with open(kill_file) as file:
            killed = file.read().strip()
        if killed == region:
            return 0
        with open(os.path.join(directory, f"ready-{killed}.json")) as file:
            dead = json.load(file)
        killed_at = time.monotonic()
        await wait_for(lambda: all(i in p.left for p in people for i in dead["ids"]),
                       f"rtc.participant left for {killed}'s participants", people)
        dropped_after = time.monotonic() - killed_at
        survivors = [i for i in everyone if i not in dead["indices"]]
        start = {p.index: dict(p.stamped) for p in people}
        await wait_for(lambda: all(p.stamped.get(i, 0) >= start[p.index].get(i, 0) + call.FRAMES_NEEDED
                                   for p in people for i in survivors if i != p.index),
                       "media from the surviving participants after the kill", people)
        write(os.path.join(directory, f"done-{region}.json"), {"dropped_after_seconds": round(dropped_after, 2)})
        # Stay in the call until the test has read the edges (leaving ends the calls and links).
        finish_file = os.path.join(directory, "finish")
        await wait_for(lambda: os.path.exists(finish_file), "the test's finish", people, timeout=120, check=False)
        return 0
    except Exception as error:  # noqa: BLE001 — the reason is the test's failure message
        with open(os.path.join(directory, f"error-{region}.txt"), "w") as file:
            file.write(f"{error}; sub connection states (s, offers, state) per participant: "
                       + ", ".join(f"{p.index}: {p.sub_states}" for p in people))
        print(f"{region}: {error}", file=sys.stderr)
        return 1
    finally:
        await call.close_all(people)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6:])))
