"""真实服务器 + 无头 chromium（拦掉全部非本机请求）：登录在 Web 服务器这边。

- 没登录的浏览器打开任何页面网址（带不带参数）都到中文登录页，看不到数据；
- 表单登录后刷新、新开标签页都还登录着；别人发来的深链接（/hotspots?st=逾期&from=…&to=…）在新浏览器里打开 → 登录 →
  正是那一页，状态=逾期与日期都用上了；
- 没有 cookie 的 curl 拿不到登录的人导出的 /media 文件；/_stcore/metrics 匿名不是 200；
- 自称接上别人页面会话的 WebSocket 被拒；账号停用后，它打开着的页面点导出什么也拿不到（审计记“下载被拒”）；
- 口令不在服务器日志与状态库里出现明文。"""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from chuangwen import accounts, statedb
from tests.e2e.conftest import E2E_PASSWORD, E2E_USER, _guarded_page, ensure_account, settle

pytestmark = pytest.mark.e2e

PATHS = ["", "rank_trend", "hotspots", "league", "supervision", "data_admin", "briefing", "admin"]


def status_of(url: str, headers: dict | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def sign_in_with_the_form(page, name: str = E2E_USER, password: str = E2E_PASSWORD) -> None:
    page.get_by_label("登录名").fill(name)
    page.get_by_label("口令").fill(password)
    page.get_by_role("button", name="登录").click()


def test_a_fresh_browser_sees_only_the_login_page_on_every_page_url(server, anonymous_page, e2e_demo_db, artifacts):
    import duckdb

    page = anonymous_page
    county = (
        duckdb.connect(str(e2e_demo_db), read_only=True)
        .execute("select value from meta where key = 'county_name'")
        .fetchone()[0]
    )
    for path in PATHS:
        for query in ("", "?town=990521001&from=2026-01-01&st=逾期&unit=D01"):
            page.goto(f"{server}/{path}{query}", wait_until="domcontentloaded")
            page.get_by_role("button", name="登录").wait_for(timeout=60_000)
            body = page.inner_text("body")
            url = urlparse(page.url)
            assert (f"{url.scheme}://{url.netloc}{url.path}", county in body, "数据截至" in body) == (
                f"{server}/login",
                False,
                False,
            ), path + query
    page.screenshot(path=str(artifacts / "login.png"))
    assert page.external == []


def test_sign_in_survives_a_reload_and_a_second_tab(server, anonymous_page, e2e_demo_db, tmp_path_factory):
    page = anonymous_page
    page.goto(server, wait_until="domcontentloaded")
    sign_in_with_the_form(page)
    page.get_by_text("最差镇街（按逾期存量，再按本周新增）").wait_for(timeout=60_000)
    assert "当前用户：e2e-admin（管理员）" in page.locator('[data-testid="stSidebar"]').inner_text()
    page.reload(wait_until="domcontentloaded")
    page.get_by_text("最差镇街（按逾期存量，再按本周新增）").wait_for(timeout=60_000)
    second = page.context.new_page()
    second.goto(f"{server}/league", wait_until="domcontentloaded")
    second.locator('[data-testid="stSidebarNav"]').wait_for(timeout=60_000)
    settle(second)
    assert "当前用户：e2e-admin（管理员）" in second.locator('[data-testid="stSidebar"]').inner_text()
    cookie = next(c for c in page.context.cookies() if c["name"] == "cw_session")
    assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Strict")
    assert page.external == [] and second.evaluate("document.cookie").find("cw_session") == -1  # 脚本读不到会话 cookie
    # 口令不在服务器日志、状态库（含 WAL）里出现明文
    logs = sorted(tmp_path_factory.getbasetemp().glob("server*/streamlit.log"))
    state = statedb.state_path(e2e_demo_db)
    files = [*logs, state, state.with_name(state.name + "-wal")]
    found = [f.name for f in files if f.exists() and E2E_PASSWORD.encode() in f.read_bytes()]
    assert (len(logs) >= 1, found) == (True, [])


def test_a_shared_deep_link_opens_that_page_with_its_filters_after_sign_in(server, anonymous_page, artifacts):
    page = anonymous_page
    page.goto(f"{server}/hotspots?st=逾期&from=2026-01-01&to=2026-06-30", wait_until="domcontentloaded")
    sign_in_with_the_form(page)
    page.get_by_role("heading", name="问题热点").wait_for(timeout=60_000)
    settle(page)
    status = page.locator('[data-testid="stMultiSelect"]').filter(has_text="状态")
    status.locator("[data-tag]").first.wait_for(timeout=30_000)  # 标签在脚本跑完后的下一次渲染里画出
    assert [t.strip() for t in status.locator("[data-tag]").all_inner_texts()] == ["逾期"]
    dates = page.locator('[data-testid="stSidebar"] [data-testid="stDateInput"] input[type="date"]')
    assert [dates.nth(i).input_value() for i in range(dates.count())] == ["2026-01-01", "2026-06-30"]
    page.screenshot(path=str(artifacts / "deep_link_after_login.png"))
    assert page.external == []


def test_logout_ends_the_session_and_the_page_asks_to_sign_in_again(server, anonymous_page):
    page = anonymous_page
    page.goto(f"{server}/league", wait_until="domcontentloaded")
    sign_in_with_the_form(page)
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="退出登录").click()
    page.get_by_text("已退出登录。").wait_for(timeout=60_000)
    page.goto(f"{server}/league", wait_until="domcontentloaded")
    page.get_by_role("button", name="登录").wait_for(timeout=60_000)
    # 只核对登录页与“登录后回到哪一页”：登录页以后在网址里多写别的参数（如 m=…）也不该让这条测试失败
    url = urlparse(page.url)
    assert (f"{url.scheme}://{url.netloc}{url.path}", parse_qs(url.query).get("next")) == (
        f"{server}/login",
        ["/league"],
    )


def test_downloads_and_metrics_are_not_for_anonymous_clients(server, offline_page):
    page = offline_page
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/media/" in r.url and r.url.endswith(".xlsx") else None)
    page.goto(
        f"{server}/supervision", wait_until="domcontentloaded"
    )  # 没有地图的页面：地图回传会让页面重跑、换掉下载按钮
    page.get_by_role("heading", name="整改督办").wait_for(timeout=60_000)
    settle(page)
    with page.expect_download(timeout=120_000):
        page.get_by_role("button", name="导出 Excel").first.click()
    assert len(fetched) == 1
    assert (status_of(fetched[0]), status_of(f"{server}/_stcore/metrics")) == (401, 401)
    # 另一个登录的人（另一个会话）也拿不到
    other = page.context.browser.new_context()
    try:
        from tests.e2e.conftest import sign_in_cookie
        from tests.e2e.servers import SERVERS

        ensure_account(SERVERS[server], "e2e-另一位领导", "领导")
        token = sign_in_cookie(other, server, SERVERS[server], "e2e-另一位领导")
        assert status_of(fetched[0], {"Cookie": f"cw_session={token}"}) == 404
    finally:
        other.close()


def test_a_websocket_naming_another_session_is_refused(server, offline_page):
    import re

    page = offline_page
    ids: list[str] = []

    def on_socket(ws):  # 服务器在第一条消息（NewSession）里告诉浏览器它的页面会话编号；重连时浏览器放在子协议第三项
        ws.on(
            "framereceived",
            lambda payload: ids.extend(
                re.findall(
                    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                    payload.decode("latin-1") if isinstance(payload, bytes) else payload,
                )
            ),
        )

    page.on("websocket", on_socket)
    page.goto(f"{server}/league", wait_until="domcontentloaded")
    page.locator('[data-testid="stSidebarNav"]').wait_for(timeout=60_000)
    settle(page)
    assert ids
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    from chuangwen import signin
    from tests.e2e.servers import SERVERS

    ensure_account(SERVERS[server], "e2e-攻击者", "领导")
    token = accounts.login(SERVERS[server], "e2e-攻击者", E2E_PASSWORD, client="e2e").token
    uri = server.replace("http://", "ws://") + "/_stcore/stream"
    outcomes = {}
    for candidate in dict.fromkeys(ids):  # 第一条消息里的编号（页面会话编号是其中之一）逐个冒充
        try:
            with connect(
                uri,
                subprotocols=["streamlit", "x", candidate],
                additional_headers={"Cookie": f"{signin.COOKIE}={token}", "Origin": server},
            ):
                outcomes[candidate] = "新会话"  # 不是页面会话编号的：去掉后新开一个会话
        except InvalidStatus as exc:
            outcomes[candidate] = f"拒绝 {exc.response.status_code}"
    assert list(outcomes.values()).count("拒绝 403") == 1, outcomes
    # 浏览器自己的页面照常可用
    page.get_by_role("link", name="排名趋势").click()
    page.get_by_role("heading", name="排名趋势").wait_for(timeout=60_000)


def test_a_disabled_accounts_open_page_can_export_nothing(server, browser, e2e_demo_db):
    name = "e2e-将被停用的领导"
    ensure_account(e2e_demo_db, name, "领导")
    gen = _guarded_page(browser, name)
    page = next(gen)
    try:
        page.goto(f"{server}/supervision", wait_until="domcontentloaded")
        page.get_by_role("heading", name="整改督办").wait_for(timeout=60_000)
        settle(page)
        accounts.set_disabled(e2e_demo_db, name, True, by="测试")
        media: list[str] = []
        page.on("request", lambda r: media.append(r.url) if "/media/" in r.url and r.url.endswith(".xlsx") else None)
        ended = page.get_by_text("登录已结束")
        # 停用之后页面可能先自己重跑了（只剩说明，按钮已不在）；按钮还在时点它：两种情况都不能导出任何东西
        clicked = True
        try:
            page.get_by_role("button", name="导出 Excel").first.click(timeout=15_000)
        except PlaywrightTimeoutError:
            clicked = False
        ended.wait_for(timeout=60_000)  # 被拒后页面重跑，只剩说明与重新登录的链接
        refused = [e for e in statedb.audit(e2e_demo_db, 20) if e["user"] == name]
        actions = [e["action"] for e in refused]
        assert (media, actions.count("下载")) == ([], 0)
        if clicked:
            assert actions[0] == "下载被拒"
    finally:
        accounts.set_disabled(e2e_demo_db, name, False, by="测试")
        gen.close()
