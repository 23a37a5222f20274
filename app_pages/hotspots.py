"""问题热点：筛选（网址保存）、离线地图（镇街分级设色 / 热力 / 点位或网格）、下钻、热点表与 Excel 导出。"""

import streamlit as st

from chuangwen import assets, excel, formats, hotspots, maps, settings, time_windows
from chuangwen.escape import md
from chuangwen.ui import data, export, frame, mapview, projector
from chuangwen.ui.frame import Viewer
from chuangwen.view import View

NOT_PICKED = "（未选择）"  # 点位历史的选择框还没选点位时


def render(view: View, viewer: Viewer) -> None:
    """画这一页（画框每次运行调用，传入本次的口径与看页面的人）。"""
    out = export.Exporter(view, viewer)
    MAP_HEIGHT = 560
    QUERIES = [
        "hotspot_stock",
        "hotspot_summary",
        "hotspot_townships",
        "hotspot_grid",
        "hotspot_points",
        "hotspot_ranking",
        "hotspot_site_history",
    ]

    views = projector.header("问题热点", "hs_projector", viewer)
    big = views.on
    if frame.without_problems(view):
        st.stop()
    st.caption(
        f"数据截至 {formats.moment(view.cutoff)}　|　统计区间 {view.period_text}（按发现时间）"
        + ("" if big else f"　|　统计截至 {formats.moment(view.as_of)}")
    )
    # 推进会：问题数、地图、热点点位、热点镇街（、点位历史）各一屏；筛选控件只画在地图那一屏，
    # 翻到别的屏时记住它们的值（不画的控件 Streamlit 会清掉）
    show_numbers, show_map = views.show("问题数"), views.show("地图")
    controls = not big or show_map
    projector.keep(hotspots.WIDGET_KEYS)

    # ---- 选项与网址里的筛选 ------------------------------------------------------------------------
    options, category_parent = data.memo(
        hotspots.filter_options, data.query("hotspot_options", view), data.query("ref_filter_options", view)
    )

    if not st.session_state.get("hs_url_loaded"):
        # 第一次打开本页：网址里的筛选优先（别人发来的链接）
        url = hotspots.from_query_params(st.query_params.to_dict(), options)
        for attr in hotspots.URL_LISTS.values():
            st.session_state[f"hs_{attr}"] = list(getattr(url.page, attr))
        st.session_state["hs_metric"] = url.metric
        st.session_state["hs_url_loaded"] = True
        for note in url.notes:
            st.caption(md(note))
        # 网址里的镇街、单位、轮次、统计区间由共用侧栏在渲染前采用（frame._filters_from_url）

    # 推进会模式：筛选收进折叠框，地图与数字占满一屏
    if controls:
        # 推进会模式：筛选与设色指标收进并排的两个折叠框，地图占满一屏
        filters_at, metric_at = st.columns([3, 2]) if big else (st.container(border=True), st.container())
        with filters_at.expander("本页筛选（来源、类别、点位类型、严重程度、状态）") if big else filters_at:
            c1, c2, c3, c4, c5 = st.columns([1.1, 1.6, 1.3, 1, 1.2])
            c1.multiselect("问题来源", options.get("来源", []), key="hs_sources", placeholder="全部来源")
            c2.multiselect(
                "问题类别",
                options.get("类别", []),
                key="hs_categories",
                placeholder="全部类别",
                format_func=lambda c: hotspots.category_label(c, category_parent),
                help="选大类时包含其下所有小类。",
            )
            c3.multiselect("点位类型", options.get("点位类型", []), key="hs_site_types", placeholder="全部类型")
            c4.multiselect("严重程度", hotspots.SEVERITIES, key="hs_severities", placeholder="全部")
            c5.multiselect(
                "状态",
                hotspots.STATUSES,
                key="hs_statuses",
                placeholder="全部状态",
                help=f"多选为“或”。反弹：同一点位同一类别在上一次销号后 {view.rebound_days} 天内再次发现，"
                "或本条销号后该天数内被反弹重开（天数是管理员设置的“反弹认定天数”）。",
            )
        (metric_at.expander("分级设色指标") if big else metric_at).radio(
            "分级设色指标",
            list(hotspots.CHOROPLETH_METRICS),
            key="hs_metric",
            horizontal=True,
            format_func=hotspots.CHOROPLETH_METRICS.get,
        )
    page = hotspots.page_filters_of(st.session_state)
    metric = st.session_state.get("hs_metric", "problems")

    # 当前筛选写回网址：复制链接即可分享同样的视图
    wanted_params = hotspots.share_url(page, metric, view)
    if st.query_params.to_dict() != wanted_params:
        st.query_params.from_dict(wanted_params)

    # ---- 查询 ------------------------------------------------------------------------------------
    boundaries = data.query("hotspot_boundaries", view)
    ring = data.memo(hotspots.ring_of, boundaries)
    params = hotspots.page_params(page, options, county_ring=ring)
    summary = data.query("hotspot_summary", view, **params).iloc[0]
    stock = data.query("hotspot_stock", view, **params).iloc[0]

    def show_cards():
        # 最先看到的在办、逾期是存量（与总览、整改督办、通报同一个数），区间内发现的流量放在旁边
        cards = [
            (time_windows.IN_WORK_STOCK, stock["open_now"], "hotspot_stock", "在办（存量）"),
            (time_windows.OVERDUE_STOCK, stock["overdue_now"], "hotspot_stock", "逾期（存量）"),
            (time_windows.FOUND, summary["problems"], "hotspot_summary", time_windows.FOUND),
            (time_windows.FOUND_OVERDUE, summary["overdue_now"], "hotspot_summary", time_windows.FOUND_OVERDUE),
            (time_windows.FOUND_REBOUND, summary["rebounds"], "hotspot_summary", time_windows.FOUND_REBOUND),
            ("可上图", summary["located"], "hotspot_summary", "可上图"),
        ]
        for col, (label, value, query, metric) in zip(st.columns(len(cards)), cards):
            col.metric(label, formats.count(value), border=True, help=frame.metric_help(query, metric, view.cutoff))

    if int(summary["problems"]) == 0:
        if page.unfiltered and view.unfiltered:
            frame.empty_window(view, "发现的问题")  # 本页没筛选：是统计区间里没有数据，说清楚数据在哪一段
        else:
            st.info(
                "当前筛选条件下没有问题。可以放宽本页的来源、类别、点位类型、严重程度或状态筛选，"
                "或在左侧调整统计区间、镇街、牵头单位、测评轮次。",
                icon=":material/search:",
            )
        projector.definitions(QUERIES, view.cutoff)
        st.stop()

    message = hotspots.bad_coords_message(summary)
    if show_numbers:
        show_cards()
        if message:
            st.warning(message, icon=":material/location_off:")

    # ---- 地图 ------------------------------------------------------------------------------------
    townships = data.query("hotspot_townships", view, **params)
    st.session_state["hs_town_codes"] = hotspots.town_codes(townships)

    def on_map_click(before: dict, after: dict):
        """点镇街 → 侧栏镇街筛选到它；点点位 → 打开点位历史。只认新的点击（缩放、拖动时传回的还是上一次点击）。
        回调在下一轮脚本之前运行，可以直接改控件值。"""
        tip = after.get("last_object_clicked_tooltip")
        click = hotspots.parse_click(tip) if tip != before.get("last_object_clicked_tooltip") else None
        if click is None:
            return
        if click.kind == "镇街":
            code = st.session_state.get("hs_town_codes", {}).get(click.key)
            if code:
                st.session_state["flt_township"] = code
        else:
            st.session_state["hs_site"] = click.key

    def back_to_county():
        st.session_state["flt_township"] = frame.ALL

    if not show_map:
        pass
    elif boundaries.empty:
        st.warning("库中没有本县及镇街的边界，无法画地图；下面的统计与热点表不受影响。", icon=":material/map:")
    elif not assets.is_installed():
        # 素材缺失时 Leaflet 加载不到，地图会是一块空白：直接说明怎么补
        st.warning(
            "地图离线素材（Leaflet 与热力图插件）尚未安装，暂不能显示地图；下面的统计与热点表不受影响。"
            "请在安装时能访问 npm 软件源（或内网镜像）的机器上运行 `python -m chuangwen.assets`"
            "（`bash scripts/start.sh` 会自动执行）。",
            icon=":material/map:",
        )
    else:
        bounds = hotspots.boundary_bounds(boundaries, view.township)
        map_height = projector.MAP_HEIGHT if big else MAP_HEIGHT
        opened = hotspots.grid_for_view(bounds, width_px=1100, height_px=map_height)
        grid = data.query("hotspot_grid", view, **params, **opened.params())
        located = int(summary["located"])
        points = (
            data.query("hotspot_points", view, **params, limit=hotspots.MARKER_LIMIT)
            if hotspots.show_points(summary)
            else None
        )
        the_map = mapview.prepare(
            maps.hotspot_map,
            boundaries,
            townships,
            grid,
            points,
            metric=metric,
            view=bounds,
            zoom=opened.zoom,
            tiles_url=settings.get("tiles_url"),
            tiles_attr=settings.get("tiles_attr"),
            big=big,
            key="hs_map",
            height=map_height,
            returned_objects=["last_object_clicked_tooltip", "bounds", "zoom"],
        )
        # 用户放大到比打开时更细的级别：按看到的范围在库内重新分格，只换热力与网格图层
        finer = hotspots.finer_grid(opened, hotspots.map_view_of(the_map.state()), bounds)
        dynamic = None
        if finer is not None:
            dynamic = data.memo(
                maps.grid_layers_js, data.query("hotspot_grid", view, **params, **finer.params()), finer.zoom
            )
        head_left, head_right = st.columns([4, 1])
        cell_m = hotspots.cell_size_m(finer or opened)
        if big:
            pass  # 推进会：一屏只放地图（图层开关与图例在地图上）
        elif points is None:
            head_left.caption(
                f"可上图的问题 {formats.count(located)} 条，超过 {formats.count(hotspots.MARKER_LIMIT)} 条："
                f"热力图与网格圆点按约 {formats.count(cell_m)} 米见方的格子在库内汇总后显示；"
                "放大地图或点击镇街，格子随之变细。右上角可切换图层。"
            )
        else:
            head_left.caption(
                f"逐条显示 {formats.count(located)} 条问题（点击圆点看详情；有点位的问题可打开点位历史）。"
                f"热力图按约 {formats.count(cell_m)} 米见方的格子汇总，放大地图格子随之变细。右上角可切换图层。"
            )
        if view.township:
            head_right.button("返回全县", key="hs_back", on_click=back_to_county, icon=":material/undo:")
        the_map.show(on_change=on_map_click, dynamic_js=dynamic)

    if message and not big:
        bad = data.query("hotspot_bad_coords", view, **params, limit=hotspots.BAD_COORDS_LIMIT)
        with st.expander(f"坐标缺失/越界清单（{formats.count(len(bad))} 条）", icon=":material/location_off:"):
            projector.table(hotspots.bad_coords_table(bad))
            if len(bad) >= hotspots.BAD_COORDS_LIMIT:
                st.caption(f"只列出前 {formats.count(hotspots.BAD_COORDS_LIMIT)} 条。")

    # ---- 热点表 ----------------------------------------------------------------------------------
    ranking = data.query("hotspot_ranking", view, **params, top=hotspots.TOP_N)
    if not big:
        st.subheader("热点点位与镇街")
        st.radio(
            "排名依据",
            list(hotspots.RANKING_VIEWS),
            key="hs_rank_by",
            horizontal=True,
            format_func=lambda k: "按" + hotspots.RANKING_VIEWS[k][0],
        )
    by = st.session_state.get("hs_rank_by", next(iter(hotspots.RANKING_VIEWS)))
    left, right = st.columns([3, 2]) if not big else projector.columns(2)
    site_table = data.memo(hotspots.ranking_table, ranking, "点位", by)
    town_table = data.memo(hotspots.ranking_table, ranking, "镇街", by)
    if views.show(f"热点点位 前{hotspots.TOP_N}名"):
        with left:
            st.markdown(f"**点位 前{hotspots.TOP_N}名**（按{hotspots.RANKING_VIEWS[by][0]}）")
            if site_table.empty:
                st.info("没有可排名的点位（该项均为 0，或问题没有登记点位）。")
            else:
                projector.table(
                    site_table,
                    big_columns=["名次", "点位", "所属镇街", "问题数", "区间内发现且逾期", "反弹数", "较上期"],
                )
    if views.show(f"热点镇街 前{hotspots.TOP_N}名"):
        with right:
            st.markdown(f"**镇街 前{hotspots.TOP_N}名**（按{hotspots.RANKING_VIEWS[by][0]}）")
            if town_table.empty:
                st.info("没有可排名的镇街（该项均为 0）。")
            else:
                projector.table(town_table)
    note = (
        f"创文看板·问题热点　数据截至 {formats.moment(view.cutoff)}　统计区间 {view.period_text}"
        f"　筛选：{hotspots.describe_filters(page, view.township, view.unit, view.round)}"
    )
    sheets = hotspots.ranking_sheets(ranking)
    out.download(
        "下载热点表（Excel）",
        lambda: excel.to_xlsx(sheets, note=note),
        rows=sum(len(t) for t in sheets.values()),
        file_name=f"问题热点_{view.as_of:%Y%m%d}.xlsx",
        key="hs_download",
        icon=":material/download:",
        mime=export.XLSX,
    )
    if not boundaries.empty:
        out.map_png(
            boundaries,
            townships,
            f"{view.county_name}各镇街问题数",
            f"问题热点地图_{view.as_of:%Y%m%d}",
            key="hs_png_map",
            subtitle=f"统计截至 {formats.moment(view.as_of)}",
        )

    # ---- 点位历史（推进会时只在选了点位时成一屏） ----------------------------------------------------------
    if (big and not st.session_state.get("hs_site")) or not views.show("点位历史"):
        views.finish()
        projector.definitions(QUERIES, view.cutoff)
        return
    st.subheader("点位历史")
    site_choices = hotspots.site_choices(ranking, st.session_state.get("hs_site"))
    # 每轮 projector.keep 把会话里的 hs_site 重新赋值一次（翻屏时记住）；赋回的 None 在前端算“没有选”，显示的是
    # placeholder：同样写“（未选择）”，不是 Streamlit 默认的英文“Choose an option”
    site = st.selectbox(
        "选择点位（也可在地图上点击点位）",
        [None, *site_choices],
        key="hs_site",
        format_func=lambda c: NOT_PICKED if c is None else f"{site_choices.get(c, c)}（{c}）",
        placeholder=NOT_PICKED,
    )
    if site:
        history = data.query("hotspot_site_history", hotspots.history_view(view), **hotspots.history_params(site, ring))
        if history.empty:
            st.info("这个点位在统计时刻之前没有问题记录（或不在您的查看范围内）。")
        else:
            table = hotspots.history_table(history)
            st.caption(hotspots.history_summary(history))
            projector.table(table)
    views.finish()
    projector.definitions(QUERIES, view.cutoff)
