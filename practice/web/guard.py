"""Who may talk to the app, checked before any page or socket sees a request.

As Jupyter Server does: a random token printed in the terminal, traded on first visit for an
HttpOnly, SameSite=Strict cookie. As it and Datasette do: a Host header other than the server's
own is refused (a DNS-rebinding page reaches 127.0.0.1 under its own name), and so is a
WebSocket or a POST whose Origin is not the server's own (another site's page driving ours).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE_PREFIX = "practice-token-"  # + the port: cookies ignore ports, two servers must not meet
TOKEN_BYTES = 32  # 256 random bits, as url-safe base64
SAFE_METHODS = ("GET", "HEAD")  # the only methods that need no Origin check
REFUSED = (
    "Open the address that `practice app` printed in the terminal "
    "(http://127.0.0.1:PORT/?token=...); this one is refused."
)


def cookie_name(port: int) -> str:
    """The cookie that carries the token of the server on `port` (as Jupyter names its own)."""
    return f"{COOKIE_PREFIX}{port}"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def own_hosts(port: int) -> frozenset[str]:
    """The Host headers the server answers to: its own address, by number or by name."""
    return frozenset({f"127.0.0.1:{port}", f"localhost:{port}"})


def own_origins(port: int) -> frozenset[str]:
    """The Origins of the app's own pages."""
    return frozenset(f"http://{h}" for h in own_hosts(port))


def host_ok(host: str | None, port: int) -> bool:
    return host is not None and host.lower() in own_hosts(port)


def origin_ok(origin: str | None, port: int) -> bool:
    return origin is not None and origin.lower() in own_origins(port)


def token_ok(given: str | None, token: str) -> bool:
    """Whether `given` is the token (compared in constant time)."""
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


class Guard:
    """ASGI middleware: the Host, the token (query or cookie) and, for a WebSocket or a
    request that changes something, the Origin. A refused request gets 403 and one line."""

    def __init__(self, app: ASGIApp, *, token: str, port: int) -> None:
        self.app = app
        self.token = token
        self.port = port
        self.cookie = cookie_name(port)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)  # lifespan
            return
        from starlette.datastructures import Headers, QueryParams
        from starlette.requests import cookie_parser

        headers = Headers(scope=scope)
        query = QueryParams(scope.get("query_string", b""))
        from_query = token_ok(query.get("token"), self.token)
        from_cookie = token_ok(
            cookie_parser(headers.get("cookie", "")).get(self.cookie), self.token
        )
        changes = scope["type"] == "websocket" or scope.get("method") not in SAFE_METHODS
        if not host_ok(headers.get("host"), self.port):
            await self._refuse(scope, receive, send)
        elif not (from_query or from_cookie):
            await self._refuse(scope, receive, send)
        elif changes and not origin_ok(headers.get("origin"), self.port):
            await self._refuse(scope, receive, send)
        elif from_query and not from_cookie and scope["type"] == "http":
            await self.app(scope, receive, self._with_cookie(send))
        else:
            await self.app(scope, receive, send)

    def _with_cookie(self, send: Send) -> Send:
        cookie = f"{self.cookie}={self.token}; HttpOnly; SameSite=Strict; Path=/".encode()

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie)]
            await send(message)

        return sending

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            # Closing before accepting: the server answers the handshake with 403.
            await send({"type": "websocket.close", "code": 1008})
            return
        from starlette.responses import PlainTextResponse

        response = PlainTextResponse(
            REFUSED + "\n",
            status_code=403,
            headers={"Content-Security-Policy": "default-src 'none'", "Cache-Control": "no-store"},
        )
        await response(scope, receive, send)
