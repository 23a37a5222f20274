"""登录在 Web 服务器这边：谁在看由 HttpOnly cookie 指向的服务器端会话决定，不由浏览器标签页里的 Streamlit 会话决定。

- 登录页（/login）是一张小 HTML 表单：POST 带 CSRF 令牌（与 cookie 里的同一个值比对）且只收本站来的；成功时建服务器端会话，
  设 cookie `cw_session`（HttpOnly、SameSite=Strict、HTTPS 下 Secure），再回到登录前要去的网址（只许本站已知页面）。
- 每个 HTTP 请求与 WebSocket 握手由 chuangwen.gate 用 identify() 认人；页面每次运行也用它（读 st.context.cookies）。
- 内网统一认证的请求头只在请求经本产品自己的代理来时才认：代理每次启动生成一个暗号，加在转发的请求上（PROXY_HEADER）。

不依赖 streamlit（只有 starlette 的请求与响应），测试直接调用。
"""

from __future__ import annotations

import hashlib
import hmac
import html
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from chuangwen import accounts, settings, sitemap

COOKIE = "cw_session"
CSRF_COOKIE = "cw_csrf"
LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"
# 代理加在每个转发请求上的暗号与它看到的客户端地址（客户端自己带的同名请求头由代理覆盖）
PROXY_HEADER = "X-Chuangwen-Proxy"
CLIENT_HEADER = "X-Chuangwen-Client"
PROXY_SECRET_ENV = "CHUANGWEN_PROXY_SECRET"

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,128}$")
MAX_FORM_BYTES = 8192
MAX_RETURN = 2048


@dataclass(frozen=True)
class Identity:
    """认出的人：账号、这个登录会话的标识（页面会话与下载文件归它）、cookie 令牌（统一认证时没有）、怎么认出的。"""

    viewer: accounts.Viewer
    owner: str
    token: str | None
    via: str


def _get(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        value = headers.get(name.lower())
    return value


def token_from(cookies: Mapping[str, str]) -> str | None:
    """cookie 里的会话令牌；伪造的、太长的、字符不对的当作没有（不去查库）。"""
    raw = cookies.get(COOKIE)
    return raw if isinstance(raw, str) and _TOKEN.match(raw) else None


def proxy_secret() -> str | None:
    """本进程的代理暗号（chuangwen serve 启动代理时生成并交给各看板进程）；没有代理时 None。"""
    value = os.environ.get(PROXY_SECRET_ENV, "")
    return value if len(value) >= 32 else None


def via_proxy(headers: Mapping[str, str]) -> bool:
    """这个请求是不是经本产品的代理来的（带着对的暗号）。直接连看板进程端口的请求永远不是。"""
    secret = proxy_secret()
    given = _get(headers, PROXY_HEADER)
    return bool(secret and given and hmac.compare_digest(given.encode("latin-1", "replace"), secret.encode()))


def _header_text(value: str) -> str:
    # 请求头按 latin-1 解码；代理写进去的是 UTF-8 的中文登录名时还原回来
    try:
        return value.encode("latin-1").decode("utf-8").strip()
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value.strip()


def proxy_user(headers: Mapping[str, str]) -> str | None:
    """内网统一认证的登录名：设了 CHUANGWEN_TRUST_USER_HEADER、且请求经本产品的代理来时才认。"""
    header = settings.get("trust_user_header")
    if not header or not via_proxy(headers):
        return None
    raw = _get(headers, header)
    name = _header_text(raw) if raw else ""
    return name[:64] or None


def client_address(headers: Mapping[str, str], peer: str | None) -> str:
    """来源地址（登录限速按它计）：经本产品代理来的用代理看到的地址，否则用连接的对端；客户端自报的 X-Forwarded-For 不信。"""
    if via_proxy(headers):
        given = (_get(headers, CLIENT_HEADER) or "").strip()
        if given:
            return given[:64]
    return (peer or "本机")[:64]


def identify(db_path: str | os.PathLike, cookies: Mapping[str, str], headers: Mapping[str, str]) -> Identity | None:
    """这个请求是谁：经代理的统一认证登录名（账号须存在且可用），否则 cookie 指向的仍有效的会话；都没有时 None。"""
    name = proxy_user(headers)
    if name:
        viewer = accounts.viewer_named(db_path, name)
        if viewer is not None:
            return Identity(viewer, "统一认证:" + viewer.name, None, "统一认证")
    token = token_from(cookies)
    if token:
        viewer = accounts.session_viewer(db_path, token)
        if viewer is not None:
            return Identity(viewer, accounts.token_digest(token), token, "口令")
    return None


def still_allowed(db_path: str | os.PathLike, identity: Identity) -> bool:
    """文件离开服务器之前再核对一次：会话仍有效、账号仍可用，角色与单位没变。"""
    if identity.token is None:
        now = accounts.viewer_named(db_path, identity.viewer.name)
    else:
        now = accounts.session_viewer(db_path, identity.token)
    return now == identity.viewer


# ---------------------------------------------------------------- 回到登录前的网址


def safe_return(raw: str | None) -> str:
    """登录后回到哪里：只许本站已知页面的路径（带它自己的查询串）；别的主机、//、反斜杠、javascript:、含 .. 的路径一律回首页。"""
    if not raw or not isinstance(raw, str) or len(raw) > MAX_RETURN or not raw.startswith("/") or raw.startswith("//"):
        return "/"
    if "\\" in raw or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in raw):
        return "/"
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return "/"
    segments = unquote(parts.path).split("/")
    if any(seg in (".", "..") for seg in segments) or "\\" in unquote(parts.path):
        return "/"
    if parts.path.strip("/") not in sitemap.url_paths():
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


def login_url(return_to: str) -> str:
    target = safe_return(return_to)
    return LOGIN_PATH if target == "/" else f"{LOGIN_PATH}?next={quote(target, safe='')}"


# ---------------------------------------------------------------- CSRF 与来源


def new_csrf() -> str:
    return secrets.token_urlsafe(24)


def csrf_ok(cookie: str | None, field: str | None) -> bool:
    return bool(cookie and field and _TOKEN.match(cookie) and hmac.compare_digest(cookie.encode(), field.encode()))


def logout_token(session_token: str) -> str:
    """看板页面里“退出登录”表单带的令牌：由会话令牌推出（别的网站不知道会话令牌，也就伪造不了退出）。"""
    return hashlib.sha256(b"logout:" + session_token.encode()).hexdigest()[:40]


def logout_ok(cookies: Mapping[str, str], field: str | None) -> bool:
    token = token_from(cookies)
    return bool(token and field and hmac.compare_digest(logout_token(token).encode(), field.encode()))


def logout_form(session_token: str) -> str:
    """侧栏里的“退出登录”：一个提交到 /logout 的表单（同一标签页里退出，回到登录页）。"""
    return (
        f'<form method="post" action="{LOGOUT_PATH}" style="margin:0">'
        f'<input type="hidden" name="logout" value="{logout_token(session_token)}">'
        '<button type="submit" style="background:none;border:1px solid #ccc;border-radius:6px;padding:4px 14px;'
        'cursor:pointer;font-size:14px">退出登录</button></form>'
    )


def same_origin(headers: Mapping[str, str], scheme: str) -> bool:
    """表单是本站页面发来的。浏览器带 Sec-Fetch-Site（脚本改不了）时只认 same-origin；否则有 Origin（且不是 null）时
    必须等于本站；两样都没有的（命令行工具）只靠 CSRF 令牌。"""
    site = _get(headers, "sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    host = _get(headers, "host") or ""
    origin = _get(headers, "origin")
    if origin is not None and origin != "null":
        forwarded = (_get(headers, "x-forwarded-proto") or "") if via_proxy(headers) else ""
        return origin in {f"{scheme}://{host}", f"{forwarded}://{host}" if forwarded else None}
    return True


# ---------------------------------------------------------------- 安全响应头（单进程不经 nginx 时也有）

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' blob:; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; media-src 'self' data: blob:; "
    "worker-src 'self' blob:; frame-src 'self' blob: data: about:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)
# 地图组件（streamlit-folium）的框架页：放大后换网格图层时，组件用 eval 执行服务器给的图层脚本（它自己的写法，改不了），
# 所以只在 /component/ 下的文档里多许 'unsafe-eval'；看板页面本身不许。地图里的数据文字在生成时都已转义（chuangwen.maps）
COMPONENT_POLICY = CONTENT_SECURITY_POLICY.replace(
    "script-src 'self' 'unsafe-inline' blob:", "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:"
)
# 登录页自己的：不要脚本，只有内嵌样式与 data: 图标
LOGIN_PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def security_headers(*, tls: bool, policy: str = CONTENT_SECURITY_POLICY) -> list[tuple[str, str]]:
    headers = [
        ("Content-Security-Policy", policy),
        ("X-Frame-Options", "SAMEORIGIN"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Content-Type-Options", "nosniff"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if tls:
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return headers


def cookie_header(name: str, value: str, *, tls: bool, path: str = "/", max_age: int | None = None) -> str:
    parts = [f"{name}={value}", f"Path={path}", "HttpOnly", "SameSite=Strict"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if tls:
        parts.append("Secure")
    return "; ".join(parts)


# ---------------------------------------------------------------- 登录页

_STYLE = """
body{margin:0;font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;background:#f6f6f6;color:#262730}
main{max-width:420px;margin:10vh auto;background:#fff;border:1px solid #e0e0e0;border-radius:10px;padding:32px 36px}
h1{font-size:26px;margin:0 0 4px;color:#B71C1C}
p.sub{margin:0 0 22px;color:#666}
label{display:block;margin:14px 0 6px;font-size:15px}
input[type=text],input[type=password]{box-sizing:border-box;width:100%;padding:10px 12px;font-size:16px;border:1px solid #bbb;border-radius:6px}
button{margin-top:22px;width:100%;padding:11px;font-size:17px;color:#fff;background:#B71C1C;border:0;border-radius:6px;cursor:pointer}
.msg{padding:10px 12px;border-radius:6px;margin:0 0 8px;font-size:15px}
.err{background:#fdecea;color:#8a1c1c}.ok{background:#e8f5e9;color:#1b5e20}.info{background:#e3f2fd;color:#0d47a1}
code{display:block;white-space:pre-wrap;word-break:break-all;background:#f2f2f2;padding:8px;border-radius:4px;margin:8px 0}
.foot{margin-top:18px;color:#777;font-size:13px}
"""

FAVICON = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 64 64'%3E%3Crect width='64' "
    "height='64' rx='12' fill='%23B71C1C'/%3E%3Cpath d='M32 10l5.6 17.2H56L41.2 38l5.6 17.2L32 44.6 17.2 55.2 "
    "22.8 38 8 27.2h18.4z' fill='%23FFD600'/%3E%3C/svg%3E"
)


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="{FAVICON}">'
        f"<style>{_STYLE}</style></head><body><main>{body}</main></body></html>"
    )


def login_page(
    *, csrf: str, return_to: str, message: str | None = None, kind: str = "err", first_run_db: Path | None = None
) -> str:
    """登录表单（全部文字转义；没有脚本）。first_run_db：还没有任何账号时，说明怎样在服务器上建第一个管理员。"""
    notice = f'<p class="msg {kind}">{html.escape(message)}</p>' if message else ""
    if first_run_db is not None:
        body = (
            f'<h1>创文看板</h1><p class="sub">登录</p>{notice}'
            '<p class="msg info">这个看板还没有账号。请在服务器上用命令行创建第一个管理员（口令在终端里输入，不会显示）：</p>'
            f"<code>chuangwen user add 登录名 --role 管理员 --db {html.escape(str(first_run_db))}</code>"
            '<p class="foot">各单位的账号也用这条命令建：--role 领导 / 创建办 / 管理员，或 --role 责任单位 --unit 单位代码'
            "（chuangwen units list 列出单位代码）。建好后刷新本页。</p>"
        )
        return _page("创文看板 · 登录", body)
    body = (
        f'<h1>创文看板</h1><p class="sub">请登录</p>{notice}'
        f'<form method="post" action="{LOGIN_PATH}" autocomplete="on">'
        f'<input type="hidden" name="csrf" value="{html.escape(csrf)}">'
        f'<input type="hidden" name="next" value="{html.escape(safe_return(return_to))}">'
        '<label for="name">登录名</label><input type="text" id="name" name="name" maxlength="64" required autofocus '
        'autocomplete="username">'
        '<label for="password">口令</label><input type="password" id="password" name="password" maxlength="256" required '
        'autocomplete="current-password">'
        '<button type="submit">登录</button></form>'
        f'<p class="foot">忘记口令请联系本单位的看板管理员。闲置 {settings.get("session_idle_minutes")} 分钟后要重新登录。</p>'
    )
    return _page("创文看板 · 登录", body)


def logout_page(*, csrf: str) -> str:
    body = (
        '<h1>创文看板</h1><p class="sub">退出登录</p>'
        f'<form method="post" action="{LOGOUT_PATH}"><input type="hidden" name="csrf" value="{html.escape(csrf)}">'
        '<button type="submit">确定退出</button></form><p class="foot"><a href="/">不退出，回到看板</a></p>'
    )
    return _page("创文看板 · 退出登录", body)
