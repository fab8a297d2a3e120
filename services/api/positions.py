"""Resume tokens: a stream position over every partition of the enriched topic.

A token lists, for each partition, the next offset the client has not seen, e.g. `0:120,1:97,2:0`
("Kafka offsets as resume tokens", like Wikimedia EventStreams, but compact enough for a
`Last-Event-ID` header). Every event with a lower offset was either sent or did not match the
client's filters, so resuming from a token has no gap and no repeat.
"""

import re

from .errors import BadRequest

__all__ = ["Position", "decode_token", "encode_token", "merge"]

Position = dict[int, int]

_TOKEN = re.compile(r"^\d{1,5}:\d{1,19}(,\d{1,5}:\d{1,19})*$")


def encode_token(position: Position) -> str:
    return ",".join(f"{p}:{o}" for p, o in sorted(position.items()))


def decode_token(token: str) -> Position:
    token = token.strip()
    if not _TOKEN.match(token):
        raise BadRequest(
            "the resume token (Last-Event-ID / last_event_id) is not one this API sent", code="invalid_resume_token"
        )
    position: Position = {}
    for part in token.split(","):
        partition, offset = part.split(":")
        position[int(partition)] = int(offset)
    return position


def merge(a: Position, b: Position) -> Position:
    """Element-wise maximum: the furthest point both positions have passed."""
    merged = dict(a)
    for partition, offset in b.items():
        if offset > merged.get(partition, 0):
            merged[partition] = offset
    return merged
