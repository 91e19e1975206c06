"""noida-db with held fetches: the Kafka broker of the local profiles and the tests.

noida-db 0.2.3 answers a Fetch at once even when it has nothing to return, instead of holding
it for the request's `max_wait_ms` as Apache Kafka and Redpanda do (KIP-74's "wait for
min_bytes or max_wait"). Every idle librdkafka consumer then loops on empty fetches: an idle
origin used ~100 % of a core and the broker ~80 % of the other (loadtest/RESULTS.md, "the broker
spins"), and publish → delivery latency followed the machine's load instead of the broker.
librdkafka has no client-side pause after an empty fetch, and noida-db no option for it.

This runs noida-db as a child on an internal port and serves the Kafka port itself, passing
every request and response through unchanged, except:

* A Fetch that equals the connection's previous Fetch (all but the correlation id, with its
  topics and partitions in a fixed order), sent when no write to its topics has completed since
  that previous Fetch was forwarded, would get the same empty answer (a consumer that received
  records asks from further on, so its next Fetch differs): it is held until a write to one of
  its topics completes (a Produce answer passes through, on any connection; an EndTxn or
  DeleteRecords answer counts for every topic) or its `max_wait_ms` has passed, then forwarded.
  Like a real broker, the connection's later requests wait behind it (Kafka serves a
  connection's requests in order).
* Metadata, FindCoordinator and DescribeCluster answers name this port instead of the internal
  one, so clients never connect to noida-db directly.

A SIGTERM stops noida-db and then this process, which prints how many fetches it forwarded and
held; a SIGKILL of this process kills noida-db too (PR_SET_PDEATHSIG), so a test's `kill -9` of
the broker is a crash of the broker. If noida-db exits, so does this process, with its status.

usage: python noida_fetch_hold.py NOIDA_BINARY HOST PORT DATA_DIR
"""
import asyncio
import collections
import ctypes
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import time

PRODUCE, FETCH, METADATA, FIND_COORDINATOR, DELETE_RECORDS, END_TXN, DESCRIBE_CLUSTER = 0, 1, 3, 10, 21, 26, 60
WRITES = {PRODUCE, DELETE_RECORDS, END_TXN}
ADDRESSES = {METADATA, FIND_COORDINATOR, DESCRIBE_CLUSTER}
# Fetch is a flexible version (request header v2, with tagged fields) from v12; replica_id
# leaves the body at v15.
FETCH_FLEXIBLE, FETCH_NO_REPLICA_ID = 12, 15
# Fetch names topics by id from v13. Produce carries a transactional_id from v3 and is
# flexible from v9.
FETCH_TOPIC_IDS = 13
PRODUCE_TRANSACTIONAL_ID, PRODUCE_FLEXIBLE = 3, 9
MAX_FRAME = 256 << 20
MAX_HOLD_SECONDS = 30.0


class Writes:
    """Completed writes, counted per topic (a write whose topics are unknown counts for every
    topic), with an event set at each."""

    def __init__(self):
        self.everywhere = 0
        self.by_topic = collections.Counter()
        self.event = asyncio.Event()

    def snapshot(self, topics):
        """What a fetch of `topics` (None: unknown) would see change when a write completes."""
        if topics is None:
            return self.everywhere, sum(self.by_topic.values())
        return self.everywhere, tuple(self.by_topic[topic] for topic in topics)

    def completed(self, topics):
        if topics is None:
            self.everywhere += 1
        else:
            self.by_topic.update(topics)
        self.event.set()
        self.event = asyncio.Event()

    async def wait(self, topics, since, seconds):
        """Returns when a write to `topics` completed after `since`, or after `seconds`."""
        deadline = time.monotonic() + seconds
        while self.snapshot(topics) == since:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                await asyncio.wait_for(self.event.wait(), remaining)
            except asyncio.TimeoutError:
                return


def body_offset(frame, flexible):
    """Where a request's body starts: after api key, version, correlation id and client id
    (request header v1), and in flexible versions the header's tagged fields (v2)."""
    (client_id_length,) = struct.unpack_from(">h", frame, 8)
    offset = 10 + max(client_id_length, 0)
    return skip_tagged_fields(frame, offset) if flexible else offset


def max_wait_seconds(frame, version):
    """The Fetch request's max_wait_ms, in seconds (0 when the frame is too short to tell)."""
    try:
        offset = body_offset(frame, version >= FETCH_FLEXIBLE)
        if version < FETCH_NO_REPLICA_ID:
            offset += 4
        (milliseconds,) = struct.unpack_from(">i", frame, offset)
    except (struct.error, IndexError):
        return 0.0
    return min(max(milliseconds, 0) / 1000, MAX_HOLD_SECONDS)


def produce_request(frame, version):
    """The Produce request's acks and topic names (acks -1 and topics None when it cannot tell)."""
    try:
        flexible = version >= PRODUCE_FLEXIBLE
        offset = body_offset(frame, flexible)
        if flexible:
            length, offset = read_uvarint(frame, offset)  # transactional_id, compact nullable
            offset += max(length - 1, 0)
        elif version >= PRODUCE_TRANSACTIONAL_ID:
            (length,) = struct.unpack_from(">h", frame, offset)
            offset += 2 + max(length, 0)
        (acks,) = struct.unpack_from(">h", frame, offset)
        offset += 2 + 4  # acks, timeout_ms
    except (struct.error, IndexError):
        return -1, None
    try:
        topics = []
        count, offset = read_count(frame, offset, flexible)
        for _ in range(count):
            name, offset = read_string(frame, offset, flexible)
            topics.append(name)
            partitions, offset = read_count(frame, offset, flexible)
            for _ in range(partitions):
                offset += 4  # index
                if flexible:
                    size, offset = read_uvarint(frame, offset)
                    offset = skip_tagged_fields(frame, offset + max(size - 1, 0))
                else:
                    (size,) = struct.unpack_from(">i", frame, offset)
                    offset += 4 + max(size, 0)
            if flexible:
                offset = skip_tagged_fields(frame, offset)
        if offset > len(frame):
            return acks, None
        return acks, tuple(topics)
    except (struct.error, IndexError, UnicodeDecodeError):
        return acks, None


def read_count(frame, offset, flexible):
    if flexible:
        count, offset = read_uvarint(frame, offset)
        return max(count - 1, 0), offset
    (count,) = struct.unpack_from(">i", frame, offset)
    return max(count, 0), offset + 4


def read_string(frame, offset, flexible):
    if flexible:
        length, offset = read_uvarint(frame, offset)
        length -= 1
    else:
        (length,) = struct.unpack_from(">h", frame, offset)
        offset += 2
    if length < 0 or offset + length > len(frame):
        raise IndexError("string past the frame")
    return frame[offset:offset + length].decode(), offset + length


def fetch_shape(frame, version):
    """What decides a Fetch's answer, and its topic names (None when not known): the frame
    without its correlation id, with the topics and partitions in a fixed order (librdkafka
    rotates them from one Fetch to the next). Parsed for the flexible versions (12+), which
    librdkafka uses; older ones are compared as they are. From v13 topics are ids: no names."""
    raw = frame[:4] + frame[8:]
    if version < FETCH_FLEXIBLE:
        return raw, None
    try:
        offset = body_offset(frame, True)
        # replica_id (up to v14), max_wait_ms, min_bytes, max_bytes, isolation_level, session_id, session_epoch
        offset += (25 if version < FETCH_NO_REPLICA_ID else 21)
        head_end = offset
        count, offset = read_count(frame, offset, True)
        topics, names = [], []
        for _ in range(count):
            topic_start = offset
            if version < FETCH_TOPIC_IDS:
                name, offset = read_string(frame, offset, True)
                names.append(name)
            else:
                offset += 16
            topic = frame[topic_start:offset]
            partitions_count, offset = read_count(frame, offset, True)
            partitions = []
            for _ in range(partitions_count):
                # partition, current_leader_epoch, fetch_offset, last_fetched_epoch, log_start_offset, partition_max_bytes
                partition_start = offset
                offset = skip_tagged_fields(frame, offset + 32)
                partitions.append(frame[partition_start:offset])
            offset = skip_tagged_fields(frame, offset)
            topics.append((topic, tuple(sorted(partitions))))
        if offset > len(frame):
            return raw, None
        shape = (frame[:4] + frame[8:head_end], tuple(sorted(topics)), frame[offset:])
        return shape, (tuple(sorted(names)) if version < FETCH_TOPIC_IDS else None)
    except (struct.error, IndexError, UnicodeDecodeError):
        return raw, None


def read_uvarint(frame, offset):
    value = shift = 0
    while True:
        byte = frame[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, offset
        shift += 7
        if shift > 28:
            raise IndexError("uvarint too long")


def skip_tagged_fields(frame, offset):
    count, offset = read_uvarint(frame, offset)
    for _ in range(count):
        _, offset = read_uvarint(frame, offset)
        size, offset = read_uvarint(frame, offset)
        offset += size
    return offset


class Proxy:
    def __init__(self, host, port, internal_port):
        self.host = host
        self.internal_port = internal_port
        self.writes = Writes()
        self.fetches = collections.Counter()  # "forwarded", "held": printed when this stops
        self.internal_address = host.encode() + struct.pack(">i", internal_port)
        self.public_address = host.encode() + struct.pack(">i", port)

    async def serve(self, client_reader, client_writer):
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(self.host, self.internal_port)
        except OSError:
            client_writer.close()
            return
        in_flight = collections.deque()
        tasks = [asyncio.ensure_future(self.requests(client_reader, upstream_writer, in_flight)),
                 asyncio.ensure_future(self.responses(upstream_reader, client_writer, in_flight))]
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        for task in done:
            if not task.cancelled():
                task.exception()  # retrieved: a reset on either side ends both directions, as a close does
        for writer in (client_writer, upstream_writer):
            writer.close()

    async def requests(self, reader, upstream, in_flight):
        previous_fetch = None  # (its shape, the writes' snapshot of its topics when it was forwarded)
        while True:
            frame = await read_frame(reader)
            if frame is None:
                return
            api_key, version = struct.unpack_from(">hh", frame)
            topics, answered = None, True
            if api_key == FETCH:
                shape, topics = fetch_shape(frame, version)
                if previous_fetch == (shape, self.writes.snapshot(topics)):
                    self.fetches["held"] += 1
                    await self.writes.wait(topics, previous_fetch[1], max_wait_seconds(frame, version))
                self.fetches["forwarded"] += 1
                previous_fetch = (shape, self.writes.snapshot(topics))
            elif api_key == PRODUCE:
                acks, topics = produce_request(frame, version)
                answered = acks != 0
            if answered:
                in_flight.append((api_key, topics))
            upstream.write(struct.pack(">i", len(frame)) + frame)
            await upstream.drain()
            if not answered:
                self.writes.completed(topics)  # acks=0: no answer will say when it is written

    async def responses(self, upstream, writer, in_flight):
        while True:
            frame = await read_frame(upstream)
            if frame is None or not in_flight:
                return
            api_key, topics = in_flight.popleft()
            if api_key in ADDRESSES:
                frame = frame.replace(self.internal_address, self.public_address)
            writer.write(struct.pack(">i", len(frame)) + frame)
            await writer.drain()
            if api_key in WRITES:
                self.writes.completed(topics)  # None (every topic) but for a Produce whose topics are known


async def read_frame(reader):
    try:
        (size,) = struct.unpack(">i", await reader.readexactly(4))
        if not 0 < size <= MAX_FRAME:
            return None
        return await reader.readexactly(size)
    except (asyncio.IncompleteReadError, ConnectionError):
        return None


def free_port(host):
    """A port nothing listens on, below the ephemeral range."""
    for _ in range(200):
        port = random.randrange(20_000, 32_000)
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
                return port
            except OSError:
                continue
    raise SystemExit("no free internal port")


def start_noida(binary, host, internal_port, data_dir):
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1

    def die_with_parent():
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)

    return subprocess.Popen([binary, "start", "--only", "kafka", "--host", host, "--kafka-port", str(internal_port),
                             "--data-dir", data_dir], preexec_fn=die_with_parent)


def listening(host, port, child, seconds=60):
    """True once noida-db listens; False if it exited first (e.g. its port was taken meanwhile)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if child.poll() is not None:
            return False
        with socket.socket() as probe:
            if probe.connect_ex((host, port)) == 0:
                return True
        time.sleep(0.02)
    raise SystemExit("noida-db did not listen in time")


def start_listening_noida(binary, host, data_dir, attempts=5):
    """noida-db on a free internal port: another port when one found free is taken before it binds."""
    for _ in range(attempts):
        internal_port = free_port(host)
        child = start_noida(binary, host, internal_port, data_dir)
        if listening(host, internal_port, child):
            return child, internal_port
        time.sleep(0.2)
    raise SystemExit(f"noida-db exited during start {attempts} times (last status {child.returncode})")


async def main(binary, host, port, data_dir):
    child, internal_port = start_listening_noida(binary, host, data_dir)
    proxy = Proxy(host, port, internal_port)
    server = await asyncio.start_server(proxy.serve, host, port, reuse_address=True)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    exited = loop.run_in_executor(None, child.wait)
    print(f"noida-db on {host}:{internal_port}, fetches held on {host}:{port}", flush=True)
    await asyncio.wait([asyncio.ensure_future(stopping.wait()), exited], return_when=asyncio.FIRST_COMPLETED)
    server.close()
    print(f"fetches: {proxy.fetches['forwarded']} forwarded, {proxy.fetches['held']} held", flush=True)
    if child.poll() is None:
        child.terminate()
        try:
            await asyncio.wait_for(exited, 15)
        except asyncio.TimeoutError:
            child.kill()
    return child.wait()


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__.rsplit("usage: ", 1)[1])
    status = asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]))
    os._exit(status if status >= 0 else 128 - status)
