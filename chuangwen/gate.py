"""一道门：Web 服务器收到的每个 HTTP 请求与 WebSocket 握手都先在这里认人（ASGI 中间件，在 Streamlit 自己的路由之前）。

- 不用登录的只有登录、退出两条路由与健康检查；其余没登录时：打开页面的请求转到登录页（记下原网址，登录后回来），
  别的请求 401。
- /media/*（下载的文件）只给生成它的那个登录会话，别人（含没登录的）一律 404；/_stcore/metrics 只给管理员。
- WebSocket 握手：没登录的拒绝；自称要接上某个页面会话（子协议里的会话编号）时，那个会话若属于别的登录会话就拒绝，
  不认识的编号去掉（服务器新开一个会话），接不上别人的会话。
- 每个 HTTP 响应都带安全响应头（单进程不经 nginx 也有）。
- 登录与退出两条路由也在这里（routes()）：表单、CSRF、同源、限速、cookie。

不依赖 streamlit：页面会话与下载文件归谁，由调用方（chuangwen.ui.webapp）以函数传进来。
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import parse_qs, quote

import anyio
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chuangwen import accounts, settings, signin, sitemap
from chuangwen.vocabulary import ROLE_ADMIN

_LOG = logging.getLogger("chuangwen.gate")

OPEN_PATHS = frozenset({signin.LOGIN_PATH, signin.LOGOUT_PATH, "/_stcore/health"})
# 页面资源（脚本、样式、组件）的认人结果可以借用几秒：一次打开页面有几十个这样的请求，不必每个都查状态库；
# 下载、上传、握手、页面本身每次都查
_ASSET_PREFIXES = ("/static/", "/app/static/", "/component/", "/_stcore/host-config", "/favicon")
_ASSET_SECONDS = 5.0
_MAX_COOKIE_HEADER = 8192


def _db_path() -> Path:
    return Path(settings.get("db_path"))


def _tls() -> bool:
    return bool(settings.get("tls_cert"))


def _headers(scope: Scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in scope.get("headers", []):
        out[k.decode("latin-1").lower()] = v.decode("latin-1")
    return out


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    raw = headers.get("cookie", "")
    if len(raw) > _MAX_COOKIE_HEADER:  # 超长的 cookie 当作没有（不解析、不查库）
        return {}
    out: dict[str, str] = {}
    for part in raw.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name and name not in out:
            out[name] = value.strip().strip('"')
    return out


def _is_page(path: str, method: str, headers: dict[str, str]) -> bool:
    """打开页面的请求（地址栏、链接）：没登录时转登录页而不是 401。"""
    if method not in ("GET", "HEAD"):
        return False
    if path.strip("/") in sitemap.url_paths():
        return True
    return not path.startswith(
        ("/_stcore/", "/static/", "/media/", "/component/", "/app/")
    ) and "text/html" in headers.get("accept", "")


def _subprotocols(headers: dict[str, str]) -> list[str]:
    return [p.strip() for p in headers.get("sec-websocket-protocol", "").split(",")]


class Gate:
    """ASGI 中间件：见模块说明。session_owner(页面会话编号) → 登录会话标识或 None；
    media_owners(文件名) → 可以取这个文件的登录会话标识；bind_refused() 在拒绝接上别人的会话时记一笔（测试与日志用）。"""

    def __init__(
        self,
        app: ASGIApp,
        *,
        session_owner: Callable[[str], str | None],
        media_owners: Callable[[str], Iterable[str]],
        db_path: Callable[[], Path] = _db_path,
        tls: Callable[[], bool] = _tls,
    ):
        self.app = app
        self.session_owner, self.media_owners = session_owner, media_owners
        self.db_path, self.tls = db_path, tls
        self._recent: dict[str, tuple[float, signin.Identity]] = {}

    async def _identify(self, headers: dict[str, str], *, reuse: bool) -> signin.Identity | None:
        cookies = _cookies(headers)
        key = (cookies.get(signin.COOKIE) or "") + "|" + (headers.get(signin.PROXY_HEADER.lower()) or "")
        if reuse and key in self._recent and time.monotonic() - self._recent[key][0] < _ASSET_SECONDS:
            return self._recent[key][1]
        identity = await anyio.to_thread.run_sync(signin.identify, self.db_path(), cookies, headers)
        if identity is not None:
            if len(self._recent) > 4096:
                self._recent.clear()
            self._recent[key] = (time.monotonic(), identity)
        else:
            self._recent.pop(key, None)
        return identity

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        policy = signin.COMPONENT_POLICY if path.startswith("/component/") else signin.CONTENT_SECURITY_POLICY
        extra = [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in signin.security_headers(tls=self.tls(), policy=policy)
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message = {
                    **message,
                    "headers": [*message.get("headers", []), *(h for h in extra if h[0].lower() not in present)],
                }
            await send(message)

        if path in OPEN_PATHS:
            await self.app(scope, receive, send_with_headers)
            return
        headers = _headers(scope)
        identity = await self._identify(headers, reuse=path.startswith(_ASSET_PREFIXES))
        response: Response | None = None
        if identity is None:
            if _is_page(path, scope.get("method", "GET"), headers):
                query = scope.get("query_string", b"").decode("latin-1")
                response = RedirectResponse(signin.login_url(path + (f"?{query}" if query else "")), status_code=303)
            else:
                response = PlainTextResponse("请先登录。", status_code=401)
        elif path.startswith("/media/"):
            name = path.rsplit("/", 1)[-1]
            owners = await anyio.to_thread.run_sync(lambda: set(self.media_owners(name)))
            if identity.owner not in owners:
                _LOG.warning("拒绝取文件 %s：不是生成它的登录会话（%s）", name, identity.viewer.name)
                response = PlainTextResponse("没有这个文件。", status_code=404)
        elif path.rstrip("/").endswith("/_stcore/metrics") and identity.viewer.role != ROLE_ADMIN:
            response = PlainTextResponse("没有这个页面。", status_code=404)
        if response is not None:
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers(scope)
        identity = await self._identify(headers, reuse=False)
        if identity is None:
            await _refuse_websocket(receive, send)
            return
        parts = _subprotocols(headers)
        if len(parts) >= 3 and parts[2]:
            owner = self.session_owner(parts[2])
            if owner is not None and owner != identity.owner:
                _LOG.warning("拒绝接上别人的页面会话 %s（%s）", parts[2], identity.viewer.name)
                await _refuse_websocket(receive, send)
                return
            if owner is None:
                # 不认识的会话编号（服务器重启过，或编出来的）：去掉它，让服务器给这个浏览器新开一个会话
                parts[2] = ""
                scope = {
                    **scope,
                    "headers": [(k, v) for k, v in scope["headers"] if k.lower() != b"sec-websocket-protocol"]
                    + [(b"sec-websocket-protocol", ", ".join(parts).encode("latin-1"))],
                }
        await self.app(scope, receive, send)


async def _refuse_websocket(receive: Receive, send: Send) -> None:
    # 握手阶段关闭：服务器回 HTTP 403，不建会话、不发任何页面内容
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 4403})


# ---------------------------------------------------------------- 登录与退出两条路由


def _scheme(request: Request) -> str:
    if signin.via_proxy(request.headers):
        return request.headers.get("x-forwarded-proto", request.url.scheme)
    return request.url.scheme


def _secure(request: Request) -> bool:
    return _scheme(request) == "https" or bool(settings.get("tls_cert"))


async def _form(request: Request) -> dict[str, str]:
    """表单（application/x-www-form-urlencoded，最多 8 KB）；别的内容或太大都当作空表单。"""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {}
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > signin.MAX_FORM_BYTES:
            return {}
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {k: v[0] for k, v in fields.items() if v}


def _login_response(
    request: Request, *, return_to: str, message: str | None = None, kind: str = "err", status: int = 200
) -> Response:
    csrf = signin.new_csrf()
    db_path = _db_path()
    first = None if accounts.has_accounts(db_path) else db_path
    page = signin.login_page(csrf=csrf, return_to=return_to, message=message, kind=kind, first_run_db=first)
    response = HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})
    response.headers["Content-Security-Policy"] = signin.LOGIN_PAGE_POLICY
    response.headers.append("Set-Cookie", signin.cookie_header(signin.CSRF_COOKIE, csrf, tls=_secure(request)))
    if request.cookies.get(signin.COOKIE):  # 失效的会话 cookie 顺手清掉
        response.headers.append("Set-Cookie", signin.cookie_header(signin.COOKIE, "", tls=_secure(request), max_age=0))
    return response


async def login_endpoint(request: Request) -> Response:
    return_to = signin.safe_return(request.query_params.get("next"))
    if request.method == "GET":
        identity = await anyio.to_thread.run_sync(signin.identify, _db_path(), request.cookies, request.headers)
        if identity is not None:
            return RedirectResponse(return_to, status_code=303)
        notice = {
            "out": ("已退出登录。", "ok"),
            "ended": ("登录已结束（闲置超时、已退出、改了口令或账号有变动），请重新登录。", "info"),
        }
        message, kind = notice.get(request.query_params.get("m", ""), (None, "err"))
        return await anyio.to_thread.run_sync(
            lambda: _login_response(request, return_to=return_to, message=message, kind=kind)
        )
    form = await _form(request)
    return_to = signin.safe_return(form.get("next"))
    if not signin.same_origin(request.headers, _scheme(request)) or not signin.csrf_ok(
        request.cookies.get(signin.CSRF_COOKIE), form.get("csrf")
    ):
        return await anyio.to_thread.run_sync(
            lambda: _login_response(
                request,
                return_to=return_to,
                status=403,
                message="登录表单已过期或不是从本站页面提交的，请在这一页重新输入。",
            )
        )
    name, password = form.get("name", "")[:64].strip(), form.get("password", "")[:256]
    client = signin.client_address(request.headers, request.client.host if request.client else None)
    try:
        login = await anyio.to_thread.run_sync(lambda: accounts.login(_db_path(), name, password, client=client))
    except accounts.AccountError as exc:
        status, message = (429 if isinstance(exc, accounts.LoginThrottled) else 401), str(exc)
        return await anyio.to_thread.run_sync(
            lambda: _login_response(request, return_to=return_to, message=message, status=status)
        )
    response = RedirectResponse(return_to, status_code=303)
    response.headers.append("Set-Cookie", signin.cookie_header(signin.COOKIE, login.token, tls=_secure(request)))
    response.headers.append("Set-Cookie", signin.cookie_header(signin.CSRF_COOKIE, "", tls=_secure(request), max_age=0))
    return response


async def logout_endpoint(request: Request) -> Response:
    if request.method == "GET":
        csrf = signin.new_csrf()
        response: Response = HTMLResponse(signin.logout_page(csrf=csrf), headers={"Cache-Control": "no-store"})
        response.headers["Content-Security-Policy"] = signin.LOGIN_PAGE_POLICY
        response.headers.append("Set-Cookie", signin.cookie_header(signin.CSRF_COOKIE, csrf, tls=_secure(request)))
        return response
    form = await _form(request)
    allowed = signin.csrf_ok(request.cookies.get(signin.CSRF_COOKIE), form.get("csrf")) or signin.logout_ok(
        request.cookies, form.get("logout")
    )
    if not signin.same_origin(request.headers, _scheme(request)) or not allowed:
        return RedirectResponse(signin.LOGOUT_PATH, status_code=303)
    token = signin.token_from(request.cookies)
    await anyio.to_thread.run_sync(lambda: accounts.logout(_db_path(), token))
    response = RedirectResponse(f"{signin.LOGIN_PATH}?m=out", status_code=303)
    response.headers.append("Set-Cookie", signin.cookie_header(signin.COOKIE, "", tls=_secure(request), max_age=0))
    return response


def routes() -> list[Route]:
    return [
        Route(signin.LOGIN_PATH, login_endpoint, methods=["GET", "POST"]),
        Route(signin.LOGOUT_PATH, logout_endpoint, methods=["GET", "POST"]),
    ]


def ended_url(return_to: str) -> str:
    """页面里发现登录已结束时给的链接：登录页带说明，登录后回到原处。"""
    target = signin.safe_return(return_to)
    return f"{signin.LOGIN_PATH}?m=ended" + ("" if target == "/" else f"&next={quote(target, safe='')}")
