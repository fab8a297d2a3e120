"""No secret in a log line: key-like URL parameters and credential headers are masked.

uvicorn logs every WebSocket handshake with its full URL at INFO, and the `websockets` library
logs handshake headers at DEBUG. Rather than chase each library's messages, one logging filter on
the process's handlers rewrites any formatted message: `api_key=...`, `token=...`, `password=...`
(and similar names) in a query string, and the values of `Authorization`, `Cookie`, `X-API-Key`
and similar headers, become `[redacted]`.
"""

import logging
import re

__all__ = ["REDACTED", "RedactingFilter", "install_redaction", "redact"]

REDACTED = "[redacted]"

#: Parameter names that carry secrets (matched case-insensitively, also as suffixes: `x_api_key`).
_PARAM_NAMES = (
    r"(?:api[_-]?key|apikey|key|token|access[_-]?token|refresh[_-]?token|id[_-]?token|auth|password|passwd|pwd"
    r"|secret|client[_-]?secret|session|signature|sig|credentials?)"
)
_QUERY_PARAM = re.compile(
    rf"(?i)(?P<name>(?:^|(?<=[?&;\s\"'(]))[\w.-]*{_PARAM_NAMES})=(?P<value>[^&\s\"';#)]*)"
)
_HEADER_NAMES = (
    r"(?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|x-access-token)"
)
# `Authorization: Bearer x` in a header dump, and ('authorization', 'Bearer x') / b'cookie': b'...' in a repr.
_HEADER_LINE = re.compile(rf"(?im)(?P<name>\b{_HEADER_NAMES}\s*:\s*)(?P<value>[^\r\n]+)")
_HEADER_TUPLE = re.compile(
    rf"(?i)(?P<name>b?['\"]{_HEADER_NAMES}['\"]\s*[,:]\s*)(?P<value>b?(?P<q>['\"]).*?(?P=q))"
)


def redact(text: str) -> str:
    """`text` with secret-looking parameter and header values masked."""
    if "=" in text:
        text = _QUERY_PARAM.sub(lambda m: f"{m.group('name')}={REDACTED}", text)
    text = _HEADER_TUPLE.sub(lambda m: f"{m.group('name')}'{REDACTED}'", text)
    return _HEADER_LINE.sub(lambda m: f"{m.group('name')}{REDACTED}", text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and exception text) with secrets masked; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging module's to report
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install_redaction(logger: logging.Logger | None = None) -> RedactingFilter:
    """Add the filter to every handler of `logger` (the root logger by default), where records
    from every library's loggers end up."""
    target = logger or logging.getLogger()
    flt = RedactingFilter()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(flt)
    return flt
