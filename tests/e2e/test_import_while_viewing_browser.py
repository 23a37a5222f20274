"""看板开着、总览打开在浏览器里时，命令行往同一个库导入：退出码 0；页面下一次运行就显示新数字和新的数据版本，不用重启。"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from chuangwen import store
from tests.e2e.conftest import running_server, settle
from tests.oracles import open_by_definition
from tests.unit._import_helpers import HEADER, csv_bytes

pytestmark = pytest.mark.e2e


def open_count(page) -> int:
    value = page.locator('[data-testid="stMetric"]', has_text="在办问题（存量）").locator(
        '[data-testid="stMetricValue"]'
    )
    return int(value.inner_text().replace(",", ""))


def version(page) -> str:
    text = page.locator('[data-testid="stSidebar"]').get_by_text("数据版本", exact=False).first.inner_text()
    return re.search(r"数据版本：(.+)", text).group(1)


def test_cli_import_while_the_dashboard_is_open_shows_on_the_next_rerun(e2e_demo_db, tmp_path, offline_page):
    db_path = tmp_path / "office.duckdb"
    shutil.copyfile(e2e_demo_db, db_path)
    with running_server(db_path, tmp_path / "streamlit.log") as url:
        page = offline_page
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_text("在办问题（存量）").first.wait_for(timeout=60_000)
        settle(page)  # 脚本跑完再读数字与侧栏的数据版本
        before, version_before = open_count(page), version(page)
        assert (before, version_before) == (open_by_definition(db_path), "最初导入的数据（之后还没有更新过）")

        rows = [
            {
                "问题编号": f"NEW-{k}",
                "发现时间": "2026-11-15 09:00",
                "来源": "县自查",
                "问题类别": "暴露垃圾",
                "镇街": "澜城街道",
                "问题描述": "新发现",
                "严重程度": "一般",
                "牵头单位": "城管局",
                "整改状态": "已交办",
                "整改期限": "2026-11-30 18:00",
            }
            for k in range(7)
        ]
        ledger = tmp_path / "今日台账.csv"
        ledger.write_bytes(csv_bytes(rows, header=[h for h in HEADER if h in rows[0]]))
        done = subprocess.run(
            [sys.executable, "-m", "chuangwen.cli", "import", "problems", str(ledger), "--db", str(db_path)],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr
        assert store.current(db_path).id == 1

        # 下一次运行（换一个侧栏筛选再换回来，或刷新）读新版本
        page.reload(wait_until="domcontentloaded")
        page.get_by_text("在办问题（存量）").first.wait_for(timeout=60_000)
        settle(page)
        assert (open_count(page), open_by_definition(db_path)) == (before + 7, before + 7)  # 新版本多了 7 条在办
        assert version(page) == "第 1 版"
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.external == []


HOLD = """
import sys, time
from pathlib import Path
from chuangwen import store
with store.writer_lock(Path(sys.argv[1]), "命令行导入 大台账.xlsx"):
    print("held", flush=True)
    sys.stdin.readline()        # 测试写一行就放手
"""


def test_a_page_import_while_the_cli_is_writing_waits_then_fails_in_chinese_and_works_afterwards(
    e2e_demo_db, tmp_path, offline_page, monkeypatch
):
    db_path = tmp_path / "office.duckdb"
    shutil.copyfile(e2e_demo_db, db_path)
    monkeypatch.setenv("CHUANGWEN_WRITE_WAIT", "3")
    rows = [
        {
            "问题编号": "PAGE-1",
            "发现时间": "2026-11-15 09:00",
            "来源": "县自查",
            "问题类别": "暴露垃圾",
            "镇街": "澜城街道",
            "问题描述": "页面导入",
            "严重程度": "一般",
            "牵头单位": "城管局",
            "整改状态": "已交办",
        }
    ]
    ledger = tmp_path / "页面台账.csv"
    ledger.write_bytes(csv_bytes(rows, header=[h for h in HEADER if h in rows[0]]))
    with running_server(db_path, tmp_path / "streamlit.log") as url:
        page = offline_page
        page.goto(f"{url}/data_admin", wait_until="domcontentloaded")
        zone = '.st-key-dm_file [data-testid="stFileUploaderDropzoneInput"]'
        page.locator(zone).wait_for(state="attached", timeout=60_000)
        page.locator(zone).set_input_files(ledger)
        page.get_by_text("校验通过").first.wait_for(timeout=60_000)
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(db_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
        )
        try:
            assert holder.stdout.readline().strip() == "held"
            page.locator(".st-key-dm_import button").click()
            alert = page.locator('[data-testid="stAlertContentError"]', has_text="另一个写入正在进行").first
            alert.wait_for(timeout=60_000)
            text = alert.inner_text()
            assert (
                "命令行导入 大台账.xlsx" in text and f"进程 {holder.pid}" in text and "本次没有写入任何数据" in text
            ), text
        finally:
            holder.communicate("\n", timeout=30)
        assert store.current(db_path).id is None  # 什么都没发布
        page.locator(".st-key-dm_import button").click()  # 命令行写完后再点：照常导入
        page.get_by_text("导入编号").first.wait_for(timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
    assert store.current(db_path).id == 1
    # 页面上的两次导入各在一个解析子进程里：子进程不再把画框当入口脚本重跑，服务器日志里没有成串的 Streamlit 警告
    assert (tmp_path / "streamlit.log").read_text(errors="replace").count("missing ScriptRunContext") == 0
