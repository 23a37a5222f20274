"""Web 服务器的门与登录路由（chuangwen.gate、chuangwen.signin）：在一个小 Starlette 应用上逐条核对，不启动 Streamlit。

每个请求先认人；没登录的打开页面转到登录页（记下原网址）、别的请求 401；登录表单要 CSRF 令牌且只收本站来的；
回到哪里只许本站已知页面；/media 只给生成文件的那个登录会话；/_stcore/metrics 只给管理员；WebSocket 握手没登录、
或自称接上别人的页面会话都被拒；安全响应头在每个响应上。"""

from __future__ import annotations

import re

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from chuangwen import accounts, gate, signin

PASSWORD = "Gate-口令-2026"
OWNERS: dict[str, str] = {}  # 页面会话编号 → 登录会话标识（假的 Streamlit 会话登记表）
MEDIA: dict[str, set[str]] = {}  # 文件名 → 可以取它的登录会话


async def echo(request):
    return PlainTextResponse(f"内容：{request.url.path}")


async def stream(websocket):
    protocols = websocket.headers.get("sec-websocket-protocol", "")
    await websocket.accept(subprotocol="streamlit")
    await websocket.send_text(protocols)
    await websocket.close()


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "office.duckdb"
    monkeypatch.setenv("CHUANGWEN_DB", str(path))
    monkeypatch.delenv(signin.PROXY_SECRET_ENV, raising=False)
    monkeypatch.delenv("CHUANGWEN_TRUST_USER_HEADER", raising=False)
    accounts.add(path, "王主任", "领导", PASSWORD, units={}, by="测试")
    accounts.add(path, "管理员甲", "管理员", PASSWORD, units={}, by="测试")
    OWNERS.clear()
    MEDIA.clear()
    return path


@pytest.fixture
def client(db):
    app = Starlette(
        routes=[*gate.routes(), WebSocketRoute("/_stcore/stream", stream), Route("/{path:path}", echo)],
        middleware=[Middleware(gate.Gate, session_owner=OWNERS.get, media_owners=lambda name: MEDIA.get(name, set()))],
    )
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def sign_in(client, name="王主任", password=PASSWORD, next_="/", **headers):
    page = client.get(f"/login?next={next_}")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post(
        "/login",
        data={"csrf": csrf, "name": name, "password": password, "next": next_},
        headers={"Origin": "http://testserver", **headers},
        follow_redirects=False,
    )


def test_signed_out_page_request_goes_to_login_with_the_return_path(client):
    r = client.get("/hotspots?st=逾期&from=2023-01-01", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (
        303,
        "/login?next=%2Fhotspots%3Fst%3D%25E9%2580%25BE%25E6%259C%259F%26from%3D2023-01-01",
    )


@pytest.mark.parametrize(
    "path",
    [
        "/_stcore/host-config",
        "/static/js/index.js",
        "/media/abc.xlsx",
        "/_stcore/metrics",
        "/app/static/vendor/leaflet/leaflet.js",
        "/component/streamlit_folium/index.html",
    ],
)
def test_signed_out_requests_for_anything_else_get_401(client, path):
    r = client.get(path, follow_redirects=False)
    assert (r.status_code, r.text) == (401, "请先登录。")


def test_health_and_login_are_open(client):
    assert (client.get("/_stcore/health").status_code, client.get("/login").status_code) == (200, 200)


def test_sign_in_sets_an_httponly_strict_cookie_and_returns_to_the_deep_link(client):
    r = sign_in(client, next_="/hotspots?st=%E9%80%BE%E6%9C%9F")
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("cw_session="))
    assert (r.status_code, r.headers["location"]) == (303, "/hotspots?st=%E9%80%BE%E6%9C%9F")
    assert ("HttpOnly" in cookie, "SameSite=Strict" in cookie, "Secure" in cookie) == (True, True, False)
    assert client.get("/hotspots").text == "内容：/hotspots"


def test_the_same_message_for_unknown_wrong_and_disabled(client, db):
    accounts.add(db, "停用的人", "领导", PASSWORD, units={}, by="测试")
    accounts.set_disabled(db, "停用的人", True, by="测试")
    bodies = [
        sign_in(client, name, pw)
        for name, pw in (("没有这个人", PASSWORD), ("王主任", "Wrong-口令-1"), ("停用的人", PASSWORD))
    ]
    messages = [re.search(r'<p class="msg err">([^<]+)</p>', b.text).group(1) for b in bodies]
    assert ([b.status_code for b in bodies], messages) == ([401, 401, 401], [accounts.LOGIN_FAILED] * 3)


def test_a_post_without_the_csrf_token_is_refused(client):
    client.get("/login")
    r = client.post("/login", data={"name": "王主任", "password": PASSWORD, "next": "/"}, follow_redirects=False)
    assert (r.status_code, "cw_session=" in r.headers.get("set-cookie", "")) == (403, False)
    assert "登录表单已过期或不是从本站页面提交的" in r.text


def test_a_post_from_another_site_is_refused(client):
    assert sign_in(client, Origin="http://evil.example").status_code == 403
    assert sign_in(client, **{"Origin": "null", "Sec-Fetch-Site": "cross-site"}).status_code == 403
    # 浏览器在 no-referrer 下发 Origin: null，但 Sec-Fetch-Site 说是本站：收
    assert sign_in(client, **{"Origin": "null", "Sec-Fetch-Site": "same-origin"}).status_code == 303


@pytest.mark.parametrize(
    "raw",
    [
        "https://evil.example/x",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "/hotspots/../../etc/passwd",
        "/%2e%2e/admin",
        "/not-a-page",
        "",
        None,
        "hotspots",
        "/hotspots\r\nSet-Cookie: x=1",
        "/" + "a" * 3000,
    ],
)
def test_return_paths_that_leave_the_known_pages_go_home(raw):
    assert signin.safe_return(raw) == "/"


def test_known_pages_keep_their_own_query():
    assert [
        signin.safe_return(p) for p in ("/hotspots?st=%E9%80%BE%E6%9C%9F&from=2023-01-01", "/league", "/", "/admin")
    ] == ["/hotspots?st=%E9%80%BE%E6%9C%9F&from=2023-01-01", "/league", "/", "/admin"]


def test_a_redirect_after_sign_in_never_leaves_the_site(client):
    r = sign_in(client, next_="//evil.example/steal")
    assert (r.status_code, r.headers["location"]) == (303, "/")


@pytest.mark.parametrize("cookie", ["made-up!", "x" * 40, "A" * 5000, "cw_session=" + "B" * 64])
def test_forged_expired_or_oversized_cookies_are_not_a_sign_in(client, cookie):
    client.cookies.set("cw_session", cookie)
    r = client.get("/league", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=%2Fleague")


def test_a_huge_cookie_header_is_ignored_not_a_crash(client):
    r = client.get("/league", headers={"Cookie": "a=" + "x" * 20000}, follow_redirects=False)
    assert r.status_code == 303


def test_logout_ends_the_session_on_the_server_and_clears_the_cookie(client, db):
    sign_in(client)
    token = client.cookies.get("cw_session")
    page = client.get("/logout")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert (r.status_code, r.headers["location"], accounts.session_viewer(db, token)) == (303, "/login?m=out", None)
    assert client.get("/league", follow_redirects=False).status_code == 303


def test_the_sidebar_logout_form_works_with_the_token_derived_from_the_session(client, db):
    sign_in(client)
    token = client.cookies.get("cw_session")
    forged = client.post("/logout", data={"logout": "0" * 40}, follow_redirects=False)
    assert (forged.headers["location"], accounts.session_viewer(db, token) is not None) == ("/logout", True)
    r = client.post("/logout", data={"logout": signin.logout_token(token)}, follow_redirects=False)
    assert (r.headers["location"], accounts.session_viewer(db, token)) == ("/login?m=out", None)


def test_media_only_for_the_session_that_made_the_file(client, db):
    sign_in(client)
    mine = accounts.token_digest(client.cookies.get("cw_session"))
    MEDIA["f1.xlsx"] = {mine}
    MEDIA["f2.xlsx"] = {"别人的会话"}
    assert [client.get(f"/media/{n}").status_code for n in ("f1.xlsx", "f2.xlsx", "nope.xlsx")] == [200, 404, 404]


def test_metrics_only_for_the_administrator(client):
    sign_in(client)
    assert client.get("/_stcore/metrics").status_code == 404
    client.cookies.clear()
    sign_in(client, "管理员甲")
    assert client.get("/_stcore/metrics").status_code == 200


def test_every_response_carries_the_security_headers(client):
    for r in (client.get("/login"), client.get("/league", follow_redirects=False), client.get("/_stcore/health")):
        assert (r.headers["x-content-type-options"], r.headers["referrer-policy"], r.headers["x-frame-options"]) == (
            "nosniff",
            "no-referrer",
            "SAMEORIGIN",
        )
        assert "frame-ancestors" in r.headers["content-security-policy"]


def test_a_websocket_without_a_sign_in_is_refused(client):
    with pytest.raises(WebSocketDisconnect) as exc:
        with client.websocket_connect("/_stcore/stream", subprotocols=["streamlit", "xsrf"]):
            pass
    assert exc.value.code == 4403


def test_a_websocket_naming_another_login_sessions_page_session_is_refused(client):
    sign_in(client)
    OWNERS["page-session-of-someone-else"] = "别人的登录会话"
    with pytest.raises(WebSocketDisconnect) as exc:
        with client.websocket_connect(
            "/_stcore/stream", subprotocols=["streamlit", "xsrf", "page-session-of-someone-else"]
        ):
            pass
    assert exc.value.code == 4403


def test_a_websocket_reconnecting_its_own_page_session_keeps_it_and_a_made_up_one_is_dropped(client):
    sign_in(client)
    OWNERS["my-page-session"] = accounts.token_digest(client.cookies.get("cw_session"))
    with client.websocket_connect("/_stcore/stream", subprotocols=["streamlit", "xsrf", "my-page-session"]) as ws:
        assert ws.receive_text() == "streamlit, xsrf, my-page-session"
    with client.websocket_connect("/_stcore/stream", subprotocols=["streamlit", "xsrf", "made-up-session"]) as ws:
        assert ws.receive_text() == "streamlit, xsrf, "


def test_the_identity_header_counts_only_through_our_proxy(client, db, monkeypatch):
    monkeypatch.setenv("CHUANGWEN_TRUST_USER_HEADER", "X-Remote-User")
    bare = client.get("/league", headers={"X-Remote-User": "管理员甲".encode()}, follow_redirects=False)
    assert bare.status_code == 303  # 直接连看板端口：不认
    monkeypatch.setenv(signin.PROXY_SECRET_ENV, "s" * 43)
    wrong = client.get(
        "/league", headers={"X-Remote-User": "管理员甲".encode(), signin.PROXY_HEADER: "t" * 43}, follow_redirects=False
    )
    right = client.get(
        "/league",
        headers={
            "X-Remote-User": "管理员甲".encode(),
            signin.PROXY_HEADER: "s" * 43,
            "X-Forwarded-For": "10.1.2.3, 10.9.9.9",
        },
        follow_redirects=False,
    )
    assert (wrong.status_code, right.status_code) == (303, 200)


def test_the_client_address_is_the_proxys_view_never_the_clients_claim(monkeypatch):
    monkeypatch.setenv(signin.PROXY_SECRET_ENV, "s" * 43)
    claimed = {"X-Forwarded-For": "1.2.3.4", signin.CLIENT_HEADER: "10.0.0.5"}
    assert signin.client_address(claimed, "127.0.0.1") == "127.0.0.1"  # 没有暗号：用连接的对端
    assert signin.client_address({**claimed, signin.PROXY_HEADER: "s" * 43}, "127.0.0.1") == "10.0.0.5"


def test_login_throttling_answers_429_and_another_address_still_signs_in(client, db, monkeypatch):
    monkeypatch.setenv("CHUANGWEN_LOGIN_FREE_ATTEMPTS", "2")
    codes = [sign_in(client, "管理员甲", "Wrong-口令-1").status_code for _ in range(4)]
    assert codes[:2] == [401, 401] and codes[-1] == 429
    monkeypatch.setenv(signin.PROXY_SECRET_ENV, "s" * 43)  # 同一个账号，经代理来自另一个地址
    r = sign_in(client, "管理员甲", PASSWORD, **{signin.PROXY_HEADER: "s" * 43, signin.CLIENT_HEADER: "10.7.7.7"})
    assert r.status_code == 303


def test_only_the_map_component_may_eval_its_layer_script(client):
    sign_in(client)
    page = client.get("/hotspots").headers["content-security-policy"]
    component = client.get("/component/streamlit_folium.st_folium/index.html").headers["content-security-policy"]
    assert ("'unsafe-eval'" in page, "'unsafe-eval'" in component) == (False, True)
