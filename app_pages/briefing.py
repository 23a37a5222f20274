"""通报导出：选周期、统计日与期数，一键生成周通报/推进会幻灯片（PPTX）与 Word 文稿（可转 PDF），并导出红黑榜与在办台账 Excel。"""

import streamlit as st

from chuangwen import briefing, formats, supervision, time_windows
from chuangwen.escape import md
from chuangwen.ui import data, export, frame
from chuangwen.ui.frame import Viewer
from chuangwen.view import View


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

    if st.button("生成通报（幻灯片与 Word 文稿）", type="primary", icon=":material/slideshow:", key="br_build"):
        with st.spinner("正在取数并生成幻灯片与文稿……"):
            try:
                deck, brief = briefing.build(
                    data.connection(view.snapshot),
                    whole,
                    period=period,
                    issue_no=int(issue) if issue else None,
                    shared=data.shared(view),
                )
            except briefing.NoData as exc:
                st.session_state.pop("br_result", None)
                st.error(md(exc), icon=":material/event_busy:")
            else:
                try:
                    docx, docx_error = briefing.document.build(brief), None
                except briefing.document.TemplateError as exc:  # 模板写错：不生成文稿，说明哪一行
                    docx, docx_error = None, str(exc)
                st.session_state["br_result"] = {
                    "request": request,
                    "deck": deck,
                    "name": briefing.file_name(brief),
                    "docx": docx,
                    "docx_error": docx_error,
                    "docx_name": briefing.document.file_name(brief),
                    "titles": briefing.slide_titles(brief),
                    "digest": brief.digest,
                    "notes": list(brief.notes),
                    "xlsx": briefing.league_workbook(brief),
                    "title": f"{brief.title} 第{brief.issue_no}期",
                    "rows": briefing.data_rows(brief),
                    "league_rows": briefing.data_rows(brief, briefing.LEAGUE_FRAMES),
                    "period": brief.period_text,
                }

    result = st.session_state.get("br_result")
    if result and result["request"] == request:
        st.success(
            f"已生成：{md(result['title'])}（统计区间 {md(result['period'])}）　数据指纹 `{result['digest'][:12]}`",
            icon=":material/check_circle:",
        )
        for note in result["notes"]:
            st.warning(f"{md(note)}（复杂图已改用原生图表，幻灯片照常生成。）", icon=":material/image_not_supported:")
        a, b = st.columns(2)
        deck, xlsx, docx = result["deck"], result["xlsx"], result["docx"]
        with a:
            out.download(
                f"下载幻灯片：{md(result['name'])}",
                lambda: deck,
                file_name=result["name"],
                key="br_download",
                rows=result["rows"],
                mime=export.PPTX,
                icon=":material/download:",
            )
            if docx is None:
                st.error(f"Word 文稿没有生成：{md(result['docx_error'])}", icon=":material/description:")
            else:
                out.download(
                    f"下载 Word 通报：{md(result['docx_name'])}",
                    lambda: docx,
                    file_name=result["docx_name"],
                    rows=result["rows"],
                    key="br_docx",
                    mime=briefing.document.DOCX_MIME,
                    icon=":material/description:",
                )
                if briefing.document.pdf_available():
                    out.download(
                        "下载 PDF（由 Word 文稿转换）",
                        lambda: briefing.document.to_pdf(docx),
                        file_name=result["docx_name"].replace(".docx", ".pdf"),
                        key="br_pdf",
                        rows=result["rows"],
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
                lambda: xlsx,
                key="br_league_xlsx",
                rows=result["league_rows"],
                file_name=result["name"].replace(".pptx", "_红黑榜.xlsx"),
                mime=export.XLSX,
                icon=":material/table:",
            )
        st.subheader("幻灯片目录")
        st.markdown("\n".join(f"{i}. {md(t)}" for i, t in enumerate(result["titles"], start=1)))
    elif result:
        st.info("选项已改变，请重新生成。", icon=":material/refresh:")

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
