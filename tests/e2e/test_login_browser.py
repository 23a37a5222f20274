"""真实服务器 + 无头 chromium：没登录的浏览器在每个页面网址（带不带参数）都只看到中文登录表单、看不到数据；
表单登录后看到数据；伪造的身份请求头只有从本机来的连接才认（这里从本机来，用不存在的账号名核对不被放行）。"""
import pytest

from tests.e2e.conftest import USER_HEADER, settle

pytestmark = pytest.mark.e2e

PATHS = ["", "rank_trend", "hotspots", "league", "supervision", "data_admin", "briefing", "admin"]


def test_a_fresh_browser_sees_only_the_login_form_on_every_page_url(server, anonymous_page, e2e_demo_db, artifacts):
    import duckdb

    page = anonymous_page
    county = duckdb.connect(str(e2e_demo_db), read_only=True).execute(
        "select value from meta where key = 'county_name'").fetchone()[0]
    for path in PATHS:
        for query in ("", "?town=990521001&from=2026-01-01&st=逾期&unit=D01"):
            page.goto(f"{server}/{path}{query}", wait_until="domcontentloaded")
            page.get_by_role("heading", name="创文看板 · 登录").wait_for(timeout=60_000)
            settle(page)
            body = page.inner_text("body")
            assert (county in body, "数据截至" in body, page.locator('[data-testid="stMetric"]').count(),
                    page.locator('[data-testid="stSidebarNav"]').count()) == (False, False, 0, 0), path + query
    page.screenshot(path=str(artifacts / "login.png"))
    assert page.external == []


def test_logging_in_through_the_form_opens_the_dashboard(server, anonymous_page, e2e_demo_db, tmp_path_factory):
    page = anonymous_page
    page.goto(server, wait_until="domcontentloaded")
    page.get_by_label("登录名").fill("e2e-admin")
    page.get_by_label("口令").fill("e2e-口令-2026-测试")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("最差镇街（按逾期存量，再按本周新增）").wait_for(timeout=60_000)
    assert "当前用户：e2e-admin（管理员）" in page.locator('[data-testid="stSidebar"]').inner_text()
    assert page.external == []
    # 口令不在服务器日志、状态库（含 WAL）里出现明文
    from chuangwen import appstate

    logs = sorted(tmp_path_factory.getbasetemp().glob("server*/streamlit.log"))
    state = appstate.state_path(e2e_demo_db)
    files = [*logs, state, state.with_name(state.name + "-wal")]
    found = [f.name for f in files if f.exists() and "e2e-口令-2026-测试".encode() in f.read_bytes()]
    assert (len(logs) >= 1, found) == (True, [])


def test_an_identity_header_naming_no_account_does_not_let_anyone_in(server, browser):
    context = browser.new_context(locale="zh-CN", extra_http_headers={USER_HEADER: "nobody"})
    page = context.new_page()
    try:
        page.goto(server, wait_until="domcontentloaded")
        page.get_by_role("heading", name="创文看板 · 登录").wait_for(timeout=60_000)
        assert page.locator('[data-testid="stMetric"]').count() == 0
    finally:
        context.close()
