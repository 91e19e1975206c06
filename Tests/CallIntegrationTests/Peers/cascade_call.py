"""One call across two edges (issue 14, Cascade): aiortc participants on each edge.

Every participant joins the same channel's call on its own edge, publishes video of its own size
plus audio, and must decode every other participant, those on the other edge included (their
tracks reach its edge over the relay). Then every edge's metrics are read, and the edge named
last is killed (SIGKILL): the participants of the surviving edges must hear `rtc.participant`
`left` for each participant of the dead one and get a `sub` re-offer without their tracks.

Usage: cascade_call.py CHANNEL KILL_PID METRICS_URLS 'WS_URL|TOKEN|EDGE' ...
METRICS_URLS: the edges' metrics URLs, comma-separated, the killed edge's last.
Prints one JSON line; exits 0 on success, 1 with a reason.
"""
import asyncio
import json
import os
import signal
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import three_party_call as call  # noqa: E402

call.SIZES = [(320, 240), (352, 288), (416, 240), (288, 208), (256, 192), (384, 216)]


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


async def main(channel, kill_pid, metrics_urls, specs):
    people = []
    for index, spec in enumerate(specs):
        url, token, edge = spec.rsplit("|", 2)
        person = call.Participant(index, url, channel, token)
        person.edge = edge
        people.append(person)

    async def scenario():
        for person in people:
            await person.start()

        def everyone():
            return all(p.saw_everyone([o for o in people if o is not p]) for p in people)
        await call.wait_for(everyone, "media from every other participant", people)
        for person in people:
            for other in people:
                if other is not person and person.video_sizes.get(other.id, set()) != {call.SIZES[other.index]}:
                    raise RuntimeError(f"participant {person.index} decoded {person.video_sizes.get(other.id)} from {other.index}")
        # Let a keepalive or two carry the final counts, then read both edges' metrics.
        await asyncio.sleep(2.5)
        metrics = [fetch(url) for url in metrics_urls]
        # Kill the last edge: the survivors must drop its participants (directory expiry or relay consent).
        dead_edge = people[-1].edge
        dead = [p for p in people if p.edge == dead_edge]
        survivors = [p for p in people if p.edge != dead_edge]
        offers_before = [len(p.offers) for p in survivors]
        killed_at = time.monotonic()
        os.kill(kill_pid, signal.SIGKILL)
        await call.wait_for(lambda: all(d.id in s.left for s in survivors for d in dead),
                            "rtc.participant left for the dead edge's participants", survivors)
        dropped_after = time.monotonic() - killed_at
        # Each departure brings a re-offer, one outstanding at a time: the first may still carry the
        # dead participant whose departure came second; the one after its answer must not.
        def sends_dead(person):
            owners = call.media_owners(person.offers[-1])
            return any(stream in {d.id for d in dead} for stream, _, is_active in owners.values() if is_active)
        await call.wait_for(lambda: all(len(p.offers) > n and not sends_dead(p) for p, n in zip(survivors, offers_before)),
                            "a sub re-offer without the dead edge's tracks", survivors)
        # The survivors still decode each other.
        start = {p.id: dict(p.video_frames) for p in survivors}
        await call.wait_for(lambda: all(p.video_frames.get(o.id, 0) >= start[p.id].get(o.id, 0) + 10
                                        for p in survivors for o in survivors if o is not p),
                            "media between the survivors after the kill", survivors)
        metrics_after = [fetch(url) for url in metrics_urls[:-1]]
        return {"dropped_after_seconds": round(dropped_after, 2), "metrics": metrics,
                "metrics_after": metrics_after[0], "metrics_after_all": metrics_after,
                "participants": [p.summary() for p in people]}
    return await call.run_script(scenario, people)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3].split(","), sys.argv[4:])))
