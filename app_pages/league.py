"""红黑榜：单位（条、块）与镇街排行、红榜黑榜与名次变化、单位下钻。"""

import streamlit as st

from chuangwen import charts, excel, formats, league, settings, supervision, time_windows
from chuangwen.escape import md
from chuangwen.ui import data, export, frame, projector
from chuangwen.ui.frame import Viewer
from chuangwen.view import View


def render(view: View, viewer: Viewer) -> None:
    """画这一页（画框每次运行调用，传入本次的口径与看页面的人）。"""
    out = export.Exporter(view, viewer)

    views = projector.header("红黑榜", "lg_projector", viewer)
    big = views.on
    if frame.without_problems(view):
        st.stop()
    try:
        weights = league.Weights.from_setting(settings.get("league_weights"))
        board_params = league.configured_params()
    except settings.SettingError as exc:
        st.error(f"红黑榜设置无效：{md(exc)}", icon=":material/block:")
        st.stop()

    # 推进会：部门红黑榜、全部部门（分屏）、镇街红黑榜、全部镇街（分屏）、部门下钻各一屏；区间、规则与数据质量只在第一屏，
    # 翻屏时记住控件的值（不画的控件 Streamlit 会清掉）
    first = views.show("部门红黑榜")
    projector.keep(league.WIDGET_KEYS)
    if not big or first:
        st.radio("统计区间", list(league.PERIODS), format_func=league.PERIODS.get, horizontal=True, key="lg_period")
    period = st.session_state.get("lg_period", next(iter(league.PERIODS)))
    board = league.period_view(view, period)
    st.caption(league.period_caption(board, view.cutoff, period))
    units = data.query("league_units", board, **board_params)
    townships = data.query("league_townships", board, **board_params)
    if not big or first:
        # 推进会模式：公式与规则收进折叠框，两张榜留在第一屏
        rules = st.expander("综合得分公式与上榜规则") if big else st.container()
        rules.markdown(f"**{league.formula_text(weights)}**")
        rules.caption(
            league.list_rules(board_params) + "某项比率没有分母时该项不计，其余权重按比例放大；得分相同的并列同一名次。"
            "按期销号率是区间内销号的问题（流量），逾期与逾期率是截至统计时刻仍在办的问题（存量）。"
            "反弹按整改事件日志中的“反弹重开”计（问题热点页的“反弹”按同点位同类别再次发现，口径不同）。"
        )
        quality = data.query("quality_event_order", view)
        if not quality.empty:
            st.warning(
                f"**数据质量**：{len(quality)} 条问题的整改记录顺序不可能（如销号早于交办、重复销号），"
                "已从本页所有数字中排除，未做任何修正；请到数据管理核对原始记录。",
                icon=":material/warning:",
            )
            if not big:
                with st.expander(f"记录顺序存疑的问题（{len(quality)} 条）"):
                    st.dataframe(league.quality_table(quality), hide_index=True)
        else:
            st.caption("数据质量：截至统计时刻，没有整改记录顺序存疑的问题（0 条被排除）。")

    def show_boards(rows, name_col, what):
        red, black = data.memo(league.boards, rows, name_col=name_col)
        st.markdown(
            f"**{md(league.participation(rows, what))}**"
        )  # 只有数字与固定文字；照样转义，免得以后加进名称时漏掉
        if note := league.shortfall(rows):
            st.info(note, icon=":material/info:")
        left, right = st.columns(2)
        with left:
            st.subheader(f":red[红榜]（{what}，有资格的前 5 名）")
            if red.empty:
                st.info(md(league.why_no_red(rows, what, board_params)))
            else:
                projector.table(red, column_config=league.BOARD_COLUMNS)
        with right:
            st.subheader(f":gray[黑榜]（{what}倒数 5 名）")
            if black.empty:
                st.info("参与排名的对象不足，黑榜为空。")
            else:
                projector.table(black, column_config=league.BOARD_COLUMNS)

    if not big:
        st.caption(league.BASIS)
    tab_tiao, tab_town, tab_unit = (
        st.tabs(["部门（条）", "镇街（按辖区）", "部门下钻"]) if not big else projector.columns(3)
    )
    with tab_tiao:
        rows = data.memo(league.of_kind, units, "条")
        if first:
            show_boards(rows, "unit_name", "部门")
            if big:
                st.caption(league.BASIS)
        whole = data.memo(league.display_table, rows, name_col="unit_name", name_label="牵头单位")
        for part in views.paged("全部部门", whole):
            st.subheader("全部部门（按自己牵头的问题）")
            projector.table(
                part,
                height=league.table_height(rows),
                big_columns=["名次", "变化", "牵头单位", *league.BIG_COLUMNS],
            )

    with tab_town:
        if views.show("镇街红黑榜"):
            show_boards(townships, "township_name", "镇街")
        if not big:
            st.radio(
                "交办、逾期、反弹数的口径",
                list(league.NORMS),
                horizontal=True,
                key="lg_norm",
                help="每点位 = ÷ 该镇街点位数；每千人 = ÷（常住人口 ÷ 1000）。比率和综合得分不受影响。",
            )
        norm = st.session_state.get("lg_norm", next(iter(league.NORMS)))
        whole = data.memo(league.display_table, townships, name_col="township_name", name_label="镇街", norm=norm)
        for part in views.paged("全部镇街", whole):
            st.subheader("全部镇街（按问题所在镇街归属，不论牵头单位）")
            projector.table(
                part,
                height=league.table_height(townships),
                big_columns=["名次", "变化", "镇街", *league.BIG_COLUMNS],
            )

    with tab_unit:
        names = data.memo(league.unit_names, league.of_kind(units, "条"), view.scope_unit)
        show_trend = views.show("部门下钻：名次走势")
        if not names:
            if show_trend:
                st.info(
                    "部门下钻只看部门（条）。镇、街道、开发区在“镇街（按辖区）”榜上评价；"
                    "看辖区里的问题，请到问题热点按镇街筛选。"
                )
        else:
            if show_trend:
                st.selectbox("部门", list(names), format_func=lambda c: names.get(c, c), key="lg_unit")
            unit_code = (
                st.session_state.get("lg_unit") if st.session_state.get("lg_unit") in names else next(iter(names))
            )
            row = league.unit_row(units, unit_code)
            headline = (
                f"**{md(names[unit_code])}**　本区间名次：{league.rank_label(row)}"
                f"　综合得分：{formats.points(row['score'])}　变化：{league.change_label(row) or '—'}"
            )
            if show_trend and not big:
                st.markdown(headline)
            left, right = projector.columns(2) if big else st.columns(2)
            if show_trend:
                with left:
                    if big:
                        st.markdown(headline)
                    trend = data.memo(
                        league.rank_trend,
                        data.query(
                            "league_unit_rank_trend",
                            board,
                            **board_params,
                            unit_code=unit_code,
                            **league.trend_params(board),
                        ),
                    )
                    rounds = data.query("timeline_rounds", board, **league.trend_span(board, trend))
                    trend_fig = data.memo(
                        charts.league_rank_trend,
                        trend,
                        names[unit_code],
                        league.TREND_UNIT[period],
                        rounds,
                        league.trend_params(board)["step"],
                    )
                    projector.plotly(trend_fig, key="lg_rank_trend")
                    out.png(trend_fig, f"红黑榜名次走势_{names[unit_code]}", key="lg_png_rank_trend")
            if views.show("部门下钻：类别构成"):
                with right:
                    if big:
                        st.markdown(headline)
                    mix = data.query("league_unit_categories", board, unit_code=unit_code)
                    if mix.empty:
                        st.info("本区间该单位没有经手的问题。")
                    else:
                        mix_fig = data.memo(charts.category_mix, mix, names[unit_code])
                        projector.plotly(mix_fig, key="lg_category_mix")
                        out.png(mix_fig, f"问题类别构成_{names[unit_code]}", key="lg_png_category_mix")
            late = supervision.ledger_params(overdue_only=True)
            late_count = supervision.cards(data.query("supervision_ledger_summary", view.for_unit(unit_code), **late))[
                time_windows.IN_WORK_STOCK
            ]
            if not late_count:
                if views.show("部门下钻：逾期清单"):
                    st.subheader(f"逾期清单（{names[unit_code]}牵头，0 条）")
                    st.success("截至统计时刻，该单位牵头的问题没有逾期。")
            else:
                overdue = data.query(
                    "supervision_ledger", view.for_unit(unit_code), **late, limit=supervision.SHOW_LIMIT
                )
                shown = data.memo(supervision.display_ledger, overdue)
                for part in views.paged("部门下钻：逾期清单", shown):
                    st.subheader(f"逾期清单（{md(names[unit_code])}牵头，{formats.count(late_count)} 条）")
                    projector.table(part, big_columns=supervision.BIG_COLUMNS)
                    if note := supervision.shown_note(late_count, rest="全部可在整改督办页选这个单位后导出 Excel。"):
                        st.caption(note)
    views.finish()

    note = f"创文看板·红黑榜　{league.period_caption(board, view.cutoff, period)}　{league.list_rules(board_params)}"
    out.download(
        "下载红黑榜 Excel（部门、镇街，数字可计算）",
        lambda: excel.to_xlsx(league.workbook_sheets(units, townships), note=note, number_formats=league.EXCEL_FORMATS),
        file_name=f"红黑榜_{league.PERIODS[period][:2]}_{view.as_of:%Y%m%d}.xlsx",
        key="lg_xlsx",
        mime=export.XLSX,
        rows=league.workbook_rows(units, townships),
        icon=":material/table:",
    )

    projector.definitions(
        [
            "league_units",
            "league_townships",
            "league_unit_rank_trend",
            "league_unit_categories",
            "quality_event_order",
            "timeline_rounds",
        ],
        view.cutoff,
    )
