"""纯图表构建：输入查询结果（DataFrame），返回 plotly Figure；不依赖 streamlit，测试直接调用。"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from chuangwen.formats import CJK_FONT_FAMILY

OURS_COLOR = "#B71C1C"
TARGET_COLOR = "#1565C0"
NEUTRAL_COLOR = "#607D8B"
CLOSED_COLOR = "#2E7D32"


def _base_layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 16}},
        font={"family": CJK_FONT_FAMILY, "size": 13},
        height=height,
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        plot_bgcolor="white",
        paper_bgcolor="white",
        hoverlabel={"font": {"family": CJK_FONT_FAMILY}},
        legend={"orientation": "h", "y": -0.18, "x": 0},
        separators=".,",
    )
    return fig


def rank_history(history: pd.DataFrame, target_rank: int | None, county_name: str, height: int = 320) -> go.Figure:
    """本县历轮名次：1 在最上、整数刻度、轮次名称作类别轴；缺测轮次不画点。"""
    ranked = history[history["rank"].notna()]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=ranked["round_name"],
            y=ranked["rank"].astype(int),
            mode="lines+markers+text",
            name=county_name,
            line={"color": OURS_COLOR, "width": 3},
            marker={"size": 9},
            text=[f"第{int(r)}名" for r in ranked["rank"]],
            textposition="top center",
            customdata=ranked[["total", "group_size"]].to_numpy(),
            hovertemplate="%{x}<br>名次：第%{y}名 / %{customdata[1]}<br>得分：%{customdata[0]:.2f}<extra></extra>",
        )
    )
    max_rank = int(max(ranked["group_size"].max() if len(ranked) else 1, target_rank or 1))
    if target_rank:
        fig.add_trace(
            go.Scatter(
                x=history["round_name"],
                y=[target_rank] * len(history),
                mode="lines",
                name=f"目标：前{target_rank}名",
                line={"color": TARGET_COLOR, "dash": "dash", "width": 2},
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(type="category", title=None, showgrid=False)
    # 名次只有整数：1 在最上，刻度最多约 12 个
    step = 1 if max_rank <= 12 else -(-max_rank // 10)
    fig.update_yaxes(
        autorange=False,
        range=[max_rank + 0.5, 0.5],
        tickmode="array",
        tickvals=list(range(1, max_rank + 1, step)),
        title="名次",
        gridcolor="#ECEFF1",
        zeroline=False,
    )
    return _base_layout(fig, "历年全省名次", height)


def weekly_flow(flow: pd.DataFrame, height: int = 320) -> go.Figure:
    """近 12 周每周新增与销号（分组柱状）。"""
    labels = [f"{e.month}月{e.day}日" for e in pd.to_datetime(flow["week_end"])]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=labels, y=flow["new_problems"], name="新增问题", marker_color=OURS_COLOR,
                         hovertemplate="截至%{x}的一周<br>新增：%{y:,} 条<extra></extra>"))
    fig.add_trace(go.Bar(x=labels, y=flow["closures"], name="销号", marker_color=CLOSED_COLOR,
                         hovertemplate="截至%{x}的一周<br>销号：%{y:,} 条<extra></extra>"))
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title="问题数（条）", tickformat=",d", rangemode="tozero", gridcolor="#ECEFF1")
    fig.update_layout(barmode="group")
    return _base_layout(fig, "近12周新增与销号", height)
