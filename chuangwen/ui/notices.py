"""各单位整改督办单的下载（通报导出页给全部单位，整改督办页给单位账号自己的那一份）：都经 Exporter，记审计。"""

from __future__ import annotations

import streamlit as st

from chuangwen import briefing
from chuangwen.escape import md
from chuangwen.ui import data, export, jobs
from chuangwen.view import View


def panel(out: export.Exporter, bundle: briefing.Bundle, *, own_unit: bool = False) -> None:
    """各单位督办单：全部打包（Word；有 LibreOffice 时另有含 PDF 的包）、发送清单，以及任选一个单位单独下载。
    own_unit：单位账号只有自己那一份。"""
    if not own_unit:
        st.subheader("各责任单位整改督办单")
    ns = bundle.notices
    if ns is None:
        st.error(f"督办单没有生成：{md(bundle.notices_error)}", icon=":material/assignment_late:")
        return
    if not ns.notices:
        st.info("本期没有需要督办的问题（没有逾期或 7 天内到期的问题），不发督办单。", icon=":material/task_alt:")
        return
    pdf = briefing.document.pdf_available()
    if not own_unit:
        st.caption(
            f"{len(ns.notices)} 个单位有逾期或 7 天内到期的问题，各发一份（期号与本期通报相同，数字同一数据指纹）；"
            f"其余 {ns.skipped} 个单位不发，原因见发送清单。"
        )
        c1, c2, c3 = st.columns(3)
        with c1:
            out.download(
                f"下载全部督办单（Word，{len(ns.notices)} 份）",
                lambda: ns.zip_bytes(pdf=False),
                key="br_notices_zip",
                rows=len(ns.notices),
                file_name=ns.zip_name,
                mime="application/zip",
                icon=":material/folder_zip:",
            )
        if pdf:
            with c2:
                out.download(
                    "下载全部督办单（Word 与 PDF）",
                    lambda: ns.zip_bytes(pdf=True),
                    key="br_notices_zip_pdf",
                    rows=len(ns.notices),
                    file_name=ns.zip_name.replace(".zip", "_含PDF.zip"),
                    mime="application/zip",
                    icon=":material/folder_zip:",
                )
        with c3:
            out.download(
                "下载发送清单 Excel",
                ns.roster_workbook,
                key="br_notices_roster",
                rows=len(ns.roster),
                file_name=ns.roster_name,
                mime=export.XLSX,
                icon=":material/checklist:",
            )
        st.dataframe(ns.roster, hide_index=True, height=260)
    names = {n.unit_code: n.unit_name for n in ns.notices}
    codes: list[str] = list(names)
    code = st.selectbox("单位", codes, format_func=lambda c: names.get(c, c), key="br_notice_unit", disabled=own_unit)
    notice = ns.for_unit(code) if code else None
    if notice is None:
        return
    one, two = st.columns(2)
    with one:
        out.download(
            f"下载督办单：{md(notice.unit_name)}（Word）",
            lambda: notice.docx,
            key="br_notice_docx",
            rows=notice.rows,
            file_name=notice.file_name,
            mime=briefing.document.DOCX_MIME,
            icon=":material/description:",
        )
    if pdf:
        with two:
            out.download(
                f"下载督办单：{md(notice.unit_name)}（PDF）",
                lambda: briefing.document.to_pdf(notice.docx),
                key="br_notice_pdf",
                rows=notice.rows,
                file_name=notice.file_name.replace(".docx", ".pdf"),
                mime="application/pdf",
                icon=":material/picture_as_pdf:",
            )


def own_unit_section(out: export.Exporter, view: View) -> None:
    """单位账号（整改督办页）：生成并下载本单位的督办单——与同一统计时刻的周通报同一期号、同一批查询、同一个数据指纹；
    查看范围照旧只有本单位牵头或配合的问题（involves_unit），侧栏的镇街等筛选不用。"""
    st.subheader("本单位整改督办单")
    whole = view.filtered()
    request = ("notice", whole.as_of, whole.scope_unit)
    if st.button("生成本单位督办单（与本周通报同一期号）", key="sv_notice_build", icon=":material/assignment_late:"):
        con = data.connection(data.snapshot_of(view))
        jobs.start(
            "sv_notice_job",
            request,
            lambda report: briefing.build_bundle(con, whole, with_deck=False, progress=report),
            expected=(briefing.NoData,),
        )
    job = jobs.current("sv_notice_job")
    if job is not None and job.request != request:
        st.info("统计时刻已改变，请重新生成。", icon=":material/refresh:")
    elif job is not None and not job.done:
        jobs.progress(job, "正在生成督办单")
    elif job is not None and job.error:
        st.error(md(job.error), icon=":material/event_busy:")
    elif job is not None:
        panel(out, job.result, own_unit=True)
