"""Content-Encoding decoded as the bytes arrive, never past a cap on the decoded size.

httpx's own decoders inflate each chunk in one call with no output limit: 820 bytes of
`Content-Encoding: gzip, gzip` on the wire became 400 MB in memory before the body cap could look
at them (issue 14, finding 5). Here every `decompress` call is given the room left under the cap
as its `max_length`, so the most a response can ever take is the cap plus one chunk of the wire.

Only what the crawler asks for is accepted (`ACCEPT_ENCODING`: gzip and deflate, or none). A
response that stacks encodings (`gzip, gzip`, `deflate, gzip`) is refused outright, and so is one
in an encoding the crawler never offered: no news site needs either, and both are how bombs hide.
"""

import zlib
from collections.abc import AsyncIterator

import httpx

from .errors import FetchError

__all__ = ["ACCEPT_ENCODING", "BodyDecoder", "content_codings", "read_body"]

#: What the crawler sends as Accept-Encoding, and all it decodes.
ACCEPT_ENCODING = "gzip, deflate"

_GZIP = {"gzip", "x-gzip"}


def content_codings(header: str | None) -> list[str]:
    """The codings of a Content-Encoding header in the order they were applied, `identity` left out."""
    return [c.strip().lower() for c in (header or "").split(",") if c.strip() and c.strip().lower() != "identity"]


class BodyDecoder:
    """Feed it the raw body chunk by chunk; it returns decoded bytes and raises `FetchError`
    (`too_large` past `limit` decoded bytes, `bad_encoding` for a refused or corrupt encoding)."""

    def __init__(self, content_encoding: str | None, *, limit: int, url: str) -> None:
        self.limit = limit
        self.url = url
        self.size = 0
        #: after `too_large`: the part of the last chunk that still fitted under the limit
        self.kept = b""
        codings = content_codings(content_encoding)
        if len(codings) > 1:
            raise FetchError("bad_encoding", f"stacked content encodings refused: {', '.join(codings)}", url=url)
        self.coding = codings[0] if codings else None
        if self.coding is not None and self.coding not in _GZIP and self.coding != "deflate":
            raise FetchError("bad_encoding", f"content encoding {self.coding!r} was not asked for", url=url)
        self._inflater: zlib._Decompress | None = None
        if self.coding in _GZIP:
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        #: deflate's first bytes, until there are two to tell its two forms apart
        self._head = b""

    def _count(self, data: bytes) -> bytes:
        room = self.limit - self.size
        self.size += len(data)
        if self.size > self.limit:
            # What fits, for a caller that reads a prefix only (robots.txt).
            self.kept = data[:room]
            what = "decoded body" if self.coding else "body"
            raise FetchError("too_large", f"{what} exceeds {self.limit} bytes", url=self.url)
        return data

    def feed(self, chunk: bytes) -> bytes:
        if self.coding is None:
            return self._count(chunk)
        if self._inflater is None:
            # "deflate" is zlib-wrapped by the standard and raw by many servers; a zlib header is
            # two bytes whose big-endian value is a multiple of 31, with method 8 in the low nibble.
            self._head += chunk
            if len(self._head) < 2:
                return b""
            zlib_wrapped = self._head[0] & 0x0F == 8 and int.from_bytes(self._head[:2], "big") % 31 == 0
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS)
            chunk, self._head = self._head, b""
        if self._inflater.eof:
            return b""  # trailing bytes after the end of the stream are ignored, as httpx does
        try:
            # At most one byte more than the room left: that byte is enough to know the cap is passed.
            data = self._inflater.decompress(chunk, self.limit - self.size + 1)
        except zlib.error as exc:
            raise FetchError("bad_encoding", f"corrupt {self.coding} body: {exc}", url=self.url) from exc
        return self._count(data)

    def finish(self) -> bytes:
        if self._head:
            raise FetchError("bad_encoding", f"one byte is not a {self.coding} body", url=self.url)
        if self._inflater is None or self._inflater.eof:
            return b""
        try:
            return self._count(self._inflater.flush(self.limit - self.size + 1))
        except zlib.error as exc:
            raise FetchError("bad_encoding", f"corrupt {self.coding} body: {exc}", url=self.url) from exc


async def read_body(url: str, response: httpx.Response, *, limit: int, truncate: bool = False) -> bytes:
    """The body, decoded as it arrives with at most `limit` bytes on the wire and decoded; past
    that, `FetchError("too_large")`, or the first `limit` bytes when `truncate`. Stacked or unasked
    encodings raise `FetchError("bad_encoding")` before a byte is read."""
    decoder = BodyDecoder(response.headers.get("content-encoding"), limit=limit, url=url)
    if response.is_stream_consumed:
        # An in-process transport (the tests' MockTransport) built the response from bytes, which
        # httpx has read and decoded already; a network response always arrives as a stream.
        decoder = BodyDecoder(None, limit=limit, url=url)
        raw = _already_read(response)
    else:
        raw = response.aiter_raw()
    chunks: list[bytes] = []
    wire = 0
    try:
        async for chunk in raw:
            chunks.append(decoder.feed(chunk))
            wire += len(chunk)
            if wire > limit:
                # Compressed data that decodes to less than itself, endlessly: bounded too.
                raise FetchError("too_large", f"body exceeds {limit} bytes on the wire", url=url)
        chunks.append(decoder.finish())
    except FetchError as exc:
        if not (truncate and exc.outcome == "too_large"):
            raise
        chunks.append(decoder.kept)
    return b"".join(chunks)


async def _already_read(response: httpx.Response) -> AsyncIterator[bytes]:
    yield response.content
