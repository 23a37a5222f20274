"""通报导出：选周期、统计日与期数，一键生成周通报/推进会幻灯片（PPTX）与 Word 文稿（可转 PDF），并导出红黑榜与在办台账 Excel。"""

import streamlit as st

from chuangwen import briefing, formats, supervision, time_windows
from chuangwen.escape import md
from chuangwen.ui import data, dispatch, export, frame, jobs, notices
from chuangwen.ui.frame import Viewer
from chuangwen.view import View


def _offer(out: export.Exporter, bundle: briefing.Bundle) -> None:
    """生成好的一期：幻灯片、Word 与 PDF、Excel、各单位督办单的下载按钮（都经 Exporter，记审计）。"""
    brief = bundle.brief
    rows = briefing.data_rows(brief)
    st.success(
        f"已生成：{md(brief.title)} 第{brief.issue_no}期（统计区间 {md(brief.period_text)}）　数据指纹 `{brief.short_digest}`",
        icon=":material/check_circle:",
    )
    for note in bundle.notes:
        st.warning(f"{md(note)}（复杂图已改用原生图表，幻灯片照常生成。）", icon=":material/image_not_supported:")
    a, b = st.columns(2)
    with a:
        out.download(
            f"下载幻灯片：{md(bundle.deck_name)}",
            lambda: bundle.deck,
            file_name=bundle.deck_name,
            key="br_download",
            rows=rows,
            mime=export.PPTX,
            icon=":material/download:",
        )
        docx = bundle.docx
        if docx is None:
            st.error(f"Word 文稿没有生成：{md(bundle.docx_error)}", icon=":material/description:")
        else:
            out.download(
                f"下载 Word 通报：{md(bundle.docx_name)}",
                lambda: docx,
                file_name=bundle.docx_name,
                rows=rows,
                key="br_docx",
                mime=briefing.document.DOCX_MIME,
                icon=":material/description:",
            )
            if briefing.document.pdf_available():
                out.download(
                    "下载 PDF（由 Word 文稿转换）",
                    lambda: briefing.document.to_pdf(docx),
                    file_name=bundle.docx_name.replace(".docx", ".pdf"),
                    key="br_pdf",
                    rows=rows,
                    mime="application/pdf",
                    icon=":material/picture_as_pdf:",
                )
            else:
                st.caption(
                    "服务器上没有 LibreOffice，不能转 PDF：请下载 Word 版（装上 libreoffice-writer 后这里会多一个 PDF 按钮）。"
                )
    with b:
        out.download(
            "下载红黑榜 Excel（部门、镇街）",
            lambda: bundle.league_xlsx,
            key="br_league_xlsx",
            rows=briefing.data_rows(brief, briefing.LEAGUE_FRAMES),
            file_name=bundle.deck_name.replace(".pptx", "_红黑榜.xlsx"),
            mime=export.XLSX,
            icon=":material/table:",
        )
        late = len(brief.frames["overdue_list"])
        out.download(
            f"下载逾期问题全部清单 Excel（{formats.count(late)} 条，随 Word 通报发出）",
            lambda: briefing.document.overdue_workbook(brief),
            key="br_overdue_xlsx",
            rows=late,
            file_name=bundle.overdue_xlsx_name,
            mime=export.XLSX,
            icon=":material/table:",
        )
        if rest := briefing.document.annex_rest(brief):
            st.caption(
                f"Word 通报的附件只列逾期最久的 {briefing.document.ANNEX_ROWS} 条，其余 {formats.count(rest)} 条在这份 Excel 里。"
            )
    notices.panel(out, bundle)
    st.subheader("幻灯片目录")
    st.markdown("\n".join(f"{i}. {md(t)}" for i, t in enumerate(briefing.slide_titles(brief), start=1)))


def render(view: View, viewer: Viewer) -> None:
    """画这一页（画框每次运行调用，传入本次的口径与看页面的人）。"""
    out = export.Exporter(view, viewer)

    st.title("通报导出")
    st.caption(
        f"数据截至 {formats.moment(view.cutoff)}　|　幻灯片为 16:9，图表可在 PowerPoint 中编辑数据；"
        "每页页脚与文档属性记录统计时刻和数据指纹，同一统计时刻重新生成数字相同。"
    )

    left, mid, right = st.columns([2, 1, 1])
    period = left.radio(
        "通报周期",
        list(briefing.PERIODS),
        horizontal=True,
        key="br_period",
        format_func=lambda p: {
            "week": "周通报（前 7 天）",
            "month": "月通报（前 30 天）",
            "round": "测评轮次（最近一轮开始至今）",
        }[p],
    )
    day = mid.date_input(
        "统计日",
        value=view.cutoff.date(),
        max_value=view.cutoff.date(),
        key="br_day",
        format="YYYY-MM-DD",
        help="统计日为数据截至那天时取数据截至时刻，更早的日子取当天 23:59:59。",
    )
    issue = right.number_input(
        "期数",
        min_value=1,
        step=1,
        value=None,
        placeholder="自动",
        key="br_issue",
        help="不填时按统计时刻推算：当年第几周 / 第几月 / 第几轮。",
    )
    # 通报总是全县：侧栏的镇街、单位、轮次不用，查看范围照旧
    whole = view.filtered().on_day(day)
    as_of = whole.as_of
    request = (period, as_of, issue, whole.scope_unit)

    if st.button(
        "生成通报（幻灯片、Word 文稿与各单位督办单）", type="primary", icon=":material/slideshow:", key="br_build"
    ):
        con, chosen_issue = data.connection(view.snapshot), int(issue) if issue else None
        # 在后台线程里生成（几秒到几十秒）：这次页面运行马上结束，会话不冻住；进度条每秒刷新，好了再给下载
        jobs.start(
            "br_job",
            request,
            lambda report: briefing.build_bundle(con, whole, period=period, issue_no=chosen_issue, progress=report),
            expected=(briefing.NoData,),
        )

    job = jobs.current("br_job")
    if job is not None and job.request != request:
        st.info("选项已改变，请重新生成。", icon=":material/refresh:")
    elif job is not None and not job.done:
        jobs.progress(job, "正在生成通报")
    elif job is not None and job.error:
        st.error(md(job.error), icon=":material/event_busy:")
    elif job is not None:
        _offer(out, job.result)

    st.subheader("在办问题台账 Excel")
    ledger = supervision.ledger_params()
    open_count = supervision.cards(data.query("supervision_ledger_summary", whole, **ledger))[
        time_windows.IN_WORK_STOCK
    ]
    everything = data.deferred("supervision_ledger", whole, **ledger, limit=None)
    out.download(
        f"下载全部单位在办问题清单（{formats.count(open_count)} 条，统计时刻 {formats.moment(as_of)}）",
        lambda: supervision.unit_workbook(everything(), "全部单位", as_of),
        rows=open_count,
        file_name=f"在办问题清单_全部单位_{as_of:%Y%m%d}.xlsx",
        key="br_ledger_xlsx",
        mime=export.XLSX,
        icon=":material/table:",
    )

    dispatch.archive_panel(out, data.database_path())

    frame.definitions(
        [
            "briefing_data_span",
            "briefing_period_round",
            "overview_problem_summary",
            "league_units",
            "hotspot_summary",
            "supervision_ledger_summary",
            "supervision_ledger",
        ],
        view.cutoff,
    )

    if viewer.may("dispatch"):  # 只有管理员：定时通报的计划、推送渠道、提醒规则
        unit_rows = data.query("ref_units", view, kind=None, search=None)
        dispatch.admin_panel(data.database_path(), viewer, dict(zip(unit_rows["code"], unit_rows["name"])))
