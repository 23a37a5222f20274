"""纯地图构建：输入查询结果（DataFrame），返回 folium.Map；不依赖 streamlit，测试直接调用。

离线：地图和插件的 JS/CSS 一律指向应用自己的 /app/static/vendor（chuangwen.assets 安装时准备），
只改本实例的 default_js/default_css，不动 folium 的类属性（那会影响同进程里的所有地图）。
默认不加底图，镇街边界与名称由我们自己画；设置了内网瓦片地址时才加瓦片层。
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

import folium
import folium.plugins
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from jinja2 import Template
from shapely.geometry.base import BaseGeometry

from chuangwen import assets, formats, geo, hotspots
from chuangwen.escape import html_text
from chuangwen.formats import CJK_FONT_FAMILY
from chuangwen.vocabulary import CLOSED

# 由浅到深的红：问题越多越深（投影仪上也分得清）
CHOROPLETH_COLORS = ("#FEE5D9", "#FCAE91", "#FB6A4A", "#DE2D26", "#A50F15")
NO_DATA_COLOR = "#ECEFF1"
STATUS_COLORS = {"逾期": "#7B1FA2", "反弹": "#E65100", "在办": "#C62828", CLOSED: "#2E7D32"}
HEAT_GRADIENT = {0.2: "#FFF3B0", 0.45: "#FDB863", 0.7: "#E66101", 1.0: "#B2182B"}
METRIC_UNITS = {"problems": "条", "per_1000": "条/千人", "per_site": "条/点位"}


def offline(m: folium.Map) -> folium.Map:
    """只用本地素材：Leaflet 本体；本页不用 jQuery、Bootstrap、awesome-markers，全部去掉。"""
    m.default_js = [("leaflet", assets.LEAFLET_JS)]
    m.default_css = [("leaflet_css", assets.LEAFLET_CSS)]
    return m


def external_links(m: folium.Map) -> list[str]:
    """地图及其所有子元素引用的、不在本应用 /app/static 下的 JS/CSS 地址（离线检查用，应为空）。"""
    found = []

    def walk(el):
        for _, url in list(getattr(el, "default_js", [])) + list(getattr(el, "default_css", [])):
            if not url.startswith(assets.URL_ROOT + "/"):
                found.append(url)
        for child in getattr(el, "_children", {}).values():
            walk(child)

    walk(m)
    return found


class Legend(MacroElement):
    """图例：Leaflet 控件（右下角），内容是我们生成的中文 HTML；不用 branca 色带（它会从 CDN 拉 d3）。"""

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "var {{ this.get_name() }} = L.control({position: 'bottomright'});\n"
        "{{ this.get_name() }}.onAdd = function () {\n"
        "  var div = L.DomUtil.create('div', 'cw-legend');\n"
        "  div.innerHTML = {{ this.html_json }};\n"
        "  return div;\n"
        "};\n"
        "{{ this.get_name() }}.addTo({{ this._parent.get_name() }});\n"
        "{% endmacro %}"
    )

    def __init__(self, html: str):
        super().__init__()
        self._name = "Legend"
        self.html = html
        self.html_json = json.dumps(html, ensure_ascii=False)


LABEL_FONT_PX = 12
BIG_FONT_PX = 22  # 推进会（投影）：镇街名称、图例、图层开关、比例尺、提示都不小于 20 px
LABEL_ZOOMS = range(6, 19)  # 地图允许的缩放级别（min_zoom … max_zoom）


def _label_box(
    name: str, lon: float, lat: float, zoom: int, font_px: int = LABEL_FONT_PX
) -> tuple[float, float, float, float]:
    """镇街名称标注在某一缩放级别下的像素框（Web 墨卡托像素坐标；中文按一个字宽、其余半个字宽估算，四周留 4 像素）。"""
    scale = 256 * 2**zoom
    x = (lon + 180) / 360 * scale
    s = math.sin(math.radians(max(min(lat, 85.0), -85.0)))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale
    width = sum(font_px if ord(ch) > 0x2E7F else font_px / 2 for ch in name) + 8
    height = font_px + 8
    return x - width / 2, y - height / 2, x + width / 2, y + height / 2


def label_min_zooms(labels: list[tuple[str, float, float]], font_px: int = LABEL_FONT_PX) -> list[int]:
    """每个镇街名称从哪一缩放级别起显示：labels 按优先级排好（问题多的在前）；某级别下与更优先的、已显示的名称重叠就先不显示，
    放大到不重叠时再出现（名称始终在镇街的悬停提示里）。到最大级别仍重叠的，最大级别时显示。"""
    out = [LABEL_ZOOMS[-1]] * len(labels)
    for zoom in LABEL_ZOOMS:
        shown: list[tuple[float, float, float, float]] = []
        for i, (name, lon, lat) in enumerate(labels):
            box = _label_box(name, lon, lat, zoom, font_px)
            if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in shown):
                continue
            shown.append(box)
            out[i] = min(out[i], zoom)
    return out


def label_zoom_css() -> str:
    """地图容器带 cw-zoom-N（当前缩放级别取整）时，隐藏 data-minzoom 大于 N 的名称。"""
    rules = [f'.cw-zoom-{z} .cw-label[data-minzoom="{m}"]' for z in LABEL_ZOOMS for m in LABEL_ZOOMS if m > z]
    return ",".join(rules) + "{display:none;}"


class MapTweaks(MacroElement):
    """中文的地图控件：缩放按钮提示“放大/缩小”、公制比例尺写“公里/米”（不显示英里）、署名前缀“地图引擎 Leaflet”；
    按缩放级别给地图容器加 cw-zoom-N，镇街名称据此在挤的时候先不显示（见 label_min_zooms）。"""

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "(function (map) {\n"
        "  if (map.zoomControl) { map.zoomControl.remove(); }\n"
        "  L.control.zoom({zoomInTitle: '放大', zoomOutTitle: '缩小'}).addTo(map);\n"
        "  var Scale = L.Control.Scale.extend({\n"
        "    _updateScale: function (scale, text, ratio) {\n"
        "      L.Control.Scale.prototype._updateScale.call(this, scale, text.replace(' km', ' 公里').replace(' m', ' 米'), ratio);\n"
        "    }\n"
        "  });\n"
        "  new Scale({imperial: false, metric: true}).addTo(map);\n"
        "  map.attributionControl.setPrefix('地图引擎 Leaflet');\n"
        "  function zoomClass() {\n"
        "    var c = map.getContainer();\n"
        "    c.className = c.className.replace(/\\s*cw-zoom-\\d+/g, '') + ' cw-zoom-' + Math.floor(map.getZoom());\n"
        "  }\n"
        "  map.on('zoomend', zoomClass);\n"
        "  zoomClass();\n"
        "})({{ this._parent.get_name() }});\n"
        "{% endmacro %}"
    )

    def __init__(self):
        super().__init__()
        self._name = "MapTweaks"


_PAGE_STYLE = (
    "<style>"
    f".leaflet-container{{background:#F7F9FA;font-family:{CJK_FONT_FAMILY};}}"
    ".cw-legend{background:rgba(255,255,255,.92);padding:6px 9px;border-radius:4px;font-size:12px;"
    "line-height:18px;box-shadow:0 1px 4px rgba(0,0,0,.25);color:#263238;}"
    ".cw-legend i{display:inline-block;width:14px;height:12px;margin-right:6px;vertical-align:-1px;"
    "border:1px solid #90A4AE;}"
    ".cw-label{font-size:12px;font-weight:600;color:#263238;white-space:nowrap;text-align:center;"
    "text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff;pointer-events:none;}" + label_zoom_css() + "</style>"
)

# 推进会（投影）：地图里的每个字都不小于 20 px；镇街名称带白底，压在点与热力之上（名称在自己的图层 cwLabels 里）
_BIG_STYLE = (
    "<style>"
    f".cw-legend{{font-size:{BIG_FONT_PX}px;line-height:32px;padding:10px 14px;}}"
    ".cw-legend i{width:24px;height:20px;}"
    f".cw-label{{font-size:{BIG_FONT_PX}px;font-weight:800;color:#000;background:rgba(255,255,255,.88);"
    "padding:1px 6px;border-radius:4px;display:inline-block;}"
    f".leaflet-control-layers,.leaflet-control-layers label{{font-size:{BIG_FONT_PX - 2}px;line-height:30px;}}"
    f".leaflet-control-scale-line{{font-size:{BIG_FONT_PX - 2}px;line-height:26px;padding:2px 8px;}}"
    f".leaflet-control-attribution,.leaflet-control-attribution a{{font-size:{BIG_FONT_PX - 2}px;}}"
    ".leaflet-control-zoom a{width:48px !important;height:48px !important;line-height:48px !important;"
    "font-size:30px !important;}"
    f".leaflet-tooltip,.leaflet-popup-content{{font-size:{BIG_FONT_PX - 2}px;}}"
    "</style>"
)


def content_security_policy(tiles_url: str = "") -> str:
    """地图文档的内容安全策略（<meta>）：脚本、样式、图片、连接只许本站（和设置里的内网瓦片服务）。

    地图画在 streamlit-folium 的组件 iframe 里；这个 iframe 的 sandbox 由 Streamlit 给所有组件统一设定
    （含 allow-same-origin，组件要靠它与页面通信），我们改不了。数据文字已在 html_text 转义；这条策略是第二道闸：
    万一有标记漏进来，浏览器也不会去外网取图、连外网。脚本须允许内联与 eval：streamlit-folium 用内联脚本画图。
    """
    parts = urlsplit(tiles_url)
    # 瓦片地址里的 {s}（子域名轮换）写成通配符 *
    extra = (
        f" {parts.scheme}://{parts.netloc.replace('{s}', '*')}"
        if parts.scheme in ("http", "https") and parts.netloc
        else ""
    )
    policy = (
        f"default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: blob:{extra}; connect-src 'self'; font-src 'self' data:; object-src 'none'; "
        "base-uri 'self'; form-action 'none'"
    )
    return f'<meta http-equiv="Content-Security-Policy" content="{html_text(policy)}">'


def breaks(values: Iterable[float], n: int = len(CHOROPLETH_COLORS)) -> list[float]:
    """分级界限：0 到最大值等分为 n 级，取“好看”的整数或一位小数；全为 0 或空时只有一级。"""
    vals = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    top = max(vals, default=0.0)
    if top <= 0:
        return [0.0]
    step = top / n
    magnitude = 10 ** math.floor(math.log10(step))
    nice = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= step)
    return [round(nice * i, 6) for i in range(n + 1)]


def color_for(value: float | None, edges: list[float]) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return NO_DATA_COLOR
    if len(edges) < 2 or value <= 0:
        return CHOROPLETH_COLORS[0]
    for i in range(1, len(edges)):
        if value <= edges[i]:
            return CHOROPLETH_COLORS[min(i - 1, len(CHOROPLETH_COLORS) - 1)]
    return CHOROPLETH_COLORS[-1]


def _fmt(value: float | None, metric: str) -> str:
    if value is None or pd.isna(value):
        return "—"
    return formats.count(value) if metric == "problems" else f"{float(value):.2f}"


def legend_html(metric: str, edges: list[float], extra: Sequence[tuple[str, str]] = ()) -> str:
    title = f"镇街{hotspots.CHOROPLETH_METRICS[metric]}（{METRIC_UNITS[metric]}）"
    rows = [f"<b>{title}</b>"]
    if len(edges) < 2:
        rows.append(f'<i style="background:{CHOROPLETH_COLORS[0]}"></i>0')
    else:
        for i in range(len(edges) - 1):
            lo, hi = edges[i], edges[i + 1]
            label = f"{_fmt(lo, metric)} – {_fmt(hi, metric)}" if i else f"≤ {_fmt(hi, metric)}"
            rows.append(f'<i style="background:{CHOROPLETH_COLORS[i]}"></i>{label}')
    rows.append(f'<i style="background:{NO_DATA_COLOR}"></i>无分母（人口或点位未填）')
    for color, label in extra:
        rows.append(f'<i style="background:{color};border-radius:7px"></i>{label}')
    return "<br>".join(rows)


def _round_geom(geom: BaseGeometry, digits: int = 5) -> BaseGeometry:
    return shapely.set_precision(geom, 10**-digits)


def township_features(boundaries: pd.DataFrame, townships: pd.DataFrame, metric: str, edges: list[float]) -> dict:
    """镇街多边形 GeoJSON：属性里放提示文字（点击时据此识别镇街）和填充色。"""
    stats = townships.set_index("code") if not townships.empty else pd.DataFrame()
    features = []
    towns = boundaries[boundaries["level"] == "镇街"]
    # 大的先画、小的后画（在上面）：套在别的镇街里的小镇街（飞地、新划出的街道）也悬停、点得到
    shapes = [geo.from_wkb(w) for w in towns["geom_wkb"]]
    for k in sorted(range(len(shapes)), key=lambda i: -round(shapes[i].area, 9)):
        b, geom = towns.iloc[k], shapes[k]
        row = stats.loc[b["code"]] if b["code"] in stats.index else None
        value = None if row is None else row[metric]
        problems = 0 if row is None else int(row["problems"])
        tip = (
            f"{hotspots.TOWNSHIP_TIP}{html_text(b['name'])}｜问题 {formats.count(problems)} 条"
            f"｜{hotspots.CHOROPLETH_METRICS[metric]} {_fmt(value, metric)}｜点击筛选到该镇街"
        )
        geom = _round_geom(geom)
        features.append(
            {
                "type": "Feature",
                "id": str(b["code"]),
                "properties": {"tip": tip, "fill": color_for(value, edges)},
                "geometry": shapely.geometry.mapping(geom),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _status_key(row: pd.Series) -> str:
    if row["is_overdue"]:
        return "逾期"
    if row["is_rebound"]:
        return "反弹"
    return CLOSED if row["status"] == CLOSED else "在办"


def point_features(points: pd.DataFrame) -> dict:
    """逐条问题的点 GeoJSON（问题不多时）：提示文字里带点位代码（点击时据此打开点位历史），弹窗字段为中文。"""
    features = []
    for i, r in enumerate(points.itertuples(index=False)):
        row = r._asdict()
        site = row["site_name"] if isinstance(row["site_name"], str) else None
        if site:
            tip = (
                f"{hotspots.SITE_TIP}{html_text(site)}（{html_text(row['site_code'])}）｜{html_text(row['category'])}"
                "｜点击看点位历史"
            )
        else:
            tip = f"【问题】{html_text(row['problem_code'])}｜{html_text(row['category'])}｜无登记点位"
        features.append(
            {
                "type": "Feature",
                "id": str(i),
                "properties": {
                    "tip": tip,
                    "k": _status_key(row),
                    "编号": html_text(row["problem_code"]),
                    "类别": html_text(row["category"]),
                    "点位": html_text(site) if site else "—",
                    "牵头单位": html_text(row["unit_name"]) or "—",
                    "状态": html_text(row["status"]) + ("（逾期）" if row["is_overdue"] else ""),
                    "已办天数": f"{int(row['days_open'])} 天",
                },
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(float(row["lon"]), 6), round(float(row["lat"]), 6)],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def cell_features(grid: pd.DataFrame) -> dict:
    """网格汇总的点 GeoJSON（问题多时）：每格一个圆，半径随问题数的平方根增大。"""
    top = float(grid["problems"].max()) if not grid.empty else 1.0
    features = []
    for i, r in enumerate(grid.itertuples(index=False)):
        radius = 4 + 14 * math.sqrt(float(r.problems) / top)
        features.append(
            {
                "type": "Feature",
                "id": str(i),
                "properties": {
                    "tip": f"此处 {formats.count(r.problems)} 条问题（在办 {formats.count(r.open_now)}、"
                    f"逾期 {formats.count(r.overdue_now)}）",
                    "r": round(radius, 1),
                },
                "geometry": {"type": "Point", "coordinates": [round(float(r.lon), 6), round(float(r.lat), 6)]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def heat_data(grid: pd.DataFrame) -> list[list[float]]:
    """热力数据取自库内网格：[纬度, 经度, 权重]，权重 = 格内问题数 ÷ 最大格问题数。"""
    if grid.empty:
        return []
    top = float(grid["problems"].max())
    return [
        [round(float(lat), 6), round(float(lon), 6), round(float(n) / top, 4)]
        for lat, lon, n in zip(grid["lat"], grid["lon"], grid["problems"])
    ]


class GridTargets(MacroElement):
    """把热力图层组与网格图层组登记为 window.cw_grid，放大后换成细格的脚本（grid_layers_js）往里面换内容。"""

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "window.cw_grid = {heat: {{ this.heat.get_name() }}, "
        "cells: {% if this.cells %}{{ this.cells.get_name() }}{% else %}null{% endif %}};\n"
        "{% endmacro %}"
    )

    def __init__(self, heat: folium.FeatureGroup, cells: folium.FeatureGroup | None):
        super().__init__()
        self._name = "GridTargets"
        self.heat, self.cells = heat, cells


def _heat_options(zoom: int, heat_radius: int) -> dict:
    return {
        "radius": heat_radius,
        "blur": 15,
        "minOpacity": 0.35,
        "maxZoom": zoom,
        "gradient": {str(k): v for k, v in HEAT_GRADIENT.items()},
    }


def grid_layers_js(grid: pd.DataFrame, zoom: int, heat_radius: int = 18) -> str:
    """放大后按看到的范围重算的网格 → 一段脚本：清空地图上登记的热力与网格图层组，换成这些格子。

    交给 streamlit-folium 组件的 feature_group 参数（它在地图已画好时执行、内容变了才重新执行），地图本身不重新挂载，
    用户的缩放位置和图层开关都保留。数据只有数和我们拼的、已转义的提示文字，整体经 json.dumps 写入。"""
    heat = json.dumps(heat_data(grid))
    cells = json.dumps(cell_features(grid), ensure_ascii=False)
    options = json.dumps(_heat_options(zoom, heat_radius))
    return (
        "(function () {\n"
        "  var g = window.cw_grid; if (!g) { return; }\n"
        f"  g.heat.clearLayers(); g.heat.addLayer(L.heatLayer({heat}, {options}));\n"
        "  if (g.cells) {\n"
        "    g.cells.clearLayers();\n"
        f"    g.cells.addLayer(L.geoJson({cells}, {{\n"
        "      pointToLayer: function (f, ll) { return L.circleMarker(ll, {radius: f.properties.r, weight: 1, fill: true,\n"
        "        fillOpacity: 0.55, color: '#B71C1C', fillColor: '#E53935'}); },\n"
        "      onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.tip); }\n"
        "    }));\n"
        "  }\n"
        "})();\n"
    )


def _base_map(
    boundaries: pd.DataFrame,
    view: tuple[float, float, float, float] | None,
    zoom: int,
    tiles_url: str,
    tiles_attr: str,
    big: bool,
) -> tuple[folium.Map, tuple[float, float, float, float]]:
    """本县地图的底子（问题热点、丢分预警共用）：离线素材、中文的缩放与比例尺、内容安全策略、可选的内网瓦片、县界。
    view 为打开时的范围（西、南、东、北），不给时取全部边界；big=True（推进会）时字放大。"""
    if view is None:
        bounds = (
            shapely.union_all([geo.from_wkb(w) for w in boundaries["geom_wkb"]]).bounds
            if not boundaries.empty
            else (73.0, 18.0, 135.0, 54.0)
        )
    else:
        bounds = view
    center = [(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2]
    # SVG 渲染（不用 canvas）：镇街多边形与点是页面上可见、可点的元素；点最多 MARKER_LIMIT 个
    m = offline(
        folium.Map(
            location=center,
            zoom_start=zoom,
            tiles=None,
            control_scale=False,
            min_zoom=6,
            max_zoom=18,
            zoom_snap=0.25,
            zoom_delta=0.5,
        )
    )
    MapTweaks().add_to(m)
    page = m.get_root()
    assert isinstance(page, Figure)  # folium 的地图总在一个 branca Figure 里；get_root() 只标注为 Element
    page.header.add_child(Element(_PAGE_STYLE), name="cw_style")
    if big:
        page.header.add_child(Element(_BIG_STYLE), name="cw_big_style")
    page.header.add_child(Element(content_security_policy(tiles_url)), name="cw_csp")
    if tiles_url:
        folium.TileLayer(tiles=tiles_url, attr=tiles_attr, name="底图", overlay=False, control=False).add_to(m)

    # 县界（不参与点击）
    county = boundaries[boundaries["level"] == "县级"]
    if not county.empty:
        folium.GeoJson(
            shapely.geometry.mapping(_round_geom(geo.from_wkb(county.iloc[0]["geom_wkb"]))),
            name="县界",
            control=False,
            interactive=False,
            style_function=lambda f: {"fill": False, "color": "#37474F", "weight": 2.5},
        ).add_to(m)

    return m, bounds


def _township_labels(m: folium.Map, boundaries: pd.DataFrame, busy: dict, big: bool) -> None:
    """镇街名称（我们自己画的标注，始终显示，在自己的图层里，压在点、网格与热力之上）。busy：镇街代码 → 问题数（排先后）。"""
    # 挤在一起的镇街先不标名称，放大到不重叠时再出现（名称在镇街的悬停提示里）：问题多的优先，再按面积
    folium.map.CustomPane("cwLabels", z_index=640, pointer_events=False).add_to(m)
    labels = folium.FeatureGroup(name="镇街名称", control=False)
    town_rows = boundaries[boundaries["level"] == "镇街"]
    geoms = [geo.from_wkb(w) for w in town_rows["geom_wkb"]]
    order = sorted(range(len(geoms)), key=lambda i: (-(busy.get(town_rows.iloc[i]["code"]) or 0), -geoms[i].area))
    placed = [(str(town_rows.iloc[i]["name"]), *geo.representative_lonlat(geoms[i])) for i in order]
    font_px = BIG_FONT_PX if big else LABEL_FONT_PX
    for (name, lon, lat), min_zoom in zip(placed, label_min_zooms(placed, font_px)):
        folium.Marker(
            [lat, lon],
            icon=folium.DivIcon(
                html=f'<div class="cw-label" data-minzoom="{min_zoom}">{html_text(name)}</div>',
                icon_size=(8 * font_px, font_px + 8),
                icon_anchor=(4 * font_px, (font_px + 8) // 2),
                class_name="cw-label-icon",
            ),
            interactive=False,
            pane="cwLabels",
        ).add_to(labels)
    labels.add_to(m)


def hotspot_map(
    boundaries: pd.DataFrame,
    townships: pd.DataFrame,
    grid: pd.DataFrame,
    points: pd.DataFrame | None,
    *,
    metric: str = "problems",
    view: tuple[float, float, float, float] | None = None,
    zoom: int = 11,
    tiles_url: str = "",
    tiles_attr: str = "",
    heat_radius: int = 18,
    big: bool = False,
) -> folium.Map:
    """问题热点地图：镇街分级设色（可切换）、热力图（可切换）、逐条点位（问题少时）或网格汇总（问题多时）。
    big=True（推进会）：名称、图例、图层开关、比例尺与提示都放大到 ≥ 20 px，镇街名称带白底、压在点与热力之上。"""
    m, bounds = _base_map(boundaries, view, zoom, tiles_url, tiles_attr, big)

    # 镇街分级设色：点击即按镇街筛选
    edges = breaks(townships[metric] if not townships.empty else [])
    towns = township_features(boundaries, townships, metric, edges)
    choropleth = folium.FeatureGroup(name=f"镇街分级设色（{hotspots.CHOROPLETH_METRICS[metric]}）", show=True)
    folium.GeoJson(
        towns,
        name="镇街",
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.72,
            "color": "#546E7A",
            "weight": 1.2,
        },
        highlight_function=lambda f: {"weight": 3, "color": "#263238"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
    ).add_to(choropleth)
    choropleth.add_to(m)

    busy = dict(zip(townships["code"], townships["problems"])) if not townships.empty else {}
    _township_labels(m, boundaries, busy, big)

    heat = folium.FeatureGroup(name="热力图", show=True)
    if not grid.empty:
        options = _heat_options(zoom, heat_radius)
        layer = folium.plugins.HeatMap(
            heat_data(grid),
            radius=heat_radius,
            blur=options["blur"],
            min_opacity=options["minOpacity"],
            max_zoom=zoom,
            gradient=HEAT_GRADIENT,
        )
        layer.default_js = [("leaflet-heat.js", assets.HEAT_JS)]
        layer.add_to(heat)
    heat.add_to(m)

    extra: list[tuple[str, str]] = []
    cells = None
    if points is not None:
        marks = folium.FeatureGroup(name=f"问题点位（{formats.count(len(points))} 条）", show=True)
        folium.GeoJson(
            point_features(points),
            name="问题点位",
            marker=folium.CircleMarker(radius=5, weight=1, fill=True, fill_opacity=0.85),
            style_function=lambda f: {"color": "#FFFFFF", "fillColor": STATUS_COLORS[f["properties"]["k"]]},
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
            popup=folium.GeoJsonPopup(fields=["编号", "类别", "点位", "牵头单位", "状态", "已办天数"]),
        ).add_to(marks)
        marks.add_to(m)
        extra = [(c, f"问题：{k}") for k, c in STATUS_COLORS.items()]
    elif not grid.empty:
        cells = folium.FeatureGroup(name="网格汇总（问题较多，按格计数）", show=False)
        folium.GeoJson(
            cell_features(grid),
            name="网格汇总",
            marker=folium.CircleMarker(radius=6, weight=1, fill=True, fill_opacity=0.55),
            style_function=lambda f: {"color": "#B71C1C", "fillColor": "#E53935", "radius": f["properties"]["r"]},
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        ).add_to(cells)
        cells.add_to(m)
    GridTargets(heat, cells).add_to(m)

    Legend(legend_html(metric, edges, extra)).add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return m


def naive_marker_map(points: pd.DataFrame) -> folium.Map:
    """基准用的朴素做法：每条问题一个 folium.Marker（带弹窗）放进 MarkerCluster。"""
    center = [float(points["lat"].mean()), float(points["lon"].mean())]
    m = folium.Map(location=center, zoom_start=11, tiles=None)
    cluster = folium.plugins.MarkerCluster().add_to(m)
    for r in points.itertuples(index=False):
        folium.Marker([r.lat, r.lon], tooltip=r.problem_code, popup=f"{r.problem_code} {r.category} {r.status}").add_to(
            cluster
        )
    return m


RISK_MARKER_LIMIT = 2000  # 丢分预警地图最多画几处（按分摊的预计丢分从大到小）：不逐条画问题，几千个圆点以内
RISK_COLORS = {"逾期": "#7B1FA2", "在办": "#C62828"}
RISK_LABELS = {"逾期": "有逾期的在办问题", "在办": "在办问题都未逾期"}


def risk_features(places: pd.DataFrame) -> dict:
    """丢分风险点位的点 GeoJSON：每处一个圆（半径随分摊的预计丢分的平方根增大），提示与弹窗里的文字都已转义。"""
    rows = places[places["lon"].notna() & places["lat"].notna()]
    rows = rows.sort_values("share", ascending=False).head(RISK_MARKER_LIMIT)
    top = float(rows["share"].max()) if len(rows) and float(rows["share"].max()) > 0 else 1.0
    features = []
    for i, r in enumerate(rows.itertuples(index=False)):
        overdue = not pd.isna(r.days_overdue)
        tip = (
            f"{html_text(r.item_name)}（{html_text(r.site_type)}，{html_text(r.township_name)}）"
            f"｜预计丢分 {float(r.share):.3f}｜改了少丢 {float(r.gain):.3f}｜在办问题 {int(r.problems)} 条"
            + (f"｜逾期 {int(r.days_overdue)} 天" if overdue else "")
        )
        features.append(
            {
                "type": "Feature",
                "id": str(i),
                "properties": {
                    "tip": tip,
                    "k": "逾期" if overdue else "在办",
                    "r": round(4 + 14 * math.sqrt(max(float(r.share), 0.0) / top), 1),
                },
                "geometry": {"type": "Point", "coordinates": [round(float(r.lon), 6), round(float(r.lat), 6)]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def risk_map(
    boundaries: pd.DataFrame,
    places: pd.DataFrame,
    *,
    zoom: int = 11,
    tiles_url: str = "",
    tiles_attr: str = "",
    big: bool = False,
) -> folium.Map:
    """丢分预警地图：镇街边界与名称，每个不合格处一个圆（大小 = 分摊到它的预计丢分，紫色 = 有逾期问题）。
    big=True（推进会）：名称、图例、比例尺与提示放大（与问题热点同一套大字样式）。"""
    m, bounds = _base_map(boundaries, None, zoom, tiles_url, tiles_attr, big)
    towns = boundaries[boundaries["level"] == "镇街"]
    if not towns.empty:
        outline = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": str(code),
                    "properties": {"tip": html_text(name)},
                    "geometry": shapely.geometry.mapping(_round_geom(geo.from_wkb(w))),
                }
                for code, name, w in zip(towns["code"], towns["name"], towns["geom_wkb"])
            ],
        }
        folium.GeoJson(
            outline,
            name="镇街",
            control=False,
            style_function=lambda f: {"fillColor": "#ECEFF1", "fillOpacity": 0.35, "color": "#78909C", "weight": 1},
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        ).add_to(m)
    busy = places.groupby("township_code")["share"].sum().to_dict() if "township_code" in places else {}
    _township_labels(m, boundaries, busy, big)
    shown = risk_features(places)
    layer = folium.FeatureGroup(name=f"丢分风险点位（{formats.count(len(shown['features']))} 处）", show=True)
    folium.GeoJson(
        shown,
        name="丢分风险点位",
        marker=folium.CircleMarker(radius=6, weight=1, fill=True, fill_opacity=0.7),
        style_function=lambda f: {
            "color": "#FFFFFF",
            "fillColor": RISK_COLORS[f["properties"]["k"]],
            "radius": f["properties"]["r"],
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    ).add_to(layer)
    layer.add_to(m)
    legend = "<br>".join(
        [
            "<b>丢分风险点位</b>",
            "圆越大，分摊到这一处的预计丢分越多",
            *(f'<i style="background:{c};border-radius:7px"></i>{RISK_LABELS[k]}' for k, c in RISK_COLORS.items()),
        ]
    )
    Legend(legend).add_to(m)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return m
