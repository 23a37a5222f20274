"""办公室自己能导进来（Issue 30 第 7 部分）：真实服务器 + 无头 chromium。在数据管理页上传 README 的样例（数字城管案件导出），
用页面上的控件建映射（整列的值、取值对照），导入，库里多了这 30 条问题；下载映射文件（预设），命令行用它把同一个文件导进
另一个同样的库：写入的行完全相同。"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from chuangwen import store
from chuangwen.imports import mapping
from tests.e2e.conftest import running_server, settle

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "samples" / "数字城管案件导出.csv"
WAIT = 60_000


def _rows(db_path: Path) -> dict[str, list[tuple]]:
    """样例写入的行（问题与整改事件），与导入编号、写入时刻无关的列。"""
    con = duckdb.connect(str(store.current(db_path).file), read_only=True)
    try:
        return {
            "problem": con.execute(
                "select code, found_at, source, category, township_code, community_code, site_code, lon, lat,"
                " crs_source, lon_source, lat_source, description, severity, lead_unit_code, deadline"
                " from problem where code like 'SZCG-%' order by code"
            ).fetchall(),
            "event": con.execute(
                "select problem_code, event_at, action, unit_code, note from rectify_event"
                " where problem_code like 'SZCG-%' order by problem_code, event_at, action"
            ).fetchall(),
        }
    finally:
        con.close()


def _choose(page, label: str, option: str) -> None:
    """在下拉框里选一项（表单里连着选几个时，前一个的弹层还在收起，偶尔要再点一次才打开）。"""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.scroll_into_view_if_needed()
    box.click()
    choice = page.get_by_role("option", name=option, exact=True)
    try:
        choice.wait_for(timeout=5_000)
    except Exception:  # noqa: BLE001 — playwright 的超时：再点一次
        box.click()
        choice.wait_for(timeout=WAIT)
    choice.click()
    page.get_by_role("option", name=option, exact=True).wait_for(state="detached", timeout=WAIT)


def test_the_readme_sample_imports_on_the_page_and_the_downloaded_preset_does_the_same_on_the_cli(
    e2e_demo_db, tmp_path, offline_page, artifacts
):
    office = tmp_path / "office.duckdb"
    shutil.copyfile(e2e_demo_db, office)
    twin = tmp_path / "twin.duckdb"
    shutil.copyfile(e2e_demo_db, twin)
    with running_server(office, tmp_path / "streamlit.log") as url:
        page = offline_page
        page.goto(f"{url}/data_admin", wait_until="domcontentloaded")
        page.locator('.st-key-dm_file [data-testid="stFileUploaderDropzoneInput"]').set_input_files(SAMPLE)
        page.get_by_text("列映射还不完整（来源、严重程度）").wait_for(timeout=WAIT)
        settle(page)
        # 猜出的对照：列按常用别名，状态词按最可能的
        form = page.get_by_test_id("stTabs").get_by_test_id("stForm")
        for label, source in (
            ("问题编号（必填）", "案件号"),
            ("整改状态", "案件状态"),
            ("牵头单位（必填）", "责任部门"),
        ):
            assert form.get_by_role("combobox", name=label, exact=True).input_value() == source
        assert form.get_by_role("combobox", name="整改状态：已结案（10 行）", exact=True).input_value() == "已销号"
        for value, rows in (("处置中", 10), ("已派遣", 10), ("已结案", 10)):
            assert form.get_by_text(f"整改状态：{value}（{rows} 行）").is_visible()
        # 用控件建映射：两列整列填同一个值，取值对照里再明确选一次
        _choose(page, "来源·整列填同一个值", "县自查")
        _choose(page, "严重程度·整列填同一个值", "一般")
        _choose(page, "整改状态：已派遣（10 行）", "已交办")
        _choose(page, "整改状态：已结案（10 行）", "已销号")
        page.screenshot(path=str(artifacts / "data_admin_mapping_form.png"), full_page=True)
        page.get_by_role("button", name="应用映射并校验").click()
        page.get_by_text("校验通过：30 行。").wait_for(timeout=WAIT)
        settle(page)
        page.get_by_text("校验通过：30 行。").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "data_admin_mapping_validated.png"))

        # 下载映射文件（与命令行 --mapping 同一格式）
        with page.expect_download(timeout=WAIT) as info:
            page.get_by_role("button", name="下载映射文件（.mapping.toml）").click()
        assert info.value.suggested_filename == "数字城管案件导出.mapping.toml"
        preset = tmp_path / info.value.suggested_filename
        info.value.save_as(preset)
        settle(page)
        downloaded = mapping.load(preset, "problems")
        assert downloaded.defaults == {"来源": "县自查", "严重程度": "一般"}
        assert downloaded.values == {"整改状态": {"处置中": "整改中", "已派遣": "已交办", "已结案": "已销号"}}

        page.get_by_role("button", name="导入", exact=True).click()
        page.get_by_text(re.compile(r"导入成功（导入编号 \d+）：数字城管案件导出\.csv，共 30 行")).wait_for(
            timeout=WAIT
        )
        settle(page)
        page.screenshot(path=str(artifacts / "data_admin_mapping_imported.png"))
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.external == []

    on_page = _rows(office)
    assert len(on_page["problem"]) == 30
    done = subprocess.run(
        [sys.executable, "-m", "chuangwen.cli", "import", "problems", str(SAMPLE), "--mapping", str(preset)]
        + ["--db", str(twin)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "导入成功" in done.stdout and "共 30 行" in done.stdout
    assert _rows(twin) == on_page
