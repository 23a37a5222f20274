"""丢分预警：页面、通报与导出用的文字、卡片、表，以及“分数能换来什么”（按上一轮全组成绩可到的名次）。

计算在 chuangwen.loss_risk.model；这里只把算好的结果写成给人看的样子（纯函数，不依赖 streamlit）。
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from chuangwen import excel, formats, rank_trend
from chuangwen.loss_risk.model import (
    ESTIMATE_NOTE,
    RULE_SENTENCE,
    SHOW_ROWS,
    STEPS,
    STREET_SENTENCE,
    Assessment,
    place_table,
    saved_after,
    standards_table,
)

# ---------------------------------------------------------------- 分数能换来什么


@dataclass(frozen=True)
class Reach:
    label: str
    saved: float
    score: float
    rank: int
    gap: rank_trend.RankGap | None


def reach(needed: pd.DataFrame, saved: float) -> tuple[int, rank_trend.RankGap | None] | None:
    """上一轮得分加上 saved 分能到第几名：与排名趋势“距前 k 名所差分数”同一规则（rank_trend_points_needed 的各行），
    取所差分数不超过 saved 的最小 k（追平即并列）；本县那一轮缺测时为 None。"""
    if needed.empty:
        return None
    group_size = int(needed.iloc[0]["group_size"])
    enough = needed[needed["points_needed"] <= round(saved, 2) + 1e-9]
    k = int(enough["k"].min()) if len(enough) else group_size
    return k, rank_trend.points_to_rank(needed, k)


def reaches(needed: pd.DataFrame, rows: pd.DataFrame, *, steps: Sequence[int] = STEPS) -> list[Reach]:
    """改完攻坚清单前 5、10、20 处与全部各能到第几名（按上一轮的全组成绩，别人的分不变）。"""
    if needed.empty:
        return []
    ours = float(needed.iloc[0]["our_total"])
    marks = [(f"改完前 {n} 处", n) for n in steps if n < len(rows)] + [(f"改完全部 {len(rows)} 处", len(rows))]
    out = []
    for label, n in marks:
        saved = saved_after(rows, n)
        got = reach(needed, saved)
        if got is not None:
            out.append(Reach(label, saved, ours + saved, got[0], got[1]))
    return out


def reach_table(needed: pd.DataFrame, found: list[Reach]) -> pd.DataFrame:
    """“分数能换来什么”表：改完几处、预计少丢、上一轮得分加上它、可到名次（与现在相比）。"""
    if needed.empty:
        return pd.DataFrame(columns=["改完", "预计少丢（分）", "上一轮得分 + 少丢", "可到名次", "说明"])
    first = needed.iloc[0]
    now = int(first["our_rank"])
    rows = [("现在（上一轮）", 0.0, float(first["our_total"]), now, "")]
    for r in found:
        how = ""
        if r.gap is not None and r.gap.boundary_units and r.rank < now:
            how = f"追平或超过{r.gap.boundary_units}（{formats.points(r.gap.boundary_total)} 分）"
        rows.append((r.label, r.saved, r.score, r.rank, how))
    return pd.DataFrame(
        {
            "改完": [r[0] for r in rows],
            "预计少丢（分）": [round(r[1], 2) for r in rows],
            "上一轮得分 + 少丢": [round(r[2], 2) for r in rows],
            "可到名次": [formats.rank(r[3], int(first["group_size"])) for r in rows],
            "说明": [r[4] for r in rows],
        }
    )


# ---------------------------------------------------------------- 页面与导出用的文字、卡片


def edition_caption(inputs: pd.DataFrame) -> str:
    """“测评体系 全国文明城市测评体系（2024年版）（2024年1月1日起）”；没有生效的体系时写明。"""
    if inputs.empty or pd.isna(inputs.iloc[0]["edition"]):
        return "测评体系：—（没有统计日已生效的版本）"
    r = inputs.iloc[0]
    return f"测评体系 {r['edition_name']}（{formats.day(r['effective_from'])}起）"


def headline(result: Assessment, unit_name: str | None = None) -> str:
    """页面第一句话：若明天暗访，实地考察部分预计丢 X.XX 分（责任单位：本单位的问题预计丢 X.XX 分）。"""
    if result.scope_unit:
        who = f"{unit_name}的问题" if unit_name else "本单位的问题"
        return f"若明天暗访，{who}在实地考察部分预计丢 {formats.points(result.headline)} 分"
    return f"若明天暗访，实地考察部分预计丢 {formats.points(result.headline)} 分"


@dataclass(frozen=True)
class Card:
    label: str
    value: str
    delta: str | None
    metric: str
    query: str


def cards(result: Assessment, rows: pd.DataFrame) -> list[Card]:
    """四张卡片：预计丢分、不合格的处（及涉及几条标准）、一次测评抽查的处数、改完攻坚清单前 5 处少丢。"""
    s = result.standards
    sampled = int(result.groups.drop_duplicates(["site_type", "township_code"])["sampled"].sum()) if len(s) else 0
    standards = (
        int(result.items["standard_code"].nunique())
        if result.scope_unit
        else int((s["failing"] > 0).sum())
        if len(s)
        else 0
    )
    label = "本单位的问题预计丢分" if result.scope_unit else "实地考察预计丢分"
    first = min(5, len(rows))
    return [
        Card(
            label,
            f"{formats.points(result.headline)} 分",
            f"全县 {len(s)} 条实地考察标准",
            "预计丢分",
            "loss_risk_groups",
        ),
        Card(
            "不合格的处",
            f"{formats.count(len(result.places))} 处",
            f"落在 {standards} 条测评标准上",
            "不合格点位",
            "loss_risk_groups",
        ),
        Card("一次测评抽查", f"{formats.count(sampled)} 处", "按抽样方案（街面按镇街）", "抽查数", "loss_risk_groups"),
        Card(
            f"改完前 {first} 处",
            f"少丢 {formats.points(saved_after(rows, first))} 分",
            f"攻坚清单共 {formats.count(len(rows))} 处",
            "改完前N处累计少丢",
            "loss_risk_items",
        ),
    ]


def worklist_workbook(rows: pd.DataFrame, result: Assessment, as_of: datetime, scope_name: str) -> bytes:
    """攻坚清单 Excel：第一张是清单（与页面同列、全部的处），第二张各测评标准的 k、n、m 与预计丢分，第三张口径与统计时刻。"""
    about = pd.DataFrame(
        {
            "项目": ["范围", "统计时刻", "测评体系", "预计丢分", "说明", "街面问题", "估算范围", "排序"],
            "内容": [
                scope_name,
                formats.moment(as_of),
                result.edition or "—",
                f"{formats.points(result.headline)} 分",
                RULE_SENTENCE,
                STREET_SENTENCE,
                ESTIMATE_NOTE,
                "按“改这一处少丢的分 ÷ 剩余天数”从大到小；累计少丢是按顺序几处同时改完的实际效果。",
            ],
        }
    )
    return excel.to_xlsx(
        {"攻坚清单": place_table(rows, for_excel=True), "各测评标准": standards_table(result), "说明": about},
        note=f"统计时刻 {formats.moment(as_of)}；由创文看板导出",
    )


def place_types(result: Assessment) -> list[str]:
    """攻坚清单里出现的点位类型（筛选项，按处数从多到少）。"""
    return result.places["site_type"].value_counts().index.tolist() if len(result.places) else []


def shown(rows: pd.DataFrame) -> pd.DataFrame:
    """页面上显示的前 SHOW_ROWS 处（全部在 Excel 里）。"""
    return rows.head(SHOW_ROWS)


def shown_note(rows: pd.DataFrame) -> str | None:
    if len(rows) <= SHOW_ROWS:
        return None
    return f"共 {formats.count(len(rows))} 处，页面上列出前 {SHOW_ROWS} 处；全部在导出的 Excel 里。"


def three_decimals(table: pd.DataFrame) -> pd.DataFrame:
    """投影用：预计丢分、本单位分摊、少丢的分写成三位小数的文字（大字表默认两位，0.004 分会写成 0.00）。"""
    out = table.copy()
    for col in ("预计丢分", "本单位分摊", "改这一处少丢（分）", "改完前N处累计少丢（分）"):
        if col in out:
            out[col] = [f"{float(v):.3f}" for v in out[col]]
    return out


def meeting_note(rows: pd.DataFrame, listed: int) -> str | None:
    """推进会上只翻攻坚清单的前几屏：列了前几处、共几处，完整的在哪里看。"""
    if len(rows) <= listed:
        return None
    return f"推进会上列前 {formats.count(listed)} 处（共 {formats.count(len(rows))} 处）；完整清单在普通模式下看或导出 Excel。"


def reach_caption(last: pd.DataFrame) -> str:
    """“按上一轮（2026年度测评，10月18日结束）本县 92.82 分、第 1 名 / 45”。"""
    r = last.iloc[0]
    return (
        f"按上一轮（{r['round_name']}，{formats.day(r['end_date'])}结束）的全组成绩：本县 {formats.points(r['our_total'])} 分、"
        f"{formats.rank(r['our_rank'], r['group_size'])}。"
    )


MAP_COLUMNS = ["item_name", "site_type", "township_name", "lon", "lat", "share", "gain", "problems", "days_overdue"]


def map_places(result: Assessment) -> pd.DataFrame:
    """地图上的各处（只有简单的列，地图按内容记住）：名称、类型、镇街、坐标、分摊的预计丢分、改了少丢、问题数、逾期天数。"""
    return result.places[MAP_COLUMNS].reset_index(drop=True)


__all__ = [
    "Card",
    "MAP_COLUMNS",
    "Reach",
    "cards",
    "edition_caption",
    "headline",
    "map_places",
    "meeting_note",
    "place_types",
    "reach",
    "reach_caption",
    "reach_table",
    "reaches",
    "shown",
    "shown_note",
    "three_decimals",
    "worklist_workbook",
]
