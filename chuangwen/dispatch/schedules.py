"""计划：每周通报（默认周五 17:00）、每月通报（默认 1 日 09:00）、测评轮次通报（轮次结束后第二天 09:00，默认关）。

作为设置存在状态库（dispatch_schedule），管理员在页面或用 chuangwen schedule set 改，每次改动记审计。
到点：某作业在时刻 now 之前最近的一个计划时刻（slot）；同一周期只运行一次由运行表保证（runner）。
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from chuangwen import statedb
from chuangwen.vocabulary import MONTH, ROUND, WEEK

JOBS = {"weekly": "每周通报", "monthly": "每月通报", "round": "测评轮次通报"}
PERIOD_OF = {"weekly": WEEK, "monthly": MONTH, "round": ROUND}
DEFAULTS = {"weekly": (True, "fri 17:00"), "monthly": (True, "1 09:00"), "round": (False, "09:00")}
# 过了计划时刻多久才算“错过后补运行”（运行者每分钟看一次：半小时内都算按时）
GRACE = timedelta(minutes=30)
# 错过的最多补多久以前的：停机一个周末，周一回来补上周五那期；新设的计划不会把几天前那期当成“错过的”补发
CATCH_UP = timedelta(days=3)

_WEEKDAYS = {
    **{k: i for i, k in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{k: i for i, k in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
    **{f"周{c}": i for i, c in enumerate("一二三四五六日")},
    **{f"星期{c}": i for i, c in enumerate("一二三四五六日")},
    "周天": 6,
    "星期天": 6,
}
_CLOCK = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")


class ScheduleError(ValueError):
    """计划写错（中文说明）。"""


@dataclass(frozen=True)
class When:
    """解析好的计划时间：每周的星期几（0=周一）或每月的几号，与时分。"""

    weekday: int | None
    day: int | None
    at: time


@dataclass(frozen=True)
class Schedule:
    job: str
    enabled: bool
    at_text: str
    channels: tuple[str, ...]
    set_by: str
    set_at: str

    @property
    def name(self) -> str:
        return JOBS[self.job]


def _clock(raw: str, whole: str, example: str) -> time:
    m = _CLOCK.match(raw)
    if not m:
        raise ScheduleError(f"时间 {whole!r} 写法不对：时刻应为 时:分（24 小时制），例如 {example!r}")
    return time(int(m.group(1)), int(m.group(2)))


def parse(job: str, text: str) -> When:
    """'fri 17:00' / '周五 17:00'（每周）、'1 09:00' / '1日 09:00'（每月，1–28 号）、'09:00'（轮次结束后第二天）。"""
    if job not in JOBS:
        raise ScheduleError(f"没有这个作业：{job!r}（可选：{'、'.join(JOBS)}）")
    raw = (text or "").strip()
    parts = raw.split()
    if job == "weekly":
        example = "fri 17:00（或 周五 17:00）"
        if len(parts) != 2 or parts[0].lower() not in _WEEKDAYS:
            raise ScheduleError(f"每周通报的时间 {raw!r} 写法不对：应为 星期 时:分，例如 {example}")
        return When(_WEEKDAYS[parts[0].lower()], None, _clock(parts[1], raw, "fri 17:00"))
    if job == "monthly":
        example = "1 09:00（每月 1 日 9 点）"
        m = re.fullmatch(r"(\d{1,2})[日号]?", parts[0]) if len(parts) == 2 else None
        if m is None or not 1 <= int(m.group(1)) <= 28:
            raise ScheduleError(f"每月通报的时间 {raw!r} 写法不对：应为 几号（1–28） 时:分，例如 {example}")
        return When(None, int(m.group(1)), _clock(parts[1], raw, "1 09:00"))
    if len(parts) != 1:
        raise ScheduleError(
            f"测评轮次通报的时间 {raw!r} 写法不对：只写时:分（轮次结束后第二天的这个时刻），例如 '09:00'"
        )
    return When(None, None, _clock(parts[0], raw, "09:00"))


def chinese(job: str, text: str) -> str:
    """页面上显示的写法：'fri 17:00' → '周五 17:00'，'1 09:00' → '1日 09:00'，'09:00' 照旧；写错的原样给回（好让人改）。"""
    try:
        when = parse(job, text)
    except ScheduleError:
        return text
    clock = when.at.strftime("%H:%M")
    if when.weekday is not None:
        return f"周{'一二三四五六日'[when.weekday]} {clock}"
    if when.day is not None:
        return f"{when.day}日 {clock}"
    return clock


def latest_slot(
    job: str, when: When, now: datetime, round_ends: list[tuple[str, date]] | None = None
) -> datetime | None:
    """now 之前（含）最近的计划时刻；轮次作业为最近结束的一轮的第二天该时刻（没有时为 None）。"""
    if job == "weekly":
        assert when.weekday is not None
        day = now.date() - timedelta(days=(now.weekday() - when.weekday) % 7)
        slot = datetime.combine(day, when.at)
        return slot if slot <= now else slot - timedelta(days=7)
    if job == "monthly":
        assert when.day is not None
        slot = datetime.combine(now.date().replace(day=when.day), when.at)
        if slot <= now:
            return slot
        prev = now.date().replace(day=1) - timedelta(days=1)
        return datetime.combine(prev.replace(day=when.day), when.at)
    slots = [datetime.combine(end + timedelta(days=1), when.at) for _, end in round_ends or []]
    due = [s for s in slots if s <= now]
    return max(due) if due else None


def period_key(job: str, slot: datetime, round_code: str | None = None) -> str:
    """运行表与存档的周期：每周为 ISO 周（2026-W47），每月为年月，轮次为轮次代码。改了计划时刻也不会在同一周期再运行。"""
    if job == "weekly":
        year, week, _ = slot.isocalendar()
        return f"{year}-W{week:02d}"
    if job == "monthly":
        return f"{slot:%Y-%m}"
    return round_code or ""


def listing(db_path: str | os.PathLike[str]) -> list[Schedule]:
    """三个作业的计划（没设过的用默认值，默认不发到任何渠道）。"""
    with statedb.connect(db_path) as con:
        rows = {
            r[0]: r
            for r in con.execute("select job, enabled, at_text, channels, set_by, set_at from dispatch_schedule")
        }
    out = []
    for job, (on, at_text) in DEFAULTS.items():
        r = rows.get(job)
        if r is None:
            out.append(Schedule(job, on, at_text, (), "（默认）", ""))
        else:
            out.append(Schedule(job, bool(r[1]), r[2], tuple(c for c in r[3].split(",") if c), r[4], r[5]))
    return out


def set_schedule(
    db_path: str | os.PathLike[str],
    job: str,
    by: str,
    *,
    at_text: str | None = None,
    channels: list[str] | None = None,
    enabled: bool = True,
    page: str | None = None,
) -> Schedule:
    """改一个作业的计划（没写的项保持原样）；渠道名必须已有；同一事务里记审计“改定时通报”。"""
    current = {s.job: s for s in listing(db_path)}.get(job)
    if current is None:
        raise ScheduleError(f"没有这个作业：{job!r}（可选：{'、'.join(JOBS)}）")
    at_text = (at_text or current.at_text).strip()
    parse(job, at_text)
    chosen = tuple(current.channels if channels is None else (c.strip() for c in channels if c.strip()))
    with statedb.connect(db_path) as con:
        known = {r[0] for r in con.execute("select name from dispatch_channel")}
        missing = [c for c in chosen if c not in known]
        if missing:
            raise ScheduleError(f"没有这些渠道：{'、'.join(missing)}（先用 chuangwen channel add 建）")
        con.execute(
            "insert into dispatch_schedule values (?, ?, ?, ?, ?, ?) on conflict (job) do update set"
            " enabled = excluded.enabled, at_text = excluded.at_text, channels = excluded.channels,"
            " set_by = excluded.set_by, set_at = excluded.set_at",
            (job, int(enabled), at_text, ",".join(chosen), by, statedb._now()),
        )
        statedb.record(
            con,
            by,
            "改定时通报",
            f"{JOBS[job]}：{'开' if enabled else '关'}，{at_text}，渠道 {'、'.join(chosen) or '（无）'}",
            page=page,
        )
    return Schedule(job, enabled, at_text, chosen, by, "")
