"""整改督办：在办问题台账、整改时间线、在办问题走势、7 天内到期、按单位导出 Excel。"""

import streamlit as st

from chuangwen import charts, formats, supervision, time_windows
from chuangwen.escape import md
from chuangwen.ui import data, export, frame, notices, projector
from chuangwen.ui.frame import Viewer
from chuangwen.view import View


def render(view: View, viewer: Viewer) -> None:
    """画这一页（画框每次运行调用，传入本次的口径与看页面的人）。"""
    out = export.Exporter(view, viewer)

    projector.header("整改督办", "sv_projector", viewer)
    if frame.without_problems(view):
        st.stop()
    st.caption(
        f"数据截至 {formats.moment(view.cutoff)}　|　统计时刻 {formats.moment(view.as_of)}（状态、逾期均按该时刻回放整改记录）　|　{time_windows.STOCK_LEGEND}"
    )

    unit_options = data.memo(supervision.unit_options, data.query("ref_filter_options", view))
    left, mid, right = st.columns([2, 1, 1])
    involved = left.selectbox(
        "涉及单位（牵头或配合）",
        [frame.ALL, *unit_options],
        key="sv_unit",
        format_func=lambda c: unit_options.get(c, c),
    )
    involved = None if involved == frame.ALL else involved
    status = mid.selectbox("当前状态", [frame.ALL, *supervision.OPEN_STATUSES], key="sv_status")
    status = None if status == frame.ALL else status
    overdue_only = right.checkbox("只看逾期", key="sv_overdue")

    filters = supervision.ledger_params(involved_unit=involved, status=status, overdue_only=overdue_only)
    counts = supervision.cards(data.query("supervision_ledger_summary", view, **filters))
    for col, (label, value) in zip(st.columns(len(counts)), counts.items()):
        col.metric(
            label,
            formats.count(value),
            border=True,
            help=frame.metric_help("supervision_ledger_summary", label, view.cutoff),
        )

    st.subheader("在办问题台账")
    # 浏览器里只放最要紧的一段（台账按逾期天数从多到少排好）；全部在 Excel 里，点了下载才取
    rows = data.query("supervision_ledger", view, **filters, limit=supervision.PICK_LIMIT)
    table = data.memo(supervision.display_ledger, supervision.shown(rows))
    projector.table(table, height=420, big_columns=supervision.BIG_COLUMNS)
    if note := supervision.shown_note(counts[time_windows.IN_WORK_STOCK]):
        st.caption(note)
    name = unit_options.get(involved or view.scope_unit, "全部单位")  # 责任单位账号：默认就是自己单位
    everything = data.deferred("supervision_ledger", view, **filters, limit=None)
    out.download(
        f"导出 Excel：{md(name)}的在办问题清单（{formats.count(counts[time_windows.IN_WORK_STOCK])} 条）",
        lambda: supervision.unit_workbook(everything(), name, view.as_of),
        rows=counts[time_windows.IN_WORK_STOCK],
        file_name=f"在办问题清单_{name}_{view.as_of:%Y%m%d}.xlsx",
        mime=export.XLSX,
        key="sv_export",
    )

    st.subheader("整改时间线")
    if rows.empty:
        st.info("当前筛选下没有在办问题。")
    else:
        code = st.selectbox(
            f"问题编号（按逾期天数排序，最多列 {formats.count(supervision.PICK_LIMIT)} 条）",
            supervision.pickable(rows),
            key="sv_problem",
        )
        picked = supervision.row_of(rows, code)
        st.markdown(
            f"**{md(code)}**　{md(picked['description'])}　|　牵头：{md(picked['lead_unit'])}"
            f"{'　配合：' + md(picked['coop_units']) if picked['coop_units'] else ''}　|　状态：{md(picked['status'])}"
        )
        events = data.query("supervision_timeline", view, problem_code=code)
        projector.table(supervision.display_timeline(events))

    left, right = st.columns(2)
    with left:
        points = data.query("supervision_burndown", view, involved_unit=involved)
        rounds = data.query("timeline_rounds", view, start=points["at"].min(), end=view.as_of)
        burndown_fig = data.memo(charts.burndown, points, rounds)
        projector.plotly(burndown_fig, key="sv_burndown")
        out.png(burndown_fig, f"在办问题走势_{view.as_of:%Y%m%d}", key="sv_png_burndown")
    with right:
        st.subheader(f"{time_windows.DUE_7_DAYS}（{formats.count(counts[time_windows.DUE_7_DAYS])} 条）")
        due = data.query(
            "supervision_ledger",
            view,
            limit=supervision.DUE_LIMIT,
            **supervision.ledger_params(
                involved_unit=involved, status=status, overdue_only=overdue_only, due_this_week_only=True
            ),
        )
        if due.empty:
            st.success("统计时刻后 7 天内没有到期的在办问题。")
        else:
            projector.table(data.memo(supervision.due_this_week, due))
            if note := supervision.due_note(counts[time_windows.DUE_7_DAYS]):
                st.caption(note)

    if view.scope_unit:
        notices.own_unit_section(out, view)

    frame.definitions(
        [
            "supervision_ledger_summary",
            "supervision_ledger",
            "supervision_timeline",
            "supervision_burndown",
            "timeline_rounds",
        ],
        view.cutoff,
    )
