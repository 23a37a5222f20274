"""生成失败的一期按退避重试（issue 33 续）：下一次运行到了重试时刻才再生成，最多 3 次；失败的一次不占期号；
运行表上写着已试几次与下次重试时刻；两个运行者同时来重试只有一个生成；失败与重试都记审计。

小库（tests/data/shared）数据截至 2026-11-15 18:00，按统计时刻推算本年第 46 周（见 test_dispatch.py）。
"""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from chuangwen import briefing, statedb
from chuangwen.dispatch import alerts, archive, channels, runner, schedules
from tests import fakes
from tests.builders import build_briefing_db

FRIDAY = datetime(2026, 11, 20, 17, 0)
FAST = runner.Options(png=False, pdf=False)


@pytest.fixture
def hook():
    got, server = fakes.start_hook()
    yield got
    server.shutdown()
    server.server_close()


@pytest.fixture
def db(tmp_path, hook):
    path = build_briefing_db(tmp_path / "b.duckdb")
    schedules.set_schedule(path, "monthly", "测试", enabled=False)
    for kind in alerts.RULES:
        alerts.set_rule(path, kind, "测试", enabled=False)
    channels.add(path, "群", "webhook", f"{hook.url}/hook?token=abcdefgh12345678", "测试")
    schedules.set_schedule(path, "weekly", "测试", at_text="fri 17:00", channels=["群"])
    return path


@pytest.fixture
def broken(monkeypatch):
    """生成通报失败 failures 次（抛中文错误），之后照常；calls 记下每次生成的统计时刻。"""
    real = briefing.build_bundle
    state = {"failures": 1, "calls": 0}

    def build(*args, **kwargs):
        state["calls"] += 1
        if state["failures"] > 0:
            state["failures"] -= 1
            raise RuntimeError("库文件读不出（测试造的故障）")
        return real(*args, **kwargs)

    monkeypatch.setattr(briefing, "build_bundle", build)
    return state


def _audit(db, action):
    with statedb.connect(db) as con:
        return [r[0] for r in con.execute("select detail from audit_event where action = ? order by id", (action,))]


def test_a_failed_build_is_retried_after_the_back_off_and_keeps_its_issue_number(db, hook, broken):
    assert runner.run_due(db, FRIDAY, FAST) == [
        "每周通报 2026-W47：生成失败（第 1 次）：库文件读不出（测试造的故障）；2026年11月20日 17:05 重试（第 2 次）"
    ]
    assert archive.issues(db) == [] and hook.requests == []
    with statedb.connect(db) as con:
        assert con.execute("select count(*) from dispatch_issue").fetchone()[0] == 0  # 失败的一次不占期号
    run = runner.runs(db)[0]
    assert (run["状态"], run["已试次数"], run["下次重试"], run["期号"], run["原因"]) == (
        "失败，待重试",
        1,
        "2026-11-20 17:05:00",
        "",
        "库文件读不出（测试造的故障）",
    )
    assert runner.run_due(db, datetime(2026, 11, 20, 17, 4), FAST) == [
        "每周通报 2026-W47：上次生成失败（已试 1 次），2026-11-20 17:05 重试"
    ]
    assert broken["calls"] == 1
    lines = runner.run_due(db, datetime(2026, 11, 20, 17, 5), FAST)
    assert lines[0].startswith("每周通报 2026-W47：已生成并存档 甲县创建文明城市工作周通报 第46期，")
    assert lines[1] == "已发出：weekly 2026-W47 → 渠道 群"
    assert runner.run_due(db, datetime(2026, 11, 20, 17, 40), FAST) == [
        "每周通报 2026-W47：这一期已运行过（或正由别的运行者运行），不再运行"
    ]
    assert [b["期号"] for b in hook.json_bodies()] == ["第46期"]
    run = runner.runs(db)[0]
    assert (run["状态"], run["已试次数"], run["下次重试"], run["期号"], run["原因"]) == ("完成", 2, "", "第 46 期", "")
    assert _audit(db, "定时生成通报失败") == [
        "每周通报 2026-W47（第 1 次）：库文件读不出（测试造的故障）；2026年11月20日 17:05 重试（第 2 次）"
    ]
    assert _audit(db, "重试定时生成") == ["weekly 2026-W47：第 2 次（上次失败：库文件读不出（测试造的故障））"]


def test_after_three_failures_it_stops_and_the_issue_number_is_not_used_up(db, hook, broken, caplog):
    broken["failures"] = 3
    assert "第 1 次" in runner.run_due(db, FRIDAY, FAST)[0]
    assert runner.run_due(db, datetime(2026, 11, 20, 17, 5), FAST) == [
        "每周通报 2026-W47：生成失败（第 2 次）：库文件读不出（测试造的故障）；2026年11月20日 17:35 重试（第 3 次）"
    ]
    assert runner.run_due(db, datetime(2026, 11, 20, 17, 35), FAST) == [
        "每周通报 2026-W47：生成失败（第 3 次）：库文件读不出（测试造的故障）；"
        "已试 3 次，不再自动重试（请查看原因后在通报导出页手工生成）"
    ]
    assert runner.run_due(db, datetime(2026, 11, 20, 23, 0), FAST) == [
        "每周通报 2026-W47：生成失败 3 次，不再自动重试（请查看原因后在通报导出页手工生成）"
    ]
    assert broken["calls"] == 3 and hook.requests == []
    run = runner.runs(db)[0]
    assert (run["状态"], run["已试次数"], run["下次重试"]) == ("失败，不再重试", 3, "")
    assert "每周通报 2026-W47 生成失败（第 3 次）" in caplog.text
    assert len(_audit(db, "定时生成通报失败")) == 3 and len(_audit(db, "重试定时生成")) == 2
    assert not list(archive.root(db).rglob("*.pptx"))  # 没有写了一半的文件留在存档里
    runner.run_due(db, datetime(2026, 11, 27, 17, 0), FAST)  # 下一周照常：期号接着用，不跳过失败的那期
    assert [b["期号"] for b in hook.json_bodies()] == ["第46期"]
    assert [r["issue_no"] for r in archive.issues(db)] == [46]


def test_a_failed_week_is_still_retried_when_the_next_week_is_already_due(db, hook, broken):
    runner.run_due(db, FRIDAY, FAST)
    lines = runner.run_due(db, datetime(2026, 11, 27, 17, 0), FAST)  # 一周都没人运行：先跑本周，再重试上周
    assert [line.split("：")[0] for line in lines[:2]] == ["每周通报 2026-W48", "每周通报 2026-W47"]
    assert sorted(b["period"] for b in hook.json_bodies()) == ["2026-W47", "2026-W48"]
    assert sorted(r["issue_no"] for r in archive.issues(db)) == [46, 47]  # 不重、不跳


def test_two_runners_retrying_at_once_build_once(db, hook, broken):
    runner.run_due(db, FRIDAY, FAST)
    results: list[list[str]] = []
    at = datetime(2026, 11, 20, 17, 5)
    threads = [threading.Thread(target=lambda: results.append(runner.run_due(db, at, FAST))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert broken["calls"] == 2  # 第一次失败 + 只有一个运行者重试
    assert len(hook.requests) == 1
    assert len(_audit(db, "重试定时生成")) == 1
    with statedb.connect(db) as con:
        assert con.execute("select count(*) from dispatch_issue").fetchone()[0] == 1


def test_the_retry_claim_is_compare_and_swap(db, broken):
    runner.run_due(db, FRIDAY, FAST)
    at = datetime(2026, 11, 20, 17, 5)
    with statedb.connect(db) as con:
        assert runner._retry(con, "weekly", "2026-W47", datetime(2026, 11, 20, 17, 4), "甲:1") is False  # 还没到时刻
        assert runner._retry(con, "weekly", "2026-W47", at, "甲:1") is True
        assert runner._retry(con, "weekly", "2026-W47", at, "乙:2") is False
        row = con.execute("select status, runner, attempts, next_try from dispatch_run").fetchone()
    assert row == ("running", "甲:1", 2, None)
