"""gzip request bodies: devices on slow links send batches compressed.

`Content-Encoding: gzip` bodies are inflated here, before anything parses them, with a cap
on the INFLATED size (a few KB of gzip can inflate to gigabytes): past the cap the request
is answered 413 without inflating further. A body that is not valid gzip is a 400. Other
content codings are refused with 415 (RFC 7694). The outer size limit still applies to the
bytes on the wire.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem


class _Refused(Exception):
    def __init__(self, status: int, code: str, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.title, self.detail = status, code, title, detail


class GzipRequestMiddleware:
    def __init__(
        self, app: ASGIApp, max_bytes: int, path_limits: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Paths that may inflate to more than max_bytes (the observation batch endpoint).
        self.path_limits = dict(path_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        encoding = b""
        for name, value in headers:
            if name == b"content-encoding":
                encoding = value.strip().lower()
        if encoding in (b"", b"identity"):
            await self.app(scope, receive, send)
            return
        try:
            if encoding not in (b"gzip", b"x-gzip"):
                raise _Refused(
                    415,
                    "unsupported_content_encoding",
                    "Unsupported content encoding",
                    "Send the body as is or with Content-Encoding: gzip.",
                )
            body = await self._inflate(receive, self.path_limits.get(scope["path"], self.max_bytes))
        except _Refused as refused:
            response = problem(refused.status, refused.code, refused.title, refused.detail)
            if refused.status == 415:
                response.headers["Accept-Encoding"] = "gzip"
            await response(scope, receive, send)
            return
        kept = [(n, v) for n, v in headers if n not in (b"content-encoding", b"content-length")]
        kept.append((b"content-length", str(len(body)).encode()))
        sent = False

        async def inflated_receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app({**scope, "headers": kept}, inflated_receive, send)

    @staticmethod
    async def _inflate(receive: Receive, limit: int) -> bytes:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                raise _Refused(400, "bad_gzip", "Malformed gzip body", "The body ended early.")
            more = bool(message.get("more_body", False))
            data = message.get("body", b"")
            try:
                while data:
                    if inflater.eof:
                        # Bytes after the end of the gzip member.
                        raise zlib.error("trailing data")
                    # Never inflate more than one byte past the limit.
                    out += inflater.decompress(data, limit + 1 - len(out))
                    if len(out) > limit:
                        raise _Refused(
                            413,
                            "payload_too_large",
                            "Payload too large",
                            f"The body inflates to more than {limit} bytes.",
                        )
                    data = inflater.unconsumed_tail
            except zlib.error:
                raise _Refused(
                    400, "bad_gzip", "Malformed gzip body", "The body is not valid gzip data."
                ) from None
        if not inflater.eof or inflater.unused_data:
            raise _Refused(
                400,
                "bad_gzip",
                "Malformed gzip body",
                "The gzip data is truncated or followed by other bytes.",
            )
        return bytes(out)
