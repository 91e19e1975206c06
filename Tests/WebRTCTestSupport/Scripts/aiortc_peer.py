"""A scripted aiortc peer for the SFU transport tests (run inside a network namespace).

Signalling is through files in --dir: this peer writes offer.sdp, waits for answer.sdp
(written atomically by the test), then records what it receives and writes result.json:
  {"connection_states": [...], "video_frames": [[w, h], ...], "audio_frames": n,
   "ice_state": "...", "dtls_state": "...", "error": null}
It exits when --video-frames video frames and --audio-frames audio frames were decoded, or
after --seconds, or when a file named stop appears in --dir.
"""
import argparse
import asyncio
import json
import os
import sys
import time

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--direction", default="sendrecv", choices=["sendrecv", "sendonly"])
    parser.add_argument("--video-frames", type=int, default=10)
    parser.add_argument("--audio-frames", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()

    result = {"connection_states": [], "video_frames": [], "audio_frames": 0,
              "ice_state": None, "dtls_state": None, "error": None}
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    done = asyncio.Event()

    def check_done():
        if (len(result["video_frames"]) >= args.video_frames
                and result["audio_frames"] >= args.audio_frames):
            done.set()

    async def consume(track):
        try:
            while True:
                frame = await track.recv()
                if track.kind == "video":
                    result["video_frames"].append([frame.width, frame.height])
                else:
                    result["audio_frames"] += 1
                check_done()
        except Exception:  # MediaStreamError when the track ends
            pass

    @pc.on("track")
    def on_track(track):
        asyncio.ensure_future(consume(track))

    @pc.on("connectionstatechange")
    def on_state():
        result["connection_states"].append(pc.connectionState)
        if pc.connectionState in ("failed", "closed"):
            done.set()

    if args.direction == "sendrecv":
        pc.addTrack(VideoStreamTrack())
        pc.addTrack(AudioStreamTrack())
    else:
        pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
        pc.addTransceiver(AudioStreamTrack(), direction="sendonly")

    await pc.setLocalDescription(await pc.createOffer())
    offer_path = os.path.join(args.dir, "offer.sdp")
    with open(offer_path + ".tmp", "w") as f:
        f.write(pc.localDescription.sdp)
    os.rename(offer_path + ".tmp", offer_path)

    deadline = time.monotonic() + args.seconds
    answer_path = os.path.join(args.dir, "answer.sdp")
    stop_path = os.path.join(args.dir, "stop")
    while not os.path.exists(answer_path):
        if time.monotonic() > deadline or os.path.exists(stop_path):
            result["error"] = "no answer"
            break
        await asyncio.sleep(0.05)
    if result["error"] is None:
        with open(answer_path) as f:
            answer = f.read()
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        except Exception as error:  # a rejected answer is a test result, not a crash
            result["error"] = "setRemoteDescription: %r" % (error,)
        while result["error"] is None and not done.is_set():
            if time.monotonic() > deadline or os.path.exists(stop_path):
                break
            try:
                await asyncio.wait_for(done.wait(), 0.1)
            except asyncio.TimeoutError:
                pass

    transceivers = pc.getTransceivers()
    if transceivers:
        sender = transceivers[0].sender
        if sender.transport is not None:
            result["dtls_state"] = sender.transport.state
            result["ice_state"] = sender.transport.transport.state
    result_path = os.path.join(args.dir, "result.json")
    with open(result_path + ".tmp", "w") as f:
        json.dump(result, f)
    os.rename(result_path + ".tmp", result_path)
    await pc.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
