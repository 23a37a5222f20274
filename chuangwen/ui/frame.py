"""页面框架共用的部件：示例数据横幅、数据截至、共享侧栏筛选、指标口径卡片、中文的文件上传控件。"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.uploaded_file_manager import UploadedFile

from chuangwen import accounts, formats, hotspots, queries, signin, statedb, store, urlparams, vocabulary
from chuangwen.accounts import ACTIONS
from chuangwen.escape import md
from chuangwen.ui import data
from chuangwen.view import View

if TYPE_CHECKING:
    from PIL import Image

ALL = vocabulary.ALL_OPTION


# 表格右上角的英文工具条（Show/hide columns、Download as CSV、Search、Fullscreen）不出现：
# 下载一律走页面上的中文按钮（留审计），表格本身照常排序、滚动
CHROME_CSS = '<style>[data-testid="stElementToolbar"] { display: none !important; }</style>'


def chinese_chrome() -> None:
    """画框每次运行注入一次：藏起 Streamlit 控件上无法改成中文的英文工具条（只有 <style>，不占页面位置）。"""
    st.html(CHROME_CSS)


def favicon() -> Image.Image:
    """站点图标在本地画出：Material 图标或表情做图标时浏览器会去外网取图（离线会失败）。"""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((2, 2, 62, 62), radius=12, fill=(183, 28, 28, 255))
    # 五角星
    points: list[tuple[float, float]] = []
    for i in range(10):
        r = 24 if i % 2 == 0 else 10
        a = math.pi / 2 + i * math.pi / 5
        points.append((32 + r * math.cos(a), 34 - r * math.sin(a)))
    draw.polygon(points, fill=(255, 214, 0, 255))
    return image


@dataclass(frozen=True)
class Viewer:
    """看这一页的人：认出他的登录（账号、角色、单位与登录会话：下载前再核对一次）与他所在的页面（审计里的“哪一页”）。
    画框每次运行构建一次，作为参数交给页面；不放进会话状态。"""

    identity: signin.Identity
    page: str = ""

    @property
    def account(self) -> accounts.Viewer:
        return self.identity.viewer

    @property
    def name(self) -> str:
        return self.account.name

    @property
    def role(self) -> str:
        return self.account.role

    @property
    def unit_code(self) -> str | None:
        return self.account.unit_code

    @property
    def scope_unit(self) -> str | None:
        return self.account.scope_unit

    def may(self, action: str) -> bool:
        return self.account.may(action)

    def may_open(self, page: str) -> bool:
        return self.account.may_open(page)

    def on(self, page: str) -> Viewer:
        """同一个人，在 page 这一页。"""
        return dataclasses.replace(self, page=page)


def context(viewer: Viewer, snapshot: store.Snapshot) -> View:
    """本次运行的默认口径：从库的 meta 构建（规则在 chuangwen.view），带着钉住的快照；查看范围来自登录的人（只在这里定）。
    空库抛 view.NoData。"""
    return default_view(snapshot, viewer.scope_unit)


def default_view(snapshot: store.Snapshot, scope_unit: str | None) -> View:
    """一个快照、一个查看范围的默认口径（新会话打开页面、没动侧栏时就是它；预热也用它）。"""
    return View.of(
        data.meta(snapshot),
        snapshot=snapshot,
        scope_unit=scope_unit,
        chosen=statedb.office_settings(data.database_path()),
    )


def county_options(meta: dict[str, str]) -> dict[str, str]:
    """排名组里的县级单位：代码 → 名称（app_meta 的 region_name:代码）。"""
    return dict(
        sorted(((k.split(":", 1)[1], v) for k, v in meta.items() if k.startswith("region_name:")), key=lambda kv: kv[1])
    )


def county_form(view: View, viewer: Viewer, key: str) -> None:
    """选定本县与目标名次（管理员、创建办）：存进库的设置，优先于默认值，记审计。"""
    options = county_options(data.meta(data.snapshot_of(view)))
    if not options:
        st.info(
            "库里还没有排名组的县级单位：先导入测评成绩（数据管理页，加 --create-missing 时会新增县级单位），再选定本县。"
        )
        return
    with st.form(key):
        left, right = st.columns([3, 1])
        codes = list(options)
        code = left.selectbox(
            "本县",
            codes,
            index=codes.index(view.county_code) if view.county_code in options else None,
            format_func=lambda c: f"{options[c]}（{c}）",
            placeholder="选择本县",
        )
        target = right.number_input("目标名次（前 k 名）", min_value=1, step=1, value=view.target_rank)
        if st.form_submit_button("保存", icon=":material/save:"):
            who = require(viewer, "settings")
            if code is None:
                st.error("请先选择本县。")
                return
            # 只存改了的：没动的目标名次不从环境变量或库内默认值“冻结”进库的设置
            if code != view.county_code:
                statedb.set_office_setting(data.database_path(), "our_region_code", code, who.name, page=viewer.page)
            if (int(target) if target else None) != view.target_rank:
                statedb.set_office_setting(
                    data.database_path(), "target_rank", int(target) if target else None, who.name, page=viewer.page
                )
            st.rerun()


def county_notice(view: View, viewer: Viewer) -> None:
    """本县没选定（或选的不在排名组里）时，每页顶部一句话说明，能选的人就地选；其余页面内容照常，只是不显示“本县”的数。"""
    if view.county_chosen:
        return
    why = (
        f"设置的本县代码 {md(view.county_code)} 不在排名组（地区表的县级单位）里"
        if view.county_code
        else "还没有选定本县"
    )
    st.warning(f"**{why}**：名次、得分与差距都要先知道哪个是本县。", icon=":material/location_searching:")
    if viewer.may("settings"):
        county_form(view, viewer, "county_pick")
    else:
        st.caption(
            "请管理员或创建办在看板里选定，或在服务器上运行 `chuangwen settings set our_code 地区代码 --db 库文件`。"
        )


def require(viewer: Viewer, action: str) -> Viewer:
    """页面里有后果的一步之前再核对一次权限（导航里已经没有这一页；这是给构造的请求的第二道门）。"""
    if not viewer.may(action):
        st.error(f"{md(viewer.role)}账号不能{ACTIONS[action]}。", icon=":material/block:")
        st.stop()
    return viewer


def unit_names(view: View) -> dict[str, str]:
    """单位代码 → 名称。"""
    return _options("单位", view)


def banner(view: View) -> None:
    if view.is_demo:
        st.warning(
            f"**示例数据**：当前展示的是虚构的{md(view.province_name)}{md(view.county_name)}，"
            "地名、单位和数字均为演示生成，不代表任何真实地区。",
            icon=":material/science:",
        )


def _options(kind: str, view: View) -> dict[str, str]:
    df = data.query("ref_filter_options", view)
    sub = df[df["kind"] == kind]
    return dict(zip(sub["code"], sub["name"]))


def sidebar(base: View) -> View:
    """共享侧栏：控件 key 固定、由框架每次渲染，切换页面时取值保留；返回按侧栏筛选后的口径。"""
    sb = st.sidebar
    url_notes = _filters_from_url(base)
    sb.markdown(
        f"**数据截至** {formats.moment(base.cutoff)}",
        help=f"数据版本：{data.snapshot_of(base).label}。导入、回滚后发布新版本，页面下一次刷新时换成新版本。",
    )
    sb.caption(f"数据版本：{data.snapshot_of(base).label}")
    if "flt_range" not in st.session_state:
        st.session_state["flt_range"] = base.default_days
    picked = sb.date_input(
        "统计区间",
        min_value=base.first_day,
        max_value=base.cutoff.date(),
        key="flt_range",
        help="区间终点即统计截至时间：逾期、未销号等按该时刻计算（终点为数据截至日时取数据截至时刻）。",
        format="YYYY-MM-DD",
    )
    # 用户只点了起点时（区间未选完）先按“起点到数据截至”计算
    days = tuple(picked) if isinstance(picked, (tuple, list)) else (picked,)
    view = base.for_days(days[0] if days else None, days[1] if len(days) == 2 else None)

    rounds = _options("轮次", base)
    townships = _options("镇街", base)
    units = _options("单位", base)

    def select(label: str, options: dict[str, str], key: str) -> str | None:
        choice = sb.selectbox(
            label,
            [ALL, *options.keys()],
            key=key,
            placeholder="请选择",
            format_func=lambda c: c if c == ALL else options.get(c, c),
        )
        return None if choice == ALL else choice

    view = view.filtered(
        round=select("测评轮次", rounds, "flt_round"),
        township=select("镇街", townships, "flt_township"),
        unit=select("牵头单位", units, "flt_unit"),
    )
    if view.is_history:
        sb.info(f"正在查看历史时点：{formats.moment(view.as_of)}")
    for note in url_notes:
        sb.caption(md(note))
    return view


def _filters_from_url(view: View) -> tuple[str, ...]:
    """会话第一次运行时采用网址里的共用筛选（别人发来的链接：from、to、town、unit、round）；
    控件渲染前才能设值，所以在侧栏开头做。日期夹到数据范围内，不认识的值忽略；返回这些调整的说明（只在这一次显示）。"""
    if st.session_state.get("_url_filters_applied"):
        return ()
    st.session_state["_url_filters_applied"] = True
    url = urlparams.parse_shared(
        st.query_params.to_dict(),
        townships=_options("镇街", view),
        units=_options("单位", view),
        rounds=_options("轮次", view),
        first_day=view.first_day,
        last_day=view.cutoff.date(),
    )
    for value, widget in ((url.township, "flt_township"), (url.unit, "flt_unit"), (url.round, "flt_round")):
        if value is not None:
            st.session_state[widget] = value
    if url.start is not None or url.end is not None:
        start, end = view.days_ending(url.end or view.cutoff.date())
        st.session_state["flt_range"] = (url.start or start, end)
    return url.notes + tuple(
        urlparams.unknown_keys(st.query_params.to_dict(), (*hotspots.URL_KEYS, *urlparams.PAGE_KEYS))
    )


def definitions(query_names: list[str], cutoff: datetime) -> None:
    """指标口径卡片：名称、口径、分母、数据截至，全部来自查询文件头（推进会时由 projector.definitions 省去）。"""
    with st.expander("指标口径（本页每个数字的定义）", icon=":material/straighten:"):
        for name in query_names:
            for m in queries.load(name).metrics:
                st.markdown(f"**{m.name}**：{m.text}")
        st.caption(f"数据截至 {formats.moment(cutoff)}。")


def metric_help(query_name: str, metric_name: str, cutoff: datetime) -> str:
    for m in queries.load(query_name).metrics:
        if m.name == metric_name:
            return f"{m.text}数据截至 {formats.moment(cutoff)}。"
    raise KeyError(f"{query_name} 没有定义指标 {metric_name}")


def first_run(path: Path, data_admin: st.Page) -> None:
    """空库的引导页：说明先导入什么、按什么顺序，而不是报错；下面挂数据管理页（画框给的页面）。"""
    st.title("创文看板")
    st.info(f"数据库 {md(path)} 中还没有数据。", icon=":material/folder_open:")
    st.markdown(
        "建议按以下顺序准备数据：\n"
        "1. **模板**：下面“数据管理”的“模板下载”里每类数据一个 Excel 模板（第二张表是填写说明）；\n"
        "2. **基础资料**：镇街边界（GeoJSON 或压缩 Shapefile）、责任单位、点位、测评体系；\n"
        "3. **测评成绩**：历轮测评的全省排名组成绩（公布的名次列可以留着，只用来核对）与本县扣分明细；\n"
        "4. **选定本县**：成绩导入后，页面顶部会请管理员或创建办选定哪个是本县、目标名次（或 `chuangwen settings set our_code 地区代码`）；\n"
        "5. **问题台账**与**整改记录**：12345、数字城管的导出配一个列映射就能导入，地址会按名称与坐标建成点位。\n\n"
        "想先走一遍：仓库的 `data/samples/` 里有一份数字城管案件导出（`数字城管案件导出.csv`）、它的列映射"
        "（`数字城管案件导出.mapping.toml`）和一份镇街边界（`澜溪县镇街边界.geojson`），按上面的顺序导入即可。\n\n"
        "下面的“数据管理”可以下载各类数据的 Excel 模板（第二张表是填写说明）、上传文件、选列对照、校验后导入；"
        "第一次导入时勾选“自动新增库中没有的单位、镇街、类别”。命令行同样可以导入："
        "`chuangwen import problems 台账.xlsx --db 路径 --create-missing`。"
        "也可以先用 `chuangwen demo --db data/demo.duckdb` 生成示例县数据体验各页面。"
    )
    st.divider()
    # 空库时画框不建导航：这里只挂数据管理页，导入后刷新即进入正常的看板
    st.navigation([data_admin], position="hidden").run()


NO_PROBLEMS = (
    "库里还没有问题台账：到“数据管理”导入问题台账（与整改记录），这一部分才有内容。"
    "12345、数字城管的导出配一个列映射就能导入（示例见 data/samples/）。"
)


def without_problems(view: View) -> bool:
    """库里一条问题也没有时说明先导入什么（返回 True，调用方不再画这一部分）。"""
    if view.has_problems:
        return False
    st.info(NO_PROBLEMS, icon=":material/folder_open:")
    return True


def empty_window(view: View, what: str) -> None:
    """统计区间里没有数据时：说清楚数据在哪一段，并给一个按钮换到数据的最后 30 天（侧栏区间随之改变）。"""
    st.info(
        f"统计区间 {view.period_text} 里没有{what}。"
        f"库里的数据从 {formats.day(view.first_day)} 到 {formats.moment(view.cutoff)}（数据截至）。",
        icon=":material/search:",
    )
    latest = view.default_days
    if (view.first_period_day, view.as_of.date()) != latest:
        st.button(
            f"看数据的最后 30 天（{formats.day(latest[0])} 至 {formats.day(latest[1])}）",
            key="empty_window_jump",
            on_click=lambda: st.session_state.__setitem__("flt_range", latest),
            icon=":material/event:",
        )


def _css_text(text: str) -> str:
    """写成 CSS content 的字符串：转义反斜杠与引号，换行写成 \\A。"""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ") + '"'


def upload_hint_css(key: str, types: list[str], limit_mb: int) -> str:
    """把 key 为 key 的上传控件里 Streamlit 写死的英文换成中文的 <style>。

    Streamlit 1.67 的 st.file_uploader 没有设置这些文字的参数（streamlit#13500），只能隐藏原文、用 ::after 显示中文。
    依靠的结构（浏览器里核对过）：拖放区 stFileUploaderDropzone 内，按钮 stBaseButton-secondary 的文字在
    stMarkdownContainer 的 <p> 里；大小与类型说明在 stFileUploaderDropzoneInstructions；拖动文件经过时出现的
    提示层是拖放区里唯一不带 data-testid 的 div；浏览器拒收的文件显示为 aria-invalid 的 stFileChip，
    英文原因只在悬停提示 stTooltipErrorContent 里。
    """
    scope = f".st-key-{key}"
    zone = f'{scope} [data-testid="stFileUploaderDropzone"]'
    kinds = " / ".join("." + t.lstrip(".").lower() for t in types)
    hint = f"将文件拖到这里，或点击“选择文件”\n单个文件不超过 {limit_mb} MB · 支持 {kinds}"
    # 浏览器拒收的原因：扩展名在允许之列的只能是超过大小；可点击重试的是上传途中失败
    bad = '[data-testid="stFileChip"][aria-invalid="true"]'
    allowed = ", ".join(f'[title$=".{t.lstrip(".").lower()}" i]' for t in types)
    refusals = [
        (bad, f"未上传：只支持 {kinds} 文件"),
        # :has() 里不能再套 :has()，文件名用后代选择器
        (f'{bad}:not([role="button"]) [data-testid="stFileChipName"]:is({allowed})', f"未上传：文件超过 {limit_mb} MB"),
        (f'{bad}[role="button"]', "上传失败：点击文件重试"),
    ]
    rules = [
        f'{zone} [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p {{ display: none; }}',
        f'{zone} [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"]::after '
        f'{{ content: "选择文件"; }}',
        f'{zone} [data-testid="stFileUploaderDropzoneInstructions"] > * {{ display: none; }}',
        f'{zone} [data-testid="stFileUploaderDropzoneInstructions"]::after {{ content: {_css_text(hint)}; '
        "white-space: pre-line; font-size: 0.875rem; line-height: 1.6; opacity: 0.7; }",
        # 拖动提示层的文字样式（主题色、加粗）在 span 上，留着 span、只把原文字号设为 0
        f"{zone} > div:not([data-testid]):not(:has([data-testid])) > span {{ font-size: 0; }}",
        f"{zone} > div:not([data-testid]):not(:has([data-testid])) > span::after "
        f'{{ content: "松开鼠标即可上传"; font-size: 0.875rem; }}',
    ]
    for chip, message in refusals:
        rules.append(
            f"{zone}:has({chip})::after {{ content: {_css_text(message)}; align-self: center; "
            "font-size: 0.875rem; color: #B71C1C; }"
        )
        rules.append(f'body:has({scope} {chip}) [data-testid="stTooltipErrorContent"] {{ font-size: 0; }}')
        rules.append(
            f'body:has({scope} {chip}) [data-testid="stTooltipErrorContent"]::after '
            f"{{ content: {_css_text(message)}; font-size: 0.875rem; }}"
        )
    return "<style>\n" + "\n".join(rules) + "\n</style>"


def chinese_uploader(
    where: DeltaGenerator, label: str, types: list[str], key: str, limit_mb: int, **kwargs: Any
) -> UploadedFile | list[UploadedFile] | None:
    """文件上传控件，拖放区的按钮、说明、拖放提示与拒收原因都显示中文；返回 st.file_uploader 的结果。

    上限取 limit_mb 与 server.maxUploadSize 中较小的一个：服务器只收这么大，写在说明里的才是真的上限。
    """
    limit_mb = min(int(limit_mb), int(st.get_option("server.maxUploadSize")))
    st.html(upload_hint_css(key, types, limit_mb))  # 只有 <style>：不占页面位置
    return where.file_uploader(label, type=types, key=key, max_upload_size=limit_mb, **kwargs)
