"""页面测试夹具：一次构建的小示例库（3,000 条问题），每个测试通过 CHUANGWEN_DB 指向它。"""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from chuangwen import demo

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = str(ROOT / "dashboard.py")
# 画框里登记的全部页面（页面测试与恶意网址测试都逐页跑）
PAGES = ["app_pages/overview.py", "app_pages/rank_trend.py", "app_pages/hotspots.py", "app_pages/league.py",
         "app_pages/supervision.py", "app_pages/data_admin.py", "app_pages/briefing.py"]


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.build(path, seed=7, problems=3000)
    return path


@pytest.fixture
def app(demo_db, monkeypatch):
    """从 dashboard.py 启动的 AppTest（总览页），数据库为小示例库。"""
    monkeypatch.setenv("CHUANGWEN_DB", str(demo_db))
    monkeypatch.delenv("CHUANGWEN_TARGET_RANK", raising=False)
    return AppTest.from_file(DASHBOARD, default_timeout=60)


def switch_to(app: AppTest, page: str) -> AppTest:
    """先跑画框，再切到 app_pages/ 里的某一页；页面不许抛异常。"""
    at = app.run()
    at.switch_page(page).run()
    assert not at.exception, page
    return at
