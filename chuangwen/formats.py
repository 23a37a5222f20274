"""中文数字与时间格式：界面、导出共用一套写法。"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Protocol, TypeGuard

import pandas as pd

# 投影仪和导出图片都按这个顺序找中文字体
CJK_FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


class Number(Protocol):
    """表里来的一个数：Python、numpy 的整数或小数（能 int() 也能 float() 的都行）。"""

    def __int__(self) -> int: ...
    def __float__(self) -> float: ...


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def _present(value: Number | None) -> TypeGuard[Number]:
    """不是缺失值（None、NaN、NaT），是一个数。"""
    return not _missing(value)


def count(value: Number | None) -> str:
    """整数计数：千分位，缺失显示为“—”。"""
    return f"{int(value):,}" if _present(value) else "—"


def points(value: Number | None, digits: int = 2) -> str:
    """测评得分或分差：固定两位小数。"""
    return f"{float(value):.{digits}f}" if _present(value) else "—"


def rate(numerator: Number, denominator: Number | None, digits: int = 1) -> str:
    """比例：分母为 0 时显示“—（无分母）”而不是 0%。"""
    if not _present(denominator) or int(denominator) == 0:
        return "—"
    return f"{100.0 * float(numerator) / float(denominator):.{digits}f}%"


def rate_change(
    numerator: Number,
    denominator: Number | None,
    prev_numerator: Number,
    prev_denominator: Number | None,
    digits: int = 1,
) -> str:
    """两个比例之差，以“个百分点”计：+9.9 个百分点 / −3.0 个百分点 / 持平；任一边没有分母时“—”。"""
    if not _present(denominator) or int(denominator) == 0:
        return "—"
    if not _present(prev_denominator) or int(prev_denominator) == 0:
        return "—"
    diff = round(
        100.0 * (float(numerator) / float(denominator) - float(prev_numerator) / float(prev_denominator)), digits
    )
    if diff == 0:
        return "持平"
    return f"{'+' if diff > 0 else '−'}{abs(diff):.{digits}f} 个百分点"


def rank(value: Number | None, group_size: Number | None = None) -> str:
    if not _present(value):
        return "缺测"
    return f"第{int(value)}名 / {int(group_size)}" if _present(group_size) else f"第{int(value)}名"


def moment(value: datetime | date | str | None) -> str:
    """时间点：2026年11月15日 18:00；日期：2026年11月15日。"""
    if value is None or _missing(value):  # 先判 None：类型检查靠它把 None 排除
        return "—"
    when: date = datetime.fromisoformat(value) if isinstance(value, str) else value
    if isinstance(when, pd.Timestamp):
        when = when.to_pydatetime()
    if isinstance(when, datetime):
        return f"{when.year}年{when.month}月{when.day}日 {when:%H:%M}"
    return f"{when.year}年{when.month}月{when.day}日"


def day(value: datetime | date | str | None) -> str:
    if value is None or _missing(value):
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{value.year}年{value.month}月{value.day}日"


def rank_change(current: Number | None, previous: Number | None) -> str | None:
    """名次变化：“上升 2 名”/“下降 1 名”/“持平”；上一轮缺测时为 None。"""
    if not _present(current) or not _present(previous):
        return None
    diff = int(previous) - int(current)
    if diff > 0:
        return f"上升 {diff} 名"
    if diff < 0:
        return f"下降 {-diff} 名"
    return "持平"
