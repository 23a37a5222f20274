"""预热（chuangwen.ui.prewarm）：服务启动、发布新版本后在后台把丢分预警的全县默认口径算好；
领导第一次打开这一页时不再跑丢分预警的查询、不再重算；一个版本只预热一次；预热出错只记日志、不拖垮服务。"""

from __future__ import annotations

import dataclasses
import logging

import pytest

from chuangwen import loss_risk, queries, store
from chuangwen.ui import data, page_modules, prewarm
from tests.app.conftest import switch_to

PAGE = "app_pages/loss_risk.py"


@pytest.fixture
def cold(demo_db, monkeypatch):
    """清空跨会话的缓存（查询结果、中间结果、构建结果），就像刚启动的服务。"""
    monkeypatch.setenv("CHUANGWEN_DB", str(demo_db))
    for cache in (data._result, data._source, data._memoized):
        cache.clear()
    yield
    for cache in (data._result, data._source, data._memoized):
        cache.clear()


def _warmer() -> prewarm.Prewarmer:
    return prewarm.Prewarmer([("丢分预警", lambda view: page_modules.load("loss_risk").warm(view))])


def _record(monkeypatch) -> list[str]:
    """记下之后真正执行的丢分预警查询（含中间结果 loss_risk_open）与重算。"""
    ran: list[str] = []
    real_run, real_table, real_assess = queries.run, queries._table, loss_risk.assess

    def run(con, name, *args, **kwargs):
        ran.append(name)
        return real_run(con, name, *args, **kwargs)

    def table(con, name, params):
        ran.append(name)
        return real_table(con, name, params)

    def assess(*args, **kwargs):
        ran.append("assess")
        return real_assess(*args, **kwargs)

    assess.__module__, assess.__qualname__ = real_assess.__module__, real_assess.__qualname__  # 记住的键不变
    monkeypatch.setattr(queries, "run", run)
    monkeypatch.setattr(queries, "_table", table)
    monkeypatch.setattr(loss_risk, "assess", assess)
    return ran


def test_a_warmed_page_opens_without_running_its_queries_or_the_model_again(cold, app, monkeypatch):
    assert _warmer().step() is True
    ran = _record(monkeypatch)
    at = switch_to(app, PAGE)
    assert at.subheader[0].value.startswith("若明天暗访，实地考察部分预计丢 ")
    assert [name for name in ran if name.startswith("loss_risk") or name == "assess"] == []


def test_without_warming_the_page_computes_on_first_view(cold, app, monkeypatch):
    """对照：没有预热时，第一次打开要跑中间结果、各条查询与计算（上一个测试的断言不是空的）。"""
    ran = _record(monkeypatch)
    switch_to(app, PAGE)
    assert {"loss_risk_open", "loss_risk_groups", "loss_risk_items", "assess"} <= set(ran)
    assert ran.count("loss_risk_open") == 1  # 三条查询读同一份中间结果，只算一次


def test_one_snapshot_is_warmed_once_and_a_new_one_again(cold, monkeypatch, demo_db):
    seen = []
    warmer = prewarm.Prewarmer([("记录", lambda view: seen.append((view.as_of, view.scope_unit)))])
    assert warmer.step() is True and warmer.step() is False
    assert len(seen) == 1 and seen[0][1] is None
    now = store.current(demo_db)
    monkeypatch.setattr(store, "current", lambda path: dataclasses.replace(now, id=(now.id or 0) + 1))
    assert warmer.step() is True and len(seen) == 2


def test_a_failing_warmer_is_logged_in_chinese_and_the_others_still_run(cold, caplog):
    seen = []

    def broken(view):
        raise RuntimeError("坏了")

    warmer = prewarm.Prewarmer([("坏的", broken), ("好的", lambda view: seen.append(view))])
    with caplog.at_level(logging.ERROR, logger="chuangwen.prewarm"):
        assert warmer.step() is True
    assert len(seen) == 1
    assert any(r.getMessage().startswith("预热坏的失败") for r in caplog.records)


def test_a_missing_database_is_logged_once_and_warmed_when_it_appears(cold, monkeypatch, tmp_path, demo_db, caplog):
    seen = []
    warmer = prewarm.Prewarmer([("记录", seen.append)])
    monkeypatch.setenv("CHUANGWEN_DB", str(tmp_path / "还没有.duckdb"))
    with caplog.at_level(logging.WARNING, logger="chuangwen.prewarm"):
        assert warmer.step() is False and warmer.step() is False
    assert [r.getMessage()[:10] for r in caplog.records] == ["预热：读不到当前版本"]
    monkeypatch.setenv("CHUANGWEN_DB", str(demo_db))
    assert warmer.step() is True and len(seen) == 1
