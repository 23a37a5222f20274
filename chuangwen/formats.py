"""中文数字与时间格式：界面、导出共用一套写法。"""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd

# 投影仪和导出图片都按这个顺序找中文字体
CJK_FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def count(value) -> str:
    """整数计数：千分位，缺失显示为“—”。"""
    return "—" if _missing(value) else f"{int(value):,}"


def points(value, digits: int = 2) -> str:
    """测评得分或分差：固定两位小数。"""
    return "—" if _missing(value) else f"{float(value):.{digits}f}"


def rate(numerator, denominator, digits: int = 1) -> str:
    """比例：分母为 0 时显示“—（无分母）”而不是 0%。"""
    if _missing(denominator) or int(denominator) == 0:
        return "—"
    return f"{100.0 * float(numerator) / float(denominator):.{digits}f}%"


def rate_change(numerator, denominator, prev_numerator, prev_denominator, digits: int = 1) -> str:
    """两个比例之差，以“个百分点”计：+9.9 个百分点 / −3.0 个百分点 / 持平；任一边没有分母时“—”。"""
    if any(_missing(d) or int(d) == 0 for d in (denominator, prev_denominator)):
        return "—"
    diff = round(
        100.0 * (float(numerator) / float(denominator) - float(prev_numerator) / float(prev_denominator)), digits
    )
    if diff == 0:
        return "持平"
    return f"{'+' if diff > 0 else '−'}{abs(diff):.{digits}f} 个百分点"


def rank(value, group_size=None) -> str:
    if _missing(value):
        return "缺测"
    return f"第{int(value)}名" if _missing(group_size) else f"第{int(value)}名 / {int(group_size)}"


def moment(value: datetime | date | str | None) -> str:
    """时间点：2026年11月15日 18:00；日期：2026年11月15日。"""
    if _missing(value):
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    return f"{value.year}年{value.month}月{value.day}日"


def day(value) -> str:
    if _missing(value):
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{value.year}年{value.month}月{value.day}日"


def rank_change(current, previous) -> str | None:
    """名次变化：“上升 2 名”/“下降 1 名”/“持平”；上一轮缺测时为 None。"""
    if _missing(current) or _missing(previous):
        return None
    diff = int(previous) - int(current)
    if diff > 0:
        return f"上升 {diff} 名"
    if diff < 0:
        return f"下降 {-diff} 名"
    return "持平"
