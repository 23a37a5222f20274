"""账号的改动要明说（Issue 30 第 5 部分）：改角色的表单从账号现在的角色与单位开始，不动它就什么都不改；
改角色或单位先给一句确认（写明改后它看得到什么），确认了才改、记审计；单位按名称选。"""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from chuangwen import accounts, statedb
from tests.app.conftest import DASHBOARD, TEST_PASSWORD

UNIT_NAME = "城管局"


@pytest.fixture
def at(demo_db, tmp_path, monkeypatch):
    path = tmp_path / "accounts.duckdb"
    shutil.copy(demo_db, path)
    monkeypatch.setenv("CHUANGWEN_DB", str(path))
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        code = con.execute("select code from unit where name = ?", [UNIT_NAME]).fetchone()[0]
    accounts.add(path, "城管联络员", "责任单位", TEST_PASSWORD, unit_code=code, units={code: UNIT_NAME}, by="测试")
    app = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    app.switch_page("app_pages/admin.py").run()
    app.selectbox(key="ad_target").select("城管联络员").run()
    app.db_path, app.unit_code = path, code
    return app


def _role_form(at):
    role = next(s for s in at.selectbox if (s.key or "").startswith("ad_new_role_城管联络员_"))
    return role, at.selectbox(key=role.key.replace("ad_new_role_", "ad_new_unit_"))


def _ask(at):
    next(b for b in at.button if b.label == "改角色或单位…").click()
    return at.run()


def test_the_form_starts_at_the_accounts_role_and_unit_and_pressing_it_changes_nothing(at):
    role, unit = _role_form(at)
    assert (role.value, unit.value) == ("责任单位", at.unit_code)
    assert unit.format_func(at.unit_code) == f"{UNIT_NAME}（条）"
    at = _ask(at)
    assert not at.exception
    assert [i.value for i in at.info][-1] == "城管联络员 的角色与单位都没有变，什么都没改。"
    assert accounts.viewer_named(at.db_path, "城管联络员") == accounts.Viewer("城管联络员", "责任单位", at.unit_code)
    assert not any(e["action"] == "改角色" for e in statedb.audit(at.db_path))


def test_changing_the_role_asks_first_naming_what_the_account_will_see(at):
    role, _ = _role_form(at)
    role.select("领导")
    at = _ask(at)
    assert [w.value for w in at.warning][-1] == (
        f"把账号 城管联络员 从“责任单位（{UNIT_NAME}）”改为“领导”。改后它看得到全县全部单位的问题，能导出与下载、导出全县通报；"
        "导航里有：总览、排名趋势、问题热点、红黑榜、整改督办、丢分预警、通报导出。它已登录的会话会立即结束，下次登录按新的角色与单位。"
    )
    assert accounts.viewer_named(at.db_path, "城管联络员").role == "责任单位"  # 还没确认：没改
    at.button(key="ad_role_confirm").click().run()
    assert not at.exception
    assert at.success[0].value == "已把 城管联络员 改为领导，它已登录的会话已结束。"
    assert accounts.viewer_named(at.db_path, "城管联络员") == accounts.Viewer("城管联络员", "领导", None)
    changes = [(e["user"], e["detail"]) for e in statedb.audit(at.db_path) if e["action"] == "改角色"]
    assert changes == [("测试管理员", f"城管联络员：责任单位（{at.unit_code}） → 领导")]


def test_cancelling_the_confirmation_changes_nothing(at):
    role, _ = _role_form(at)
    role.select("创建办")
    at = _ask(at)
    at.button(key="ad_role_cancel").click().run()
    assert not at.exception
    assert not at.warning or "把账号" not in at.warning[-1].value
    assert accounts.viewer_named(at.db_path, "城管联络员").role == "责任单位"


def test_a_unit_account_without_a_unit_is_refused_in_chinese(at):
    _, unit = _role_form(at)
    unit.select_index(0)  # （不绑定）
    at = _ask(at)
    assert [e.value for e in at.error] == ["责任单位账号必须绑定一个单位。"]
    assert accounts.viewer_named(at.db_path, "城管联络员").unit_code == at.unit_code
