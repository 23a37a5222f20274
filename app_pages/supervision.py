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

    views = projector.header("整改督办", "sv_projector", viewer)
    big = views.on
    if frame.without_problems(view):
        st.stop()
    st.caption(
        f"数据截至 {formats.moment(view.cutoff)}　|　统计时刻 {formats.moment(view.as_of)}"
        + ("" if big else f"（状态、逾期均按该时刻回放整改记录）　|　{time_windows.STOCK_LEGEND}")
    )

    # 推进会：在办与逾期、台账（最要紧的几屏）、整改时间线、在办问题走势、7 天内到期各一屏；筛选只在第一屏，翻屏时记住
    first = views.show("在办与逾期")
    projector.keep(supervision.WIDGET_KEYS)
    unit_options = data.memo(supervision.unit_options, data.query("ref_filter_options", view))
    if not big or first:
        left, mid, right = st.columns([2, 1, 1])
        left.selectbox(
            "涉及单位（牵头或配合）",
            [frame.ALL, *unit_options],
            key="sv_unit",
            format_func=lambda c: unit_options.get(c, c),
        )
        mid.selectbox("当前状态", [frame.ALL, *supervision.OPEN_STATUSES], key="sv_status")
        right.checkbox("只看逾期", key="sv_overdue")
    involved, status, overdue_only = supervision.filters_of(st.session_state)

    filters = supervision.ledger_params(involved_unit=involved, status=status, overdue_only=overdue_only)
    counts = supervision.cards(data.query("supervision_ledger_summary", view, **filters))
    if first:
        for col, (label, value) in zip(st.columns(len(counts)), counts.items()):
            col.metric(
                label,
                formats.count(value),
                border=True,
                help=frame.metric_help("supervision_ledger_summary", label, view.cutoff),
            )

    # 浏览器里只放最要紧的一段（台账按逾期天数从多到少排好）；全部在 Excel 里，点了下载才取
    rows = data.query("supervision_ledger", view, **filters, limit=supervision.PICK_LIMIT)
    table = data.memo(supervision.display_ledger, supervision.shown(rows, big))
    for part in views.paged("在办问题台账", table):
        st.subheader("在办问题台账")
        projector.table(part, height=420, big_columns=supervision.BIG_COLUMNS)
        if note := supervision.shown_note(counts[time_windows.IN_WORK_STOCK], len(table)):
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

    if views.show("整改时间线"):
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

    left, right = projector.columns(2) if big else st.columns(2)
    if views.show("在办问题走势"):
        with left:
            points = data.query("supervision_burndown", view, involved_unit=involved)
            rounds = data.query("timeline_rounds", view, start=points["at"].min(), end=view.as_of)
            burndown_fig = data.memo(charts.burndown, points, rounds)
            projector.plotly(burndown_fig, key="sv_burndown")
            out.png(burndown_fig, f"在办问题走势_{view.as_of:%Y%m%d}", key="sv_png_burndown")
    due = data.query(
        "supervision_ledger",
        view,
        limit=supervision.DUE_LIMIT,
        **supervision.ledger_params(
            involved_unit=involved, status=status, overdue_only=overdue_only, due_this_week_only=True
        ),
    )
    due_title = f"{time_windows.DUE_7_DAYS}（{formats.count(counts[time_windows.DUE_7_DAYS])} 条）"
    if due.empty:
        if views.show(time_windows.DUE_7_DAYS):
            with right:
                st.subheader(due_title)
                st.success("统计时刻后 7 天内没有到期的在办问题。")
    else:
        listed = data.memo(supervision.due_this_week, supervision.shown(due, big))
        for part in views.paged(time_windows.DUE_7_DAYS, listed):
            with right:
                st.subheader(due_title)
                projector.table(part)
                if note := supervision.due_note(counts[time_windows.DUE_7_DAYS], len(listed)):
                    st.caption(note)
    views.finish()

    if view.scope_unit and not big:
        notices.own_unit_section(out, view)

    projector.definitions(
        [
            "supervision_ledger_summary",
            "supervision_ledger",
            "supervision_timeline",
            "supervision_burndown",
            "timeline_rounds",
        ],
        view.cutoff,
    )
