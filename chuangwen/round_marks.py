"""时间图上的检查轮次（测评、暗访、模拟测评、督查）：类别轴上的时间换算、阴影带与标注；charts 的时间图都经这里标出轮次。
纯函数，不依赖 streamlit；轮次来自查询 timeline_rounds。"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from chuangwen.escape import plotly_text

# 类型 → 图上的短名与颜色（阴影带用浅色，字用深色）；县级自查每月都有，不标（见 queries/timeline_rounds.sql）
ROUND_MARKS = {
    "年度测评": ("测评", "#C62828"),
    "年中暗访": ("暗访", "#6A1B9A"),
    "模拟测评": ("模拟测评", "#EF6C00"),
    "督查": ("督查", "#1565C0"),
}


@dataclass(frozen=True)
class TimeAxis:
    """类别轴上的时间：第 i 个类别对应时刻 moments[i]，相邻两个相隔 step。
    spans=True 时第 i 个类别代表区间 (moments[i] − step, moments[i]]（柱子占 i−0.5…i+0.5）；
    spans=False 时代表时刻本身（在办问题走势每天同一时刻的点）。"""

    moments: tuple[pd.Timestamp, ...]
    step: pd.Timedelta
    spans: bool

    def position(self, moment: pd.Timestamp) -> float:
        return (moment - self.moments[0]) / self.step + (0.5 if self.spans else 0.0)


def round_bands(rounds: pd.DataFrame, axis: TimeAxis) -> list[dict]:
    """每个轮次在类别轴上的阴影带：x0、x1（裁到轴内）、短名、颜色、悬停文字与放在第几行（互相挨着的标注错开行）。
    轮次从开始日期 0 时到结束日期次日 0 时；整段在轴外的不画。"""
    if rounds.empty or not axis.moments:
        return []
    low, high = -0.5, len(axis.moments) - 0.5
    bands: list[dict] = []
    for r in rounds.sort_values(["start_date", "code"]).itertuples(index=False):
        if r.round_type not in ROUND_MARKS:
            continue
        start, last = pd.Timestamp(r.start_date), pd.Timestamp(r.end_date)
        end = last + pd.Timedelta(days=1)
        x0, x1 = max(axis.position(start), low), min(axis.position(end), high)
        if x1 <= low or x0 >= high or x1 <= x0:
            continue
        short, color = ROUND_MARKS[r.round_type]
        bands.append(
            {
                "x0": x0,
                "x1": x1,
                "text": short,
                "color": color,
                "hover": f"{r.name}　{start.month}月{start.day}日—{last.month}月{last.day}日",
            }
        )
    # 标注错行：与同一行上一个标注的带相距不到 1.5 个类别时放到下一行
    row_ends: list[float] = []
    for band in bands:
        row = next((i for i, end in enumerate(row_ends) if band["x0"] - end >= 1.5), len(row_ends))
        if row == len(row_ends):
            row_ends.append(band["x1"])
        else:
            row_ends[row] = band["x1"]
        band["row"] = row
    return bands


ROUND_LABEL_ROW = 0.11  # 标注每行占图高的比例（投影版字大，也放得下）


def mark_rounds(fig: go.Figure, rounds: pd.DataFrame | None, axis: TimeAxis) -> float:
    """在时间图上把检查轮次画成浅色阴影带，带顶写类型（悬停看轮次全名与日期）；阴影在数据之下。
    推进会的投影版（projected）把标注字号一并放大，导出的图片与幻灯片用同一张图。rounds 为 None 时不标。
    返回标注占去的图高比例：调用方把纵轴上沿抬高这么多，标注不压在数据上。"""
    if rounds is None:
        return 0.0
    marked = fig
    bands = round_bands(rounds, axis)
    for band in bands:
        marked.add_shape(
            type="rect",
            xref="x",
            yref="paper",
            x0=band["x0"],
            x1=band["x1"],
            y0=0,
            y1=1,
            fillcolor=band["color"],
            opacity=0.12,
            line_width=0,
            layer="below",
        )
        marked.add_annotation(
            x=(band["x0"] + band["x1"]) / 2,
            xref="x",
            y=1 - ROUND_LABEL_ROW * band["row"],
            yref="paper",
            yanchor="top",
            text=plotly_text(band["text"]),
            hovertext=plotly_text(band["hover"]),
            showarrow=False,
            font={"size": 13, "color": band["color"]},
            bgcolor="rgba(255,255,255,0.85)",
        )
    return ROUND_LABEL_ROW * (1 + max(b["row"] for b in bands)) if bands else 0.0


def headroom(top: float, share: float) -> list[float] | None:
    """计数轴从 0 到 top 的数据，上面留出 share 的图高给轮次标注：返回纵轴范围；不需要时 None（自动）。"""
    if not share:
        return None
    return [0.0, max(top, 1.0) * 1.05 / (1 - share)]
