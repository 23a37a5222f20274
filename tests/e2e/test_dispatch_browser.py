"""真实服务器 + 无头 chromium（只放行回环地址）：管理员在通报导出页新建一个通用 Webhook 渠道（指向本测试起的本机假服务），
把每周通报设成发到它并保存；再用命令行 `chuangwen schedule run --now "2026-11-20 17:05"`（同一个库）运行：假服务恰好收到
一条 JSON，写着期号与数据截至；回到浏览器，往期通报里有这一期，下载得到文件；再运行一次，什么也不再发。"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from chuangwen import demo, statedb
from chuangwen.dispatch import channels, schedules
from tests import fakes
from tests.e2e.conftest import ROOT, next_frame, running_server, settle

pytestmark = pytest.mark.e2e

WAIT = 60_000
KEY = "e2eK3yK3yK3yK3y77"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("dispatch_e2e") / "demo.duckdb"
    demo.build(path, seed=11, problems=3000)
    return path


@pytest.fixture(scope="module")
def dispatch_server(db, tmp_path_factory):
    with running_server(db, tmp_path_factory.mktemp("dispatch_server") / "streamlit.log") as url:
        yield url


@pytest.fixture
def hook():
    got, server = fakes.start_hook()
    yield got
    server.shutdown()
    server.server_close()


def schedule_run(db) -> subprocess.CompletedProcess:
    """与运维一样在命令行运行一轮（子进程、同一个库；用这个工作树的 chuangwen）。"""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "chuangwen.cli", "schedule", "run", "--now", "2026-11-20 17:05", "--no-png", "--no-pdf"]
        + ["--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def test_admin_sets_a_channel_and_the_weekly_job_on_the_page_then_one_issue_is_posted_and_archived(
    db, dispatch_server, offline_page, hook, artifacts
):
    page = offline_page
    page.goto(f"{dispatch_server}/briefing", wait_until="domcontentloaded")
    page.get_by_role("heading", name="定时通报与推送（管理员）").wait_for(timeout=WAIT)
    settle(page)

    form = page.locator('[data-testid="stForm"]').filter(has_text="新建渠道")
    form.locator('input[aria-label="名称"]').fill("e2e群")
    form.locator('input[aria-label="地址"]').fill(f"{hook.url}/hook?key={KEY}")
    form.get_by_role("button", name="新建渠道").click()
    page.get_by_text(re.compile(r"已新建渠道 e2e群：通用 Webhook")).wait_for(timeout=WAIT)
    settle(page)
    assert [c.name for c in channels.listing(db)] == ["e2e群"]
    assert form.locator('input[aria-label="地址"]').input_value() == ""  # 口令框提交后清空
    assert KEY not in page.content()

    weekly = page.locator('[data-testid="stForm"]').filter(has_text="开启每周通报")
    box = weekly.get_by_role("combobox")  # 直接对输入框打字，等筛选出的选项出现再点（见 test_hostile_text_browser）
    box.click()
    box.press_sequentially("e2e")
    page.get_by_role("option").filter(has_text="e2e群").first.click()
    weekly.locator("[data-tag]").filter(has_text="e2e群").wait_for(timeout=WAIT)
    box.press("Escape")  # 收起下拉框
    weekly.locator('[data-testid="stFormSubmitButton"] button').click()
    page.get_by_text("已保存每周通报。").wait_for(timeout=WAIT)
    settle(page)
    (weekly_setting,) = [s for s in schedules.listing(db) if s.job == "weekly"]
    assert (weekly_setting.enabled, weekly_setting.at_text, weekly_setting.channels) == (
        True,
        "周五 17:00",
        ("e2e群",),
    )  # 页面上写的是中文
    page.screenshot(path=str(artifacts / "dispatch_admin_schedules.png"))
    page.get_by_role("heading", name="推送渠道").evaluate("e => e.scrollIntoView({block: 'start'})")
    next_frame(page)
    page.screenshot(path=str(artifacts / "dispatch_admin_channels.png"))

    first = schedule_run(db)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "已发出：weekly 2026-W47 → 渠道 e2e群" in first.stdout
    (body,) = hook.json_bodies()
    assert (body["期号"], body["period"], body["data_cutoff"]) == ("第46期", "2026-W47", "2026年11月15日 18:00")
    assert KEY not in first.stdout + first.stderr

    page.reload(wait_until="domcontentloaded")
    page.get_by_role("heading", name="往期通报（定时生成的存档）").wait_for(timeout=WAIT)
    settle(page)
    pick = page.locator('[data-testid="stSelectbox"]').filter(has_text="下载哪一期")  # 往期表是画布画的：看选择框
    assert pick.get_by_role("combobox").input_value() == "澜溪县创建文明城市工作周通报 第 46 期（2026-W47）"
    button = page.get_by_role("button", name=re.compile(r"下载 .*第46期.*\.pptx"))
    with page.expect_download(timeout=WAIT) as info:
        button.click()
    data = open(info.value.path(), "rb").read()
    assert data[:2] == b"PK" and len(data) > 10_000  # pptx 是 zip
    assert info.value.suggested_filename.endswith("第46期_20261115.pptx")
    assert len(statedb.audit(db, None, action="下载")) >= 1
    page.get_by_role("heading", name="最近的运行与发送").evaluate("e => e.scrollIntoView({block: 'start'})")
    next_frame(page)
    page.screenshot(path=str(artifacts / "dispatch_admin_runs.png"))

    second = schedule_run(db)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "这一期已运行过" in second.stdout
    assert len(hook.requests) == 1
    assert page.external == []
