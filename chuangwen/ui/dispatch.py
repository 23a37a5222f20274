"""定时通报在页面上的几块（页面各调一行）：通报导出页的往期存档（经 Exporter 再下载、记审计）与管理员的计划、渠道、
提醒规则（新建、删除渠道、发测试消息，都记审计）；整改督办页的提醒记录（单位账号只见本单位的）。规则都在 chuangwen.dispatch。"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from chuangwen.dispatch import alerts, archive, channels, runner, schedules, senders
from chuangwen.escape import md
from chuangwen.ui import export, frame
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
            "还没有存档的通报。管理员在本页下方（或用 chuangwen schedule set）开启定时通报后，每期自动生成并存档在这里。",
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


def admin_panel(path: Path, viewer: Viewer, units: dict[str, str]) -> None:
    """管理员：三个定时作业的开关、时间与渠道；渠道（新建、删除、发测试消息；地址遮住密钥）；提醒规则；
    最近的运行与发送（失败写明原因）。units：单位代码 → 名称（单位自己的渠道从中选）。"""
    viewer = frame.require(viewer, "dispatch")
    st.header("定时通报与推送（管理员）", divider="gray")
    if done := st.session_state.pop("ad_dispatch_done", None):
        st.success(md(done), icon=":material/check_circle:")
    for line in runner.dangling(path):
        st.warning(md(line), icon=":material/link_off:")
    st.subheader("定时通报")
    known = [c.name for c in channels.listing(path)]
    for s in schedules.listing(path):
        with st.form(f"ad_sched_{s.job}"):
            c1, c2, c3 = st.columns([1, 1, 2])
            on = c1.checkbox(f"开启{s.name}", value=s.enabled)
            at = c2.text_input(
                "时间",
                value=schedules.chinese(s.job, s.at_text),
                max_chars=20,
                help="每周写 周五 17:00；每月写 1日 09:00（1–28 号）；测评轮次通报只写 09:00（轮次结束后第二天）",
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
                    _done(f"已保存{s.name}。")
    _channels(path, viewer, units)
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
                    _done(f"已保存规则“{r.name}”。")
    st.subheader("最近的运行与发送")
    ran = runner.runs(path)
    for run in [run for run in ran if run["状态"].startswith("失败")][:3]:
        retry = f"{run['下次重试'][:16]} 重试" if run["下次重试"] else "不再自动重试，请查看原因后在本页上方手工生成"
        st.warning(
            md(f"{run['作业']} {run['周期']} 生成失败（已试 {run['已试次数']} 次）：{run['原因']}；{retry}"),
            icon=":material/error:",
        )
    if ran:
        st.dataframe(pd.DataFrame(ran), hide_index=True, width="stretch")
    else:
        st.caption("还没有运行记录：到了计划的时间由定时任务生成（或命令行 chuangwen schedule run）。")
    sent = runner.deliveries(path)
    failed = [d for d in sent if d["状态"] in ("没有发出", "待重试", "已发出（部分文件没发）")]
    for d in failed[:5]:
        st.warning(md(f"{d['渠道']}（{d['作业']} {d['周期']}）{d['状态']}：{d['说明']}"), icon=":material/sms_failed:")
    if sent:
        st.dataframe(pd.DataFrame(sent), hide_index=True, width="stretch")
    else:
        st.caption("还没有发送记录。")


def _done(message: str) -> None:
    """改动成功：重跑一次让各处（渠道表、选择框）都换成新的，再在顶上说一句。"""
    st.session_state["ad_dispatch_done"] = message
    st.rerun()


def _channels(path: Path, viewer: Viewer, units: dict[str, str]) -> None:
    """推送渠道：表（地址遮住密钥）、新建（地址与加签密钥用口令框，不回显）、删除（先确认）、发测试消息。"""
    st.subheader("推送渠道")
    rows = channels.listing(path)
    used = runner.naming(path)
    if rows:  # 没有渠道时右边一句话说明（空表写着英文“empty”）
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "名称": c.name,
                        "种类": c.kind_text,
                        "地址（密钥已遮住）": c.shown_url,
                        "加签": "有" if c.signed else "",
                        "单位": units.get(c.unit_code, c.unit_code) if c.unit_code else "",
                        "用在": "、".join(used.get(c.name, [])),
                    }
                    for c in rows
                ],
                columns=["名称", "种类", "地址（密钥已遮住）", "加签", "单位", "用在"],
            ),
            hide_index=True,
            width="stretch",
        )
    add, manage = st.columns(2)
    with add, st.form("ad_channel_add", clear_on_submit=True):
        st.markdown("**新建渠道**")
        name = st.text_input("名称", max_chars=40, help="汉字、字母、数字、点、下划线与连字符，1–40 个字")
        kind = st.selectbox("种类", list(channels.KINDS), format_func=lambda k: channels.KINDS[k])
        url = st.text_input(
            "地址",
            type="password",
            max_chars=2000,
            help="机器人或 Webhook 的 http(s) 地址；邮件写 smtp://用户名@服务器:端口?from=发件人&to=收件人（口令填在下面一栏）。"
            "地址里的 key、口令是密钥：只存进服务器上 0600 的密钥文件，保存后只显示遮住的地址",
        )
        password = st.text_input(
            "邮件口令（只用于邮件，可不填）",
            type="password",
            max_chars=200,
            help="SMTP 登录口令；含 @、: 等字符也照填，不必写进地址",
        )
        secret = st.text_input(
            "加签密钥（只用于钉钉/浙政钉，可不填）",
            type="password",
            max_chars=200,
            help="机器人安全设置里“加签”一栏 SEC 开头的那串",
        )
        unit = st.selectbox(
            "单位（可不选：责任单位自己的渠道只收本单位的督办单与提醒）",
            [None, *units],
            format_func=lambda c: "（不绑定，创建办的群）" if c is None else f"{units[c]}（{c}）",
        )
        if st.form_submit_button("新建渠道", type="primary", icon=":material/add_link:"):
            try:
                made = channels.add(
                    path,
                    name.strip(),
                    kind,
                    url,
                    frame.require(viewer, "dispatch").name,
                    unit_code=unit,
                    password=password or None,
                    sign_secret=secret or None,
                    replace=False,
                    page=viewer.page,
                )
            except channels.ChannelError as exc:
                st.error(md(exc), icon=":material/error:")
            else:
                _done(f"已新建渠道 {made.name}：{made.kind_text} {made.shown_url}" + ("，加签" if made.signed else ""))
    with manage:
        if not rows:
            st.info("还没有渠道：在左边新建（或用 chuangwen channel add）。", icon=":material/link:")
            return
        st.markdown("**试发与删除**")
        picked = st.selectbox("渠道", [c.name for c in rows], key="ad_channel_pick")
        test, drop = st.columns(2)
        if test.button("发一条测试消息", key="ad_channel_test", icon=":material/send:"):
            try:
                st.success(
                    md(runner.send_test(path, picked, frame.require(viewer, "dispatch").name, page=viewer.page)),
                    icon=":material/check_circle:",
                )
            except senders.SendError as exc:
                st.error(md(f"测试消息没有发出：{exc}"), icon=":material/sms_failed:")
        if drop.button("删除…", key="ad_channel_drop", icon=":material/delete:"):
            st.session_state["ad_channel_confirm"] = picked
        confirm = st.session_state.get("ad_channel_confirm")
        if confirm == picked:
            users = used.get(picked, [])
            st.warning(
                md(
                    f"确认删除渠道 {picked}（连同它的密钥）？"
                    + (
                        f"{'、'.join(users)}还写着它：删除后不会再发到它，请之后改选渠道。"
                        if users
                        else "没有计划或规则用它。"
                    )
                ),
                icon=":material/warning:",
            )
            yes, no = st.columns(2)
            if yes.button("确认删除", type="primary", key="ad_channel_drop_yes"):
                st.session_state.pop("ad_channel_confirm", None)
                try:
                    channels.remove(path, picked, frame.require(viewer, "dispatch").name, page=viewer.page)
                except channels.ChannelError as exc:
                    st.error(md(exc), icon=":material/error:")
                else:
                    _done(f"已删除渠道 {picked}。")
            if no.button("取消", key="ad_channel_drop_no"):
                st.session_state.pop("ad_channel_confirm", None)
                st.rerun()


def alerts_panel(path: Path, scope_unit: str | None) -> None:
    """提醒记录：何时提醒了什么、发到哪里、何时发出；单位账号只见本单位的。"""
    st.subheader("提醒记录")
    rows = alerts.listing(path, unit_code=scope_unit)
    if not rows:
        st.caption("还没有提醒（逾期达到提醒线、发现负面清单问题、单位逾期数越线时，定时任务会提醒牵头单位）。")
        return
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=280)
