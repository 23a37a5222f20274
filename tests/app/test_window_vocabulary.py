"""一套窗口词汇（Issue 16 第 2 部分）：总览、问题热点、整改督办上每张卡片的名称都写明窗口（区间内 / 本周 / 存量 / 7天内），
“逾期（存量）”与“区间内发现且逾期”名称不同；列名同理。"""

from __future__ import annotations

import pytest

from chuangwen import formats, time_windows
from tests.app.conftest import switch_to

WINDOW_WORDS = ("区间内", "本周", "存量", "7天内")
NO_WINDOW = {"测评得分", "可上图", "记录顺序存疑"}  # 轮次成绩与数据质量：不是某个时间窗口里的计数


@pytest.mark.parametrize("page", ["app_pages/overview.py", "app_pages/hotspots.py", "app_pages/supervision.py"])
def test_every_card_names_its_window(app, page):
    at = switch_to(app, page)
    labels = [m.label for m in at.metric]
    assert labels
    for label in labels:
        if label in NO_WINDOW or label.startswith(("全省排名", "距目标")):
            continue
        assert any(word in label for word in WINDOW_WORDS), label
        if "逾期" in label:
            assert "存量" in label or label == time_windows.FOUND_OVERDUE, label


def test_stock_and_found_overdue_are_different_names_on_their_pages(app):
    overview = [m.label for m in switch_to(app, "app_pages/overview.py").metric]
    hotspots = [m.label for m in switch_to(app, "app_pages/hotspots.py").metric]
    # 问题热点最先给存量（与总览同一个数、同一个名称），区间内发现且逾期放在旁边，不替代它
    assert time_windows.OVERDUE_STOCK in overview and time_windows.OVERDUE_STOCK in hotspots
    assert hotspots.index(time_windows.OVERDUE_STOCK) < hotspots.index(time_windows.FOUND_OVERDUE)
    assert time_windows.FOUND_OVERDUE in hotspots and time_windows.FOUND_OVERDUE not in overview
    # 定义卡片里同名的指标各有口径（不是同一个数换了个名）
    captions = " ".join(c.value for c in switch_to(app, "app_pages/hotspots.py").caption)
    assert "区间内" in captions or "统计区间" in captions


def test_rate_change_in_percentage_points():
    assert formats.rate_change(27, 30, 24, 30) == "+10.0 个百分点"
    assert formats.rate_change(1, 3, 1, 2) == "−16.7 个百分点"
    assert formats.rate_change(1, 2, 2, 4) == "持平"
    assert formats.rate_change(1, 2, 0, 0) == "—"
