"""定时通报在页面上的几块（页面各调一行）：通报导出页的往期存档（经 Exporter 再下载、记审计）、账号与审计页的
计划与渠道（管理员改、记审计）、整改督办页的提醒记录（单位账号只见本单位的）。规则都在 chuangwen.dispatch。"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from chuangwen.dispatch import alerts, archive, channels, runner, schedules
from chuangwen.escape import md
from chuangwen.ui import export
from chuangwen.ui.frame import Viewer

_MIME = {
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
    ".xlsx": export.XLSX,
}


def archive_panel(out: export.Exporter, path: Path) -> None:
    """往期通报：定时生成存档的每一期（期号、周期、统计区间、数据截至、数据指纹、存档时间），选一期再下载它的文件。"""
    st.subheader("往期通报（定时生成的存档）")
    rows = archive.issues(path)
    if not rows:
        st.info(
            "还没有存档的通报。管理员在“账号与审计”页（或用 chuangwen schedule set）开启定时通报后，每期自动生成并存档在这里。",
            icon=":material/inventory_2:",
        )
        return
    st.dataframe(pd.DataFrame(archive.issue_table(rows)), hide_index=True, width="stretch")
    wanted = st.query_params.get("archive")  # 推送消息里的链接带 ?archive=编号
    ids = [r["id"] for r in rows]
    labels = {r["id"]: f"{r['title']} 第 {r['issue_no']} 期（{r['period']}）" for r in rows}
    picked = st.selectbox(
        "下载哪一期",
        ids,
        index=ids.index(int(wanted)) if wanted and wanted.isdigit() and int(wanted) in ids else 0,
        format_func=lambda i: labels[i],
        key="br_archive_pick",
    )
    for f in archive.files(path, picked):
        name = f["name"]
        out.download(
            f"下载 {md(name)}",
            _reader(path, picked, name),
            file_name=name,
            key=f"br_archive_{picked}_{name}",
            mime=_MIME.get(Path(name).suffix.lower(), "application/octet-stream"),
            icon=":material/download:",
        )
    st.caption("存档文件下载前核对登记的 SHA-256；每次下载记一条审计。")


def _reader(path: Path, issue_id: int, name: str) -> Callable[[], bytes]:
    """点了下载才读存档文件（并核对 SHA-256）。"""
    return lambda: archive.read(path, issue_id, name)


def admin_panel(path: Path, viewer: Viewer) -> None:
    """管理员：三个定时作业的开关、时间与渠道；渠道（地址遮住密钥）；提醒规则；最近的运行与发送（失败写明原因）。"""
    st.subheader("定时通报")
    known = [c.name for c in channels.listing(path)]
    for s in schedules.listing(path):
        with st.form(f"ad_sched_{s.job}"):
            c1, c2, c3 = st.columns([1, 1, 2])
            on = c1.checkbox(f"开启{s.name}", value=s.enabled)
            at = c2.text_input(
                "时间", value=s.at_text, max_chars=20, help="每周 fri 17:00 或 周五 17:00；每月 1 09:00；轮次 09:00"
            )
            chosen = c3.multiselect(
                "发到", known, default=[c for c in s.channels if c in known], placeholder="（不发，只存档）"
            )
            if st.form_submit_button("保存", icon=":material/save:"):
                try:
                    schedules.set_schedule(
                        path, s.job, viewer.name, at_text=at, channels=chosen, enabled=on, page=viewer.page
                    )
                except schedules.ScheduleError as exc:
                    st.error(md(exc), icon=":material/error:")
                else:
                    st.success(f"已保存{md(s.name)}。", icon=":material/check_circle:")
    st.subheader("推送渠道")
    st.dataframe(
        pd.DataFrame(
            [
                {"名称": c.name, "种类": c.kind_text, "地址（密钥已遮住）": c.shown_url, "单位": c.unit_code or ""}
                for c in channels.listing(path)
            ],
            columns=["名称", "种类", "地址（密钥已遮住）", "单位"],
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption("新建、删除渠道用命令行：chuangwen channel add/remove（地址里的密钥不经过浏览器）。")
    st.subheader("提醒规则")
    for r in alerts.settings(path):
        with st.form(f"ad_rule_{r.kind}"):
            c1, c2, c3 = st.columns([2, 1, 2])
            on = c1.checkbox(f"开启：{r.name}", value=r.enabled)
            threshold = (
                c2.number_input(f"阈值（{alerts.RULES[r.kind].unit}）", min_value=1, value=int(r.threshold), step=1)
                if r.threshold is not None
                else None
            )
            chosen = c3.multiselect(
                "另发到（创建办的群）",
                known,
                default=[c for c in r.channels if c in known],
                placeholder="（只发牵头单位自己的渠道）",
            )
            if st.form_submit_button("保存", icon=":material/save:"):
                try:
                    alerts.set_rule(
                        path,
                        r.kind,
                        viewer.name,
                        threshold=None if threshold is None else int(threshold),
                        channels=chosen,
                        enabled=on,
                        page=viewer.page,
                    )
                except alerts.AlertError as exc:
                    st.error(md(exc), icon=":material/error:")
                else:
                    st.success(f"已保存规则“{md(r.name)}”。", icon=":material/check_circle:")
    st.subheader("最近的运行与发送")
    st.dataframe(pd.DataFrame(runner.runs(path)), hide_index=True, width="stretch")
    sent = runner.deliveries(path)
    failed = [d for d in sent if d["状态"] in ("没有发出", "待重试", "已发出（部分文件没发）")]
    for d in failed[:5]:
        st.warning(md(f"{d['渠道']}（{d['作业']} {d['周期']}）{d['状态']}：{d['说明']}"), icon=":material/sms_failed:")
    st.dataframe(pd.DataFrame(sent), hide_index=True, width="stretch")


def alerts_panel(path: Path, scope_unit: str | None) -> None:
    """提醒记录：何时提醒了什么、发到哪里、何时发出；单位账号只见本单位的。"""
    st.subheader("提醒记录")
    rows = alerts.listing(path, unit_code=scope_unit)
    if not rows:
        st.caption("还没有提醒（逾期达到提醒线、发现负面清单问题、单位逾期数越线时，定时任务会提醒牵头单位）。")
        return
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=280)
