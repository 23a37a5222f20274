"""提醒规则：问题逾期达到 N 天（默认 30）、发现负面清单问题（一票否决项写明）、单位逾期问题数超过阈值。

规则是设置（alert_rule，管理员改、记审计）；每个（规则、对象、越线）只提醒一次（alert_event 的主键），发给牵头单位
自己的渠道与规则指定的渠道。单位逾期数回落到线下再越过，算新的一次（alert_state）。

规则种类放在 RULES 这张表里，新规则加一行。丢分预警的规则比较统计时刻与 7 天前两次估算的全县预计丢分
（同一口径 loss_risk.assess），上升超过阈值时每周最多提醒一次。
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import pandas as pd

from chuangwen import formats, queries, statedb
from chuangwen.view import View


@dataclass(frozen=True)
class Found:
    """一条该提醒的：对象（问题编号或单位代码）、越过的线、牵头单位、提醒文字。"""

    subject: str
    crossing: str
    unit_code: str | None
    text: str


@dataclass(frozen=True)
class Rule:
    kind: str
    name: str
    threshold: int | None  # 默认阈值；没有阈值的规则为 None
    unit: str  # 阈值的单位（天、条）
    find: Callable[[duckdb.DuckDBPyConnection, View, int | None], list[Found]]


@dataclass(frozen=True)
class RuleSetting:
    kind: str
    enabled: bool
    threshold: int | None
    channels: tuple[str, ...]

    @property
    def name(self) -> str:
        return RULES[self.kind].name


class AlertError(ValueError):
    """规则写错（中文说明）。"""


def _moment(t: object) -> str:
    return "—" if t is None or pd.isna(t) else f"{pd.Timestamp(t):%Y-%m-%d %H:%M}"


def _overdue_rows(con: duckdb.DuckDBPyConnection, view: View) -> pd.DataFrame:
    from chuangwen import supervision

    return queries.run(con, "supervision_ledger", view, **supervision.ledger_params(overdue_only=True), limit=None)


def _overdue_days(con: duckdb.DuckDBPyConnection, view: View, threshold: int | None) -> list[Found]:
    n = int(threshold or 30)
    rows = _overdue_rows(con, view)
    rows = rows[rows["days_overdue"] >= n].sort_values(["lead_unit_code", "problem_code"])
    return [
        Found(
            str(r.problem_code),
            f"{n}天",
            str(r.lead_unit_code),
            f"【逾期提醒】{r.lead_unit}：问题 {r.problem_code}（{r.description}）整改期限 {_moment(r.deadline)}，"
            f"到 {_moment(view.as_of)} 已逾期 {int(r.days_overdue)} 天（提醒线 {n} 天）。",
        )
        for r in rows.itertuples()
    ]


def _negative(con: duckdb.DuckDBPyConnection, view: View, threshold: int | None) -> list[Found]:
    rows = queries.run(con, "overview_negative_alerts", view)
    rows = rows.sort_values(["is_veto", "problem_code"], ascending=[False, True])  # 一票否决项在前
    return [
        Found(
            str(r.problem_code),
            str(r.negative_item),
            str(r.lead_unit_code),
            f"【负面清单{'·一票否决' if r.is_veto else ''}】{r.lead_unit}：问题 {r.problem_code}（{r.description}）"
            f"触及负面清单“{r.negative_item}”，当前状态 {r.status}，发现于 {_moment(r.found_at)}。",
        )
        for r in rows.itertuples()
    ]


def _unit_counts(con: duckdb.DuckDBPyConnection, view: View, threshold: int | None) -> list[Found]:
    """单位的逾期问题数（牵头）超过阈值的，每个单位一条；越线的“第几次”由 evaluate 按 alert_state 补上。"""
    n = int(threshold or 10)
    rows = _overdue_rows(con, view)
    counts = rows.groupby(["lead_unit_code", "lead_unit"]).size().reset_index(name="n")
    counts = counts[counts["n"] > n].sort_values("lead_unit_code")
    return [
        Found(
            str(r.lead_unit_code),
            f">{n}",
            str(r.lead_unit_code),
            f"【单位逾期提醒】{r.lead_unit}：逾期问题 {formats.count(int(r.n))} 条，超过提醒线 {n} 条。",
        )
        for r in counts.itertuples()
    ]


LOSS_LOOKBACK = timedelta(days=7)


def _expected_loss(con: duckdb.DuckDBPyConnection, view: View) -> float | None:
    """全县（或查看范围内）若明天暗访的预计丢分；缺抽样方案或点位、算不出时为 None（不当作 0 分）。"""
    from chuangwen import loss_risk

    once = queries.OneRun()  # 两条查询读同一份中间结果（loss_risk_open），只算一次
    groups = queries.run(con, "loss_risk_groups", view, shared=once)
    if groups.empty:
        return None
    items = queries.run(con, "loss_risk_items", view, shared=once)
    result = loss_risk.assess(groups, items, view.as_of, view.scope_unit)
    return None if result.groups.empty else float(result.total)


def _loss_rising(con: duckdb.DuckDBPyConnection, view: View, threshold: int | None) -> list[Found]:
    """丢分预警的预计丢分比 7 天前多出超过阈值（分）：全县一条，越线按统计时刻所在的周记（一周最多一次）。"""
    x = int(threshold or 2)
    now, before = _expected_loss(con, view), _expected_loss(con, view.at(view.as_of - LOSS_LOOKBACK))
    if now is None or before is None or now - before <= x:
        return []
    return [
        Found(
            "全县",
            f"{view.as_of:%G-W%V} >{x}分",
            None,
            f"【丢分预警】若明天暗访，实地考察部分预计丢 {now:.2f} 分，比 7 天前（{before:.2f} 分）多 {now - before:.2f} 分，"
            f"超过提醒线 {x} 分。先改丢分预警页攻坚清单上的几处。",
        )
    ]


RULES: dict[str, Rule] = {
    "overdue_days": Rule("overdue_days", "问题逾期达到 N 天", 30, "天", _overdue_days),
    "negative_list": Rule("negative_list", "发现负面清单问题（一票否决项写明）", None, "", _negative),
    "unit_overdue": Rule("unit_overdue", "单位逾期问题数超过阈值", 10, "条", _unit_counts),
    "loss_rising": Rule("loss_rising", "丢分预警的预计丢分比 7 天前多出超过阈值", 2, "分", _loss_rising),
}


def settings(db_path: str | os.PathLike[str]) -> list[RuleSetting]:
    """各规则的设置（没设过的：开，默认阈值，不另发渠道——只发给牵头单位自己的渠道）。"""
    with statedb.connect(db_path) as con:
        rows = {r[0]: r for r in con.execute("select kind, enabled, threshold, channels from alert_rule")}
    out = []
    for kind, rule in RULES.items():
        r = rows.get(kind)
        if r is None:
            out.append(RuleSetting(kind, True, rule.threshold, ()))
        else:
            out.append(RuleSetting(kind, bool(r[1]), r[2], tuple(c for c in r[3].split(",") if c)))
    return out


def set_rule(
    db_path: str | os.PathLike[str],
    kind: str,
    by: str,
    *,
    threshold: int | None = None,
    channels: list[str] | None = None,
    enabled: bool = True,
    page: str | None = None,
) -> RuleSetting:
    if kind not in RULES:
        raise AlertError(f"没有这条提醒规则：{kind!r}（可选：{'、'.join(RULES)}）")
    current = {s.kind: s for s in settings(db_path)}[kind]
    if threshold is not None and (RULES[kind].threshold is None or threshold < 1):
        raise AlertError(
            f"规则“{RULES[kind].name}”" + ("没有阈值" if RULES[kind].threshold is None else "的阈值应为正整数")
        )
    value = current.threshold if threshold is None else threshold
    chosen = tuple(current.channels if channels is None else (c.strip() for c in channels if c.strip()))
    with statedb.connect(db_path) as con:
        known = {r[0] for r in con.execute("select name from dispatch_channel")}
        if missing := [c for c in chosen if c not in known]:
            raise AlertError(f"没有这些渠道：{'、'.join(missing)}（先用 chuangwen channel add 建）")
        con.execute(
            "insert into alert_rule values (?, ?, ?, ?, ?, ?) on conflict (kind) do update set enabled = excluded.enabled,"
            " threshold = excluded.threshold, channels = excluded.channels, set_by = excluded.set_by, set_at = excluded.set_at",
            (kind, int(enabled), value, ",".join(chosen), by, statedb._now()),
        )
        statedb.record(
            con,
            by,
            "改提醒规则",
            f"{RULES[kind].name}：{'开' if enabled else '关'}"
            + (f"，阈值 {value} {RULES[kind].unit}" if value is not None else "")
            + f"，渠道 {'、'.join(chosen) or '（只发牵头单位自己的渠道）'}",
            page=page,
        )
    return RuleSetting(kind, enabled, value, chosen)


def evaluate(
    db_path: str | os.PathLike[str], con: duckdb.DuckDBPyConnection, view: View, now: datetime
) -> list[tuple[RuleSetting, Found]]:
    """按规则找出该提醒的，登记（规则、对象、越线）；只返回这次新登记的（以前提醒过的不再返回）。"""
    fresh: list[tuple[RuleSetting, Found]] = []
    for setting in settings(db_path):
        if not setting.enabled:
            continue
        found = RULES[setting.kind].find(con, view, setting.threshold)
        with statedb.connect(db_path) as sq:
            if setting.kind == "unit_overdue":
                found = _episodes(sq, setting.kind, found)
            for f in found:
                cur = sq.execute(
                    "insert or ignore into alert_event values (?, ?, ?, ?, ?, ?)",
                    (setting.kind, f.subject, f.crossing, f.unit_code, f.text, f"{now:%Y-%m-%d %H:%M:%S}"),
                )
                if cur.rowcount:
                    fresh.append((setting, f))
    return fresh


def _episodes(sq: sqlite3.Connection, kind: str, found: list[Found]) -> list[Found]:
    """单位逾期数：这次在线上的单位，上次不在线上时算新的一次（越线编号 +1）；回落的单位记为线下。"""
    state = {
        r[0]: (r[1], r[2])
        for r in sq.execute("select subject, above, episode from alert_state where rule = ?", (kind,))
    }
    out = []
    above = {f.subject for f in found}
    for f in found:
        was_above, episode = state.get(f.subject, (0, 0))
        if not was_above:
            episode += 1
        sq.execute(
            "insert into alert_state values (?, ?, 1, ?) on conflict (rule, subject) do update set above = 1,"
            " episode = excluded.episode",
            (kind, f.subject, episode),
        )
        out.append(Found(f.subject, f"{f.crossing}#{episode}", f.unit_code, f.text))
    for subject in set(state) - above:
        sq.execute("update alert_state set above = 0 where rule = ? and subject = ?", (kind, subject))
    return out


ALERT_COLUMNS = {"found_at": "提醒时间", "rule": "规则", "unit_code": "单位代码", "text": "内容", "sent": "发送"}


def listing(db_path: str | os.PathLike[str], unit_code: str | None = None, limit: int = 200) -> list[dict]:
    """提醒记录（新的在前）：每条写明发到哪些渠道、何时发出或为什么没发。unit_code 给了时只列这个单位的（责任单位账号）。"""
    with statedb.connect(db_path) as con:
        rows = con.execute(
            "select e.found_at, e.rule, e.unit_code, e.text,"
            " group_concat(d.channel || '：' || case d.status when 'sent' then '已发 ' || d.sent_at"
            "   when 'partial' then '已发 ' || d.sent_at || '（' || coalesce(d.last_error, '') || '）'"
            "   when 'retry' then '待重试（' || coalesce(d.last_error, '') || '）'"
            "   when 'failed' then '没有发出（' || coalesce(d.last_error, '') || '）' else '待发' end, '；')"
            " from alert_event e left join dispatch_delivery d"
            "   on d.job = 'alert:' || e.rule and d.period = e.subject || '|' || e.crossing"
            " where ? is null or e.unit_code = ?"
            " group by e.rule, e.subject, e.crossing order by e.found_at desc, e.rule, e.subject limit ?",
            (unit_code, unit_code, limit),
        ).fetchall()
    return [
        {
            ALERT_COLUMNS["found_at"]: r[0],
            ALERT_COLUMNS["rule"]: RULES[r[1]].name if r[1] in RULES else r[1],
            ALERT_COLUMNS["unit_code"]: r[2] or "",
            ALERT_COLUMNS["sent"]: r[4] or "（没有可发的渠道）",  # 发送在内容之前：内容长，表格里放在最后
            ALERT_COLUMNS["text"]: r[3],
        }
        for r in rows
    ]
