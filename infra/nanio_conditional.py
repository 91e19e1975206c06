"""nanio with conditional writes (If-None-Match: * / If-Match: ETAG), for Tansu's s3:// storage.

nanio 0.1.7 ignores both headers on PUT, so Tansu's optimistic-concurrency writes (a batch
file is written only if absent; watermark.json only if its ETag still matches) silently
overwrite each other: acknowledged records disappear, and concurrent idempotent producers
fail with "out of order sequence number". This serves nanio's own ASGI app (same SigV4
checks, same on-disk layout) with every request for one object key serialised, and
PUT/POST/DELETE preconditions checked against the stored ETag under that key's lock:
a failed one gets 412 PreconditionFailed, as S3 answers. One process only.

It also hides nanio's PUT staging files from listings. nanio streams a PUT body into
`<dir>/.tmp.<32 hex>` next to the final file and renames it at the end, and its listing only
skips `.nanio*` names, so a ListObjects racing a PUT returned e.g. `.../records/.tmp.eeaf3d15...`
as an object. Tansu's fetch takes the first 20 characters of every key under `.../records/`
as the batch's offset (i64), so such a listing failed the whole Fetch with
`ParseInt(InvalidDigit)`, and Tansu closed the client connection (consumers stalled, groups
churned). Real S3 and moto never list an object before its PUT completes.

It also answers browsers' CORS as an S3 bucket with a permissive CORS configuration does
(nanio has none): a preflight OPTIONS is answered here, and every answer to a request with an
`Origin` echoes it. The web app uploads attachments with presigned PUTs from the page's origin.

usage: NANIO_ACCESS_KEY=.. NANIO_SECRET_KEY=.. python nanio_conditional.py DATA_DIR HOST PORT [REGION]
"""
import asyncio
import re
import sys
from collections import defaultdict
from pathlib import Path
from urllib.parse import parse_qs

import uvicorn
from nanio.app import build_app
from nanio.auth.credentials import EnvCredentialResolver
from nanio.config import Settings
from nanio.errors import S3Error
import nanio.storage.filesystem as nanio_fs

# nanio 0.1.7 put_object stages into final.parent / f".tmp.{uuid4().hex}" (see module docstring)
STAGING_NAME = re.compile(r"\.tmp\.[0-9a-f]{32}")
_walk_keys = nanio_fs._walk_keys  # fail loudly at import if a nanio upgrade renamed it


def _walk_keys_without_staging(bdir, prefix, delimiter, common_prefixes_out):
    for key in _walk_keys(bdir, prefix, delimiter, common_prefixes_out):
        if not STAGING_NAME.fullmatch(key.rsplit("/", 1)[-1]):
            yield key


nanio_fs._walk_keys = _walk_keys_without_staging  # used by list_objects (ListObjects v1 and v2)

PRECONDITION_XML = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>'
                    b'<Message>At least one of the preconditions you specified did not hold.</Message></Error>')


def unq(etag: str) -> str:
    etag = etag.strip()
    if etag.startswith("W/"):
        etag = etag[2:]
    return etag.strip('"')


class ConditionalWrites:
    def __init__(self, app):
        self.app = app
        self.locks: dict[tuple[str, str], asyncio.Lock] = defaultdict(asyncio.Lock)
        self.users: dict[tuple[str, str], int] = defaultdict(int)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        parts = scope["path"].lstrip("/").split("/", 1)
        if len(parts) < 2 or not parts[1]:
            return await self.app(scope, receive, send)  # service / bucket level
        bucket, key = parts
        qs = parse_qs(scope.get("query_string", b"").decode())
        if "partNumber" in qs:  # multipart part upload: no key-level state
            return await self.app(scope, receive, send)
        lk = (bucket, key)
        self.users[lk] += 1
        try:
            async with self.locks[lk]:
                if scope["method"] in ("PUT", "DELETE", "POST"):
                    h = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
                    inm, im = h.get("if-none-match"), h.get("if-match")
                    if inm is not None or im is not None:
                        try:
                            cur = unq(self.app.state.storage.head_object(bucket, key).etag)
                        except S3Error:
                            cur = None
                        ok = True
                        if inm is not None and cur is not None and (inm.strip() == "*" or unq(inm) == cur):
                            ok = False
                        if im is not None and (cur is None or (im.strip() != "*" and unq(im) != cur)):
                            ok = False
                        if not ok:
                            while True:  # drain the request body so keep-alive stays in sync
                                msg = await receive()
                                if msg["type"] != "http.request" or not msg.get("more_body"):
                                    break
                            await send({"type": "http.response.start", "status": 412,
                                        "headers": [(b"content-type", b"application/xml"),
                                                    (b"content-length", str(len(PRECONDITION_XML)).encode())]})
                            await send({"type": "http.response.body", "body": PRECONDITION_XML})
                            return
                await self.app(scope, receive, send)
        finally:
            self.users[lk] -= 1
            if not self.users[lk]:
                del self.users[lk]
                self.locks.pop(lk, None)


class BrowserCORS:
    """S3 bucket CORS (AllowedOrigins *, methods GET/PUT/HEAD/POST/DELETE, any header)."""

    METHODS = b"GET, PUT, HEAD, POST, DELETE"

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode().lower(): v for k, v in scope["headers"]}
        origin = headers.get("origin")
        if origin is None:
            return await self.app(scope, receive, send)
        if scope["method"] == "OPTIONS" and b"access-control-request-method" in {k.encode() for k in headers}:
            allow = headers.get("access-control-request-headers", b"")
            await send({"type": "http.response.start", "status": 200, "headers": [
                (b"access-control-allow-origin", origin), (b"access-control-allow-methods", self.METHODS),
                (b"access-control-allow-headers", allow), (b"access-control-max-age", b"600"),
                (b"vary", b"Origin"), (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message):
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + [
                    (b"access-control-allow-origin", origin), (b"access-control-expose-headers", b"ETag"), (b"vary", b"Origin")]
            await send(message)

        await self.app(scope, receive, send_with_cors)


def main():
    data_dir, host, port = Path(sys.argv[1]).resolve(), sys.argv[2], int(sys.argv[3])
    region = sys.argv[4] if len(sys.argv) > 4 else "us-east-1"
    settings = Settings(data_dir=data_dir, host=host, port=port, region=region,
                        credentials=EnvCredentialResolver(), access_log=False)
    app = ConditionalWrites(build_app(settings))
    app.state = app.app.state
    uvicorn.run(BrowserCORS(app), host=host, port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
