"""数据管理页的列映射（Issue 30）：README 的样例在页面上导得进来——选列、整列的值、取值对照都在一个表单里，
应用后才校验一次；全部被拒时直说；预设就是映射文件，记住表头，同样的导出再来时自动选上。"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

from chuangwen import imports, store
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


def _toml_uploader(at: AppTest):
    return next(u for u in at.file_uploader if (u.key or "").startswith("dm_toml_"))


def test_a_saved_preset_is_offered_when_the_same_export_comes_again(demo_db, monkeypatch, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, path)
    at = _upload(_open(path, monkeypatch))
    gen = at.session_state["dm_draft"].gen
    at.selectbox(key=f"dm_def_{gen}_来源").select("县自查")
    at.selectbox(key=f"dm_def_{gen}_严重程度").select("一般")
    at = _apply(at)
    at.text_input(key=f"dm_preset_name_{at.session_state['dm_draft'].gen}").input("数字城管").run()
    at.button(key="dm_save_preset").click().run()
    assert not at.exception
    assert "已保存预设“数字城管”，并记住了这种表头。" in [s.value for s in at.success]
    saved = imports.parse_mapping(imports.presets(path, "problems")["数字城管"], "problems")
    sample = imports.load_mapping(SAMPLE_MAPPING, "problems")
    assert (saved.columns, saved.defaults, saved.values, saved.crs) == (
        sample.columns,
        sample.defaults,
        sample.values,
        "WGS84",
    )
    # 另一个会话（另一个人、另一天）上传同样表头的文件：自动选上这个预设，直接校验通过
    again = _upload(_open(path, monkeypatch), name="数字城管案件导出（12月）.csv")
    assert not again.exception
    assert again.session_state["dm_draft"].preset == "数字城管"
    assert "已套用预设“数字城管”（它就是为这种表头存的）。" in [i.value for i in again.info]
    assert [s.value for s in again.success] == ["校验通过：30 行。"]


def test_an_uploaded_mapping_file_is_used_as_is(demo_db, monkeypatch):
    at = _upload(_open(demo_db, monkeypatch))
    _toml_uploader(at).set_value((SAMPLE_MAPPING.name, SAMPLE_MAPPING.read_bytes(), "application/toml"))
    at.run()
    assert not at.exception
    assert f"已套用映射文件“{SAMPLE_MAPPING.name}”。" in [i.value.replace("\\", "") for i in at.info]
    assert [s.value for s in at.success] == ["校验通过：30 行。"]


def test_a_bad_mapping_file_names_the_column_and_value_and_nothing_is_validated(demo_db, monkeypatch):
    at = _upload(_open(demo_db, monkeypatch))
    bad = SAMPLE_MAPPING.read_text(encoding="utf-8").replace('"已结案" = "已销号"', '"已结案" = "结案了"')
    bad = bad.replace("[columns]\n", '[columns]\n编号 = "案件号"\n')
    _toml_uploader(at).set_value(("坏的.mapping.toml", bad.encode(), "application/toml"))
    at.run()
    assert not at.exception
    errors = [e.value.replace("\\", "") for e in at.error]
    assert any("映射文件“坏的.mapping.toml”中的列 “编号”（[columns]） 不是“问题台账”模板的列" in e for e in errors)
    assert any("[values.整改状态] 把“已结案”对照为“结案了”，不在允许的取值内" in e for e in errors)
    assert at.session_state["dm_draft"].applied is None
    assert not at.metric  # 没有校验
    assert "dm_import" not in [b.key for b in at.button]


def test_a_preset_whose_headers_no_longer_match_is_not_applied_until_looked_at(demo_db, monkeypatch, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, path)
    imports.save_preset(path, "problems", "旧表头", imports.load_mapping(SAMPLE_MAPPING, "problems"))
    renamed = SAMPLE.read_bytes().replace("案件号".encode(), "工单号".encode(), 1)
    at = _upload(_open(path, monkeypatch), raw=renamed)
    at.selectbox(key=next(s.key for s in at.selectbox if (s.key or "").startswith("dm_preset_"))).select("旧表头").run()
    assert not at.exception
    errors = [e.value.replace("\\", "") for e in at.error]
    assert errors[0] == (
        "预设“旧表头”的表头与这个文件不同：文件里没有列 “案件号”（问题编号）。这几列在下面的列映射里没有选上，"
        "请看过后重新选择，再点“应用映射并校验”。"
    )
    assert "dm_import" not in [b.key for b in at.button]
    gen = at.session_state["dm_draft"].gen
    assert at.selectbox(key=f"dm_src_{gen}_问题编号").value == "（不导入）"
    at.selectbox(key=f"dm_src_{gen}_问题编号").select("工单号")
    at = _apply(at)
    assert [s.value for s in at.success] == ["校验通过：30 行。"]


def test_a_value_left_unmapped_is_named_and_nothing_is_validated(demo_db, monkeypatch):
    raw = SAMPLE.read_bytes().replace("已派遣".encode(), "挂起".encode())
    at = _upload(_open(demo_db, monkeypatch), raw=raw)
    gen = at.session_state["dm_draft"].gen
    at.selectbox(key=f"dm_def_{gen}_来源").select("县自查")
    at.selectbox(key=f"dm_def_{gen}_严重程度").select("一般")
    at = _apply(at)
    assert [e.value for e in at.error] == ["“整改状态”里的取值“挂起”（10 行）还没有选对照到哪个取值。"]
    assert "dm_import" not in [b.key for b in at.button]
    hold = next(s for s in at.selectbox if s.label == "整改状态：挂起（10 行）")
    hold.select("已交办")
    at = _apply(at)
    assert [s.value for s in at.success] == ["校验通过：30 行。"]
