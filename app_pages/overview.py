"""总览：名次与得分、问题指标、最差镇街与单位、负面清单预警。"""
from datetime import timedelta

import streamlit as st

from chuangwen import charts, formats, overview
from chuangwen.escape import md
from chuangwen.ui import data, export, frame

ctx = frame.current_context()
flt = frame.current_filters()
ROUND_TYPE = "年度测评"

st.title(f"总览 · {md(ctx.county_name)}")
st.caption(f"数据截至 {formats.moment(ctx.cutoff)}　|　统计截至 {formats.moment(flt.as_of)}　|　"
           f"统计区间 {formats.day(flt.period_start + timedelta(microseconds=1))} 至 {formats.day(flt.as_of)}")

rank = data.query("overview_rank", county=ctx.county_code, round_type=ROUND_TYPE, target_rank=ctx.target_rank or 1)
if not rank.empty and (msg := overview.target_rank_problem(ctx.target_rank, rank.iloc[0]["group_size"])):
    st.warning(msg, icon=":material/warning:")


def show_cards(cards, query_name):
    for col, card in zip(st.columns(len(cards)), cards):
        col.metric(card.label, card.value, delta=card.delta, delta_color=card.delta_color,
                   delta_arrow=card.delta_arrow, delta_description=card.delta_description, border=True,
                   help=frame.metric_help(query_name, card.metric, ctx.cutoff) if card.metric else None)


show_cards(overview.rank_cards(rank, ctx.target_rank, ROUND_TYPE), "overview_rank")
summary = data.query("overview_problem_summary", **flt.problem_params())
show_cards(overview.problem_cards(summary), "overview_problem_summary")

alerts = data.query("overview_negative_alerts", as_of=flt.as_of, scope_unit=flt.scope_unit)
veto = alerts[alerts["is_veto"]]
if not veto.empty:
    st.error(f"**负面清单预警**：{len(veto)} 条未销号问题触及一票否决项（{md('、'.join(sorted(set(veto['negative_item']))))}），须立即处置。", icon=":material/emergency_home:")
if len(alerts) > len(veto):
    st.warning(f"**负面清单**：另有 {len(alerts) - len(veto)} 条未销号问题触及负面清单（非一票否决）。", icon=":material/warning:")
if alerts.empty:
    st.success("负面清单：截至统计时点，没有触及负面清单的未销号问题。", icon=":material/check_circle:")
else:
    with st.expander(f"负面清单问题明细（{len(alerts)} 条）"):
        st.dataframe(
            alerts.assign(一票否决=alerts["is_veto"].map({True: "是", False: "否"}),
                          逾期=alerts["is_overdue"].map({True: "是", False: "否"}))
            .rename(columns={"problem_code": "问题编号", "found_at": "发现时间", "negative_item": "负面清单项",
                             "status": "状态", "deadline": "整改期限", "lead_unit": "牵头单位", "description": "问题描述"})
            [["问题编号", "发现时间", "负面清单项", "一票否决", "状态", "整改期限", "逾期", "牵头单位", "问题描述"]],
            hide_index=True,
        )

left, right = st.columns(2)
with left:
    st.subheader("本周最差镇街")
    worst_townships = data.memo(overview.worst, summary, "镇街")
    if worst_townships.empty:
        st.info("本周没有逾期或新增问题的镇街。")
    else:
        st.dataframe(worst_townships, hide_index=True)
with right:
    st.subheader("本周最差牵头单位")
    worst_units = data.memo(overview.worst, summary, "单位")
    if worst_units.empty:
        st.info("本周没有逾期或新增问题的单位。")
    else:
        st.dataframe(worst_units, hide_index=True)

left, right = st.columns(2)
with left:
    history = data.query("overview_rank_history", county=ctx.county_code, round_type=ROUND_TYPE)
    if history["rank"].notna().any():
        rank_fig = data.memo(charts.rank_trend_history, history, ctx.target_rank, ctx.county_name)
        st.plotly_chart(rank_fig, key="overview_rank_history")
        export.png_button(rank_fig, f"历年全省名次_{ctx.county_name}", key="ov_png_rank_history")
    else:
        st.info("还没有年度测评成绩，导入成绩后显示历年名次。")
with right:
    flow = data.query("overview_weekly_flow", as_of=flt.as_of, township=flt.township, unit=flt.unit,
                      round=flt.round, scope_unit=flt.scope_unit)
    flow_fig = data.memo(charts.weekly_flow, flow)
    st.plotly_chart(flow_fig, key="overview_weekly_flow")
    export.png_button(flow_fig, f"近12周问题流量_{flt.as_of:%Y%m%d}", key="ov_png_weekly_flow")

frame.definitions(["overview_rank", "overview_problem_summary", "overview_negative_alerts",
                   "overview_rank_history", "overview_weekly_flow"], ctx.cutoff)
