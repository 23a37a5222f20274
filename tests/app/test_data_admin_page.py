"""数据管理页：模板下载、导入记录与回滚、空库首次运行时可直接进入导入。"""

from __future__ import annotations

import shutil

import duckdb
from streamlit.testing.v1 import AppTest

from chuangwen.imports import run_import, templates
from tests.app.conftest import DASHBOARD

CSV = (
    "问题编号,发现时间,来源,问题类别,问题描述,严重程度,牵头单位,整改期限\n"
    "DM-1,2026-11-01 09:00,县自查,新类别甲,占道经营,一般,新单位甲,2026-11-08\n"
).encode()


def _count(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def _open(path, monkeypatch) -> AppTest:
    monkeypatch.setenv("CHUANGWEN_DB", str(path))
    at = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    return at.switch_page("app_pages/data_admin.py").run()


def test_page_offers_a_template_for_every_kind_and_asks_for_a_file(demo_db, monkeypatch, tmp_path):
    at = _open(demo_db, monkeypatch)
    assert not at.exception
    assert at.title[0].value == "数据管理"
    assert [t.label for t in at.tabs] == ["导入", "导入记录", "数据版本", "模板下载"]
    labels = [b.label for b in at.get("download_button")]
    assert len(labels) == len(templates.ORDER) and {"问题台账", "整改记录", "责任单位"} <= set(labels)
    assert any("先选择文件" in i.value for i in at.info)
    assert at.selectbox(key="dm_kind").options == [
        "问题台账",
        "整改记录",
        "责任单位",
        "点位",
        "测评体系",
        "测评成绩",
        "扣分明细",
        "抽样方案",
        "扣分方式",
        "类别对照",
        "镇街边界",
    ]


def test_import_log_lists_imports_and_rollback_removes_the_rows(demo_db, monkeypatch, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, path)
    before = _count(path, "select count(*) from problem")
    result = run_import(path, CSV, "一条.csv", "problems", create_missing=True)
    assert _count(path, "select count(*) from problem") == before + 1
    at = _open(path, monkeypatch)
    log = at.dataframe[0].value
    assert log["导入编号"].tolist() == [result.import_id] and log["状态"].tolist() == ["成功"]
    assert at.button(key="dm_rollback").disabled
    at.checkbox(key="dm_rb_confirm").check().run()
    at.button(key="dm_rollback").click().run()
    assert not at.exception
    assert any(f"已回滚导入编号 {result.import_id}" in s.value for s in at.success)
    assert _count(path, "select count(*) from problem") == before
    assert _count(path, "select count(*) from unit where name = '新单位甲'") == 0


def test_empty_database_first_run_shows_the_guide_and_the_data_admin_page(fresh_db, monkeypatch):
    monkeypatch.setenv("CHUANGWEN_DB", str(fresh_db))
    at = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    assert not at.exception
    assert any("还没有数据" in i.value for i in at.info)
    assert [t.value for t in at.title] == ["创文看板", "数据管理"]
    assert any("chuangwen import problems" in m.value for m in at.markdown)


def test_choosing_boundaries_asks_for_a_geojson_or_zipped_shapefile(demo_db, monkeypatch):
    at = _open(demo_db, monkeypatch)
    at.selectbox(key="dm_kind").select("boundaries").run()
    assert not at.exception
    assert at.selectbox(key="dm_kind").options[-1] == "镇街边界"
    assert any("按版本保存，不覆盖旧版本" in c.value for c in at.caption)
    assert at.text_input(key="dm_geo_field").value == ""


def test_versions_tab_lists_snapshots_and_republishes_an_old_one(tmp_path, monkeypatch):
    from chuangwen import store
    from chuangwen.imports import run_import
    from tests.unit._import_helpers import base_db, csv_bytes, row

    path = base_db(tmp_path)
    run_import(path, csv_bytes([row("A1")]), "台账.csv", "problems")
    monkeypatch.setenv("CHUANGWEN_DB", str(path))
    at = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    at.switch_page("app_pages/data_admin.py").run()
    assert not at.exception
    assert at.selectbox(key="dm_rp_version").options == ["第 1 版"]
    at.checkbox(key="dm_rp_confirm").check().run()
    at.button(key="dm_republish").click().run()
    assert not at.exception
    assert store.current(path).id == 3
    assert "已把第 1 版重新发布为第 3 版。" in [s.value for s in at.success]


def test_a_broken_store_shows_a_chinese_message_not_a_traceback(tmp_path, monkeypatch):
    from chuangwen import store
    from chuangwen.imports import run_import
    from tests.unit._import_helpers import base_db, csv_bytes, row

    path = base_db(tmp_path)
    run_import(path, csv_bytes([row("A1")]), "台账.csv", "problems")
    (store.snapshots_dir(path) / "CURRENT").unlink()
    monkeypatch.setenv("CHUANGWEN_DB", str(path))
    at = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    assert not at.exception
    assert at.error and "里没有 CURRENT（当前版本指针）" in at.error[0].value.replace("\\", "")
