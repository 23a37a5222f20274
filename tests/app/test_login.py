"""页面这边的登录（AppTest）：会话结束（或 cookie 是编的）时每一页只有一句中文说明和回到这一页的登录链接、不露任何数据；
改口令、停用在打开着的页面上下一次运行就生效；责任单位账号只看到自己单位的问题。登录表单本身在 Web 服务器那边
（tests/unit/test_gate.py、tests/e2e/test_login_browser.py）。"""

from __future__ import annotations

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from chuangwen import accounts
from tests.app.conftest import PAGES, SIGNED_IN, TEST_PASSWORD, login_token, switch_to
from tests.oracles import open_by_definition


def texts(at) -> str:
    parts = [
        e.value
        for kind in ("title", "markdown", "caption", "info", "error", "code", "text")
        for e in at.get(kind)
        if isinstance(getattr(e, "value", None), str)
    ]
    return "\n".join(parts)


def logged_out(at: AppTest) -> AppTest:
    del at.session_state[SIGNED_IN]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_a_page_whose_session_ended_shows_only_a_chinese_note_and_a_link_back_to_this_page(app, demo_db, page):
    at = logged_out(app)
    at.query_params["town"] = "990521001"
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    shown = texts(at)
    assert ("登录已结束" in shown, len(at.text_input)) == (True, 0)
    link = next(m.value for m in at.markdown if m.value.startswith("[重新登录]"))
    assert link.startswith("[重新登录](/login?m=ended")
    # 一点数据都没有：没有数据截至、县名、卡片、表格、图
    county = (
        duckdb.connect(str(demo_db), read_only=True)
        .execute("select value from meta where key = 'county_name'")
        .fetchone()[0]
    )
    assert ("数据截至" in shown, county in shown, len(at.metric), len(at.dataframe), len(at.get("plotly_chart"))) == (
        False,
        False,
        0,
        0,
        0,
    )


def test_a_forged_cookie_is_not_a_sign_in(app):
    app.session_state[SIGNED_IN] = "编出来的令牌" + "x" * 40
    at = app.run()
    assert ("登录已结束" in texts(at), len(at.metric)) == (True, 0)


def test_a_password_change_ends_the_session_and_the_next_run_asks_to_sign_in_again(app, demo_db):
    at = app.run()
    token = at.session_state[SIGNED_IN]
    accounts.set_password(demo_db, "测试管理员", TEST_PASSWORD, by="测试")  # 改口令结束这个账号的全部会话
    at.run()
    assert ("登录已结束" in texts(at), accounts.session_viewer(demo_db, token)) == (True, None)


def test_disabling_an_account_takes_effect_on_the_open_page(app, demo_db):
    login_token(demo_db, "被停用的领导", "领导")
    app.session_state[SIGNED_IN] = login_token(demo_db, "被停用的领导", "领导")
    at = app.run()
    assert "当前用户：被停用的领导（领导）" in texts(at)
    accounts.set_disabled(demo_db, "被停用的领导", True, by="测试")
    at.run()
    assert ("登录已结束" in texts(at), len(at.metric)) == (True, 0)
    accounts.set_disabled(demo_db, "被停用的领导", False, by="测试")


def test_a_unit_account_sees_only_its_own_unit_in_the_ledger(app, demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    unit = con.execute("select lead_unit_code from problem group by 1 order by count(*) desc limit 1").fetchone()[0]
    con.close()
    app.session_state[SIGNED_IN] = login_token(demo_db, "单位联络员", "责任单位", unit)
    at = switch_to(app, "app_pages/supervision.py")
    shown = int(at.metric[0].value.replace(",", ""))
    # 本单位牵头或配合的未销号问题（按口径另写，不用库里的状态宏与 involves_unit）
    mine, everyone = open_by_definition(demo_db, unit=unit), open_by_definition(demo_db)
    assert 0 < mine < everyone  # 前提：这个单位有在办问题，也不是全部（否则筛没筛都一样）
    assert shown == mine
