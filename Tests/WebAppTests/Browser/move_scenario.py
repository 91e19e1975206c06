"""The page moves to another edge when its own drains or dies: Ann's page is served by edge A,
Bob's by edge B; they are in a call (cascaded between the edges) and a channel. `drain`: edge A
gets SIGTERM: Ann's call is ended there with `rejoin`, her WebSocket closes with 1001. `kill`:
SIGKILL: her WebSocket drops and reconnecting to A fails twice. Either way her page asks edge B
where to go (GET /api/v1/route, cross-origin) and moves there without a reload: the WebSocket,
REST (a new channel: a CORS preflight) and the call (joined again) now go to B. The scenario
measures how long after the signal each side decodes the other's video again.

usage: move_scenario.py BASE_A ARTIFACTS_DIR BASE_B EDGE_A_PID drain|kill
"""
import os
import secrets
import signal
import sys
import time

from browser import (ScenarioFailure, console, create_channel, csp_violations, decoded_video, find, join_call, log,
                     run, screenshot, severe, two_in_a_channel, type_into, wait_until)

BASE_A, ARTIFACTS, BASE_B, EDGE_A_PID, MODE = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]

STATE = """
const s = window.streamly;
return {base: s.edges.base, socket: s.socket.state, call: s.call.state, participant: s.call.participant,
        others: [...s.call.participants.keys()]};
"""


def origin(base):
    return base.rstrip("/")


def decoding(me, participant, frames=10):
    return decoded_video(me, participant=participant) > frames


def other_participant(driver):
    others = driver.execute_script(STATE)["others"]
    return others[0] if len(others) == 1 else None


def scenario(drivers):
    suffix = secrets.token_hex(3)
    ann, bob, _ = two_in_a_channel(drivers, BASE_A, BASE_B, f"mva{suffix}", f"mvb{suffix}", f"move-{suffix}")
    # Ann's page knows edge B (from A's GET /api/v1/edges) before A goes.
    wait_until("edge B in Ann's edge list", lambda: ann.execute_script(
        "return window.streamly.edges.others.map((e) => e.base)").count(origin(BASE_B)) == 1, timeout=30)

    join_call(ann)
    join_call(bob)
    ann_before = ann.execute_script(STATE)
    bob_id = wait_until("Bob in Ann's call", lambda: other_participant(ann), timeout=30)
    ann_id = wait_until("Ann in Bob's call", lambda: other_participant(bob), timeout=30)
    wait_until("Ann decoding Bob's video (relayed from B)", lambda: decoding(ann, bob_id), timeout=60, interval=0.5)
    wait_until("Bob decoding Ann's video (relayed from A)", lambda: decoding(bob, ann_id), timeout=60, interval=0.5)
    if ann_before["base"] != origin(BASE_A):
        raise ScenarioFailure(f"Ann's page talks to {ann_before['base']}, not edge A")
    screenshot(ann, ARTIFACTS, f"40-move-{MODE}-before")

    drained = time.monotonic()
    os.kill(EDGE_A_PID, signal.SIGTERM if MODE == "drain" else signal.SIGKILL)
    log("edge A", "drains" if MODE == "drain" else "killed")
    moved = wait_until("Ann's page on edge B", lambda: (lambda s: s if s["base"] == origin(BASE_B) and s["socket"] == "online"
                                                        else None)(ann.execute_script(STATE)), timeout=30)
    moved_after = time.monotonic() - drained
    new_ann = wait_until("Ann joined again on edge B", lambda: (lambda s: s["participant"] if s["call"] == "connected"
                         and s["participant"] != ann_before["participant"] else None)(ann.execute_script(STATE)), timeout=30)
    back = {}
    pending = {"ann decodes bob": (ann, lambda: bob_id), "bob decodes ann": (bob, lambda: new_ann)}
    deadline = drained + 60
    while pending and time.monotonic() < deadline:
        for name, (me, whom) in list(pending.items()):
            if decoding(me, whom(), frames=5):
                back[name] = round(time.monotonic() - drained, 2)
                del pending[name]
        time.sleep(0.1)
    if pending:
        raise ScenarioFailure(f"media not back 60 s after the {MODE}: {sorted(pending)}; back: {back}; "
                              f"ann {ann.execute_script(STATE)}; bob {bob.execute_script(STATE)}")
    log("moved after", round(moved_after, 2), "s; media back", back)
    screenshot(ann, ARTIFACTS, f"41-move-{MODE}-after")

    # Chat goes on through edge B: a message from Ann reaches Bob.
    text = f"still here {suffix}"
    type_into(ann, "#composer-input", text + "\n", clear=True)
    wait_until("Ann's message at Bob's", lambda: text in find(bob, "#messages").text, timeout=30)
    # REST across origins (a CORS preflight for POST with a bearer token): a new channel.
    create_channel(ann, f"after-{suffix}")

    for driver in (ann, bob):
        console(driver)
        # Ann's page saw edge A go (refused connections to it): expected noise.
        errors = csp_violations(driver.streamly_console) + severe(driver.streamly_console, allow_offline_noise=driver is ann)
        if errors:
            raise ScenarioFailure(f"{driver.streamly_name}: console errors: {errors}")
    return {"moved_after_s": round(moved_after, 2), "media_back_after_s": max(back.values()), "back": back}


if __name__ == "__main__":
    run(scenario)
