"""排名趋势：全省名次走势、得分走势、最近一轮的差距分析、全组排名表；推进会（投影）模式。"""

import streamlit as st

from chuangwen import charts, formats, rank_trend
from chuangwen.escape import md
from chuangwen.ui import data, export, frame, projector
from chuangwen.ui.frame import Viewer
from chuangwen.view import View


def render(view: View, viewer: Viewer) -> None:
    """画这一页（画框每次运行调用，传入本次的口径与看页面的人）。"""
    out = export.Exporter(view, viewer)

    views = projector.header(f"排名趋势{view.title_suffix}", "rk_projector", viewer)
    big = views.on
    st.caption(f"数据截至 {formats.moment(view.cutoff)}　|　名次只按公布排名的测评轮次计算，缺测单位不参与排名")

    rounds = data.query("rank_trend_rounds", view)
    types = rank_trend.round_types(rounds)
    if not types:
        st.info(
            "还没有公布排名的测评成绩。请在“数据管理”页导入全省排名组各轮成绩后再看本页。",
            icon=":material/folder_open:",
        )
        st.stop()
    units = data.query("rank_trend_units", view)
    unit_names = dict(zip(units["region_code"], units["region_name"]))

    # 推进会：名次走势、得分走势、差距、分项差距、排名表各一屏；设置只画在第一屏，翻屏时记住它们的值
    # （不画的控件 Streamlit 会清掉）
    show_bump, show_score = views.show("全省名次走势"), views.show("得分走势")
    projector.keep(rank_trend.widget_keys(types))
    settings_here = not big or show_bump
    defaults = {"rk_round_type": rank_trend.default_round_type(types), "rk_target": view.target_rank, "rk_top_n": 5}
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)
    round_type = st.session_state["rk_round_type"]
    history = data.query("rank_trend_history", view, round_type=round_type)
    st.session_state.setdefault(
        "rk_rivals", rank_trend.default_rivals(view.rival_codes, list(unit_names), history, view.county_code)
    )
    if settings_here:
        with st.expander("图表设置", expanded=not big):
            c1, c2, c3, c4 = st.columns([1.2, 1, 1, 3])
            c1.selectbox("测评类型", types, key="rk_round_type")
            c2.number_input(
                "目标名次（前 k 名）",
                min_value=1,
                step=1,
                placeholder="未设定",
                key="rk_target",
                help="默认取管理员设置的目标名次，没有时取库里记录的目标名次。",
            )
            c3.number_input("同时显示前 N 名", min_value=0, max_value=20, step=1, key="rk_top_n")
            c4.multiselect(
                "对手（高亮显示）",
                rank_trend.rival_choices(unit_names, view.county_code),
                format_func=unit_names.get,
                key="rk_rivals",
            )
    target, top_n, rivals = st.session_state["rk_target"], st.session_state["rk_top_n"], st.session_state["rk_rivals"]

    target = int(target) if target else None  # 与总览同一默认：没有设定就是“未设定目标”，不悄悄用 10
    stats = data.query("rank_trend_round_stats", view, round_type=round_type, target_rank=target)
    target_msg = rank_trend.target_problem(target, rank_trend.latest_group_size(stats))
    if target_msg:
        st.warning(target_msg, icon=":material/warning:")
    line_target = None if target_msg else target
    height = projector.chart_height()

    # ---------------------------------------------------------------- 1 名次走势、2 得分走势
    shown = rank_trend.shown_units(history, view.county_code, int(top_n), rivals)
    theme = projector.chart_theme()
    left, right = projector.columns(2) if big else st.columns([3, 2])
    if show_bump:
        bump = charts.rank_bump(history, view.county_code, shown, line_target, rivals, height=height, big=big)
        left.plotly_chart(bump, key="rk_bump_chart", config=charts.PLOTLY_CONFIG, theme=theme)
        with left:
            out.png(bump, f"全省名次走势_{round_type}", key="rk_png_bump")
            if note := rank_trend.missing_note(history, shown):
                st.caption(md(note))
    if show_score:
        trend = charts.score_trend(stats, view.county_name, line_target, height=height, big=big)
        right.plotly_chart(trend, key="rk_score_chart", config=charts.PLOTLY_CONFIG, theme=theme)
        with right:
            out.png(trend, f"得分走势_{round_type}", key="rk_png_score")

    # ---------------------------------------------------------------- 3 差距分析（本县有成绩的最近一轮）
    latest = rank_trend.latest_scored_round(stats)
    if views.show("差距分析"):
        st.subheader("差距分析" + (f"：{md(latest['round_name'])}" if latest is not None else ""))
        if not view.county_chosen:
            st.info("未选定本县（见页面顶部），选定后显示差距分析。")
        elif latest is None:
            st.info(f"本县在{md(round_type)}中还没有成绩，无法做差距分析。")
        else:
            if note := rank_trend.skipped_latest_note(stats, latest):
                st.info(md(note))
            needed = data.query("rank_trend_points_needed", view, round_code=latest["round_code"])
            cards = rank_trend.gap_cards(needed, rank_trend.gap_target(target, latest))
            for col, card in zip(st.columns(len(cards)), cards):
                col.metric(
                    card.label,
                    card.value,
                    delta=card.delta,
                    delta_color=card.delta_color,
                    delta_arrow=card.delta_arrow,
                    border=True,
                    help=frame.metric_help("rank_trend_points_needed", card.metric, view.cutoff)
                    if card.metric
                    else None,
                )
    if view.county_chosen and latest is not None and views.show("分项差距"):
        gap_target = rank_trend.gap_target(target, latest)
        parts = data.query("rank_trend_part_gap", view, round_code=latest["round_code"], target_rank=gap_target or 1)
        if parts.empty:
            st.info(f"{md(latest['round_name'])}没有分项（板块/测评项目）成绩，无法按分项比较。")
        else:
            p1, p2 = st.columns([1, 2])
            level = p1.radio("分项层级", list(rank_trend.PART_LEVELS), horizontal=True, key="rk_part_level")
            bases = rank_trend.gap_bases(gap_target)
            basis = p2.radio("按与谁的差距排序", bases, horizontal=True, key="rk_gap_basis")
            rows = rank_trend.part_gap_rows(parts, level, basis)
            part_fig = charts.part_gap(rows, level, basis, height=projector.PART_CHART_HEIGHT if big else None, big=big)
            st.plotly_chart(part_fig, key="rk_part_chart", config=charts.PLOTLY_CONFIG, theme=theme)
            out.png(part_fig, f"{level}得分差距", key="rk_png_part")
            if not big:
                with st.expander(f"{level}得分明细表"):
                    st.dataframe(
                        rank_trend.part_gap_table(rows, level), hide_index=True, placeholder=rank_trend.MISSING
                    )

    # ---------------------------------------------------------------- 4 排名表（推进会时分屏，每屏 TABLE_ROWS 个单位）
    choices = rank_trend.rounds_of_type(rounds, round_type)
    table_key = f"rk_table_round_{round_type}"
    if not big:
        st.subheader("全组排名表")
        t1, t2 = st.columns([1, 1])
        t1.selectbox("轮次", list(choices), format_func=choices.get, key=table_key)
    round_code = st.session_state.get(table_key) or next(iter(choices))
    round_rows = rank_trend.round_rows(history, round_code)
    round_parts = data.query("rank_trend_round_parts", view, round_code=round_code)
    sort_options = rank_trend.table_sort_options(round_parts)
    if not big:
        t2.selectbox("排序", sort_options, key="rk_table_sort")
    sort_by = st.session_state.get("rk_table_sort") or sort_options[0]
    table = rank_trend.rank_table(round_rows, round_parts, view.county_code, sort_by)
    if big:
        for rows in views.paged(f"全组排名表：{choices.get(round_code, round_code)}", table):
            if note := rank_trend.round_missing_note(round_rows):
                st.caption(md(note))
            st.html(rank_trend.rank_table_html(rows))
    else:
        if note := rank_trend.round_missing_note(round_rows):
            st.info(md(note), icon=":material/info:")
        # 不用 pandas Styler：120 个单位时它要 40 ms 以上；本县以 ★ 标出并固定在第一行；缺测单位的名次、得分写“—”
        # （与推进会的排名表一样；st.dataframe 默认写英文“None”）
        two = st.column_config.NumberColumn(format="%.2f")
        st.dataframe(
            table,
            hide_index=True,
            height=rank_trend.table_height(table),
            placeholder=rank_trend.MISSING,
            column_config={
                "名次": st.column_config.NumberColumn(format="%d"),
                "得分": two,
                "得分变化": st.column_config.NumberColumn(format="%+.2f"),
                **{c: two for c in rank_trend.part_columns(table)},
            },
        )
    views.finish()

    projector.definitions(
        [
            "rank_trend_history",
            "rank_trend_round_stats",
            "rank_trend_points_needed",
            "rank_trend_part_gap",
            "rank_trend_round_parts",
            "rank_trend_rounds",
        ],
        view.cutoff,
    )
