"""A userspace UDP relay that drops a share of the datagrams it forwards (tc netem does not work
on these machines: FACTS.md). Tests put it between a WebRTC peer and the edge by pointing the
peer at `address` instead of the edge's candidate.

Each client address gets its own upstream socket towards `target`, so the edge sees one
5-tuple per client and its answers find the way back. Drops are decided by a seeded random
generator (the same pattern on every run), independently per direction.

    relay = await LossyRelay.start(("10.0.0.2", 0), ("10.0.0.1", 10000), loss=0.05)
    relay.address  # ("10.0.0.2", 41234): what the peer should send to
    relay.stats    # {"up": {"forwarded": n, "dropped": n}, "down": {...}}
    relay.close()
"""
import asyncio
import random


class _Upstream(asyncio.DatagramProtocol):
    """One client's socket towards the target: what comes back goes to that client."""

    def __init__(self, relay, client):
        self.relay, self.client = relay, client
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.relay.forward("down", data, lambda: self.relay.transport.sendto(data, self.client))


class _Downstream(asyncio.DatagramProtocol):
    def __init__(self, relay):
        self.relay = relay

    def connection_made(self, transport):
        self.relay.transport = transport

    def datagram_received(self, data, addr):
        self.relay.from_client(data, addr)


class LossyRelay:
    MAX_CLIENTS = 16

    def __init__(self, target, loss, seed):
        self.target, self.loss = target, loss
        self.random = random.Random(seed)
        self.transport = None
        self.upstreams = {}
        self.pending = {}
        self.stats = {"up": {"forwarded": 0, "dropped": 0}, "down": {"forwarded": 0, "dropped": 0}}

    @classmethod
    async def start(cls, listen, target, loss=0.05, seed=1):
        relay = cls(target, loss, seed)
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(lambda: _Downstream(relay), local_addr=listen)
        return relay

    @property
    def address(self):
        return self.transport.get_extra_info("sockname")[:2]

    def forward(self, direction, data, send):
        if self.random.random() < self.loss:
            self.stats[direction]["dropped"] += 1
            return
        self.stats[direction]["forwarded"] += 1
        send()

    def from_client(self, data, client):
        upstream = self.upstreams.get(client)
        if upstream is not None and upstream.transport is not None:
            self.forward("up", data, lambda: upstream.transport.sendto(data))
            return
        if client in self.pending:
            self.pending[client].append(data)
            return
        if len(self.upstreams) + len(self.pending) >= self.MAX_CLIENTS:
            return
        self.pending[client] = [data]
        asyncio.ensure_future(self._open(client))

    async def _open(self, client):
        loop = asyncio.get_running_loop()
        bind = (self.address[0], 0)
        _, protocol = await loop.create_datagram_endpoint(lambda: _Upstream(self, client), local_addr=bind,
                                                          remote_addr=self.target)
        self.upstreams[client] = protocol
        for data in self.pending.pop(client, []):
            self.forward("up", data, lambda data=data: protocol.transport.sendto(data))

    def close(self):
        for upstream in self.upstreams.values():
            if upstream.transport is not None:
                upstream.transport.close()
        if self.transport is not None:
            self.transport.close()
