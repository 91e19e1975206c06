"""Two people in Chromium: sign up, share a private channel, talk in order, see each other
typing and online; one drops off the network (DevTools offline) and comes back: nothing lost
or doubled; an image attachment shows inline on the other side; a direct conversation; unread
counts per channel (raised by messages in a channel not open, cleared by opening it); history
paging when scrolling up (more than two pages, in order, none twice, to the channel's start);
the session survives a reload; no console errors or CSP violations; screenshots of each screen.

usage: chat_scenario.py BASE_URL ARTIFACTS_DIR
"""
import os
import secrets
import subprocess
import sys
import tempfile
import time

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin

from browser import (ScenarioFailure, click, console, create_channel, csp_violations, find, find_all, log, make_browser, run,
                     screenshot, set_offline, severe, sign_up, type_into, visible, wait_until)

BASE, ARTIFACTS = sys.argv[1], sys.argv[2]


def messages(driver):
    """[(seq, author, body)] of the message list as shown (sent messages only)."""
    return driver.execute_script("""
        let author = '';
        const out = [];
        for (const li of document.querySelectorAll('#messages li.message')) {
          const head = li.querySelector('.author');
          if (head) author = head.textContent;
          if (!li.dataset.seq) continue;
          out.push([Number(li.dataset.seq), author, li.querySelector('.message-body')?.textContent || '']);
        }
        return out;""")


def send(driver, text):
    type_into(driver, "#composer-input", text + "\n", clear=True)


def wait_bodies(driver, bodies, timeout=30):
    wait_until(f"{driver.streamly_name} to show {bodies}",
               lambda: all(b in [m[2] for m in messages(driver)] for b in bodies), timeout)


def check_order(name, shown):
    seqs = [m[0] for m in shown]
    if seqs != sorted(seqs) or len(set(seqs)) != len(seqs):
        raise ScenarioFailure(f"{name}: messages out of order or doubled: {shown}")
    bodies = [m[2] for m in shown if m[2]]
    if len(set(bodies)) != len(bodies):
        raise ScenarioFailure(f"{name}: a message is shown twice: {shown}")
    if seqs and seqs != list(range(seqs[0], seqs[0] + len(seqs))):
        raise ScenarioFailure(f"{name}: a gap in the messages: {seqs}")


def no_console_errors(driver, allow_offline_noise=False):
    entries = console(driver)
    violations = csp_violations(entries)
    errors = severe(entries, allow_offline_noise)
    if violations or errors:
        raise ScenarioFailure(f"{driver.streamly_name}: console errors: {violations + errors}")


# Ann's messages for the history checks go out through her page's own WebSocket client,
# awaiting each ack, paced below the edge's per-user publish rate (30/s, docs/api.md).
PUBLISH = """
const [channel, first, last, done] = arguments;
(async () => {
  for (let i = first; i <= last; i += 1) {
    await window.streamly.socket.request({op: 'publish', channel, client_id: 'history-' + channel + '-' + i, body: 'history ' + i});
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return 'ok';
})().then(done, (error) => done(String(error)));
"""
HISTORY = 130  # more than two pages of 50


def sidebar_label(driver, channel):
    return find(driver, f"a.nav-item[data-channel='{channel}']").get_attribute("aria-label") or ""


def badge(driver, channel):
    badges = find_all(driver, f"a.nav-item[data-channel='{channel}'] .badge")
    return badges[0].text if badges else None


def publish(driver, channel, first, last):
    answer = driver.execute_async_script(PUBLISH, channel, first, last)
    if answer != "ok":
        raise ScenarioFailure(f"publishing history {first}-{last} failed: {answer}")


def unread_and_history(ann, bob, suffix):
    """Unread counts per channel (a message in a channel Bob has not open raises its count;
    opening the channel clears it) and history paging on scroll (older pages load in order,
    none twice, up to the channel's start)."""
    history = create_channel(ann, f"history-{suffix}")
    link = f"a.nav-item[data-channel='{history}']"
    wait_until("the history channel in Bob's sidebar", lambda: visible(bob, link), timeout=30)
    if badge(bob, history) is not None or "unread" in sidebar_label(bob, history):
        raise ScenarioFailure(f"an empty channel shows unread messages: {sidebar_label(bob, history)}")
    open_title = find(bob, "#channel-title").text

    publish(ann, history, 1, 3)
    wait_until("3 unread in Bob's sidebar", lambda: badge(bob, history) == "3"
               and sidebar_label(bob, history) == f"history-{suffix}, 3 unread", timeout=30)
    if badge(ann, history) is not None:
        raise ScenarioFailure(f"Ann's own messages count as unread for her: {badge(ann, history)}")
    publish(ann, history, 4, HISTORY)
    wait_until(f"{HISTORY} unread in Bob's sidebar (the badge caps at 99+)", lambda: badge(bob, history) == "99+"
               and sidebar_label(bob, history) == f"history-{suffix}, {HISTORY} unread", timeout=30)
    if find(bob, "#channel-title").text != open_title:
        raise ScenarioFailure("messages in another channel changed the open one")
    screenshot(bob, ARTIFACTS, "12-unread-counts")

    # Opening the channel clears its count and shows the newest page.
    click(bob, link)
    wait_until("Bob in the history channel", lambda: find(bob, "#channel-title").text == f"history-{suffix}")
    wait_bodies(bob, [f"history {HISTORY}"])
    wait_until("the count cleared", lambda: badge(bob, history) is None
               and "unread" not in sidebar_label(bob, history))
    first_page = messages(bob)
    if len(first_page) >= HISTORY or first_page[-1][0] != HISTORY:
        raise ScenarioFailure(f"the first page is not the newest part of the history: {first_page[0]}..{first_page[-1]}")

    # Scrolling up with the mouse wheel loads older pages until the channel's start.
    scroller = find(bob, "#message-scroll")
    pages = 0
    while not visible(bob, "#messages li.channel-start"):
        shown = len(messages(bob))
        ActionChains(bob).scroll_from_origin(ScrollOrigin.from_element(scroller), 0, -100_000).perform()
        wait_until("an older page or the channel's start", lambda: len(messages(bob)) > shown
                   or visible(bob, "#messages li.channel-start"), timeout=30)
        pages += 1
        if pages > 10:
            raise ScenarioFailure(f"scrolling up never reached the channel's start: {len(messages(bob))} messages shown")
    shown = messages(bob)
    check_order("bob's history", shown)
    if [m[2] for m in shown] != [f"history {i}" for i in range(1, HISTORY + 1)]:
        raise ScenarioFailure(f"the history is not 1..{HISTORY} in order: {[m[2] for m in shown]}")
    bob.execute_script("document.getElementById('message-scroll').scrollTop = 0")
    screenshot(bob, ARTIFACTS, "13-history-start")
    # A live message still lands at the bottom, once.
    publish(ann, history, HISTORY + 1, HISTORY + 1)
    wait_bodies(bob, [f"history {HISTORY + 1}"])
    check_order("bob's history with a live message", messages(bob))
    log("history pages loaded by scrolling", pages)
    return pages


def scenario(drivers):
    suffix = secrets.token_hex(3)
    ann_name, bob_name = f"ann{suffix}", f"bob{suffix}"
    ann = make_browser("ann")
    drivers.append(ann)
    bob = make_browser("bob")
    drivers.append(bob)

    ann.get(BASE)
    wait_until("the sign-in screen", lambda: visible(ann, "#auth-username"))
    screenshot(ann, ARTIFACTS, "01-sign-in")
    no_console_errors(ann)
    sign_up(ann, BASE, ann_name)
    sign_up(bob, BASE, bob_name)
    screenshot(ann, ARTIFACTS, "02-empty-workspace")

    # Ann creates a private channel and adds Bob.
    click(ann, "#new-channel")
    type_into(ann, "#create-channel-name", f"launch-{suffix}")
    click(ann, "label[for=create-channel-private]")
    screenshot(ann, ARTIFACTS, "03-create-channel")
    click(ann, "#create-channel-submit")
    wait_until("the new channel to open", lambda: find(ann, "#channel-title").text == f"launch-{suffix}")
    channel = ann.execute_script("return location.hash.split('/')[2]")
    click(ann, "#members-button")
    type_into(ann, "#add-member-username", bob_name)
    click(ann, "#add-member-submit")
    wait_until("Bob in the member list", lambda: bob_name in find(ann, "#member-list").text)
    screenshot(ann, ARTIFACTS, "04-members")
    click(ann, "#members-close")

    # Bob sees the channel (the list refreshes itself) and opens it.
    link = f"a.nav-item[data-channel='{channel}']"
    wait_until("the private channel in Bob's sidebar", lambda: visible(bob, link), timeout=30)
    click(bob, link)
    wait_until("Bob in the channel", lambda: find(bob, "#channel-title").text == f"launch-{suffix}")

    # Presence: each is shown online to the other.
    click(ann, "#members-button")
    wait_until("Bob online in Ann's member list",
               lambda: any(bob_name in li.text and "online" in li.text for li in find_all(ann, "#member-list li")))
    click(ann, "#members-close")

    # Typing.
    type_into(bob, "#composer-input", "thinking", clear=True)
    wait_until("Ann to see Bob typing", lambda: f"{bob_name} is typing" in find(ann, "#typing").text, timeout=15)
    screenshot(ann, ARTIFACTS, "05-typing")
    find(bob, "#composer-input").clear()

    # Messages in order, alternating authors.
    sent = []
    for index in range(3):
        send(ann, f"ann says {index}")
        send(bob, f"bob says {index}")
        sent += [f"ann says {index}", f"bob says {index}"]
    wait_bodies(ann, sent)
    wait_bodies(bob, sent)
    shown_ann, shown_bob = messages(ann), messages(bob)
    check_order("ann", shown_ann)
    check_order("bob", shown_bob)
    if shown_ann != shown_bob:
        raise ScenarioFailure(f"the two sessions disagree: {shown_ann} vs {shown_bob}")
    bodies = [m[2] for m in shown_ann]
    for author in ("ann", "bob"):  # each author's messages in the order they were sent
        own = [b for b in bodies if b.startswith(f"{author} says")]
        if own != [f"{author} says {i}" for i in range(3)]:
            raise ScenarioFailure(f"{author}'s messages out of order: {bodies}")
    screenshot(ann, ARTIFACTS, "06-chat")
    screenshot(bob, ARTIFACTS, "06-chat-other-session")
    no_console_errors(ann)
    no_console_errors(bob)

    # Ann drops off the network: "reconnecting" shows; Bob talks; Ann writes while offline.
    set_offline(ann, True)
    wait_until("Ann's reconnecting state", lambda: visible(ann, "#reconnecting-banner")
               and "Reconnecting" in find(ann, "#reconnecting-banner").text, timeout=30)
    offline_bodies = [f"while you were away {i}" for i in range(3)]
    for body in offline_bodies:
        send(bob, body)
    send(ann, "written offline")
    wait_until("Ann's pending message", lambda: any("Sending" in e.text for e in find_all(ann, "#messages li.message.pending")))
    screenshot(ann, ARTIFACTS, "07-reconnecting")
    wait_bodies(bob, offline_bodies)
    set_offline(ann, False)
    everything = sent + offline_bodies + ["written offline"]
    wait_bodies(ann, everything, timeout=45)
    wait_bodies(bob, everything, timeout=45)
    wait_until("Ann connected again", lambda: not visible(ann, "#reconnecting-banner"))
    wait_until("no pending message left", lambda: not find_all(ann, "#messages li.message.pending"))
    shown_ann, shown_bob = messages(ann), messages(bob)
    check_order("ann after reconnect", shown_ann)
    check_order("bob after reconnect", shown_bob)
    if shown_ann != shown_bob:
        raise ScenarioFailure(f"after the reconnect the sessions disagree: {shown_ann} vs {shown_bob}")
    if len(shown_ann) != len(everything):
        raise ScenarioFailure(f"expected {len(everything)} messages, shown {len(shown_ann)}: {shown_ann}")
    no_console_errors(ann, allow_offline_noise=True)

    # An image attachment: Bob attaches, Ann sees the preview.
    image = os.path.join(tempfile.mkdtemp(), "chart.png")
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x200:rate=1",
                    "-frames:v", "1", image], check=True)
    find(bob, "#attach-input").send_keys(image)
    wait_until("the attachment uploaded", lambda: "ready" in find(bob, "#attachment-chips").text, timeout=30)
    type_into(bob, "#composer-input", "the chart\n", clear=True)
    wait_until("Ann to see the image preview", lambda: ann.execute_script("""
        const img = document.querySelector('#messages img.attachment-image');
        return img && img.complete && img.naturalWidth === 320;"""), timeout=30)
    wait_until("Bob to see it too", lambda: bob.execute_script(
        "const i = document.querySelector('#messages img.attachment-image'); return i && i.naturalWidth === 320"))
    wait_until("Ann's list scrolled to the newest message", lambda: ann.execute_script(
        "const s = document.getElementById('message-scroll'); return s.scrollHeight - s.scrollTop - s.clientHeight < 5"))
    screenshot(ann, ARTIFACTS, "08-attachment")

    # A direct conversation; its sidebar entry shows Bob online.
    click(ann, "#new-direct")
    type_into(ann, "#new-direct-username", bob_name)
    click(ann, "#new-direct-submit")
    wait_until("the direct conversation", lambda: find(ann, "#channel-title").text == bob_name)
    direct = ann.execute_script("return location.hash.split('/')[2]")
    wait_until("Bob online in Ann's sidebar", lambda: ", online" in (find(ann, f"a.nav-item[data-channel='{direct}']").get_attribute("aria-label") or ""))
    send(ann, "hi in private")
    wait_until("the direct conversation in Bob's sidebar with an unread badge",
               lambda: visible(bob, f"a.nav-item[data-channel='{direct}'] .badge"), timeout=30)
    screenshot(bob, ARTIFACTS, "09-unread")
    history_pages = unread_and_history(ann, bob, suffix)

    # The session survives a reload; the channel's history is there again.
    bob.get(f"{BASE}#/c/{channel}")
    wait_until("Bob still signed in after a reload", lambda: visible(bob, "#me") and find(bob, "#me").text == bob_name)
    wait_bodies(bob, everything + ["the chart"])
    check_order("bob after reload", messages(bob))

    # A phone-sized window: the drawer and the channel.
    ann.set_window_size(390, 844)
    ann.get(f"{BASE}#/c/{channel}")
    wait_bodies(ann, ["the chart"])
    wait_until("the sidebar to leave the phone-sized screen", lambda: ann.execute_script(
        "return document.getElementById('sidebar').getBoundingClientRect().right <= 0"))
    screenshot(ann, ARTIFACTS, "10-phone-chat")
    click(ann, ".menu-button")
    wait_until("the drawer", lambda: ann.execute_script("return document.body.classList.contains('drawer-open')"))
    wait_until("the drawer slid in", lambda: ann.execute_script(
        "return document.getElementById('sidebar').getBoundingClientRect().left >= 0"))
    screenshot(ann, ARTIFACTS, "11-phone-drawer")

    no_console_errors(bob)
    for driver in (ann, bob):
        violations = csp_violations(driver.streamly_console)
        if violations:
            raise ScenarioFailure(f"{driver.streamly_name}: CSP violations: {violations}")
    return {"messages": len(everything) + 1, "history_pages": history_pages, "screenshots": ARTIFACTS}


if __name__ == "__main__":
    run(scenario)
