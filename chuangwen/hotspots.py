"""问题热点页的纯逻辑：筛选参数、县界环、按缩放级别定网格、地图点击解析、热点表与点位历史（不依赖 streamlit）。"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
import shapely

from chuangwen import formats, geo, urlparams
from chuangwen.view import View
from chuangwen.vocabulary import CLOSED

# 问题多于此数时不逐条画点，只画库内汇总的网格（issue：约 5,000 条）
MARKER_LIMIT = 5000
BAD_COORDS_LIMIT = 2000
TOP_N = 10
STATUSES = ("在办", "逾期", CLOSED, "反弹")
SEVERITIES = ("一般", "较重", "严重")
CHOROPLETH_METRICS = {"problems": "问题数", "per_1000": "每千人问题数", "per_site": "每点位问题数"}
HISTORY_START = datetime(1900, 1, 1)


@dataclass(frozen=True)
class PageFilters:
    """本页自己的筛选（侧栏共用的在 frame.Filters 里）；空元组 = 不限。"""

    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    site_types: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    @property
    def unfiltered(self) -> bool:
        """本页一项筛选也没选（这时结果为空只能是统计区间里没有数据）。"""
        return not (self.sources or self.categories or self.site_types or self.severities or self.statuses)


def _chosen(values: Iterable[str], allowed: Iterable[str], what: str) -> tuple[str, ...] | None:
    """多选值 → 作为列表绑定的参数；只接受选项表里有的值（允许清单），空 = 不限（NULL）。"""
    allowed = set(allowed)
    values = tuple(values)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValueError(f"{what}不在可选范围内：{'、'.join(bad)}")
    return values or None


def page_params(
    page: PageFilters, options: Mapping[str, Iterable[str]], *, county_ring: str | None, site: str | None = None
) -> dict:
    """问题热点各查询在查看口径之外的参数：本页筛选（多选按列表绑定）、县界、点位。"""
    return {
        "site": site,
        "sources": _chosen(page.sources, options.get("来源", ()), "来源"),
        "categories": _chosen(page.categories, options.get("类别", ()), "问题类别"),
        "site_types": _chosen(page.site_types, options.get("点位类型", ()), "点位类型"),
        "severities": _chosen(page.severities, SEVERITIES, "严重程度"),
        "statuses": _chosen(page.statuses, STATUSES, "状态"),
        "county_ring": county_ring,
    }


def history_view(view: View) -> View:
    """点位历史的口径：该点位截至统计时刻的全部问题（不限区间与侧栏筛选，保留查看范围）。"""
    return view.filtered().at(view.as_of, HISTORY_START)


def history_params(site: str, county_ring: str | None) -> dict:
    """点位历史在口径之外的参数：只限点位，本页筛选不用。"""
    return page_params(PageFilters(), {}, county_ring=county_ring, site=site)


def filter_options(opts: pd.DataFrame, refs: pd.DataFrame) -> tuple[dict[str, list[str]], dict[str, str]]:
    """本页筛选的选项（来源、类别、点位类型 + 镇街、单位、轮次的代码）与每个小类所属的大类。"""
    options = {kind: list(group["value"]) for kind, group in opts.groupby("kind", sort=False)}
    options |= {kind: list(group["code"]) for kind, group in refs.groupby("kind", sort=False)}
    cats = opts[opts["kind"] == "类别"]
    parent = {c: p for c, p in zip(cats["value"], cats["parent"]) if isinstance(p, str)}
    return options, parent


def category_label(category: str, parent: Mapping[str, str]) -> str:
    return f"{parent[category]}·{category}" if category in parent else category


def ring_of(boundaries: pd.DataFrame) -> str | None:
    """边界表里县级边界的环（没有县界时为 None）。"""
    county = boundaries[boundaries["level"] == "县级"]
    return county_ring(county.iloc[0]["geom_wkb"] if not county.empty else None)


def town_codes(townships: pd.DataFrame) -> dict[str, str]:
    """地图点击用：镇街名 → 代码（库里没有代码的“未落镇街”不在内）。"""
    return {n: c for n, c in zip(townships["name"], townships["code"]) if c}


def show_points(summary: pd.Series) -> bool:
    """可上图的问题不多于 MARKER_LIMIT 条时逐条画点，否则只画库内汇总的网格。"""
    return 0 < int(summary["located"]) <= MARKER_LIMIT


def site_choices(ranking: pd.DataFrame, picked: str | None) -> dict[str, str]:
    """点位历史的选项：热点表里的点位，加上在地图上点到的那个（不在表里时用代码作名字）。"""
    sites = ranking[ranking["grouping_kind"] == "点位"]
    choices = dict(zip(sites["code"], sites["name"]))
    if picked and picked not in choices:
        choices[picked] = picked
    return choices


def share_url(page: PageFilters, metric: str, view: View) -> dict[str, str]:
    """当前筛选写成网址参数（本页 + 侧栏的区间、镇街、单位、轮次）：复制链接即可分享同样的视图。"""
    return to_query_params(
        page,
        metric,
        {
            "from": view.first_period_day,
            "to": view.as_of.date(),
            "town": view.township,
            "unit": view.unit,
            "round": view.round,
        },
    )


# ---- 县界与网格 ------------------------------------------------------------------------------


def county_ring(wkb: bytes | None, digits: int = 6) -> str | None:
    """县界多边形 → '经度 纬度,…;…'（每个外环与内环一段），供 SQL 射线法判断点是否在县内；没有边界时为 None。"""
    if wkb is None:
        return None
    geom = geo.from_wkb(wkb)
    rings = []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        for ring in (poly.exterior, *poly.interiors):
            rings.append(",".join(f"{x:.{digits}f} {y:.{digits}f}" for x, y in ring.coords))
    return ";".join(rings) or None


@dataclass(frozen=True)
class Grid:
    """库内汇总的网格：格号 = floor((经度−起点)/格宽)、floor((纬度−起点)/格高)（整数）；extent 为只汇总的范围（None = 不限）。"""

    zoom: int
    origin_lon: float
    origin_lat: float
    cell_lon: float
    cell_lat: float
    extent: tuple[float, float, float, float] | None = None

    def params(self) -> dict:
        west, south, east, north = self.extent or (None, None, None, None)
        return {
            "origin_lon": self.origin_lon,
            "origin_lat": self.origin_lat,
            "cell_lon": self.cell_lon,
            "cell_lat": self.cell_lat,
            "west": west,
            "south": south,
            "east": east,
            "north": north,
        }


def fit_zoom(bounds: tuple[float, float, float, float], width_px: int, height_px: int, max_zoom: int = 18) -> int:
    """Leaflet fitBounds 会选的缩放级别（Web 墨卡托，256 像素瓦片）：整个范围放得下的最大整数级别。"""
    minx, miny, maxx, maxy = bounds

    def merc_y(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / (2 * math.pi)

    span_x = max((maxx - minx) / 360.0, 1e-9)
    span_y = max(merc_y(maxy) - merc_y(miny), 1e-9)
    z = math.floor(min(math.log2(width_px / 256.0 / span_x), math.log2(height_px / 256.0 / span_y)))
    return int(max(0, min(max_zoom, z)))


def grid_for_view(
    bounds: tuple[float, float, float, float], width_px: int = 900, height_px: int = 600, cell_px: int = 16
) -> Grid:
    """地图打开时的缩放级别下，约 cell_px 像素见方的网格（经度方向格宽、纬度方向按墨卡托比例缩小）。"""
    zoom = fit_zoom(bounds, width_px, height_px)
    cell_lon = cell_px * 360.0 / (256.0 * 2**zoom)
    mid_lat = (bounds[1] + bounds[3]) / 2
    cell_lat = cell_lon * math.cos(math.radians(mid_lat))
    origin_lon = math.floor(bounds[0] / cell_lon) * cell_lon
    origin_lat = math.floor(bounds[1] / cell_lat) * cell_lat
    return Grid(zoom, origin_lon, origin_lat, cell_lon, cell_lat)


@dataclass(frozen=True)
class MapView:
    """用户在地图上缩放、拖动后看到的范围（st_folium 返回的 bounds 与 zoom，已核对是有限的数）。"""

    west: float
    south: float
    east: float
    north: float
    zoom: float


def map_view_of(value: object) -> MapView | None:
    """st_folium 的返回值 → MapView；缺项、不是数、越界或范围为空时为 None（浏览器发来的值一律不信）。"""
    if not isinstance(value, Mapping):
        return None
    try:
        bounds, zoom = value["bounds"], value["zoom"]
        sw, ne = bounds["_southWest"], bounds["_northEast"]
        west, south, east, north, z = (
            float(sw["lng"]),
            float(sw["lat"]),
            float(ne["lng"]),
            float(ne["lat"]),
            float(zoom),
        )
    except (TypeError, KeyError, ValueError):
        return None
    numbers = (west, south, east, north, z)
    if not all(math.isfinite(v) for v in numbers) or not (0 <= z <= 24):
        return None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        return None
    return MapView(west, south, east, north, z)


def grid_for_map_view(
    shown: MapView, mid_lat: float, cell_px: int = 16, pad: float = 0.25, tile_cells: int = 8
) -> Grid:
    """放大后看到的范围里约 cell_px 像素见方的网格，只汇总这一范围（四周各多留 pad 个视野宽高，拖动一点不必重查）。

    格子以经纬度 0 为起点、格宽只由缩放级别决定（纬度方向按本县中部纬度的墨卡托比例缩小），所以同一级别下
    拖动前后的格号相同；范围对齐到 tile_cells 个格子的整数倍，拖动不超过这一步时查询参数不变、直接用缓存。"""
    zoom = int(math.floor(shown.zoom))
    cell_lon = cell_px * 360.0 / (256.0 * 2**zoom)
    cell_lat = cell_lon * math.cos(math.radians(mid_lat))
    dx, dy = (shown.east - shown.west) * pad, (shown.north - shown.south) * pad
    step_lon, step_lat = cell_lon * tile_cells, cell_lat * tile_cells
    extent = (
        math.floor((shown.west - dx) / step_lon) * step_lon,
        math.floor((shown.south - dy) / step_lat) * step_lat,
        math.ceil((shown.east + dx) / step_lon) * step_lon,
        math.ceil((shown.north + dy) / step_lat) * step_lat,
    )
    return Grid(zoom, 0.0, 0.0, cell_lon, cell_lat, extent)


def finer_grid(opened: Grid, shown: MapView | None, bounds: tuple[float, float, float, float]) -> Grid | None:
    """用户放大到比打开时更细的级别时，按看到的范围重新分格（纬度比例取打开时范围 bounds 的中部）；
    没放大（或缩小、只拖动）时 None，沿用打开时的网格。"""
    if shown is None or math.floor(shown.zoom) <= opened.zoom:
        return None
    return grid_for_map_view(shown, (bounds[1] + bounds[3]) / 2)


def boundary_bounds(boundaries: pd.DataFrame, township: str | None) -> tuple[float, float, float, float] | None:
    """当前视野：选了镇街时是该镇街的范围，否则是全县（没有县界时用各镇街的并集）。"""
    if boundaries.empty:
        return None
    if township is not None:
        rows = boundaries[boundaries["code"] == township]
    else:
        rows = boundaries[boundaries["level"] == "县级"]
        if rows.empty:
            rows = boundaries
    if rows.empty:
        rows = boundaries
    geoms = [geo.from_wkb(w) for w in rows["geom_wkb"]]
    west, south, east, north = shapely.union_all(geoms).bounds
    return float(west), float(south), float(east), float(north)


# ---- 地图点击 --------------------------------------------------------------------------------

TOWNSHIP_TIP = "【镇街】"
SITE_TIP = "【点位】"
_SITE_CODE = re.compile(r"【点位】[^\n｜]*?（([^（）]+)）")


@dataclass(frozen=True)
class Click:
    kind: str  # '镇街' 或 '点位'
    key: str  # 镇街名称或点位代码


def parse_click(tooltip_text: str | None) -> Click | None:
    """地图点击返回的提示文字 → 点到了哪个镇街或点位；点在别处（网格、空白、无点位的问题）为 None。"""
    if not tooltip_text:
        return None
    text = tooltip_text.strip()
    if text.startswith(TOWNSHIP_TIP):
        name = re.split(r"[｜\n]", text[len(TOWNSHIP_TIP) :], maxsplit=1)[0].strip()
        return Click("镇街", name) if name else None
    m = _SITE_CODE.search(text)
    if m:
        return Click("点位", m.group(1).strip())
    return None


# ---- 热点表 ----------------------------------------------------------------------------------

RANKING_VIEWS = {
    "problems": ("问题数", "rank_problems"),
    "overdue_now": ("区间内发现且逾期", "rank_overdue"),
    "rebounds": ("反弹数", "rank_rebounds"),
}


def trend_label(change: float, previous: float) -> str:
    """较上期：“+3（上期 5）”“持平”；上期为 0 时写“新出现”。"""
    if pd.isna(change):
        return "—"
    change = int(change)
    previous = int(previous)
    if change == 0:
        return "持平"
    if previous == 0:
        return f"+{change}（上期无）"
    return f"{change:+d}（上期 {previous}）"


def ranking_table(ranking: pd.DataFrame, kind: str, by: str, top: int = TOP_N) -> pd.DataFrame:
    """热点表的一张：kind ∈ {点位, 镇街}，by ∈ RANKING_VIEWS；按名次排列，并列一起列出，中文表头。"""
    _, rank_col = RANKING_VIEWS[by]
    rows = ranking[(ranking["grouping_kind"] == kind) & ranking[rank_col].notna()]
    rows = rows[rows[rank_col] <= top].sort_values([rank_col, "code"])
    table = {"名次": rows[rank_col].astype(int).to_numpy()}
    if kind == "点位":
        table |= {
            "点位": rows["name"].to_numpy(),
            "点位代码": rows["code"].to_numpy(),
            "点位类型": rows["site_type"].to_numpy(),
            "所属镇街": rows["township_name"].to_numpy(),
        }
    else:
        table |= {"镇街": rows["name"].to_numpy()}
    table |= {
        "问题数": rows["problems"].astype(int).to_numpy(),
        "区间内发现且逾期": rows["overdue_now"].astype(int).to_numpy(),
        "反弹数": rows["rebounds"].astype(int).to_numpy(),
        "上期问题数": rows["problems_prev"].astype(int).to_numpy(),
        "较上期": [trend_label(c, p) for c, p in zip(rows["change"], rows["problems_prev"])],
    }
    return pd.DataFrame(table)


def ranking_sheets(ranking: pd.DataFrame, top: int = TOP_N) -> dict[str, pd.DataFrame]:
    """导出 Excel 的各工作表：点位/镇街 × 问题数/区间内发现且逾期/反弹数；“较上期”写成数字（增减条数）便于再计算。"""
    sheets = {}
    for kind in ("点位", "镇街"):
        for by, (label, _) in RANKING_VIEWS.items():
            table = ranking_table(ranking, kind, by, top)
            table["较上期"] = table["问题数"] - table["上期问题数"]
            sheets[f"{kind}·按{label}"] = table.rename(columns={"较上期": "较上期增减"})
    return sheets


def cell_size_m(grid: Grid) -> int:
    """网格边长（米，按经度方向；100 米以上取整到 10 米），用于页面说明。"""
    mid_lat = (grid.extent[1] + grid.extent[3]) / 2 if grid.extent else grid.origin_lat + grid.cell_lat
    metres = grid.cell_lon * geo.km_per_deg_lon(mid_lat) * 1000
    return int(round(metres, -1 if metres >= 100 else 0))


def describe_filters(page: PageFilters, township: str | None, unit: str | None, round_code: str | None) -> str:
    """导出文件里注明的筛选条件（中文一句话）。"""
    parts = []
    for label, values in (
        ("来源", page.sources),
        ("类别", page.categories),
        ("点位类型", page.site_types),
        ("严重程度", page.severities),
        ("状态", page.statuses),
    ):
        if values:
            parts.append(f"{label}={'、'.join(values)}")
    for label, value in (("镇街", township), ("牵头单位", unit), ("测评轮次", round_code)):
        if value:
            parts.append(f"{label}={value}")
    return "；".join(parts) if parts else "无（全部问题）"


def history_summary(history: pd.DataFrame) -> str:
    """点位历史的一句话：共几条、已销号几条、反弹几条、销号后再现几次。"""
    total = len(history)
    closed = int((history["status"] == CLOSED).sum())
    rebounds = int(history["is_rebound"].sum())
    came_back = int(history["came_back_as"].notna().sum() + (history["reopened_count"] > 0).sum())
    return (
        f"该点位共 {total} 条问题，其中已销号 {closed} 条、记为反弹 {rebounds} 条；"
        f"销号后又出现（再次发现或被反弹重开）{came_back} 次。"
    )


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """点位历史：每条问题一行，写明是否反弹、反弹自哪条、销号后是否再次出现。
    反弹自查看范围之外的问题时（查询只给 rebound_after_other_unit，不给编号与日期）只写“其他单位的问题”。"""

    def rebound_text(row: pd.Series) -> str:
        if not row["is_rebound"]:
            return "否"
        if row["rebound_after_other_unit"]:
            return "是（其他单位的问题销号后再次发现）"
        if row["rebound_after"] == row["problem_code"]:
            return f"是（本条 {formats.day(row['rebound_after_closed_at'])} 销号后被反弹重开）"
        return f"是（{row['rebound_after']} 于 {formats.day(row['rebound_after_closed_at'])} 销号后再次发现）"

    def came_back(row: pd.Series) -> str:
        later = row["came_back_as"]
        if isinstance(later, str) and later:
            return f"是：{later}"
        if pd.notna(row["closed_at"]) or row["reopened_count"] > 0:
            return "否" if row["reopened_count"] == 0 else "被反弹重开"
        return "—（未销号）"

    return pd.DataFrame(
        {
            "问题编号": history["problem_code"].to_numpy(),
            "发现时间": [formats.moment(v) for v in history["found_at"]],
            "类别": history["category"].to_numpy(),
            "来源": history["source"].to_numpy(),
            "严重程度": history["severity"].to_numpy(),
            "状态": history["status"].to_numpy(),
            "销号时间": [formats.moment(v) if pd.notna(v) else "—" for v in history["closed_at"]],
            "逾期": ["是" if v else "否" for v in history["is_overdue"]],
            "是否反弹": [rebound_text(r) for _, r in history.iterrows()],
            "销号后再现": [came_back(r) for _, r in history.iterrows()],
            "问题描述": history["description"].to_numpy(),
        }
    )


def bad_coords_table(bad: pd.DataFrame) -> pd.DataFrame:
    def coord(lon: float, lat: float) -> str:
        return "—" if pd.isna(lon) or pd.isna(lat) else f"{lon:.6f}, {lat:.6f}"

    return pd.DataFrame(
        {
            "问题编号": bad["problem_code"].to_numpy(),
            "原因": bad["coord_status"].to_numpy(),
            "发现时间": [formats.moment(v) for v in bad["found_at"]],
            "所属镇街": bad["township_name"].fillna("—").to_numpy(),
            "点位": bad["site_name"].fillna("—").to_numpy(),
            "类别": bad["category"].to_numpy(),
            "经纬度": [coord(x, y) for x, y in zip(bad["lon"], bad["lat"])],
            "状态": bad["status"].to_numpy(),
            "问题描述": bad["description"].to_numpy(),
        }
    )


def bad_coords_message(summary: Mapping) -> str | None:
    """“坐标缺失/越界 x 条”：不上图的问题必须说出来，不悄悄丢掉。"""
    missing, outside = int(summary["coords_missing"]), int(summary["coords_outside"])
    if missing + outside == 0:
        return None
    return (
        f"坐标缺失/越界 {formats.count(missing + outside)} 条（缺失 {formats.count(missing)} 条、"
        f"越界 {formats.count(outside)} 条）：这些问题计入镇街统计和热点表，但不画在地图上，明细见下方清单。"
    )


# ---- 网址中的筛选状态 -------------------------------------------------------------------------

URL_LISTS = {"src": "sources", "cat": "categories", "stype": "site_types", "sev": "severities", "st": "statuses"}
URL_SHARED = ("from", "to", "town", "unit", "round")
URL_KEYS = (*URL_LISTS, "metric")
# 本页控件在会话里的键（推进会翻屏时记住它们）
WIDGET_KEYS = [
    *(f"hs_{attr}" for attr in URL_LISTS.values()),
    "hs_metric",
    "hs_rank_by",
    "hs_site",
]  # 本页自己的参数（共用的见 chuangwen.urlparams）


def page_filters_of(state: Mapping[str, Any]) -> PageFilters:
    """本页筛选控件（会话里的 hs_sources、hs_categories……）的当前值。"""
    return PageFilters(*(tuple(state.get(f"hs_{attr}", ())) for attr in URL_LISTS.values()))


@dataclass(frozen=True)
class UrlState:
    page: PageFilters = field(default_factory=PageFilters)
    metric: str = "problems"
    notes: tuple[str, ...] = ()  # 被忽略的本页参数值的说明（中文）


def to_query_params(page: PageFilters, metric: str, shared: Mapping) -> dict[str, str]:
    """当前筛选 → 网址参数（只写非默认值，列表用逗号连接），分享链接即可复现。"""
    out: dict[str, str] = {}
    for short, attr in URL_LISTS.items():
        values = getattr(page, attr)
        if values:
            out[short] = ",".join(values)
    if metric != "problems":
        out["metric"] = metric
    for key in URL_SHARED:
        value = shared.get(key)
        if value is not None:
            out[key] = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
    return out


def from_query_params(params: Mapping[str, str], options: Mapping[str, Iterable[str]]) -> UrlState:
    """网址参数 → 筛选状态；不认识的值丢弃（网址可能被手工改过或来自旧版本），不报错。"""
    allowed = {
        "sources": set(options.get("来源", ())),
        "categories": set(options.get("类别", ())),
        "site_types": set(options.get("点位类型", ())),
        "severities": set(SEVERITIES),
        "statuses": set(STATUSES),
    }
    lists = {}
    notes = []
    for short, attr in URL_LISTS.items():
        raw = params.get(short) or ""
        values = [v for v in dict.fromkeys(raw.split(",")) if v]
        lists[attr] = tuple(v for v in values if v in allowed[attr])
        dropped = [v for v in values if v not in allowed[attr]]
        if dropped:
            notes.append(f"网址参数 {short} 中的“{urlparams.shown('、'.join(dropped))}”不是可选的取值，已忽略。")
    metric = params.get("metric", "problems")
    if metric not in CHOROPLETH_METRICS:
        notes.append(f"网址参数 metric 的值“{urlparams.shown(metric)}”不是可选的指标，已按问题数显示。")
    return UrlState(
        PageFilters(**lists),
        metric if metric in CHOROPLETH_METRICS else "problems",
        tuple(notes),
    )
