"""只有成绩、只有问题台账的库（Issue 17 第 6 部分）：每一页都不报错、标题不以“·”结尾、
缺的那部分说“先导入什么”，而不是一片 0 或“没有逾期”这样误导的话。"""

from __future__ import annotations

import shutil

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from chuangwen import demo, derived
from tests.app.conftest import DASHBOARD, PAGES, SIGNED_IN, login_token
from tests.oracles import county_rank_by_definition

NO_PROBLEMS = "库里还没有问题台账"


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    base = tmp_path_factory.mktemp("partial")
    full = base / "full.duckdb"
    demo.build(full, seed=5, problems=300)
    only_scores, only_problems = base / "scores.duckdb", base / "problems.duckdb"
    shutil.copy(full, only_scores)
    shutil.copy(full, only_problems)
    with duckdb.connect(str(only_scores)) as con:
        for table in ("rectify_event", "problem_coop_unit", "problem"):
            con.execute(f"delete from {table}")
        derived.rebuild(con)
    with duckdb.connect(str(only_problems)) as con:
        for table in ("score_part", "deduction_unit", "deduction", "score"):
            con.execute(f"delete from {table}")
    return {"scores": only_scores, "problems": only_problems}


def run_page(path, page, monkeypatch):
    monkeypatch.setenv("CHUANGWEN_DB", str(path))
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.session_state[SIGNED_IN] = login_token(path, "测试管理员", "管理员")
    at.run()
    at.switch_page(page).run()
    assert not at.exception, (path.name, page, [e.value for e in at.exception])
    assert all(not t.value.rstrip().endswith("·") for t in at.title)
    return at


def texts(at) -> str:
    return " ".join(x.value for kind in ("info", "warning", "success", "caption", "markdown") for x in at.get(kind))


@pytest.mark.parametrize("page", PAGES)
def test_a_store_with_only_scores(stores, monkeypatch, page):
    at = run_page(stores["scores"], page, monkeypatch)
    shown = texts(at)
    if page in ("app_pages/hotspots.py", "app_pages/league.py", "app_pages/supervision.py", "app_pages/overview.py"):
        assert NO_PROBLEMS in shown, page
        assert "没有逾期" not in shown and "没有触及负面清单" not in shown
    if page == "app_pages/overview.py":
        round_name, rank = county_rank_by_definition(stores["scores"])
        assert [m.value for m in at.metric if m.label == f"全省排名（{round_name}）"] == [rank]


@pytest.mark.parametrize("page", PAGES)
def test_a_store_with_only_problems(stores, monkeypatch, page):
    at = run_page(stores["problems"], page, monkeypatch)
    shown = texts(at)
    assert NO_PROBLEMS not in shown
    if page == "app_pages/overview.py":
        assert "库里还没有测评成绩" in shown
        assert [m.value for m in at.metric if m.label.startswith("全省排名")] == ["暂无成绩"]
    if page == "app_pages/rank_trend.py":
        assert "还没有公布排名的测评成绩" in shown
