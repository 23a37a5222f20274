"""总览页的纯逻辑：把查询结果整理成卡片与表格（不依赖 streamlit，测试直接调用）。"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from chuangwen import formats, time_windows
from chuangwen.escape import md
from chuangwen.formats import Number


@dataclass(frozen=True)
class Card:
    """st.metric 的一张卡片。各段文字按 Markdown 显示：拼进去的数据文字（轮次名、单位名）先经 escape.md。"""

    label: str
    value: str
    delta: str | None = None
    delta_arrow: str = "auto"  # auto / up / down / off
    delta_color: str = "normal"
    delta_description: str | None = None
    metric: str | None = None  # 对应查询文件头中的指标名，用于口径提示


def rank_cards(rank: pd.DataFrame, target_rank: int | None, round_type: str, county_chosen: bool = True) -> list[Card]:
    """名次、得分、距目标三张卡片；本县没选定、或没有成绩时给出说明而不是空白。"""
    if not county_chosen:
        return [
            Card("全省排名", "未选定本县", metric="全省排名"),
            Card("测评得分", "—", metric="测评得分"),
            Card("距目标名次", "—", metric="距目标名次"),
        ]
    if rank.empty:
        return [
            Card("全省排名", "暂无成绩", metric="全省排名"),
            Card("测评得分", "—", metric="测评得分"),
            Card("距目标名次", "—", metric="距目标名次"),
        ]
    row = rank.iloc[0]
    cards = []
    prev_rank = row["prev_rank"]
    rank_delta = None if pd.isna(prev_rank) else int(prev_rank) - int(row["rank"])
    cards.append(
        Card(
            f"全省排名（{md(row['round_name'])}）",
            formats.rank(row["rank"], row["group_size"]),
            delta=None
            if rank_delta is None
            else ("持平" if rank_delta == 0 else f"{'上升' if rank_delta > 0 else '下降'} {abs(rank_delta)} 名"),
            delta_arrow="off" if not rank_delta else ("up" if rank_delta > 0 else "down"),
            delta_color="off" if not rank_delta else ("green" if rank_delta > 0 else "red"),
            delta_description=None if rank_delta is None else f"较{md(row['prev_round_name'])}",
            metric="全省排名",
        )
    )
    score_delta = None if pd.isna(row["prev_total"]) else round(float(row["total"]) - float(row["prev_total"]), 2)
    cards.append(
        Card(
            "测评得分",
            formats.points(row["total"]),
            delta=None if score_delta is None else f"{score_delta:+.2f} 分",
            delta_description=None if score_delta is None else f"较{md(row['prev_round_name'])}",
            metric="测评得分",
        )
    )
    if not target_rank:
        cards.append(Card("距目标名次", "未设定目标", metric="距目标名次"))
    elif bool(row["target_beyond_group"]):
        cards.append(Card(f"距目标：前{target_rank}名", "目标超出组内单位数", metric="距目标名次"))
    elif int(row["rank"]) <= target_rank:
        cards.append(
            Card(
                f"距目标：前{target_rank}名",
                "已达到",
                delta=f"当前第{int(row['rank'])}名",
                delta_arrow="off",
                delta_color="green",
                metric="距目标名次",
            )
        )
    else:
        cards.append(
            Card(
                f"距目标：前{target_rank}名",
                f"差 {formats.points(row['points_to_target'])} 分",
                delta=f"还差 {int(row['rank']) - target_rank} 个名次",
                delta_arrow="off",
                delta_color="orange",
                metric="距目标名次",
            )
        )
    return cards


def target_rank_problem(target_rank: int | None, group_size: Number | None) -> str | None:
    """目标名次超出 1..N 时的提示；合法时为 None。"""
    if target_rank is None or group_size is None or pd.isna(group_size):
        return None
    if not 1 <= target_rank <= int(group_size):
        return f"目标名次 {target_rank} 不在 1 到 {int(group_size)}（本轮有成绩的单位数）之间，请管理员检查目标名次的设置（或库里记录的目标名次）。"
    return None


def title(county_suffix: str, unit: str | None) -> str:
    """总览的标题：责任单位账号看到的是本单位的问题，标题上写明单位（unit 为 None 时是全县）。"""
    return f"总览{county_suffix}" + (f" · {md(unit)}的问题" if unit else "")


def scope_note(unit: str) -> str:
    """责任单位账号的总览上方一句话（未转义）：问题指标的范围与名次的范围不同。"""
    return f"本页的问题指标、镇街与单位只算{unit}牵头或配合的问题；全省名次与得分是全县的。"


def problem_cards(summary: pd.DataFrame) -> list[Card]:
    total = summary[summary["grouping_kind"] == "合计"]
    if total.empty:
        return [
            Card(time_windows.IN_WORK_STOCK, "0", metric=time_windows.IN_WORK_STOCK),
            Card(time_windows.OVERDUE_STOCK, "0", metric=time_windows.OVERDUE_STOCK),
            Card(time_windows.CLOSED_WEEK, "0", metric=time_windows.CLOSED_WEEK),
            Card(time_windows.ON_TIME_PERIOD, "—", metric=time_windows.ON_TIME_PERIOD),
        ]
    t = total.iloc[0]
    return [
        Card(
            time_windows.IN_WORK_STOCK,
            formats.count(t["open_now"]),
            delta=f"{time_windows.NEW_WEEK} {formats.count(t['new_this_week'])} 条",
            delta_arrow="off",
            delta_color="off",
            metric=time_windows.IN_WORK_STOCK,
        ),
        Card(
            time_windows.OVERDUE_STOCK,
            formats.count(t["overdue_now"]),
            delta=f"占未销号 {formats.rate(t['overdue_now'], t['open_now'])}",
            delta_arrow="off",
            delta_color="red" if t["overdue_now"] else "off",
            metric=time_windows.OVERDUE_STOCK,
        ),
        Card(
            time_windows.CLOSED_WEEK,
            formats.count(t["closed_this_week"]),
            delta="统计时刻前 7 天",  # 与左右两张卡片一样高
            delta_arrow="off",
            delta_color="off",
            metric=time_windows.CLOSED_WEEK,
        ),
        Card(
            time_windows.ON_TIME_PERIOD,
            formats.rate(t["closed_on_time_in_period"], t["closed_in_period"]),
            delta=f"{formats.count(t['closed_on_time_in_period'])} / {formats.count(t['closed_in_period'])} 条",
            delta_arrow="off",
            delta_color="off",
            delta_description="按期 / 区间内销号",
            metric=time_windows.ON_TIME_PERIOD,
        ),
    ]


def worst(summary: pd.DataFrame, kind: str, n: int = 3) -> pd.DataFrame:
    """最差的 n 个镇街或单位（并列时一起列出，可能多于 n 个）；没有问题的不列。"""
    rows = summary[(summary["grouping_kind"] == kind) & ((summary["overdue_now"] > 0) | (summary["new_this_week"] > 0))]
    rows = rows[rows["worst_rank"] <= n].sort_values(["worst_rank", "code"])
    return pd.DataFrame(
        {
            "名次": rows["worst_rank"].astype(int).to_numpy(),
            "镇街" if kind == "镇街" else "牵头单位": rows["name"].to_numpy(),
            time_windows.OVERDUE_STOCK: rows["overdue_now"].astype(int).to_numpy(),
            time_windows.NEW_WEEK: rows["new_this_week"].astype(int).to_numpy(),
            time_windows.IN_WORK_STOCK: rows["open_now"].astype(int).to_numpy(),
        }
    )


@dataclass(frozen=True)
class Alert:
    level: str  # error / warning / success：页面按级别选 st.error / st.warning / st.success
    text: str  # Markdown，数据文字已转义


def negative_alerts(alerts: pd.DataFrame) -> list[Alert]:
    """负面清单的提示：触及一票否决项的条数与项目、其余负面清单的条数；都没有时说明没有。"""
    veto = alerts[alerts["is_veto"]]
    out = []
    if len(veto):
        items = "、".join(sorted(set(veto["negative_item"])))
        out.append(
            Alert("error", f"**负面清单预警**：{len(veto)} 条未销号问题触及一票否决项（{md(items)}），须立即处置。")
        )
    if len(alerts) > len(veto):
        out.append(
            Alert(
                "warning",
                f"**负面清单**：{'另有 ' if len(veto) else ''}{len(alerts) - len(veto)} 条未销号问题"
                "触及负面清单（非一票否决）。",
            )
        )
    if alerts.empty:
        out.append(Alert("success", "负面清单：截至统计时点，没有触及负面清单的未销号问题。"))
    return out


def alerts_table(alerts: pd.DataFrame) -> pd.DataFrame:
    """负面清单问题明细（中文列名，是/否）。"""
    yes_no = {True: "是", False: "否"}
    return pd.DataFrame(
        {
            "问题编号": alerts["problem_code"].to_numpy(),
            "发现时间": alerts["found_at"].to_numpy(),
            "负面清单项": alerts["negative_item"].to_numpy(),
            "一票否决": alerts["is_veto"].map(yes_no).to_numpy(),
            "状态": alerts["status"].to_numpy(),
            "整改期限": alerts["deadline"].to_numpy(),
            "逾期": alerts["is_overdue"].map(yes_no).to_numpy(),
            "牵头单位": alerts["lead_unit"].to_numpy(),
            "问题描述": alerts["description"].to_numpy(),
        }
    )
