"""登录门（AppTest）：没登录时每一页都只有中文登录表单、不露任何数据；登录、输错、退出；责任单位账号只看到自己单位的问题。"""
from __future__ import annotations

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from chuangwen import accounts, appstate
from chuangwen.ui import login
from tests.app.conftest import DASHBOARD, PAGES, TEST_PASSWORD, login_token, open_by_definition, switch_to


def texts(at) -> str:
    parts = [e.value for kind in ("title", "markdown", "caption", "info", "error", "code", "text") for e in at.get(kind)
             if isinstance(getattr(e, "value", None), str)]
    return "\n".join(parts)


def logged_out(at: AppTest) -> AppTest:
    del at.session_state[login.TOKEN]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_without_login_every_page_shows_only_the_chinese_login_form(app, demo_db, page):
    at = logged_out(app)
    at.query_params["town"] = "990521001"
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    shown = texts(at)
    assert ("创文看板 · 登录" in shown, len(at.text_input), at.text_input[1].proto.type) == (True, 2, 1)   # 1 = 口令框
    # 一点数据都没有：没有数据截至、县名、卡片、表格、图
    county = duckdb.connect(str(demo_db), read_only=True).execute(
        "select value from meta where key = 'county_name'").fetchone()[0]
    assert ("数据截至" in shown, county in shown, len(at.metric), len(at.dataframe), len(at.get("plotly_chart"))) == \
        (False, False, 0, 0, 0)


def test_a_store_without_accounts_tells_how_to_create_the_first_administrator(tmp_path, monkeypatch):
    from chuangwen import demo

    path = tmp_path / "new.duckdb"
    demo.build(path, seed=3, problems=300)
    monkeypatch.setenv("CHUANGWEN_DB", str(path))
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    del at.session_state[login.TOKEN]
    with appstate.connect(path) as con:
        con.execute("delete from login_session")
        con.execute("delete from account")
    at.run()
    assert (at.code[0].value, len(at.text_input)) == (f"chuangwen user add 登录名 --role 管理员 --db {path}", 0)


def test_wrong_password_is_refused_in_chinese_and_the_right_one_opens_the_dashboard(app, demo_db):
    at = logged_out(app).run()
    at.text_input(key="login_name").input("测试管理员")
    at.text_input(key="login_password").input("不对的口令1234")
    at.button[0].click().run()
    assert at.error[0].value.startswith("登录名或口令不对")
    at.text_input(key="login_password").input(TEST_PASSWORD)
    at.button[0].click().run()
    assert not at.exception and len(at.metric) >= 7 and "当前用户：测试管理员（管理员）" in texts(at)


def test_logout_ends_the_session_on_the_server(app, demo_db):
    at = app.run()
    token = at.session_state[login.TOKEN]
    at.button(key="logout").click().run()
    assert ("创文看板 · 登录" in texts(at), accounts.session_viewer(demo_db, token)) == (True, None)
    assert appstate.audit(demo_db)[0]["action"] == "退出"


def test_a_unit_account_sees_only_its_own_unit_in_the_ledger(app, demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    unit = con.execute("select lead_unit_code from problem group by 1 order by count(*) desc limit 1").fetchone()[0]
    con.close()
    app.session_state[login.TOKEN] = login_token(demo_db, "单位联络员", "责任单位", unit)
    at = switch_to(app, "app_pages/supervision.py")
    shown = int(at.metric[0].value.replace(",", ""))
    everyone = open_by_definition(demo_db)
    con = duckdb.connect(str(demo_db), read_only=True)
    mine = con.execute("select count(*) from problem_state_as_of((select value::timestamp from meta where key = 'data_cutoff')) "
                       "where not is_closed and involves_unit($u, lead_unit_code, problem_code)", {"u": unit}).fetchone()[0]
    con.close()
    assert (shown, shown < everyone) == (mine, True)
