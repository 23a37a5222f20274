"""丢分预警：若明天暗访，在办问题在实地考察部分预计丢多少分、丢在哪些标准与点位、先改哪几处（攻坚清单）、分数能换来什么。"""

import pandas as pd
import streamlit as st

from chuangwen import assets, charts, formats, loss_risk, maps, settings
from chuangwen.escape import md
from chuangwen.ui import data, export, frame, mapview, projector
from chuangwen.ui.frame import Viewer
from chuangwen.view import View

QUERIES = [
    "loss_risk_groups",
    "loss_risk_items",
    "loss_risk_coverage",
    "loss_risk_last_round",
    "rank_trend_points_needed",
]
MAP_HEIGHT = 560
MEETING_ROWS = 36  # 推进会上攻坚清单列前几处（每屏 projector.TABLE_ROWS = 12 处，翻 3 屏）；全部在普通模式与 Excel 里
MEETING_MAP_HEIGHT = 600  # 推进会：标题与一行说明连同地图在 1080p 一屏放下（比 projector.MAP_HEIGHT 矮 40 px）
STANDARD_BIG = ["测评标准", "不合格处", "点位数", "抽查数", "预计丢分", "本单位分摊"]
WORKLIST_DECIMALS = {
    c: st.column_config.NumberColumn(format="%.4f")
    for c in ("改这一处少丢（分）", "每天少丢（分）", "改完前N处累计少丢（分）")
}
WORKLIST_BIG = ["序号", "点位（或街面问题）", "镇街", "牵头单位", "逾期天数", "改完前N处累计少丢（分）"]


def render(view: View, viewer: Viewer) -> None:
    """画这一页（画框每次运行调用，传入本次的口径与看页面的人）。"""
    out = export.Exporter(view, viewer)

    views = projector.header(f"丢分预警{view.title_suffix}", "lr_projector", viewer)
    big = views.on
    if frame.without_problems(view):
        st.stop()
    # 推进会：头条与卡片、两张图、三张表（长表分屏）、地图、攻坚清单（分屏）、分数能换来什么，各一屏；
    # 攻坚清单的筛选翻屏时记住（不画的控件 Streamlit 会清掉）
    projector.keep(["lr_types", "lr_overdue"])
    inputs = data.query("loss_risk_inputs", view)
    st.caption(
        f"数据截至 {formats.moment(view.cutoff)}　|　统计时刻 {formats.moment(view.as_of)}（按该时刻的在办问题估算）"
        f"　|　{md(loss_risk.edition_caption(inputs))}"
    )
    for note in loss_risk.input_notes(inputs):
        (st.warning if note.level == "warning" else st.info)(md(note.text), icon=":material/info:")

    result = _assessed(view)
    if not result.usable:
        st.info(
            "缺少上面所说的输入，算不出预计丢分。补齐后（数据管理 → 导入测评体系、抽样方案、类别对照）本页即有内容。",
            icon=":material/folder_open:",
        )
        projector.definitions(QUERIES, view.cutoff)
        views.finish()
        st.stop()
    for text in result.notes:
        st.warning(md(text), icon=":material/warning:")

    own_name = loss_risk.unit_name(result, view.scope_unit)
    scope_name = own_name or ("本单位" if view.scope_unit else "全县")
    everything = result.worklist()
    if views.show("预计丢分"):
        st.subheader(loss_risk.headline(result, own_name))
        for col, card in zip(st.columns(4), loss_risk.cards(result, everything)):
            col.metric(
                card.label,
                card.value,
                delta=card.delta,
                delta_arrow="off",
                delta_color="off",
                border=True,
                help=frame.metric_help(card.query, card.metric, view.cutoff),
            )
        rules = st.container()
        rules.caption(md(loss_risk.HOW_ESTIMATED))
        if note := loss_risk.coverage_note(data.query("loss_risk_coverage", view)):
            rules.caption(md(note))

    # ---------------------------------------------------------------- 丢在哪里
    if not big:
        st.subheader("丢分最多的测评标准与点位类型")
    top = loss_risk.top_standards(result)
    left, right = st.columns([3, 2]) if not big else projector.columns(2)
    with left:
        if views.show("丢分最多的测评标准"):
            if big:
                st.subheader("丢分最多的测评标准")
            if top.empty:
                st.success("截至统计时刻，没有在办问题落在实地考察测评标准上。")
            else:
                fig = data.memo(charts.loss_bars, top, "测评标准", "预计丢分最多的测评标准（分）")
                projector.plotly(fig, key="lr_standards_chart")
                if not big:
                    out.png(fig, f"丢分预警_测评标准_{view.as_of:%Y%m%d}", key="lr_png_standards")
    with right:
        by_type = loss_risk.breakdown(result, "点位类型")
        if not by_type.empty and views.show("按点位类型"):
            if big:
                st.subheader("丢分按点位类型")
            type_fig = data.memo(charts.loss_bars, by_type, "点位类型", "按点位类型（分摊）")
            projector.plotly(type_fig, key="lr_types_chart")
    tabs = st.tabs(["各测评标准（k / n，抽查 m）", "按镇街", "按责任单位"]) if not big else projector.columns(3)
    three = st.column_config.NumberColumn(format="%.3f")
    decimals = {"预计丢分": three, "本单位分摊": three}
    # 推进会只列有丢分的标准（全部标准在普通模式下看），丢分写三位小数
    standards = loss_risk.standards_table(result, len(result.standards) if big else None)
    tables = [
        ("各测评标准（k / n 处不合格，抽查 m 处）", standards, STANDARD_BIG),
        ("预计丢分按镇街分摊", loss_risk.breakdown(result, "镇街"), None),
        ("预计丢分按责任单位分摊", loss_risk.breakdown(result, "责任单位"), None),
    ]
    for tab, (title, whole, big_columns) in zip(tabs, tables):
        with tab:
            for part in views.paged(title, whole):
                if big:
                    st.subheader(title)
                projector.table(
                    loss_risk.three_decimals(part) if big else part, big_columns=big_columns, column_config=decimals
                )

    # ---------------------------------------------------------------- 地图
    if views.show("丢分风险点位地图"):
        _risk_map(view, result, big)

    # ---------------------------------------------------------------- 攻坚清单
    # 筛选的控件画在攻坚清单那几屏（_worklist_filters）；这里先按会话里记着的值取清单，分数能换来什么也用它
    rows = result.worklist(
        township=view.township,
        lead_unit=view.unit,
        site_types=tuple(st.session_state.get("lr_types", [])),
        overdue_only=bool(st.session_state.get("lr_overdue", False)),
    )
    listed = loss_risk.shown(rows) if not big else rows.head(MEETING_ROWS)
    for part in views.paged("攻坚清单", loss_risk.place_table(listed)):
        st.subheader("攻坚清单：先改哪几处")
        _worklist_filters(result, big)
        if rows.empty:
            st.success("当前筛选下没有要改的处。")
            continue
        st.markdown(f"**{md(loss_risk.running_text(rows, 5))}；{md(loss_risk.running_text(rows, len(rows)))}。**")
        projector.table(
            loss_risk.three_decimals(part) if big else part,
            height=480,
            big_columns=WORKLIST_BIG,
            column_config=WORKLIST_DECIMALS,  # 少丢的分一律四位小数（0.0180，不是 0.018），一列对齐好比
        )
        if note := loss_risk.shown_note(rows) if not big else loss_risk.meeting_note(rows, len(listed)):
            st.caption(note)
    if not big:
        out.download(
            f"导出 Excel：{md(scope_name)}的攻坚清单（{formats.count(len(rows))} 处）",
            lambda: loss_risk.worklist_workbook(rows, result, view.as_of, scope_name),
            rows=len(rows),
            file_name=f"攻坚清单_{scope_name}_{view.as_of:%Y%m%d}.xlsx",
            mime=export.XLSX,
            key="lr_export",
            icon=":material/table:",
        )

    # ---------------------------------------------------------------- 分数能换来什么
    if views.show("分数能换来什么"):
        _reach(view, rows)

    projector.definitions(QUERIES, view.cutoff)
    views.finish()


def _assessed(view: View) -> loss_risk.Assessment:
    """预计丢分的计算结果（按查询结果记住）：页面与预热（warm）走同一条路，预热过的页面第一次打开就命中。"""
    groups = data.query("loss_risk_groups", view)
    items = data.query("loss_risk_items", view)
    return data.memo(loss_risk.assess, groups, items, view.as_of, view.scope_unit)


def _map(view: View, result: loss_risk.Assessment, boundaries: pd.DataFrame, big: bool) -> mapview.Map:
    return mapview.prepare(
        maps.risk_map,
        boundaries,
        loss_risk.map_places(result),
        tiles_url=settings.get("tiles_url"),
        tiles_attr=settings.get("tiles_attr"),
        key="lr_map",
        height=MEETING_MAP_HEIGHT if big else MAP_HEIGHT,
        returned_objects=[],
        big=big,
    )


def warm(view: View) -> None:
    """预热（服务启动与发布新版本后在后台跑，chuangwen.ui.prewarm）：全县默认口径下本页要的查询、计算与地图，
    与 render 同一批调用，记进跨会话的缓存；领导第一次打开本页时不再现算。"""
    data.query("loss_risk_inputs", view)
    data.query("loss_risk_coverage", view)
    result = _assessed(view)
    if not result.usable:
        return
    top = loss_risk.top_standards(result)
    if not top.empty:
        data.memo(charts.loss_bars, top, "测评标准", "预计丢分最多的测评标准（分）")
    by_type = loss_risk.breakdown(result, "点位类型")
    if not by_type.empty:
        data.memo(charts.loss_bars, by_type, "点位类型", "按点位类型（分摊）")
    boundaries = data.query("hotspot_boundaries", view)
    if not boundaries.empty and assets.is_installed():
        _map(view, result, boundaries, big=False)
    last = data.query("loss_risk_last_round", view)
    if view.county_chosen and not last.empty:
        data.query("rank_trend_points_needed", view, round_code=last.iloc[0]["round_code"])


def _risk_map(view: View, result: loss_risk.Assessment, big: bool) -> None:
    st.subheader("丢分风险点位")
    boundaries = data.query("hotspot_boundaries", view)
    if boundaries.empty:
        st.warning("库中没有本县及镇街的边界，无法画地图；攻坚清单不受影响。", icon=":material/map:")
    elif not assets.is_installed():
        st.warning(
            "地图离线素材（Leaflet）尚未安装，暂不能显示地图；请运行 `python -m chuangwen.assets`。",
            icon=":material/map:",
        )
    else:
        _map(view, result, boundaries, big).show()
        st.caption(
            f"每个圆是一处不合格的点位或街面路段（共 {formats.count(len(result.places))} 处，没有坐标的不上图），"
            "圆越大分摊到的预计丢分越多；紫色的有逾期问题。"
        )


def _worklist_filters(result: loss_risk.Assessment, big: bool) -> None:
    """攻坚清单的筛选：点位类型、只看有逾期的（侧栏的镇街、牵头单位照样筛选）；推进会时收进折叠框。"""
    where = st.expander("筛选（点位类型、只看有逾期的）") if big else st.container()
    f1, f2 = where.columns([3, 1])
    f1.multiselect(
        "点位类型",
        loss_risk.place_types(result),
        key="lr_types",
        placeholder="全部类型（侧栏的镇街、牵头单位照样筛选）",
    )
    f2.checkbox("只看有逾期的", key="lr_overdue")


def _reach(view: View, rows: pd.DataFrame) -> None:
    """分数能换来什么：改完清单前几处，上一轮得分加上少丢的分能到第几名。"""
    st.subheader("分数能换来什么")
    last = data.query("loss_risk_last_round", view)
    if not view.county_chosen:
        st.info("未选定本县（见页面顶部），选定后按上一轮全组成绩估算名次。")
    elif last.empty:
        st.info("统计时刻之前本县还没有公布排名的测评成绩，无法估算名次。")
    else:
        needed = data.query("rank_trend_points_needed", view, round_code=last.iloc[0]["round_code"])
        st.caption(md(loss_risk.reach_caption(last)))
        two = st.column_config.NumberColumn(format="%.2f")
        projector.table(
            loss_risk.reach_table(needed, loss_risk.reaches(needed, rows)),
            column_config={"预计少丢（分）": two, "上一轮得分 + 少丢": two},
        )
        st.caption(
            "只是实地考察部分的估计：按清单顺序改完若干处，预计少丢的分加到上一轮得分上，别的单位的分数按上一轮不变；"
            "可到的名次用与排名趋势“距前 k 名所差分数”相同的规则（追平第 k 高的得分即与其并列）。"
        )
