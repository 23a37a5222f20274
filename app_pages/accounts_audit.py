"""账号与审计（管理员）：建账号、改角色、重设口令、停用与恢复；查看与导出审计记录；查看当前设置。

账号与审计都在库旁的状态库（chuangwen.statedb），规则在 chuangwen.accounts；本页只读控件、调核心、画结果。
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from chuangwen import accounts, excel, settings, statedb
from chuangwen.escape import md
from chuangwen.ui import data, export, frame
from chuangwen.ui.frame import Viewer
from chuangwen.view import View
from chuangwen.vocabulary import ROLE_UNIT


def render(view: View, viewer: Viewer) -> None:
    """画这一页（画框每次运行调用，传入本次的口径与看页面的人）。"""
    out = export.Exporter(view, viewer)
    who = frame.require(viewer, "users")  # 导航里只有管理员有这一页；直接构造请求也到此为止
    path = data.database_path()
    unit_rows = data.query("ref_units", view, kind=None, search=None)
    units = dict(zip(unit_rows["code"], unit_rows["name"]))  # 单位代码 → 名称（表单里按名称选）
    unit_kinds = dict(zip(unit_rows["code"], unit_rows["kind"]))

    def unit_label(code: str | None) -> str:
        return "（不绑定）" if code is None else f"{units[code]}（{unit_kinds[code]}）"

    st.title("账号与审计")
    if done := st.session_state.pop("ad_done", None):
        st.success(md(done), icon=":material/check_circle:")

    def changed(message: str) -> None:
        st.session_state["ad_done"] = message
        st.rerun()

    tab_users, tab_audit, tab_settings = st.tabs(["账号", "审计记录", "当前设置"])

    with tab_users:
        rows = accounts.accounts(path)
        st.dataframe(accounts.accounts_table(rows, units), hide_index=True, width="stretch")
        st.caption(
            "口令只存 argon2id 散列；改角色、重设口令、停用都立即结束这个账号已登录的会话。命令行也可管理账号：chuangwen user --help。"
        )
        names = [r["name"] for r in rows]
        add_col, edit_col = st.columns(2)
        with add_col, st.form("ad_add", clear_on_submit=True):
            st.markdown("**新建账号**")
            name = st.text_input("登录名（汉字、字母、数字或 . - _ @）", max_chars=32)
            role = st.selectbox("角色", accounts.ROLES, index=0)
            unit = st.selectbox(
                "单位（只用于责任单位账号，可输入名称查找）",
                [None, *units],
                format_func=unit_label,
            )
            first = st.text_input(
                "初始口令（告诉本人后请其登录后自己改）", type="password", max_chars=256, help=accounts.password_rule()
            )
            if st.form_submit_button("新建", type="primary", icon=":material/person_add:"):
                try:
                    accounts.add(
                        path,
                        name,
                        role,
                        first,
                        unit_code=unit if role == ROLE_UNIT else None,
                        units=units,
                        by=who.name,
                    )
                except accounts.AccountError as exc:
                    st.error(md(exc), icon=":material/error:")
                else:
                    changed(f"已新建账号 {name}（{role}）。")
        with edit_col:
            if not names:
                st.info("还没有账号。")
            else:
                target = st.selectbox("改哪个账号", names, key="ad_target")
                current = next(r for r in rows if r["name"] == target)
                # 表单从这个账号现在的角色与单位开始（按账号与它最近一次变动另起控件）：不动它就什么都不会改
                version = f"{target}_{current['changed_at']}"
                with st.form(f"ad_role_{version}"):
                    new_role = st.selectbox(
                        "角色",
                        accounts.ROLES,
                        index=accounts.ROLES.index(current["role"]),
                        key=f"ad_new_role_{version}",
                    )
                    unit_options = [None, *units]
                    new_unit = st.selectbox(
                        "单位（只用于责任单位账号，可输入名称查找）",
                        unit_options,
                        index=unit_options.index(current["unit_code"]) if current["unit_code"] in units else 0,
                        format_func=unit_label,
                        key=f"ad_new_unit_{version}",
                    )
                    asked = st.form_submit_button("改角色或单位…", icon=":material/badge:")
                if asked:
                    wanted = (new_role, new_unit if new_role == ROLE_UNIT else None)
                    try:
                        accounts.check_role(*wanted, units)
                    except accounts.AccountError as exc:
                        st.error(md(exc), icon=":material/error:")
                    else:
                        sentence = accounts.role_change(target, (current["role"], current["unit_code"]), wanted, units)
                        if sentence is None:
                            st.info(f"{md(target)} 的角色与单位都没有变，什么都没改。", icon=":material/info:")
                            st.session_state.pop("ad_pending_role", None)
                        else:
                            st.session_state["ad_pending_role"] = (version, wanted, sentence)
                pending = st.session_state.get("ad_pending_role")
                if pending is not None and pending[0] == version:
                    st.warning(md(pending[2]), icon=":material/warning:")
                    c1, c2 = st.columns(2)
                    if c1.button("确认修改", type="primary", key="ad_role_confirm", icon=":material/check:"):
                        st.session_state.pop("ad_pending_role", None)
                        try:
                            accounts.set_role(
                                path, target, pending[1][0], unit_code=pending[1][1], units=units, by=who.name
                            )
                        except accounts.AccountError as exc:
                            st.error(md(exc), icon=":material/error:")
                        else:
                            changed(
                                f"已把 {target} 改为{accounts.role_label(pending[1][0], pending[1][1], units)}，"
                                "它已登录的会话已结束。"
                            )
                    if c2.button("取消", key="ad_role_cancel", icon=":material/close:"):
                        st.session_state.pop("ad_pending_role", None)
                        st.rerun()
                with st.form("ad_password", clear_on_submit=True):
                    reset = st.text_input("重设口令", type="password", max_chars=256, help=accounts.password_rule())
                    if st.form_submit_button("重设口令", icon=":material/key:"):
                        try:
                            accounts.set_password(path, target, reset, by=who.name)
                        except accounts.AccountError as exc:
                            st.error(md(exc), icon=":material/error:")
                        else:
                            changed(f"已重设 {target} 的口令，并结束了它已登录的会话。")
                disabled = next(r["disabled"] for r in rows if r["name"] == target)
                if st.button(
                    "恢复账号" if disabled else "停用账号",
                    key="ad_disable",
                    icon=":material/lock_open:" if disabled else ":material/block:",
                ):
                    try:
                        accounts.set_disabled(path, target, not disabled, by=who.name)
                    except accounts.AccountError as exc:
                        st.error(md(exc), icon=":material/error:")
                    else:
                        changed(f"已{'恢复' if disabled else '停用'}账号 {target}。")

    with tab_audit:
        users, actions = statedb.audit_choices(path)
        c1, c2, c3 = st.columns([1, 1, 2])
        user = c1.selectbox("谁", [None, *users], format_func=lambda u: "（全部）" if u is None else u, key="ad_user")
        action = c2.selectbox(
            "操作", [None, *actions], format_func=lambda a: "（全部）" if a is None else a, key="ad_action"
        )
        today = datetime.now().date()
        span = c3.date_input("日期", statedb.recent_days(today), key="ad_span")
        start, end = (span[0], span[-1]) if isinstance(span, (tuple, list)) and span else (today, today)
        since, until = statedb.day_window(start, end)
        shown = statedb.audit(path, 500, user=user, action=action, since=since, until=until)
        table = statedb.audit_table(shown)
        if table.empty:
            st.caption("这段日期里没有符合条件的审计记录。")
        else:
            st.dataframe(table, hide_index=True, width="stretch", height=420)
        everything = len(statedb.audit(path, None, user=user, action=action, since=since, until=until))
        st.caption(
            f"共 {everything:,} 条{'，这里显示最近 500 条' if everything > 500 else ''}；新的在前。"
            "审计记录只追加：看板与命令行都不能改、不能删（状态库里的触发器拒绝）。"
        )

        def workbook() -> bytes:
            rows = statedb.audit(path, None, user=user, action=action, since=since, until=until)
            return excel.to_xlsx(
                {"审计记录": statedb.audit_table(rows)}, note=f"创文看板审计记录　{start} 至 {end}　导出人 {who.name}"
            )

        out.download(
            f"导出审计记录 Excel（{everything:,} 条）",
            workbook,
            rows=everything,
            key="ad_audit_xlsx",
            file_name=f"审计记录_{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
            mime=export.XLSX,
            icon=":material/table:",
        )

    with tab_settings:
        st.subheader("本县与目标名次（库的设置）")
        st.caption("存在库旁的状态库，优先于下面的环境变量与库内默认值；改动记入审计，看板下一次刷新即用它。")
        frame.county_form(view, viewer, "ad_county")
        st.subheader("服务器设置（环境变量）")
        st.dataframe(pd.DataFrame(settings.current()), hide_index=True, width="stretch")
        st.caption("设置由服务器启动时的环境变量决定（见 README 的设置表）；改了要重启看板。")
        st.caption("定时通报的计划、推送渠道与提醒规则在“通报导出”页下方（管理员可见）。")
