"""数据管理页的列映射（Issue 30）：README 的样例在页面上导得进来——选列、整列的值、取值对照都在一个表单里，
应用后才校验一次；全部被拒时直说；预设就是映射文件，记住表头，同样的导出再来时自动选上。"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

from chuangwen import store
from tests.app.conftest import DASHBOARD

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "samples" / "数字城管案件导出.csv"
SAMPLE_MAPPING = ROOT / "data" / "samples" / "数字城管案件导出.mapping.toml"


def _count(path, sql, params=None):
    # 当前版本的快照文件（页面在第一次写入之前把单个库文件开着、留在本进程的 DuckDB 缓存里，按库文件路径读会读到旧的）
    con = duckdb.connect(str(store.current(path).file), read_only=True)
    try:
        return con.execute(sql, params or {}).fetchone()[0]
    finally:
        con.close()


def _open(path, monkeypatch) -> AppTest:
    monkeypatch.setenv("CHUANGWEN_DB", str(path))
    at = AppTest.from_file(DASHBOARD, default_timeout=120).run()
    return at.switch_page("app_pages/data_admin.py").run()


def _upload(at: AppTest, name: str = SAMPLE.name, raw: bytes | None = None) -> AppTest:
    at.file_uploader(key="dm_file").set_value((name, raw if raw is not None else SAMPLE.read_bytes(), "text/csv"))
    return at.run()


def test_sample_is_guessed_and_asks_only_for_the_two_missing_columns(demo_db, monkeypatch):
    at = _upload(_open(demo_db, monkeypatch))
    assert not at.exception
    gen = at.session_state["dm_draft"].gen
    assert at.selectbox(key=f"dm_src_{gen}_问题编号").value == "案件号"
    assert at.selectbox(key=f"dm_src_{gen}_整改状态").value == "案件状态"
    status = {s.label: s.value for s in at.selectbox if s.key and s.key.startswith(f"dm_val_{gen}_整改状态")}
    assert status == {
        "整改状态：处置中（10 行）": "整改中",
        "整改状态：已派遣（10 行）": "已交办",
        "整改状态：已结案（10 行）": "已销号",
    }
    errors = [e.value for e in at.error]
    assert any("列映射还不完整（来源、严重程度）" in e for e in errors)
    assert at.button(key="dm_import").disabled


def _apply(at: AppTest) -> AppTest:
    button = next(b for b in at.button if b.label == "应用映射并校验")
    return button.click().run()


def test_defaults_given_on_the_page_make_the_sample_import_and_nothing_is_none(demo_db, monkeypatch, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, path)
    at = _upload(_open(path, monkeypatch))
    gen = at.session_state["dm_draft"].gen
    at.selectbox(key=f"dm_def_{gen}_来源").select("县自查")
    at.selectbox(key=f"dm_def_{gen}_严重程度").select("一般")
    at = _apply(at)
    assert not at.exception
    assert [s.value for s in at.success] == ["校验通过：30 行。"]
    at.button(key="dm_import").click().run()
    assert not at.exception
    assert _count(path, "select count(*) from problem where code like 'SZCG-%'") == 30
    log = at.dataframe[0].value
    assert log["说明"].tolist()[0] == ""
