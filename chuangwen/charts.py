"""纯图表构建：输入查询结果（DataFrame），返回 plotly Figure；不依赖 streamlit，测试直接调用。"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from chuangwen.escape import plotly_text
from chuangwen.formats import CJK_FONT_FAMILY
from chuangwen.round_marks import TimeAxis, headroom, mark_rounds

OURS_COLOR = "#B71C1C"
TARGET_COLOR = "#1565C0"
NEUTRAL_COLOR = "#607D8B"
CLOSED_COLOR = "#2E7D32"


# Plotly 把这些属性里的文字当作带标记的文字显示（坐标轴分类、数据标签、悬停、图例）：数据里的名称在这里统一转义
_TRACE_TEXT = ("x", "y", "text", "hovertext", "customdata", "name", "labels")
_AXIS_TEXT = ("categoryarray", "ticktext")


# 网页上的 plotly 图不显示英文的工具条（Zoom、Pan、Download plot as a png……）：导出图片用图下的“导出图片”按钮（中文、2 倍分辨率）
# showTips=False：不弹英文操作提示（Double-click to zoom back out）；locale 写 zh-CN（见 README“界面语言”）
PLOTLY_CONFIG = {"displayModeBar": False, "displaylogo": False, "showTips": False, "locale": "zh-CN"}


def _escaped(value):
    if isinstance(value, str):
        return plotly_text(value)
    if isinstance(value, np.ndarray):
        return np.vectorize(_escaped, otypes=[object])(value) if value.dtype.kind in "OUS" and value.size else value
    if isinstance(value, (list, tuple)):
        return [_escaped(v) for v in value]
    return value


def _escape_texts(fig: go.Figure) -> go.Figure:
    """每个构建函数返回前都经过这里（_base_layout、_rank_page_figure）：名称、类别、轮次名等进图之前转义。"""
    for trace in fig.data:
        for attr in _TRACE_TEXT:
            value = getattr(trace, attr, None)
            if value is not None:
                setattr(trace, attr, _escaped(value))
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        for attr in _AXIS_TEXT:
            if axis[attr] is not None:
                axis[attr] = _escaped(axis[attr])
    if fig.layout.title.text is not None:
        fig.layout.title.text = plotly_text(fig.layout.title.text)
    return fig


def _base_layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 16}},
        font={"family": CJK_FONT_FAMILY, "size": 13},
        height=height,
        margin={"l": 50, "r": 20, "t": 80, "b": 40},
        plot_bgcolor="white",
        paper_bgcolor="white",
        hoverlabel={"font": {"family": CJK_FONT_FAMILY}},
        # 图例放在图的右上方（标题之下）：放在下方时会与斜排的日期刻度挤在一起
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        separators=".,",
    )
    return _escape_texts(fig)


PROJECTOR_FONT = 22  # 推进会（投影）：1920×1080 上刻度、图例、标注都不小于 20 px
PROJECTOR_TITLE_FONT = 30


def projected(fig: go.Figure, height: int) -> go.Figure:
    """任意一张图的投影版（推进会模式）：字号 ≥ 20 px（标题、刻度、轴标题、图例、数据标签、悬停、标注），
    黑字、线与点加粗一些、一屏一图的高度；不改数据。返回新图，原图不动（页面缓存里的图可再用）。"""
    big = go.Figure(fig)
    font = {"size": PROJECTOR_FONT, "color": "#000000"}
    big.update_layout(
        height=height,
        font=font,
        hoverlabel={"font": {"size": PROJECTOR_FONT}},
        title={"font": {"size": PROJECTOR_TITLE_FONT, "color": "#000000"}},
        legend={"font": {"size": PROJECTOR_FONT}},
        margin={"l": 110, "r": 60, "t": 110, "b": 90},
    )
    big.update_xaxes(tickfont=font, title_font=font, linecolor="#000000")
    big.update_yaxes(tickfont=font, title_font=font, linecolor="#000000")
    for trace in big.data:
        textfont = getattr(trace, "textfont", None)
        if textfont is not None and (textfont.size or 0) < PROJECTOR_FONT:
            trace.textfont.size = PROJECTOR_FONT
        marker = getattr(trace, "marker", None)
        if (
            marker is not None
            and trace.type == "scatter"
            and marker.size is not None
            and not isinstance(marker.size, tuple)
        ):
            trace.marker.size = max(marker.size, 12)
        line = getattr(trace, "line", None)
        if line is not None and trace.type == "scatter" and line.width is not None:
            trace.line.width = max(line.width, 4)
    for note in big.layout.annotations or ():
        note.font.size = max(note.font.size or 0, PROJECTOR_FONT)
    return big


def rank_trend_history(
    history: pd.DataFrame, target_rank: int | None, county_name: str, height: int = 320
) -> go.Figure:
    """本县历轮名次：1 在最上、整数刻度、轮次作类别轴（年度测评标年份）；缺测轮次不画点。"""
    labels = history["round_label"] if "round_label" in history else history["round_name"]
    ranked = history[history["rank"].notna()]
    ranked_labels = labels[history["rank"].notna()]
    # 只在首尾两点标名次，中间靠悬停，避免文字挤在一起；名次在目标线之下（数字更大）时字写在点的下方，不压在目标线上
    text = [f"第{int(r)}名" if i in (0, len(ranked) - 1) else "" for i, r in enumerate(ranked["rank"])]
    below = [bool(target_rank and int(r) > target_rank) for r in ranked["rank"]]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=ranked_labels,
            y=ranked["rank"].astype(int),
            mode="lines+markers+text",
            name=county_name,
            line={"color": OURS_COLOR, "width": 3},
            marker={"size": 9},
            text=text,
            textposition=["bottom center" if b else "top center" for b in below],
            customdata=ranked[["round_name", "total", "group_size"]].to_numpy(),
            hovertemplate="%{customdata[0]}<br>名次：第%{y}名 / %{customdata[2]}<br>得分：%{customdata[1]:.2f}<extra></extra>",
        )
    )
    max_rank = int(max(ranked["group_size"].max() if len(ranked) else 1, target_rank or 1))
    if target_rank:
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=[target_rank] * len(history),
                mode="lines",
                name=f"目标：前{target_rank}名",
                line={"color": TARGET_COLOR, "dash": "dash", "width": 2},
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(type="category", title=None, showgrid=False)
    _integer_rank_axis(fig, max_rank)
    return _base_layout(fig, "历年全省名次", height)


def weekly_flow(flow: pd.DataFrame, rounds: pd.DataFrame | None = None, height: int = 320) -> go.Figure:
    """近 12 周每周新增与销号（分组柱状）；rounds（timeline_rounds）给出时，期间的测评、暗访、督查画成阴影带。"""
    ends = pd.to_datetime(flow["week_end"])
    labels = [f"{e.month}月{e.day}日" for e in ends]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=labels,
            y=flow["new_problems"],
            name="新增问题",
            marker_color=OURS_COLOR,
            hovertemplate="截至%{x}的一周<br>新增：%{y:,} 条<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            x=labels,
            y=flow["closures"],
            name="销号",
            marker_color=CLOSED_COLOR,
            hovertemplate="截至%{x}的一周<br>销号：%{y:,} 条<extra></extra>",
        )
    )
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title="问题数（条）", tickformat=",d", rangemode="tozero", gridcolor="#ECEFF1")
    fig.update_layout(barmode="group")
    share = mark_rounds(fig, rounds, TimeAxis(tuple(ends), pd.Timedelta(days=7), spans=True))
    top = float(max(flow["new_problems"].max(), flow["closures"].max())) if len(flow) else 0.0
    fig.update_yaxes(range=headroom(top, share))
    return _base_layout(fig, "近12周新增与销号", height)


# ---------------------------------------------------------------- 排名趋势页（名次走势、得分走势、分项差距）
# 这三张图在 120 个单位 × 40 轮时每次重跑都要画：轨迹和版式先拼成 dict，最后一次性构造 Figure
# （逐个 add_trace / update_layout 会让 plotly 反复校验，慢 4–5 倍）。

RIVAL_COLORS = ("#1565C0", "#EF6C00", "#6A1B9A", "#00838F", "#AD1457", "#558B2F", "#4E342E", "#283593")
TOP_COLOR = "#90A4AE"
# 名次走势里“前 N 名”的几条灰线：线型与点形各不相同，线的末端写上名字，不靠颜色也分得清
TOP_DASHES = ("solid", "dot", "dash", "longdash", "dashdot", "longdashdot")
TOP_SYMBOLS = ("circle-open", "square-open", "diamond-open", "triangle-up-open", "x", "cross")
TOP_LABEL_COLOR = "#546E7A"
BEST_COLOR = "#37474F"


def _rank_page_figure(traces: list[dict], title: str, height: int, big: bool, xaxis: dict, yaxis: dict) -> go.Figure:
    """与 _base_layout 相同的底子；推进会（投影）时字大、黑色、图例在下方，字号写在每个轴上。"""
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0, "font": {"size": 16}},
        "font": {"family": CJK_FONT_FAMILY, "size": 13},
        "height": height,
        "margin": {"l": 50, "r": 20, "t": 50, "b": 40},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "hoverlabel": {"font": {"family": CJK_FONT_FAMILY}},
        "legend": {"orientation": "h", "y": -0.18, "x": 0},
        "separators": ".,",
        "xaxis": xaxis,
        "yaxis": yaxis,
    }
    if big:
        # 投影：页面以 theme=None 显示，不让主题把字号改回去
        axis = {"tickfont": {"size": 22, "color": "#000000"}, "linecolor": "#000000", "gridcolor": "#BDBDBD"}
        layout.update(
            {
                "title": {"text": title, "x": 0, "font": {"size": 30, "color": "#000000"}},
                "font": {"family": CJK_FONT_FAMILY, "size": 22, "color": "#000000"},
                "margin": {"l": 100, "r": 170, "t": 70, "b": 150},
                "legend": {"orientation": "h", "y": -0.1, "x": 0, "yanchor": "top", "font": {"size": 22}},
                "hoverlabel": {"font": {"family": CJK_FONT_FAMILY, "size": 22}},
                "xaxis": {**xaxis, **axis},
                "yaxis": {**yaxis, **axis},
            }
        )
        for key in ("xaxis", "yaxis"):
            if isinstance(layout[key].get("title"), dict):
                layout[key]["title"] = {**layout[key]["title"], "font": {"size": 22, "color": "#000000"}}
    return _escape_texts(go.Figure(data=traces, layout=layout))


def _floats_or_none(series: pd.Series) -> list:
    """缺失值写成 None（JSON null，图上断开），其余为 float。"""
    return [None if pd.isna(v) else float(v) for v in series.tolist()]


def _rank_change_words(change: int) -> str:
    return f"上升 {change} 名" if change > 0 else (f"下降 {-change} 名" if change < 0 else "持平")


def _rank_axis(max_rank: int) -> dict:
    """名次轴：1 在最上，只有整数刻度（约 10 个以内）。"""
    step = 1 if max_rank <= 12 else -(-max_rank // 10)
    ticks = sorted({1, *range(step, max_rank + 1, step)})
    return {
        "autorange": False,
        "range": [max_rank + 0.5, 0.5],
        "tickmode": "array",
        "tickvals": ticks,
        "ticktext": [str(t) for t in ticks],
        "title": {"text": "名次"},
        "gridcolor": "#ECEFF1",
        "zeroline": False,
    }


def _integer_rank_axis(fig: go.Figure, max_rank: int) -> None:
    """同上，直接设到已有的图上（总览页 rank_trend_history 用）。"""
    fig.update_yaxes(**_rank_axis(max_rank))


def spread(values: list[float], gap: float, low: float, high: float) -> list[float]:
    """一列标注的位置（像素，自上而下）：按原位置排好，相邻至少隔 gap；到底出界时整体往上推，不早于 low。"""
    order = sorted(range(len(values)), key=values.__getitem__)
    placed = list(values)
    prev = None
    for i in order:
        placed[i] = max(values[i], low if prev is None else prev + gap)
        prev = placed[i]
    nxt = None
    for i in reversed(order):
        placed[i] = max(min(placed[i], high if nxt is None else nxt - gap), low)
        nxt = placed[i]
    return placed


def end_labels(ends: list[tuple[str, int, str, str]], max_rank: int, plot_px: float, font_px: int) -> list[dict]:
    """名次走势的末端名称：(轮次, 名次, 名称, 颜色) → plotly 标注。同一轮次上名次挨着的几个名称按 spread 错开，
    挪动过的用一条细引线连回自己的点（名次轴 1 在最上，像素自上而下）。"""
    per_rank = plot_px / max(max_rank, 1)
    gap = font_px * 1.45
    out = []
    for category in dict.fromkeys(c for c, *_ in ends):
        group = [e for e in ends if e[0] == category]
        natural = [(rank - 0.5) * per_rank for _, rank, _, _ in group]
        placed = spread(natural, gap, font_px / 2, plot_px - font_px / 2)
        for (cat, rank, name, color), y0, y in zip(group, natural, placed):
            out.append(
                {
                    "x": plotly_text(cat),
                    "y": rank,
                    "xref": "x",
                    "yref": "y",
                    "text": plotly_text(name),
                    "showarrow": True,
                    "arrowhead": 0,
                    "arrowwidth": 1,
                    "arrowcolor": color,
                    "ax": font_px,
                    "ay": round(y - y0, 1),
                    "xanchor": "left",
                    "yanchor": "middle",
                    "font": {"color": color, "size": font_px},
                }
            )
    return out


def rank_bump(
    history: pd.DataFrame,
    county: str,
    shown: list[str],
    target_rank: int | None,
    rivals: tuple[str, ...] | list[str] = (),
    height: int = 460,
    big: bool = False,
) -> go.Figure:
    """名次走势（bump chart）：本县加粗高亮、对手彩色、前 N 名灰色；缺测轮次断开；悬停显示得分、名次与变化。"""
    rounds = history[["round_seq", "round_label", "round_name"]].drop_duplicates("round_seq").sort_values("round_seq")
    categories = rounds["round_label"].tolist()
    position = {seq: i for i, seq in enumerate(rounds["round_seq"].tolist())}
    round_names = rounds["round_name"].tolist()
    # 先取出要画的几个单位、转成 Python 列表再逐点拼悬停文字（逐行访问 pandas 在 120×40 时太慢）
    cols = [
        "region_code",
        "region_name",
        "round_seq",
        "score_status",
        "rank",
        "group_size",
        "total",
        "rank_change",
        "prev_round_name",
    ]
    sub = history.loc[history["region_code"].isin(shown), cols]
    records = zip(*(sub[c].astype(object).where(sub[c].notna(), None).tolist() for c in cols))
    per_unit: dict[str, dict] = {}
    for code, name, seq, status, rank, size, total, change, prev_name in records:
        unit = per_unit.setdefault(
            code,
            {
                "name": name,
                "ranks": [None] * len(categories),
                "hover": [f"<b>{name}</b><br>{n}：无成绩记录" for n in round_names],
            },
        )
        i = position[seq]
        if status == "缺测":
            unit["hover"][i] = f"<b>{name}</b><br>{round_names[i]}：缺测，不参与排名"
            continue
        unit["ranks"][i] = int(rank)
        change_text = "无可比的上一轮" if change is None else f"{_rank_change_words(int(change))}（较{prev_name}）"
        unit["hover"][i] = (
            f"<b>{name}</b><br>{round_names[i]}<br>名次：第{int(rank)}名 / {int(size)}"
            f"<br>得分：{float(total):.2f}<br>名次变化：{change_text}"
        )
    traces, ends = [], []
    rival_list = [c for c in rivals if c != county]
    top_index = 0
    # 本县最后画，压在最上层
    for code in [c for c in shown if c != county and c in per_unit] + ([county] if county in per_unit else []):
        name, ranks, hover = per_unit[code]["name"], per_unit[code]["ranks"], per_unit[code]["hover"]
        last = max((i for i, v in enumerate(ranks) if v is not None), default=None)
        # 每条线的末端都写名字（挨着时错开、画引线：end_labels）；前 N 名的灰线另用不同的线型与点形
        width: float  # 线宽：投影时整数，平时有半号
        dash, symbol, label_color = "solid", "circle", None
        if code == county:
            color, width, size, label_name = OURS_COLOR, 7 if big else 4, 14 if big else 10, f"{name}（本县）"
        elif code in rival_list:
            color = RIVAL_COLORS[rival_list.index(code) % len(RIVAL_COLORS)]
            width, size, label_name = (4 if big else 2.5), (10 if big else 7), name
        else:
            color, width, size, label_name = TOP_COLOR, (3 if big else 1.5), (9 if big else 7), name
            dash, symbol = TOP_DASHES[top_index % len(TOP_DASHES)], TOP_SYMBOLS[top_index % len(TOP_SYMBOLS)]
            label_color, top_index = TOP_LABEL_COLOR, top_index + 1
        if last is not None:
            ends.append((categories[last], ranks[last], name, label_color or color))
        traces.append(
            {
                "type": "scatter",
                "x": categories,
                "y": ranks,
                "mode": "lines+markers",
                "name": label_name,
                "connectgaps": False,
                "line": {"color": color, "width": width, "dash": dash},
                "marker": {"size": size, "color": color, "symbol": symbol},
                "hovertext": hover,
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )
    if target_rank and categories:
        traces.append(
            {
                "type": "scatter",
                "x": categories,
                "y": [target_rank] * len(categories),
                "mode": "lines",
                "name": f"目标：前{target_rank}名",
                "hoverinfo": "skip",
                "line": {"color": TARGET_COLOR, "dash": "dash", "width": 3 if big else 2},
            }
        )
    max_rank = int(max(history["group_size"].max() if history["group_size"].notna().any() else 1, target_rank or 1))
    xaxis = {"type": "category", "categoryorder": "array", "categoryarray": categories, "showgrid": False}
    fig = _rank_page_figure(traces, "全省名次走势（1 在最上）", height, big, xaxis, _rank_axis(max_rank))
    margin = fig.layout.margin
    font_px = PROJECTOR_FONT if big else 13
    fig.update_layout(
        annotations=end_labels(ends, max_rank, height - margin.t - margin.b - (40 if not big else 0), font_px),
        margin={"r": max(margin.r, 140)},
    )
    return fig


def score_trend(
    stats: pd.DataFrame, county_name: str, target_rank: int | None, height: int = 400, big: bool = False
) -> go.Figure:
    """得分走势：本县得分与组内最高、中位数、第 k 名得分（目标线）；本县缺测的轮次断开。"""
    x = stats["round_label"].tolist()
    names = stats["round_name"].tolist()

    series = [("best_total", "组内最高", BEST_COLOR, "dot"), ("median_total", "组内中位数", TOP_COLOR, "dash")]
    if target_rank and stats["target_total"].notna().any():
        series.append(("target_total", f"第{target_rank}名得分（目标线）", TARGET_COLOR, "dash"))
    traces = [
        {
            "type": "scatter",
            "x": x,
            "y": _floats_or_none(stats[column]),
            "mode": "lines+markers",
            "name": label,
            "connectgaps": False,
            "line": {"color": color, "dash": dash, "width": 4 if big else 2},
            "marker": {"size": 9 if big else 6},
            "customdata": names,
            "hovertemplate": f"%{{customdata}}<br>{label}：%{{y:.2f}} 分<extra></extra>",
        }
        for column, label, color, dash in series
    ]
    ours = [None if s != "正常" else float(t) for s, t in zip(stats["our_status"], stats["our_total"])]
    ranks = [
        "缺测" if s != "正常" else f"第{int(r)}名 / {int(n)}"
        for s, r, n in zip(stats["our_status"], stats["our_rank"], stats["group_size"])
    ]
    traces.append(
        {
            "type": "scatter",
            "x": x,
            "y": ours,
            "mode": "lines+markers",
            "name": f"{county_name}（本县）",
            "connectgaps": False,
            "line": {"color": OURS_COLOR, "width": 7 if big else 4},
            "marker": {"size": 14 if big else 10},
            "customdata": [list(p) for p in zip(names, ranks)],
            "hovertemplate": "%{customdata[0]}<br>本县得分：%{y:.2f} 分<br>名次：%{customdata[1]}<extra></extra>",
        }
    )
    xaxis = {"type": "category", "categoryorder": "array", "categoryarray": x, "showgrid": False}
    yaxis = {"title": {"text": "得分"}, "tickformat": ".0f", "gridcolor": "#ECEFF1", "zeroline": False}
    return _rank_page_figure(traces, "得分走势：本县与组内最高、中位数、目标线", height, big, xaxis, yaxis)


# 分项差距的比较对象（rank_trend.GAP_BASES 的同一组名称）→ 它的得分列
PART_GAP_BASIS_COLUMNS = {
    "目标名次对标单位": "target_unit_score",
    "组内最高": "best_score",
    "组内平均": "average_score",
}


def part_gap(rows: pd.DataFrame, level: str, basis: str, height: int | None = None, big: bool = False) -> go.Figure:
    """分项差距（点图）：每行一个板块/测评项目，差距最大的在最上；本县与组内最高、平均、对标单位的得分。"""
    rows = rows.iloc[::-1]  # plotly 类别轴自下而上，反过来让差距最大的在最上
    names = rows["node_name"].tolist()
    target_name = rows["target_unit_name"].dropna()
    target_label = f"对标单位（{target_name.iloc[0]}）" if len(target_name) else "对标单位"
    marks = [
        ("best_score", "组内最高", BEST_COLOR, "triangle-up"),
        ("average_score", "组内平均", TOP_COLOR, "diamond"),
        ("target_unit_score", target_label, TARGET_COLOR, "square"),
        ("our_score", "本县", OURS_COLOR, "circle"),
    ]
    full = rows["full_points"].astype("float64").tolist()
    traces = [
        {
            "type": "scatter",
            "x": _floats_or_none(rows[column]),
            "y": names,
            "mode": "markers",
            "name": label,
            "marker": {
                "color": color,
                "symbol": symbol,
                "size": 20 if big else 12,
                "line": {"width": 1, "color": "white"},
            },
            "customdata": full,
            "hovertemplate": f"%{{y}}<br>{label}：%{{x:.2f}} 分（满分 %{{customdata:.0f}}）<extra></extra>",
        }
        for column, label, color, symbol in marks
    ]
    # 差距写在它比较的两个点之间：本县与比较对象连一条短线，“差 x.xx / 领先 x.xx”写在线的正上方
    other = rows[PART_GAP_BASIS_COLUMNS.get(basis, "best_score")].astype("float64")
    ours = rows["our_score"].astype("float64")
    pairs = [(float(o), float(b), n) for o, b, n in zip(ours, other, names) if not (pd.isna(o) or pd.isna(b))]
    seg_x = [v for o, b, _ in pairs for v in (o, b, None)]  # 比较对象 → 得分列：PART_GAP_BASIS_COLUMNS
    seg_y = [v for _, _, n in pairs for v in (n, n, None)]
    traces.insert(
        0,
        {
            "type": "scatter",
            "x": seg_x,
            "y": seg_y,
            "mode": "lines",
            "line": {"color": "#9E9E9E", "width": 4 if big else 2},
            "showlegend": False,
            "hoverinfo": "skip",
        },
    )
    gap_text = ["" if pd.isna(g) else (f"差 {g:.2f}" if g > 0 else f"领先 {-g:.2f}") for g in rows["gap"]]
    middle = [None if pd.isna(o) or pd.isna(b) else (float(o) + float(b)) / 2 for o, b in zip(ours, other)]
    gap_notes = [
        {
            "x": x,
            "y": name,
            "text": text,
            "showarrow": False,
            "yshift": 26 if big else 16,  # 在点的上方，不压住点
            "font": {"size": 22 if big else 13, "color": "#000000"},
        }
        for x, name, text in zip(middle, names, gap_text)
        if x is not None and text
    ]
    values = rows[["best_score", "average_score", "target_unit_score", "our_score"]].astype("float64")
    low, high = float(values.min().min()), float(values.max().max())
    pad = max((high - low) * 0.08, 0.5)
    per_row = 70 if big else 38
    height = height or max(560 if big else 260, (260 if big else 110) + per_row * len(names))
    yaxis = {"type": "category", "categoryorder": "array", "categoryarray": names, "automargin": True}
    xaxis = {"ticksuffix": " 分", "gridcolor": "#ECEFF1", "zeroline": False, "range": [low - pad, high + pad]}
    fig = _rank_page_figure(traces, f"{level}得分对比（按与{basis}的差距排序）", height, big, xaxis, yaxis)
    fig.update_layout(annotations=gap_notes)
    return fig


# ---------------------------------------------------------------- 红黑榜与整改督办（league / supervision）


def league_rank_trend(
    trend: pd.DataFrame,
    unit_name: str,
    per: str = "周",
    rounds: pd.DataFrame | None = None,
    step: pd.Timedelta | None = None,
    height: int = 320,
) -> go.Figure:
    """一个单位每个区间（与红黑榜所选区间等长：周 / 个月 / 个区间，长 step）的红黑榜名次：1 在最上、整数刻度；
    样本不足的区间留空不连线，并在标题中说明；rounds 给出时，期间的测评、暗访、督查画成阴影带。"""
    ranked = trend[trend["rank"].notna()]
    ends = pd.to_datetime(trend["week_end"])
    labels = [f"{t.month}月{t.day}日" for t in ends]
    fig = go.Figure()
    # 样本不足的周留空（不连线），看得出哪几周没有名次
    ranks = [None if pd.isna(r) else int(r) for r in trend["rank"]]
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=ranks,
            mode="lines+markers+text",
            name=unit_name,
            connectgaps=False,
            line={"color": OURS_COLOR, "width": 3},
            marker={"size": 9},
            text=["" if r is None else f"第{r}名" for r in ranks],
            textposition="top center",
            customdata=trend[["ranked_count", "score"]].to_numpy(),
            hovertemplate="截至%{x}<br>名次：第%{y}名 / %{customdata[0]}<br>综合得分：%{customdata[1]:.2f}<extra></extra>",
        )
    )
    max_rank = int(max(trend["ranked_count"].max() if len(trend) else 1, 1))
    tick_step = 1 if max_rank <= 12 else -(-max_rank // 10)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels, title=None, showgrid=False)
    # 上沿多留一点，让第 1 名点上方的“第1名”文字不被裁掉
    fig.update_yaxes(
        autorange=False,
        range=[max_rank + 0.5, 0.0],
        tickmode="array",
        tickvals=list(range(1, max_rank + 1, tick_step)),
        title="名次",
        gridcolor="#ECEFF1",
        zeroline=False,
    )
    share = mark_rounds(fig, rounds, TimeAxis(tuple(ends), step, spans=True)) if step is not None else 0.0
    if share:
        # 名次轴上 1 在最上：上沿（数值小的一端）再抬高，留出标注的位置
        span = max_rank + 0.5
        fig.update_yaxes(range=[max_rank + 0.5, max_rank + 0.5 - span / (1 - share)])
    missing = len(trend) - len(ranked)
    title = f"{unit_name}：近{len(trend)}{per}红黑榜名次" + (f"（{missing} {per}样本不足未排名）" if missing else "")
    return _base_layout(fig, title, height)


def category_mix(mix: pd.DataFrame, unit_name: str, height: int = 320) -> go.Figure:
    """一个单位经手问题的类别构成（横向条形，多的在上；在办与已销号分色）。"""
    rows = mix.sort_values("problems", ascending=True)
    names = rows["category"].tolist()
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=names,
            x=rows["problems"] - rows["open_now"],
            orientation="h",
            name="已销号",
            marker_color=CLOSED_COLOR,
            hovertemplate="%{y}<br>已销号：%{x:,} 条<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            y=names,
            x=rows["open_now"],
            orientation="h",
            name="在办",
            marker_color=OURS_COLOR,
            hovertemplate="%{y}<br>在办：%{x:,} 条<extra></extra>",
        )
    )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=names, title=None)
    # 计数只有整数：数量少时逐个刻度，避免出现 0、1、1、2、2 这样的重复刻度
    small = len(rows) and int(rows["problems"].max()) <= 10
    fig.update_xaxes(
        title="问题数（条）", tickformat=",d", rangemode="tozero", gridcolor="#ECEFF1", dtick=1 if small else None
    )
    return _base_layout(fig, f"{unit_name}：问题类别构成", max(height, 120 + 28 * len(names)))


def burndown(points: pd.DataFrame, rounds: pd.DataFrame | None = None, height: int = 320) -> go.Figure:
    """在办问题走势：每天同一时刻的在办数与其中的逾期数；rounds 给出时，期间的测评、暗访、督查画成阴影带。"""
    moments = pd.to_datetime(points["at"])
    labels = [f"{t.month}月{t.day}日" for t in moments]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=points["open_problems"],
            mode="lines",
            name="在办问题",
            line={"color": NEUTRAL_COLOR, "width": 3},
            hovertemplate="%{x}<br>在办：%{y:,} 条<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=points["overdue"],
            mode="lines",
            name="其中逾期",
            fill="tozeroy",
            line={"color": OURS_COLOR, "width": 2},
            hovertemplate="%{x}<br>逾期：%{y:,} 条<extra></extra>",
        )
    )
    fig.update_xaxes(type="category", title=None, nticks=10)
    fig.update_yaxes(title="问题数（条）", tickformat=",d", rangemode="tozero", gridcolor="#ECEFF1")
    share = mark_rounds(fig, rounds, TimeAxis(tuple(moments), pd.Timedelta(days=1), spans=False))
    fig.update_yaxes(range=headroom(float(points["open_problems"].max()) if len(points) else 0.0, share))
    return _base_layout(fig, "在办问题走势（近 8 周，每天同一时刻）", height)


def loss_bars(
    rows: pd.DataFrame, label_col: str, title: str, value_col: str = "预计丢分", height: int = 320
) -> go.Figure:
    """丢分预警：按测评标准、点位类型、镇街或单位的预计丢分（横向条形，多的在上；条上写三位小数：估算的分常不到 0.1）。"""
    rows = rows.sort_values(value_col, ascending=True)
    names = rows[label_col].astype(str).tolist()
    values = rows[value_col].astype(float).round(4).tolist()
    fig = go.Figure(
        go.Bar(
            y=names,
            x=values,
            orientation="h",
            marker_color=OURS_COLOR,
            text=[f"{v:.3f}" for v in values],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}<br>预计丢分：%{x:.3f} 分<extra></extra>",
        )
    )
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=names, title=None, automargin=True)
    top = max(values, default=0.0)
    # 右边留出写数字的地方（数字写在条的外侧）
    fig.update_xaxes(title="预计丢分（分）", range=[0, top * 1.22 or 1], gridcolor="#ECEFF1", tickformat=".3f")
    return _base_layout(fig, title, max(height, 120 + 30 * len(names)))
