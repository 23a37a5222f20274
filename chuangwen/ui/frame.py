"""页面框架共用的部件：示例数据横幅、数据截至、共享侧栏筛选、指标口径卡片。"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import streamlit as st

from chuangwen import formats, queries, settings
from chuangwen.ui import data

ALL = "（全部）"


def favicon():
    """站点图标在本地画出：Material 图标或表情做图标时浏览器会去外网取图（离线会失败）。"""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((2, 2, 62, 62), radius=12, fill=(183, 28, 28, 255))
    # 五角星
    points = []
    for i in range(10):
        r = 24 if i % 2 == 0 else 10
        a = math.pi / 2 + i * math.pi / 5
        points.append((32 + r * math.cos(a), 34 - r * math.sin(a)))
    draw.polygon(points, fill=(255, 214, 0, 255))
    return image


class EmptyDatabase(Exception):
    """库里还没有任何问题或整改记录，也没有写明数据截至时间。"""


@dataclass(frozen=True)
class Filters:
    """侧栏筛选的当前值；所有页面从这里取，保证口径一致。"""

    as_of: datetime           # 统计截至时刻（默认 = 数据截至）
    period_start: datetime    # 统计区间起点（不含）
    township: str | None
    unit: str | None
    round: str | None
    scope_unit: str | None    # 查看范围：None = 全部单位；按单位授权后由登录身份决定

    def problem_params(self) -> dict:
        return {
            "as_of": self.as_of,
            "period_start": self.period_start,
            "township": self.township,
            "unit": self.unit,
            "round": self.round,
            "scope_unit": self.scope_unit,
        }


@dataclass(frozen=True)
class Context:
    meta: dict[str, str]
    cutoff: datetime
    county_code: str
    county_name: str
    target_rank: int | None
    is_demo: bool


def context() -> Context:
    meta = data.meta()
    # 所有“本周”“逾期”都相对数据截至时间计算，从不取系统时钟
    cutoff_raw = meta.get("data_cutoff") or meta.get("data_cutoff_derived")
    if not cutoff_raw:
        raise EmptyDatabase()
    cutoff = datetime.fromisoformat(cutoff_raw)
    county = settings.get("our_region_code") or meta.get("our_region_code", "")
    target = settings.get("target_rank") or (int(meta["target_rank"]) if meta.get("target_rank") else None)
    return Context(
        meta=meta,
        cutoff=cutoff,
        county_code=county,
        county_name=meta.get("county_name", county),
        target_rank=target,
        is_demo=meta.get("is_demo") == "1",
    )


def banner(ctx: Context) -> None:
    if ctx.is_demo:
        st.warning(
            f"**示例数据**：当前展示的是虚构的{ctx.meta.get('province_name', '')}{ctx.county_name}，"
            "地名、单位和数字均为演示生成，不代表任何真实地区。",
            icon=":material/science:",
        )


def _options(kind: str, ctx: Context) -> dict[str, str]:
    df = data.query("ref_filter_options", county=ctx.county_code)
    sub = df[df["kind"] == kind]
    return dict(zip(sub["code"], sub["name"]))


def sidebar(ctx: Context) -> Filters:
    """共享侧栏：控件 key 固定、由框架每次渲染，切换页面时取值保留。"""
    sb = st.sidebar
    _filters_from_url(ctx)
    sb.markdown(f"**数据截至** {formats.moment(ctx.cutoff)}")
    cutoff_day = ctx.cutoff.date()
    default_range = (cutoff_day - timedelta(days=29), cutoff_day)
    if "flt_range" not in st.session_state:
        st.session_state["flt_range"] = default_range
    picked = sb.date_input(
        "统计区间",
        max_value=cutoff_day,
        key="flt_range",
        help="区间终点即统计截至时间：逾期、未销号等按该时刻计算（终点为数据截至日时取数据截至时刻）。",
        format="YYYY-MM-DD",
    )
    # 用户只点了起点时（区间未选完）先按“起点到数据截至”计算
    picked = tuple(picked) if isinstance(picked, (tuple, list)) else (picked,)
    start_day = picked[0] if picked else default_range[0]
    end_day = min(picked[1] if len(picked) == 2 else cutoff_day, cutoff_day)
    as_of = ctx.cutoff if end_day == cutoff_day else datetime.combine(end_day, time(23, 59, 59))
    period_start = datetime.combine(start_day, time(0, 0)) - timedelta(microseconds=1)

    rounds = _options("轮次", ctx)
    townships = _options("镇街", ctx)
    units = _options("单位", ctx)

    def select(label: str, options: dict[str, str], key: str) -> str | None:
        choice = sb.selectbox(label, [ALL, *options.keys()], key=key, placeholder="请选择",
                              format_func=lambda c: c if c == ALL else options.get(c, c))
        return None if choice == ALL else choice

    round_code = select("测评轮次", rounds, "flt_round")
    township = select("镇街", townships, "flt_township")
    unit = select("牵头单位", units, "flt_unit")
    if as_of < ctx.cutoff:
        sb.info(f"正在查看历史时点：{formats.moment(as_of)}")
    return Filters(as_of=as_of, period_start=period_start, township=township, unit=unit,
                   round=round_code, scope_unit=None)


def _filters_from_url(ctx: Context) -> None:
    """会话第一次运行时采用网址里的共用筛选（别人发来的链接：from、to、town、unit、round）；
    控件渲染前才能设值，所以在侧栏开头做；不认识的值忽略。"""
    if st.session_state.get("_url_filters_applied"):
        return
    st.session_state["_url_filters_applied"] = True
    q = st.query_params
    for key, widget, kind in (("town", "flt_township", "镇街"), ("unit", "flt_unit", "单位"), ("round", "flt_round", "轮次")):
        if q.get(key) and q.get(key) in _options(kind, ctx):
            st.session_state[widget] = q.get(key)
    try:
        start, end = date.fromisoformat(q.get("from", "")), date.fromisoformat(q.get("to", ""))
    except ValueError:
        return
    if start <= end <= ctx.cutoff.date():
        st.session_state["flt_range"] = (start, end)


def current_filters() -> Filters:
    return st.session_state["_filters"]


def current_context() -> Context:
    return st.session_state["_context"]


def definitions(query_names: list[str], cutoff: datetime) -> None:
    """指标口径卡片：名称、口径、分母、数据截至，全部来自查询文件头。"""
    with st.expander("指标口径（本页每个数字的定义）", icon=":material/straighten:"):
        for name in query_names:
            for m in queries.load(name).metrics:
                st.markdown(f"**{m.name}**：{m.formula}。分母：{m.denominator}。　`queries/{name}.sql`")
        st.caption(f"数据截至 {formats.moment(cutoff)}。")


def metric_help(query_name: str, metric_name: str, cutoff: datetime) -> str:
    for m in queries.load(query_name).metrics:
        if m.name == metric_name:
            return f"{m.formula}。分母：{m.denominator}。数据截至 {formats.moment(cutoff)}。"
    raise KeyError(f"{query_name} 没有定义指标 {metric_name}")


def not_built(title: str, what: str) -> None:
    st.title(title)
    st.info(f"本页尚未建成。建成后将提供：{what}", icon=":material/construction:")


def first_run(path) -> None:
    """空库的引导页：说明先导入什么、按什么顺序，而不是报错。"""
    st.title("创文看板")
    st.info(f"数据库 {path} 中还没有数据。", icon=":material/folder_open:")
    st.markdown(
        "建议按以下顺序准备数据：\n"
        "1. **基础资料**：镇街与社区、责任单位、点位、测评体系；\n"
        "2. **测评成绩**：历轮测评的全省排名组成绩与本县扣分明细；\n"
        "3. **问题台账**与**整改记录**。\n\n"
        "下面的“数据管理”可以下载各类数据的 Excel 模板（第二张表是填写说明）、上传文件、选列对照、校验后导入；"
        "第一次导入时勾选“自动新增库中没有的单位、镇街、类别”。命令行同样可以导入："
        "`chuangwen import problems 台账.xlsx --db 路径 --create-missing`。"
        "也可以先用 `chuangwen demo --db data/demo.duckdb` 生成示例县数据体验各页面。"
    )
    st.divider()
    # 空库时画框不建导航：这里只挂数据管理页，导入后刷新即进入正常的看板
    st.navigation([st.Page("app_pages/data_admin.py", title="数据管理", icon=":material/database:")], position="hidden").run()
