"""数据管理：下载模板、上传文件、列映射（选列、整列的值、取值对照；预设与映射文件）、预览将写入的样子、校验、导入、
下载报告、导入记录与回滚。

页面只读控件、调核心（chuangwen.imports）、画结果。写入与命令行同一条路径（chuangwen.db.writer → 发布新快照），
从不关闭别的会话在用的连接；发布后各页面下一次运行读新版本。
"""

from __future__ import annotations

import itertools

import streamlit as st

from chuangwen import backup, db, imports, settings, statedb, store
from chuangwen.escape import md
from chuangwen.imports import boundaries, preview, templates
from chuangwen.imports.kinds import KINDS
from chuangwen.ui import data, export, frame, mapping_form
from chuangwen.ui.frame import Viewer
from chuangwen.view import View


def render(view: View | None, viewer: Viewer) -> None:
    """画这一页（画框每次运行调用，传入本次的口径与看页面的人）。空库时没有口径（view 为 None），照样能导入。"""
    snapshot = view.snapshot if view is not None else data.pin()
    out = export.Exporter(view, viewer)
    PAGE = viewer.page
    SUPPORTED = [  # 最常用的在前
        "problems",
        "events",
        "units",
        "sites",
        "framework",
        "scores",
        "deductions",
        "sampling_plan",
        "scoring_rules",
        "category_standards",
    ]
    UPLOAD_LIMIT_MB = imports.MAX_MB  # 与导入程序自己的上限一致；服务器上限同值（chuangwen.server）
    WRITING = "正在写入并发布新的数据版本……（如有别人正在导入，会排队等待）"
    VERDICT = {"success": st.success, "warning": st.warning, "error": st.error}
    ICONS = {"success": ":material/check_circle:", "warning": ":material/warning:", "error": ":material/error:"}

    def published(message: str, icon: str) -> None:
        """写入成功：新版本已发布。重跑本页，让导入记录等都读新版本（本次运行钉在旧版本上），结果说明留到重跑后显示。"""
        st.session_state["dm_published"] = (message, icon)
        st.rerun()

    def _tabular(kind: str, upload) -> None:
        """表格类导入：选项、列映射（表单，应用后才校验一次）、校验、预览、导入。出错时只结束本函数，导入记录与模板照常显示。"""
        o1, o2 = st.columns(2)
        create_missing = o1.checkbox(
            "自动新增库中没有的单位、镇街、类别",
            key="dm_create",
            help="第一次导入时使用；新增的名称会列在报告里，回滚时一并删除",
        )
        partial = o2.checkbox("只导入通过校验的行", key="dm_partial", help="默认整批：有任何错误就一行都不写入")

        if upload is None:
            st.info(
                "先选择文件。表头与模板不同的表格，可在“列映射”里为每个模板列选对应的列、填整列的值、对照状态等取值，"
                "存为预设（同样的表头下次自动选上），或下载成命令行用的映射文件。",
                icon=":material/upload_file:",
            )
            return
        raw = upload.getvalue()
        con = data.connection(snapshot)
        try:
            src = mapping_form.source(str(path), raw, upload.name, kind)
        except imports.ReadError as exc:
            st.error(md(exc), icon=":material/error:")
            return
        mapping = mapping_form.panel(str(path), kind, src, con, viewer, out, published)
        if mapping is None:
            st.info(f"列映射还没有应用：在“列映射”里选好后点“{mapping_form.APPLY}”，才会校验。", icon=":material/rule:")
            return
        prep = mapping_form.validated(
            con,
            src,
            kind,
            mapping,
            create_missing=create_missing,
            chosen=statedb.office_settings(path),
            snapshot_key=snapshot.key,
        )
        counts = preview.summary(prep)
        m = st.columns(6)
        for col, (label, value) in zip(m, counts.items()):
            col.metric(label, f"{value:,}")
        level, verdict = preview.verdict(prep, partial=partial)
        VERDICT[level](md(verdict), icon=ICONS[level])
        st.subheader("预览：将写入的前 20 行")
        stored = preview.stored_rows(prep)
        if not stored:
            st.caption(preview.nothing_to_write(prep))
        for label, frame_ in stored.items():
            st.caption(label)
            st.dataframe(frame_, hide_index=True, width="stretch")
        if len(prep.issues):
            st.subheader("校验报告")
            shown = preview.report_head(prep)
            st.dataframe(shown, hide_index=True, width="stretch", height=240)
            if len(shown) < len(prep.issues):
                st.caption(f"共 {len(prep.issues):,} 条，这里列出前 {len(shown):,} 条（错误在前）；完整的报告请下载。")
            out.download(
                "下载校验报告与被拒的行（.xlsx）",
                lambda: preview.report_workbook(prep),
                file_name="导入校验报告.xlsx",
                key="dm_dl_report",
                mime=export.XLSX,
                rows=len(prep.issues),
                icon=":material/download:",
            )
        can_write = (prep.errors == 0 or partial) and counts["通过"] > 0
        if st.button("导入", type="primary", key="dm_import", disabled=not can_write, icon=":material/upload:"):
            try:
                with st.spinner(WRITING):
                    result = imports.run_import(
                        path,
                        raw,
                        upload.name,
                        kind,
                        mapping,
                        partial=partial,
                        create_missing=create_missing,
                        imported_by=frame.require(viewer, "import").name,
                        page=PAGE,
                        place=imports.PAGE,
                        header_row=src.header_row,
                    )
            except (imports.ImportFailed, db.DatabaseError) as exc:
                st.error(md(exc), icon=":material/error:")
            else:
                published(md(result.summary()), ":material/check_circle:")

    who = frame.require(viewer, "import")  # 导航里只有能导入的角色才有这一页；直接构造请求也到此为止
    st.title("数据管理")
    st.caption(
        "导入问题台账、整改记录、责任单位、点位、测评体系、测评成绩、扣分明细（Excel / CSV）与镇街边界：先校验、再写入；同一文件重复导入不会重复添加；每次导入都可回滚。"
    )
    path = data.database_path()
    if done := st.session_state.pop("dm_published", None):
        st.success(done[0], icon=done[1])
    tab_import, tab_log, tab_versions, tab_tpl = st.tabs(["导入", "导入记录", "数据版本", "模板下载"])

    with tab_tpl:
        st.markdown(
            "建议导入顺序：**责任单位 → 点位 → 测评体系 → 抽样方案、扣分方式、类别对照（丢分预警用） → 测评成绩 → 扣分明细 → "
            "问题台账 → 整改记录**。"
            "每个模板第一张表填数据，第二张是填写说明；红色表头为必填。"
        )
        for where, key in zip(itertools.cycle(st.columns(4)), templates.ORDER):
            label = KINDS[key].label
            with where:
                out.download(
                    label,
                    lambda key=key: templates.build(key),
                    file_name=templates.file_name(key),
                    mime=export.XLSX,
                    key=f"dm_tpl_{key}",
                    icon=":material/download:",
                )

    with tab_import:
        left, right = st.columns([1, 2])
        kind = left.selectbox(
            "导入什么",
            [*SUPPORTED, "boundaries"],
            key="dm_kind",
            format_func=lambda k: "镇街边界" if k == "boundaries" else KINDS[k].label,
        )
        if kind == "boundaries":
            upload = frame.chinese_uploader(
                right,
                "选择边界文件（GeoJSON，或把 .shp/.shx/.dbf/.prj 压缩成 .zip）",
                ["geojson", "json", "zip"],
                key="dm_geo_file",
                limit_mb=UPLOAD_LIMIT_MB,
            )
            b1, b2, b3 = st.columns(3)
            name_field = b1.text_input("镇街名称字段（空白时自动识别）", key="dm_geo_field")
            valid_from = b2.date_input(
                "新版本生效日期",
                value=None,
                key="dm_geo_from",
                help="留空时取文件的“生效日期”字段；都没有时首版边界按数据的第一天生效，"
                "已有边界的镇街换新版本时必须填写。",
            )
            geo_create = b3.checkbox("自动新增库中没有的镇街", key="dm_geo_create")
            geo_force = st.checkbox(
                "仍然导入（跳过合理性检查）",
                key="dm_geo_force",
                help="导入前会把新边界与本县现有范围比对：大半落在县外、比全县还大、几乎盖住全县、"
                "镇街之间大面积重叠的默认拒绝导入。确认文件无误时勾选。",
            )
            st.caption(
                "边界按版本保存，不覆盖旧版本；与库中最新版本相同的跳过。有坐标的已有问题与点位按新边界重新归属镇街（原社区不在新镇街下时清空），没有坐标或在所有镇街之外的不变；回滚这次导入即恢复。"
            )
            if upload is not None and st.button(
                "导入边界", type="primary", key="dm_geo_import", icon=":material/upload:"
            ):
                try:
                    with st.spinner(WRITING):
                        result = boundaries.run_boundaries(
                            path,
                            upload.getvalue(),
                            upload.name,
                            name_field=name_field.strip() or None,
                            create_missing=geo_create,
                            valid_from=valid_from,
                            imported_by=frame.require(viewer, "import").name,
                            force=geo_force,
                            page=PAGE,
                        )
                except (imports.ImportFailed, db.DatabaseError) as exc:
                    st.error(md(exc), icon=":material/error:")
                    if getattr(exc, "prepared", None) is not None:
                        st.dataframe(exc.prepared.report(), hide_index=True, width="stretch")
                else:
                    published(md(result.summary()), ":material/check_circle:")
        else:
            upload = frame.chinese_uploader(
                right,
                "选择文件（.xlsx / .xls / .csv）",
                ["xlsx", "xls", "csv"],
                key="dm_file",
                limit_mb=UPLOAD_LIMIT_MB,
            )

    with tab_import:
        if kind != "boundaries":
            _tabular(kind, upload)

    with tab_log:
        log = imports.list_imports(data.connection(snapshot))
        if log.empty:
            st.info("还没有导入记录。", icon=":material/history:")
        else:
            st.dataframe(log, hide_index=True, width="stretch")
            active = imports.rollbackable(log) if who.may("rollback") else []  # 回滚只有管理员能做
            if not who.may("rollback"):
                st.caption("回滚导入由管理员操作。")
            if active:
                r1, r2 = st.columns([1, 3])
                chosen = r1.selectbox("回滚哪一次导入", active, key="dm_rb_id")
                confirm = r2.checkbox(
                    "确认回滚：删除这次导入写入的数据（导入记录保留，标记为已回滚）", key="dm_rb_confirm"
                )
                if st.button("回滚", key="dm_rollback", disabled=not confirm, icon=":material/undo:"):
                    try:
                        with st.spinner(WRITING):
                            done = imports.rollback(
                                path, int(chosen), by=frame.require(viewer, "rollback").name, page=PAGE
                            )
                        published(md(done), ":material/undo:")
                    except (imports.ImportFailed, db.DatabaseError) as exc:
                        st.error(md(exc), icon=":material/error:")

    with tab_versions:
        versions = store.list_snapshots(path)
        st.caption(
            f"看板正在读：{snapshot.label}。每次导入、回滚、恢复都发布一个新版本，旧版本保留最近 "
            f"{settings.get('keep_snapshots')} 个；重新发布旧版本会得到一个新版本号，历史不改写。"
            "备份与恢复用命令行：chuangwen backup --db 路径 --out 目录、chuangwen restore --db 路径 --from 备份目录。"
        )
        if not versions:
            st.info("这个库还是单个文件，没有发布过版本；第一次导入时自动建立版本目录。", icon=":material/history:")
        else:
            st.dataframe(store.versions_table(versions), hide_index=True, width="stretch")
            older = store.older_versions(versions) if who.may("restore") else []  # 重新发布旧版本只有管理员能做
            if not who.may("restore"):
                st.caption("重新发布旧版本由管理员操作。")
            if older:
                v1, v2 = st.columns([1, 3])
                chosen_version = v1.selectbox(
                    "重新发布哪个版本", older, key="dm_rp_version", format_func=lambda v: f"第 {v} 版"
                )
                sure = v2.checkbox("确认：把它重新发布为当前版本（所有人下一次刷新即看到它）", key="dm_rp_confirm")
                if st.button("重新发布", key="dm_republish", disabled=not sure, icon=":material/restore:"):
                    try:
                        with st.spinner(WRITING):
                            sid = backup.republish(
                                path, int(chosen_version), by=frame.require(viewer, "restore").name, page=PAGE
                            )
                        published(f"已把第 {chosen_version} 版重新发布为第 {sid} 版。", ":material/restore:")
                    except db.DatabaseError as exc:
                        st.error(md(exc), icon=":material/error:")
