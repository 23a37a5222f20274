"""真实服务器 + 无头 chromium：总览页在断网（只允许回环）条件下完整显示中文数字，并截图。"""
import pytest

pytestmark = pytest.mark.e2e


def test_overview_renders_offline_with_figures(server, offline_page, artifacts):
    page = offline_page
    page.goto(server, wait_until="domcontentloaded")
    page.get_by_text("全省排名（", exact=False).first.wait_for(timeout=60_000)
    page.get_by_text("本周最差镇街").wait_for(timeout=30_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts / "overview.png"), full_page=True)

    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert len(metrics) >= 7
    assert any(v.startswith("第") for v in metrics)
    assert "示例数据" in page.inner_text("body")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.external == []


def test_every_page_loads_offline(server, offline_page, artifacts):
    page = offline_page
    for path, title in [("rank_trend", "排名趋势"), ("hotspots", "问题热点"), ("league", "红黑榜"),
                        ("supervision", "整改督办"), ("data_admin", "数据管理"), ("briefing", "通报导出")]:
        page.goto(f"{server}/{path}", wait_until="domcontentloaded")
        page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0, path
    assert page.external == []
