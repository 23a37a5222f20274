"""把一期通报（figures.Brief）画成 16:9 PPTX：原生图表、表格、PNG 图、页脚的数据指纹与文档属性。

中文字体写进 XML 的 `<a:ea>`（python-pptx 的 font.name 只写 `<a:latin>`），PowerPoint 与 LibreOffice 都能显示中文。"""

from __future__ import annotations

import io

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_AXIS_CROSSES, XL_CHART_TYPE, XL_LABEL_POSITION, XL_MARKER_STYLE
from pptx.enum.text import PP_ALIGN
from pptx.presentation import Presentation as PptxPresentation
from pptx.slide import Slide
from pptx.util import Emu, Inches, Length, Pt

from chuangwen import export_png, formats, league, rank_trend, settings, time_windows
from chuangwen.briefing import risk
from chuangwen.briefing.deck_parts import (
    BLUE,
    DARK,
    GREEN,
    GREY,
    LIGHT,
    OVERDUE_COLORS,
    RED,
    SERIES_COLORS,
    SLIDE_H,
    SLIDE_W,
    WHITE,
    _add_chart,
    _bar,
    _chart_fonts,
    _frame,
    _legend,
    _style,
    _table,
    _text,
)

# 积木在 deck_parts；这几个名字包外（通报包、测试、别的幻灯片模块）一直从 deck 导入，照旧可用
from chuangwen.briefing.deck_parts import EA_TYPEFACE as EA_TYPEFACE  # noqa: E402
from chuangwen.briefing.deck_parts import LATIN_TYPEFACE as LATIN_TYPEFACE  # noqa: E402
from chuangwen.briefing.deck_parts import _cell as _cell  # noqa: E402
from chuangwen.briefing.deck_parts import set_ea as set_ea  # noqa: E402
from chuangwen.briefing.figures import (
    NEW_FOUND,
    PREVIOUS_WORDS,
    REBOUND_ROWS,
    ROUND_TYPE,
    SLIDE_TITLES,
    Brief,
    _before,
    changes_table,
    glossary,
    hot_townships_table,
    overdue_series,
    part_series,
    rank_png,
    rank_series,
    rebound_table,
    stamp,
)


# 字体：拉丁字母与东亚文字分别写；LibreOffice 找不到“微软雅黑”时按 fontconfig 退到 Noto Sans CJK
def _title_slide(prs: PptxPresentation, brief: Brief) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _bar(slide, Emu(0), Inches(0.175), SLIDE_W, Inches(0.175), Inches(0.35))
    unit = f"{brief.county_name}创建文明城市工作指挥部办公室" if brief.county_name else "创建文明城市工作指挥部办公室"
    lines = [
        (f"第{brief.issue_no}期", 24, True, RED),
        (brief.title, 40, True, DARK),
        ("", 12, False, DARK),
        (f"数据截至 {formats.moment(brief.cutoff)}　|　统计时刻 {formats.moment(brief.as_of)}", 18, False, DARK),
        (f"统计区间 {brief.period_text}", 18, False, DARK),
        (f"本轮：{brief.period.round_name}" if brief.period.round_name else " ", 18, False, DARK),
        ("", 12, False, DARK),
        (unit, 20, False, GREY),
    ]
    if brief.is_demo:
        lines.append(("示例数据：地名、单位和数字均为虚构，仅供演示", 16, True, RED))
    _text(
        slide,
        Inches(1.0),
        Inches(1.5),
        Inches(11.3),
        Inches(4.8),
        [(t or " ", s, b, c) for t, s, b, c in lines],
        align=PP_ALIGN.CENTER,
    )
    _text(
        slide,
        Inches(1.0),
        Inches(6.7),
        Inches(11.3),
        Inches(0.4),
        f"数据指纹（SHA-256）{brief.digest}",
        size=10,
        color=GREY,
        align=PP_ALIGN.CENTER,
    )
    slide.notes_slide.notes_text_frame.text = (
        f"{brief.title} 第{brief.issue_no}期；统计时刻 {formats.moment(brief.as_of)}；数据指纹 SHA-256 {brief.digest}。"
        "同一统计时刻、同一份数据重新生成，数字与指纹相同。"
    )


def _rank_points(brief: Brief) -> list:
    """名次页右侧的要点：最近一轮名次与得分、与上一轮相比、以来最好名次、距目标。"""
    cats, ranks, _ = rank_series(brief)
    scored = [(c, r) for c, r in zip(cats, ranks) if r is not None]
    hist = _before(brief.frames["rank_history_ours"], brief.as_of)
    last = hist[hist["rank"].notna()].iloc[-1] if hist["rank"].notna().any() else None
    lines = [("要点", 20, True, RED)]
    if last is not None:
        lines.append(
            (
                f"最近一轮（{last['round_name']}）：全省第{int(last['rank'])}名 / 共{int(last['group_size'])}个，"
                f"得分 {formats.points(last['total'])}。",
                16,
                False,
                DARK,
            )
        )
    if len(scored) > 1:
        lines.append(
            (
                f"与上一轮（{scored[-2][0]}）相比：{formats.rank_change(scored[-1][1], scored[-2][1]) or '持平'}。",
                16,
                False,
                DARK,
            )
        )
        best = min(r for _, r in scored)
        lines.append((f"{scored[0][0]}以来最好名次：第{best}名。", 16, False, DARK))
    if brief.target_rank and scored:
        gap = scored[-1][1] - brief.target_rank
        lines.append(
            (
                f"目标：进入全省前{brief.target_rank}名；" + ("已达到。" if gap <= 0 else f"还差 {gap} 个名次。"),
                16,
                True,
                RED if gap > 0 else GREEN,
            )
        )
    lines.append(("名次为竞争排名（并列同名次），缺测轮次不画点；1 在最上。", 12, False, GREY))
    return lines


def rank_axis_scale(max_rank: int) -> tuple[int, int, int]:
    """原生图名次轴（反向，1 在最上）的最小值、最大值与刻度间隔：从 1 起，所以一定有“1”这个刻度；
    10 名以内逐个，更多时每 5 名（1、6、11……）。"""
    step = 1 if max_rank <= 10 else 5
    return 1, 1 + -(-(max_rank - 1) // step) * step, step


def _native_rank_chart(slide: Slide, brief: Brief, x: Length, y: Length, w: Length, h: Length) -> None:
    """没有浏览器（或选择不导出图片）时的名次图：本县名次与目标线的原生折线图。"""
    cats, ranks, max_rank = rank_series(brief)
    data = CategoryChartData(number_format="0")
    data.categories = cats
    data.add_series(f"{brief.county_name}名次", ranks)
    if brief.target_rank:
        data.add_series(f"目标：前{brief.target_rank}名", [brief.target_rank] * len(cats))
    chart = _add_chart(slide, XL_CHART_TYPE.LINE_MARKERS, x, y, w, h, data)
    _chart_fonts(chart)
    _legend(chart)
    axis = chart.value_axis
    axis.reverse_order = True  # 名次 1 在最上
    axis.minimum_scale, axis.maximum_scale, axis.major_unit = rank_axis_scale(max_rank)
    axis.crosses = XL_AXIS_CROSSES.MAXIMUM  # 轴反向后让轮次标签留在底部
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = LIGHT
    axis.tick_labels.number_format = "0"
    axis.tick_labels.number_format_is_linked = False
    plot = chart.plots[0]
    ours = plot.series[0]
    ours.format.line.color.rgb = RED
    ours.format.line.width = Pt(3.5)
    ours.smooth = False
    plot.has_data_labels = True
    plot.data_labels.number_format = '"第"0"名"'
    plot.data_labels.number_format_is_linked = False
    # 名次在目标线之下时标签写在点下方，不压在目标线上
    plot.data_labels.position = (
        XL_LABEL_POSITION.BELOW
        if brief.target_rank and ranks and (ranks[-1] or 0) > brief.target_rank
        else XL_LABEL_POSITION.ABOVE
    )
    _style(plot.data_labels.font, 11, False, DARK)
    if brief.target_rank:
        target = plot.series[1]
        target.format.line.color.rgb = BLUE
        target.format.line.dash_style = 4  # 虚线
        target.marker.style = XL_MARKER_STYLE.NONE
        target.data_labels.show_value = False


def _rank_slide(prs: PptxPresentation, brief: Brief, page: int, png: bool) -> None:
    """一页名次：全组名次走势图（本县、对手与前 N 名，1 在最上，末端名称错开），右侧要点；没有浏览器时用原生图并写明。"""
    slide = _frame(prs, brief, SLIDE_TITLES[1], page)
    cats, _, _ = rank_series(brief)
    hist = _before(brief.frames["rank_history_all"], brief.as_of)
    if not cats and hist.empty:
        _text(
            slide, Inches(0.8), Inches(2.5), Inches(11.5), Inches(1), f"统计时刻之前还没有{ROUND_TYPE}成绩。", size=20
        )
        return
    image = None
    if png:
        # 画布按图框比例取 1000×640，放大 2 倍：插到 8.8 英寸宽时字号与正文相当
        image = rank_png(brief, 1000, 640)
    if image is not None:
        slide.shapes.add_picture(io.BytesIO(image), Inches(0.4), Inches(1.3), width=Inches(8.8))
    elif cats:
        _native_rank_chart(slide, brief, Inches(0.5), Inches(1.3), Inches(8.6), Inches(5.1))
        reason = brief.notes[-1] if brief.notes else "本次生成时选择了不导出图片。"
        _text(
            slide,
            Inches(0.5),
            Inches(6.45),
            Inches(8.6),
            Inches(0.6),
            [(f"只画了本县名次（未插入含对手的全组名次走势图）：{reason}", 11, False, GREY)],
        )
    _text(slide, Inches(9.3), Inches(1.5), Inches(3.6), Inches(5.2), _rank_points(brief))


def _parts_slide(prs: PptxPresentation, brief: Brief, page: int) -> None:
    slide = _frame(prs, brief, SLIDE_TITLES[2], page)
    cats, series = part_series(brief)
    if not cats:
        _text(
            slide,
            Inches(0.8),
            Inches(2.5),
            Inches(11.5),
            Inches(1),
            "统计时刻之前本县还没有测评成绩或分项成绩。",
            size=20,
        )
        return
    data = CategoryChartData(number_format="0.00")
    data.categories = cats
    for name, values in series.items():
        data.add_series(name, values)
    chart = _add_chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(0.5), Inches(1.3), Inches(8.4), Inches(5.6), data)
    _chart_fonts(chart)
    _legend(chart)
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.has_data_labels = True
    plot.data_labels.number_format = "0.0"
    plot.data_labels.number_format_is_linked = False
    plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    _style(plot.data_labels.font, 9, False, DARK)
    for s, color in zip(plot.series, SERIES_COLORS):
        s.format.fill.solid()
        s.format.fill.fore_color.rgb = color
    chart.value_axis.has_major_gridlines = True
    chart.value_axis.major_gridlines.format.line.color.rgb = LIGHT
    parts = brief.frames["rank_parts"]
    items = rank_trend.part_gap_rows(parts, "测评项目", "组内最高").head(5)
    stats = _before(brief.frames["rank_stats"], brief.as_of)
    latest = rank_trend.latest_scored_round(stats)
    lines = [("差距最大的测评项目（与组内最高比）", 18, True, RED)]
    for _, r in items.iterrows():
        lines.append(
            (
                f"{r['node_name']}：本县 {formats.points(r['our_score'])}，最高 {formats.points(r['best_score'])}，"
                f"差 {formats.points(r['gap'])} 分",
                14,
                False,
                DARK,
            )
        )
    lines.append(
        (
            f"轮次：{latest['round_name'] if latest is not None else '—'}。各分项满分见测评体系；对标单位为本轮其他单位中第 {brief.target_rank or 1} 名。",
            12,
            False,
            GREY,
        )
    )
    _text(slide, Inches(9.1), Inches(1.4), Inches(3.8), Inches(5.4), lines)


def _board_slide(
    prs: PptxPresentation, brief: Brief, page: int, title: str, rows: pd.DataFrame, name_col: str, what: str
) -> None:
    slide = _frame(prs, brief, title, page)
    red, black = league.boards(rows, name_col=name_col)
    for x, label, table, color in (
        (Inches(0.5), "红榜（有资格的前 5 名）", red, RED),
        (Inches(6.85), "黑榜（倒数 5 名）", black, DARK),
    ):
        _text(slide, x, Inches(1.3), Inches(6), Inches(0.5), label, size=20, bold=True, color=color)
        if table.empty:
            _text(
                slide,
                x,
                Inches(1.9),
                Inches(6),
                Inches(1),
                f"本期没有符合红榜资格的{what}。" if color == RED else f"本期参与排名的{what}不足，黑榜为空。",
                size=14,
                color=GREY,
            )
        else:
            _table(
                slide,
                table,
                x,
                Inches(1.9),
                Inches(6.0),
                size=14,
                widths=[1, 3, 1.5, 1.5],
                header_color=color,
                header_text=WHITE,
                row_h=0.45,
            )
    _text(
        slide,
        Inches(0.5),
        Inches(5.5),
        Inches(12.3),
        Inches(1.6),
        [
            (league.participation(rows, what) + (league.shortfall(rows) or ""), 12, True, GREY),
            (league.formula_text(league.Weights.from_setting(settings.get("league_weights"))), 11, False, GREY),
            (
                f"统计区间 {brief.period_text}；变化与{PREVIOUS_WORDS[brief.period.key]}比较。"
                + league.list_rules(league.configured_params()),
                11,
                False,
                GREY,
            ),
        ],
    )


def _map_slide(prs: PptxPresentation, brief: Brief, page: int) -> None:
    slide = _frame(prs, brief, SLIDE_TITLES[page - 1], page)
    png = export_png.hotspot_map_png(
        brief.frames["boundaries"],
        brief.frames["hot_townships"],
        title=f"{brief.county_name}各镇街问题数",
        subtitle=f"统计区间 {brief.period_text}",
        width=1500,
        height=1000,
    )
    slide.shapes.add_picture(io.BytesIO(png), Inches(0.5), Inches(1.3), height=Inches(5.6))
    hot = brief.frames["hot_summary"].iloc[0]
    total = brief.frames["summary"].query("grouping_kind == '合计'").iloc[0]
    _text(
        slide,
        Inches(9.1),
        Inches(1.3),
        Inches(3.8),
        Inches(0.9),
        [
            (f"{NEW_FOUND} {formats.count(hot['problems'])} 条", 18, True, RED),
            (
                # 先写存量（与各页、逾期页同一个数），期内发现的流量写在后面
                f"全县{time_windows.OVERDUE_STOCK} {formats.count(total['overdue_now'])} 条、"
                f"{time_windows.IN_WORK_STOCK} {formats.count(total['open_now'])} 条；"
                f"{PREVIOUS_WORDS[brief.period.key]} {formats.count(hot['problems_prev'])} 条；"
                f"期内发现的问题中仍在办 {formats.count(hot['open_now'])}、"
                f"{time_windows.FOUND_OVERDUE} {formats.count(hot['overdue_now'])}",
                13,
                False,
                DARK,
            ),
        ],
    )
    _table(
        slide,
        hot_townships_table(brief),
        Inches(9.1),
        Inches(2.4),
        Inches(3.8),
        size=10,
        widths=[1.7, 1.1, 1.1, 1.1, 0.9],
        row_h=0.4,
    )


def _overdue_slide(prs: PptxPresentation, brief: Brief, page: int) -> None:
    slide = _frame(prs, brief, SLIDE_TITLES[page - 1], page)
    cats, series = overdue_series(brief)
    total = brief.frames["summary"].query("grouping_kind == '合计'").iloc[0]
    if not cats:
        _text(
            slide,
            Inches(0.8),
            Inches(2.5),
            Inches(11.5),
            Inches(1),
            "截至统计时刻没有逾期（存量）的问题。",
            size=20,
            color=GREEN,
        )
        return
    data = CategoryChartData(number_format="0")
    data.categories = list(reversed(cats))  # 条形图自下而上：反过来让逾期最多的在最上
    for name, values in series.items():
        data.add_series(name, list(reversed(values)))
    chart = _add_chart(slide, XL_CHART_TYPE.BAR_STACKED, Inches(0.5), Inches(1.3), Inches(8.8), Inches(5.6), data)
    _chart_fonts(chart, 12)
    _legend(chart)
    plot = chart.plots[0]
    plot.gap_width = 50
    for s, color in zip(plot.series, OVERDUE_COLORS):
        s.format.fill.solid()
        s.format.fill.fore_color.rgb = color
    chart.value_axis.has_major_gridlines = True
    chart.value_axis.major_gridlines.format.line.color.rgb = LIGHT
    chart.value_axis.tick_labels.number_format = "0"
    chart.value_axis.tick_labels.number_format_is_linked = False
    _text(
        slide,
        Inches(9.5),
        Inches(1.4),
        Inches(3.4),
        Inches(5.4),
        [
            # 名称与数分两行：窄栏里“条”不会单独掉到下一行
            (f"全县{time_windows.OVERDUE_STOCK}", 18, True, RED),
            (f"{formats.count(total['overdue_now'])} 条", 28, True, RED),
            (f"{time_windows.IN_WORK_STOCK} {formats.count(total['open_now'])} 条", 15, False, DARK),
            (f"图中为逾期最多的 {len(cats)} 个牵头单位，按逾期天数分段。", 13, False, DARK),
            (
                "逾期（存量）：截至统计时刻未销号且整改期限早于统计时刻，不论何时发现；无期限的问题不计逾期。按牵头单位归属，"
                "整改记录顺序存疑的问题不计入（见红黑榜页数据质量）。",
                12,
                False,
                GREY,
            ),
        ],
    )


def _rebound_slide(prs: PptxPresentation, brief: Brief, page: int) -> None:
    slide = _frame(prs, brief, SLIDE_TITLES[page - 1], page)
    hot = brief.frames["hot_summary"].iloc[0]
    days = settings.get("rebound_days")
    _text(
        slide,
        Inches(0.5),
        Inches(1.25),
        Inches(12.3),
        Inches(0.8),
        [
            (
                f"期内反弹 {formats.count(hot['rebounds'])} 条：同一点位、同一类别的问题在上一次销号后 {days} 天内再次发现，"
                f"或销号后 {days} 天内被反弹重开。下表为最新的 {min(REBOUND_ROWS, int(hot['rebounds']))} 条。",
                14,
                False,
                DARK,
            )
        ],
    )
    table = rebound_table(brief)
    if table.empty:
        _text(slide, Inches(0.5), Inches(2.2), Inches(12), Inches(1), "本期没有反弹问题。", size=18, color=GREEN)
        return
    _table(
        slide, table, Inches(0.5), Inches(2.05), Inches(12.3), size=12, widths=[1.7, 1.9, 2.4, 1.3, 1.9, 1.1], row_h=0.4
    )


def _changes_slide(prs: PptxPresentation, brief: Brief, page: int) -> None:
    slide = _frame(prs, brief, SLIDE_TITLES[page - 1], page)
    table = changes_table(brief)
    _table(slide, table, Inches(0.5), Inches(1.4), Inches(8.5), size=15, widths=[3.0, 1.2, 1.2, 1.8], row_h=0.55)
    units = brief.frames["league_units"]
    moved = units[units["rank_change"].notna() & (units["rank_change"] != 0)]
    up = moved.sort_values(["rank_change", "unit_name"], ascending=[False, True]).head(3)
    down = moved.sort_values(["rank_change", "unit_name"], ascending=[True, True]).head(3)
    lines = [("红黑榜名次变化最大的单位", 18, True, RED)]
    lines += [
        (f"↑ {r['unit_name']}：第{int(r['prev_rank'])}名 → 第{int(r['rank'])}名", 14, False, GREEN)
        for _, r in up.iterrows()
        if r["rank_change"] > 0
    ]
    lines += [
        (f"↓ {r['unit_name']}：第{int(r['prev_rank'])}名 → 第{int(r['rank'])}名", 14, False, RED)
        for _, r in down.iterrows()
        if r["rank_change"] < 0
    ]
    if len(lines) == 1:
        lines.append(("与上期相比名次没有变化（或上期无可比数据）。", 14, False, DARK))
    lines.append(
        (f"本期 {brief.period_text}；{PREVIOUS_WORDS[brief.period.key]} {brief.previous_text}。", 12, False, GREY)
    )
    _text(slide, Inches(9.3), Inches(1.4), Inches(3.6), Inches(5.4), lines)


def _sources_slide(prs: PptxPresentation, brief: Brief, page: int) -> None:
    """数据来源与口径：通报里每个数一条（figures.glossary，与 Word 通报的口径附件逐字相同），写给读纸面的人。"""
    slide = _frame(prs, brief, SLIDE_TITLES[page - 1], page)
    lines = [
        (
            f"统计时刻 {formats.moment(brief.as_of)}；数据截至 {formats.moment(brief.cutoff)}；"
            f"数据指纹（SHA-256）{brief.digest}",
            11,
            False,
            GREY,
        )
    ]
    lines += [(f"{name}：{text}", 11, False, DARK) for name, text in glossary(brief)]
    _text(slide, Inches(0.5), Inches(1.3), Inches(12.3), Inches(5.6), lines)


def deck(brief: Brief, *, png: bool = True) -> bytes:
    """把一期通报画成 16:9 PPTX（字节）。png=False 时不调用浏览器（复杂图改用原生图并写明）。"""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    _title_slide(prs, brief)
    _rank_slide(prs, brief, 2, png)
    _parts_slide(prs, brief, 3)
    units = brief.frames["league_units"]
    # 部门按牵头的问题、镇街按辖区里的问题各排一次：一个镇街只有一个评价（块不另列属地单位榜）
    _board_slide(prs, brief, 4, SLIDE_TITLES[3], units[units["kind"] == "条"], "unit_name", "部门")
    _board_slide(prs, brief, 5, SLIDE_TITLES[4], brief.frames["league_townships"], "township_name", "镇街")
    _map_slide(prs, brief, 6)
    _overdue_slide(prs, brief, 7)
    _rebound_slide(prs, brief, 8)
    _changes_slide(prs, brief, 9)
    risk.slide(prs, brief, 10)
    _sources_slide(prs, brief, 11)

    stamp(prs.core_properties, brief)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
