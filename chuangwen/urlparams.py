"""网址参数 → 允许的取值。网址谁都能改：日期夹到数据的时间范围内，选项只认允许列表里的，其余忽略并写一句说明，从不报错。

各页共用的参数（from、to、town、unit、round）在这里解析；问题热点页自己的参数见 chuangwen.hotspots.from_query_params。
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

SHARED_KEYS = ("from", "to", "town", "unit", "round")
# Streamlit 自己用的参数（嵌入模式），不算不认识
STREAMLIT_KEYS = ("embed", "embed_options")
SHOWN_CHARS = 24


def shown(value: object) -> str:
    """说明里引用用户写的值：截短（网址参数可能有 100 KB），转义交给显示的地方。"""
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


@dataclass(frozen=True)
class SharedFilters:
    """网址里的共用筛选，已落在允许范围内；notes 是被忽略或被调整的参数的说明（中文）。"""

    start: date | None = None
    end: date | None = None
    township: str | None = None
    unit: str | None = None
    round: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def _date(params: Mapping[str, str], key: str, label: str, notes: list[str]) -> date | None:
    raw = params.get(key)
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw.strip())
    except (ValueError, TypeError):
        notes.append(f"网址参数 {key}（{label}）的值“{shown(raw)}”不是 YYYY-MM-DD 日期，已忽略。")
        return None


def parse_shared(
    params: Mapping[str, str],
    *,
    townships: Iterable[str],
    units: Iterable[str],
    rounds: Iterable[str],
    first_day: date,
    last_day: date,
) -> SharedFilters:
    """from/to 夹到 [first_day, last_day]（数据的时间范围）；town/unit/round 只认库里有的代码。"""
    notes: list[str] = []
    start = _date(params, "from", "统计区间起点", notes)
    end = _date(params, "to", "统计区间终点", notes)
    if start is not None and not first_day <= start <= last_day:
        clamped = min(max(start, first_day), last_day)
        notes.append(
            f"网址参数 from 的日期 {start.isoformat()} 超出数据范围（{first_day.isoformat()} 至 "
            f"{last_day.isoformat()}），已按 {clamped.isoformat()} 处理。"
        )
        start = clamped
    if end is not None and not first_day <= end <= last_day:
        clamped = min(max(end, first_day), last_day)
        notes.append(
            f"网址参数 to 的日期 {end.isoformat()} 超出数据范围（{first_day.isoformat()} 至 "
            f"{last_day.isoformat()}），已按 {clamped.isoformat()} 处理。"
        )
        end = clamped
    if start is not None and end is not None and start > end:
        notes.append(f"网址参数 from（{start.isoformat()}）晚于 to（{end.isoformat()}），统计区间已忽略。")
        start = end = None
    picked: dict[str, str | None] = {}
    for key, label, allowed in (
        ("town", "镇街", townships),
        ("unit", "牵头单位", units),
        ("round", "测评轮次", rounds),
    ):
        raw = params.get(key)
        if raw is None or raw == "":
            picked[key] = None
        elif raw in set(allowed):
            picked[key] = raw
        else:
            picked[key] = None
            notes.append(f"网址参数 {key}（{label}）的值“{shown(raw)}”在库中没有（或不在您的查看范围内），已忽略。")
    return SharedFilters(start, end, picked["town"], picked["unit"], picked["round"], tuple(notes))


# 各页自己认的参数：通报导出页的 archive（推送消息里的链接带它，选中那一期存档）
PAGE_KEYS = ("archive",)


def unknown_keys(params: Mapping[str, str], known: Iterable[str]) -> list[str]:
    """不认识的参数名的说明（每个一句）。"""
    allowed = set(known) | set(SHARED_KEYS) | set(STREAMLIT_KEYS)
    return [f"网址参数“{shown(k)}”不认识，已忽略。" for k in params if k not in allowed]
