"""总览：名次与得分、问题指标、最差镇街与单位、负面清单预警。"""

import streamlit as st

from chuangwen import charts, formats, overview, time_windows
from chuangwen.ui import data, export, frame, projector
from chuangwen.ui.frame import Viewer
from chuangwen.view import View


def render(view: View, viewer: Viewer) -> None:
    """画这一页（画框每次运行调用，传入本次的口径与看页面的人）。"""
    out = export.Exporter(view, viewer)
    ROUND_TYPE = "年度测评"

    views = projector.header(f"总览{view.title_suffix}", "ov_projector", viewer)
    st.caption(
        f"数据截至 {formats.moment(view.cutoff)}　|　统计区间 {view.period_text}"
        + ("" if views.on else f"　|　统计截至 {formats.moment(view.as_of)}　|　{time_windows.LEGEND}")
    )

    rank = data.query("overview_rank", view, round_type=ROUND_TYPE)
    if not rank.empty and (msg := overview.target_rank_problem(view.target_rank, rank.iloc[0]["group_size"])):
        st.warning(msg, icon=":material/warning:")

    def show_cards(cards, query_name):
        for col, card in zip(st.columns(len(cards)), cards):
            col.metric(
                card.label,
                card.value,
                delta=card.delta,
                delta_color=card.delta_color,
                delta_arrow=card.delta_arrow,
                delta_description=card.delta_description,
                border=True,
                help=frame.metric_help(query_name, card.metric, view.cutoff) if card.metric else None,
            )

    summary = data.query("overview_problem_summary", view)
    if views.show("名次与问题"):
        show_cards(overview.rank_cards(rank, view.target_rank, ROUND_TYPE, view.county_chosen), "overview_rank")
        if not frame.without_problems(view):
            show_cards(overview.problem_cards(summary), "overview_problem_summary")
            alerts = data.query("overview_negative_alerts", view)
            ALERT_SHOW = {
                "error": (st.error, ":material/emergency_home:"),
                "warning": (st.warning, ":material/warning:"),
                "success": (st.success, ":material/check_circle:"),
            }
            for alert in overview.negative_alerts(alerts):
                show, icon = ALERT_SHOW[alert.level]
                show(alert.text, icon=icon)
            if not alerts.empty and not views.on:
                with st.expander(f"负面清单问题明细（{len(alerts)} 条）"):
                    projector.table(
                        data.memo(overview.alerts_table, alerts),
                        big_columns=["问题编号", "负面清单项", "状态", "牵头单位", "问题描述"],
                    )

    if view.has_problems and views.show("最差镇街与牵头单位"):
        left, right = st.columns(2)
        with left:
            st.subheader("最差镇街（按逾期存量，再按本周新增）")
            worst_townships = data.memo(overview.worst, summary, "镇街")
            if worst_townships.empty:
                st.info("没有逾期（存量）或本周新增问题的镇街。")
            else:
                projector.table(worst_townships)
        with right:
            st.subheader("最差牵头单位（按逾期存量，再按本周新增）")
            worst_units = data.memo(overview.worst, summary, "单位")
            if worst_units.empty:
                st.info("没有逾期（存量）或本周新增问题的单位。")
            else:
                projector.table(worst_units)

    left, right = projector.columns(2)
    if views.show("历年全省名次"):
        with left:
            history = data.query("overview_rank_history", view, round_type=ROUND_TYPE)
            if history["rank"].notna().any():
                rank_fig = data.memo(charts.rank_trend_history, history, view.target_rank, view.county_name)
                projector.plotly(rank_fig, key="overview_rank_history")
                out.png(rank_fig, f"历年全省名次_{view.county_name}", key="ov_png_rank_history")
            elif not view.county_chosen:
                st.info("未选定本县（见页面顶部），选定后显示本县历年名次。")
            elif not view.has_scores:
                st.info("库里还没有测评成绩：到“数据管理”导入全省排名组的历轮成绩后显示历年名次。")
            else:
                st.info("本县还没有年度测评成绩，导入成绩后显示历年名次。")
    if view.has_problems and views.show("近12周新增与销号"):
        with right:
            flow = data.query("overview_weekly_flow", view)
            rounds = data.query("timeline_rounds", view, start=flow["week_start"].min(), end=view.as_of)
            flow_fig = data.memo(charts.weekly_flow, flow, rounds)
            projector.plotly(flow_fig, key="overview_weekly_flow")
            out.png(flow_fig, f"近12周问题流量_{view.as_of:%Y%m%d}", key="ov_png_weekly_flow")
    views.finish()

    projector.definitions(
        [
            "overview_rank",
            "overview_problem_summary",
            "overview_negative_alerts",
            "overview_rank_history",
            "overview_weekly_flow",
            "timeline_rounds",
        ],
        view.cutoff,
    )
