"""Participants move when their edge drains or dies (issue 14, Cascade): one call across three edges.

Three aiortc participants, each on its own edge, decode each other (the call spans the edges
through the relay). Then:
1. The second edge drains (SIGTERM): its participant's WebSocket closes (1001), it asks a
   surviving edge's `GET /api/v1/route` where to go, joins the call there and publishes again.
   Measured: from the SIGTERM until every other participant decodes its new video and it decodes
   theirs ("media back"), and when each direction came back; the test judges it (< 5 s).
2. The third edge is killed (SIGKILL): its participant's connection drops, it rejoins the same
   way; the others hear `rtc.participant` `left` for its old participant (the dead edge dropped
   by directory expiry) and decode the new one.

Usage: cascade_move.py CHANNEL DRAIN_PID KILL_PID 'WS_URL|TOKEN|ROUTE_URL' x3
ROUTE_URL: the HTTP base of the surviving edge a participant asks when its edge goes away.
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

FRAMES_BACK = 5


def route(base):
    """The ws URL `GET /api/v1/route` on `base` answers."""
    with urllib.request.urlopen(base + "/api/v1/route", timeout=10) as response:
        answer = json.loads(response.read().decode())
    url = answer["edge"].get("ws_url")
    if not url:
        raise RuntimeError(f"/api/v1/route on {base} gave no ws_url: {answer}")
    return url, answer["edge"]["id"], answer["reason"]


def connection_gone(person):
    """Whether the participant's WebSocket has ended (closed by the edge or dropped)."""
    return any(task.done() for task in person.tasks[:1])


async def move(people, index, channel, route_base, started):
    """Replaces participant `index` (whose edge went away) by a new one on the routed edge;
    returns the seconds from `started` until media flows both ways, and where it went."""
    old = people[index]
    await call.wait_for(lambda: connection_gone(old), f"participant {index}'s connection to end", [])
    gone_after = time.monotonic() - started
    url, edge, reason = route(route_base)
    await call.close_all([old])
    person = call.Participant(index, url, channel, old.token)
    people[index] = person
    await person.start()
    rejoined = time.monotonic()
    others = [p for p in people if p is not person]
    start = {o.id: o.video_frames.get(person.id, 0) for o in others}

    # When each direction came back, for a slow return's diagnosis.
    directions = {}

    def back():
        now = round(time.monotonic() - started, 2)
        for o in others:
            if o.video_frames.get(person.id, 0) >= start[o.id] + FRAMES_BACK:
                directions.setdefault(f"{o.index} decodes {index}", now)
            if person.video_frames.get(o.id, 0) >= FRAMES_BACK:
                directions.setdefault(f"{index} decodes {o.index}", now)
        return len(directions) == 2 * len(others)
    # A slow return's diagnosis: what each participant's sub connection received 5 s after the
    # rejoin (per m-section: kind, SSRCs and packets) and the owners its last offer named.
    snapshot = {}

    async def snapshot_if_slow():
        await asyncio.sleep(5)
        if len(directions) == 2 * len(others):
            return
        for p in people:
            snapshot[f"{p.index}"] = {"at_s": round(time.monotonic() - started, 2), "offers": len(p.offers),
                                      "owners": {mid: owner[0] for mid, owner in p.owners.items()},
                                      "received": await call.receive_stats(p), "frames_by_mid": dict(p.frames_by_mid)}
    snapshotting = asyncio.ensure_future(snapshot_if_slow())
    await call.wait_for(back, f"media to and from participant {index} on {edge}", people)
    snapshotting.cancel()
    # When each other participant heard the old one leave (none yet: it is still in their call).
    old_left = {f"{o.index}": round(o.left_at[old.id] - started, 2) for o in others if old.id in o.left_at}
    return {"old": old.id, "new": person.id, "edge": edge, "reason": reason, "old_left_heard_s": old_left,
            "connection_gone_after_s": round(gone_after, 2), "rejoined_after_s": round(rejoined - started, 2),
            "media_back_after_s": round(time.monotonic() - started, 2), "directions": directions,
            "offers": len(person.offers), "sub_states": person.sub_states,
            **({"slow_snapshot": snapshot} if snapshot else {})}


async def main(channel, drain_pid, kill_pid, specs):
    people, routes = [], []
    for index, spec in enumerate(specs):
        url, token, route_base = spec.rsplit("|", 2)
        people.append(call.Participant(index, url, channel, token))
        routes.append(route_base)

    async def scenario():
        for person in people:
            await person.start()
        await call.wait_for(lambda: all(p.saw_everyone([o for o in people if o is not p]) for p in people),
                            "media from every other participant", people)

        # 1. Drain the second edge.
        drained_at = time.monotonic()
        os.kill(drain_pid, signal.SIGTERM)
        drained = await move(people, 1, channel, routes[1], drained_at)
        # The limit is judged by the test (DirectoryCascadeTests), which records a slow return.

        # 2. Kill the third edge.
        killed_at = time.monotonic()
        os.kill(kill_pid, signal.SIGKILL)
        old_id = people[2].id
        killed = await move(people, 2, channel, routes[2], killed_at)
        await call.wait_for(lambda: all(old_id in p.left for p in people[:2]),
                            "rtc.participant left for the dead edge's participant", people)
        killed["old_left_after_s"] = round(time.monotonic() - killed_at, 2)
        for person in people:
            for other in people:
                if other is not person and call.SIZES[other.index] not in person.video_sizes.get(other.id, set()):
                    raise RuntimeError(f"participant {person.index} decoded {person.video_sizes.get(other.id)} from {other.index}")
        return {"drain": drained, "kill": killed, "participants": [p.summary() for p in people]}
    return await call.run_script(scenario, people)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:7])))
