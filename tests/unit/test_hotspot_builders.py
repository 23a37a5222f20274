"""问题热点的纯逻辑与构建：地图离线与图层、点击解析、网格大小、网址状态、热点表、Excel 导出、素材安装。"""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest
from shapely.geometry import box

from chuangwen import assets, excel, geo, hotspots, maps
from chuangwen.view import View

OPTIONS = {
    "来源": ["县自查", "省暗访"],
    "类别": ["市容秩序", "出店经营"],
    "点位类型": ["农贸市场"],
    "镇街": ["990101001", "990101002"],
    "单位": ["D01"],
    "轮次": ["R1"],
}


def boundaries() -> pd.DataFrame:
    county = box(117.0, 31.0, 117.2, 31.1)
    west, east = box(117.0, 31.0, 117.1, 31.1), box(117.1, 31.0, 117.2, 31.1)
    return pd.DataFrame(
        {
            "code": ["990101", "990101001", "990101002"],
            "name": ["甲县", "城关街道", "东坝镇"],
            "level": ["县级", "镇街", "镇街"],
            "population": [200000, 120000, 80000],
            "lon": [117.1, 117.05, 117.15],
            "lat": [31.05, 31.05, 31.05],
            "geom_wkb": [geo.to_wkb(g) for g in (county, west, east)],
        }
    )


def townships() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["990101001", "990101002"],
            "name": ["城关街道", "东坝镇"],
            "population": [120000, 80000],
            "sites": [1, 0],
            "problems": [4, 5],
            "open_now": [2, 5],
            "overdue_now": [0, 3],
            "rebounds": [2, 2],
            "per_1000": [0.03, 0.06],
            "per_site": [4.0, None],
            "sort_key": [1, 2],
        }
    )


def grid() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gx": [0, 1],
            "gy": [0, 0],
            "problems": [4, 3],
            "open_now": [2, 3],
            "overdue_now": [0, 2],
            "lon": [117.04, 117.16],
            "lat": [31.04, 31.06],
        }
    )


def points() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "problem_code": ["P1", "P5"],
            "lon": [117.04, 117.17],
            "lat": [31.04, 31.07],
            "found_at": [datetime(2026, 11, 1), datetime(2026, 11, 12)],
            "category": ["出店经营", "暴露垃圾"],
            "site_code": ["S01", None],
            "site_name": ["南门农贸市场", None],
            "unit_name": ["城管局", "东坝镇"],
            "status": ["已销号", "已交办"],
            "is_overdue": [False, True],
            "is_rebound": [True, False],
            "days_open": [4, 3],
        }
    )


def html_of(m) -> str:
    """渲染后的 HTML；JSON 里的中文是 \\uXXXX 转义，还原后再比较。"""
    html = m.get_root().render()
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda g: chr(int(g.group(1), 16)), html).replace("\\/", "/")


def test_map_references_only_local_assets():
    m = maps.hotspot_map(boundaries(), townships(), grid(), points())
    assert maps.external_links(m) == []
    html = html_of(m)
    assert assets.LEAFLET_JS in html and assets.HEAT_JS in html
    assert "cdn.jsdelivr" not in html and "cdnjs" not in html and "code.jquery" not in html


def test_map_has_no_base_tiles_unless_configured():
    assert "L.tileLayer" not in html_of(maps.hotspot_map(boundaries(), townships(), grid(), None))
    html = html_of(
        maps.hotspot_map(
            boundaries(),
            townships(),
            grid(),
            None,
            tiles_url="http://10.0.0.8/tiles/{z}/{x}/{y}.png",
            tiles_attr="内网底图",
        )
    )
    assert "http://10.0.0.8/tiles/{z}/{x}/{y}.png" in html and "内网底图" in html


def test_map_layers_and_chinese_legend_with_points():
    html = html_of(maps.hotspot_map(boundaries(), townships(), grid(), points(), metric="per_1000"))
    for text in (
        "镇街分级设色（每千人问题数）",
        "热力图",
        "问题点位（2 条）",
        "镇街每千人问题数（条/千人）",
        "【镇街】城关街道",
        "【点位】南门农贸市场（S01）",
        "城关街道</div>",
    ):
        assert text in html, text


def test_map_registers_its_heat_and_cell_layers_for_the_finer_grid_script():
    with_points = html_of(maps.hotspot_map(boundaries(), townships(), grid(), points()))
    assert re.search(r"window\.cw_grid = \{heat: feature_group_\w+, cells: null\};", with_points)
    with_cells = html_of(maps.hotspot_map(boundaries(), townships(), grid(), None))
    assert re.search(r"window\.cw_grid = \{heat: feature_group_\w+, cells: feature_group_\w+\};", with_cells)


def test_finer_grid_script_replaces_heat_and_cells_with_the_given_cells():
    js = maps.grid_layers_js(grid(), 14)
    heat = json.loads(re.search(r"L\.heatLayer\((\[.*?\]\]), ", js).group(1))
    assert heat == [[31.04, 117.04, 1.0], [31.06, 117.16, 0.75]]
    options = json.loads(re.search(r"L\.heatLayer\(\[.*?\]\], (\{.*?\}\})\)", js).group(1))
    assert (options["maxZoom"], options["radius"]) == (14, 18)
    cells = json.loads(re.search(r"L\.geoJson\((\{.*?\}\]\}), \{", js).group(1))
    assert [f["properties"]["tip"] for f in cells["features"]] == [
        "此处 4 条问题（在办 2、逾期 0）",
        "此处 3 条问题（在办 3、逾期 2）",
    ]
    assert "g.heat.clearLayers()" in js and "g.cells.clearLayers()" in js


def test_many_problems_draw_grid_cells_instead_of_points():
    html = html_of(maps.hotspot_map(boundaries(), townships(), grid(), None))
    assert "网格汇总" in html and "问题点位" not in html and "此处 4 条问题" in html


def test_choropleth_breaks_and_colors():
    edges = maps.breaks([4, 5])
    assert edges == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert maps.color_for(5, edges) == maps.CHOROPLETH_COLORS[-1]
    assert maps.color_for(None, edges) == maps.NO_DATA_COLOR
    assert maps.breaks([0, 0]) == [0.0]


def test_heat_weights_are_relative_to_busiest_cell():
    assert maps.heat_data(grid()) == [[31.04, 117.04, 1.0], [31.06, 117.16, 0.75]]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("【镇街】城关街道｜问题 4 条｜问题数 4｜点击筛选到该镇街", hotspots.Click("镇街", "城关街道")),
        ("【点位】南门农贸市场（S01）｜出店经营｜点击看点位历史", hotspots.Click("点位", "S01")),
        ("【问题】P5｜暴露垃圾｜无登记点位", None),
        ("此处 4 条问题（在办 2、逾期 0）", None),
        (None, None),
    ],
)
def test_parse_click(text, expected):
    assert hotspots.parse_click(text) == expected


def test_click_tooltips_built_by_map_are_parseable():
    features = maps.township_features(boundaries(), townships(), "problems", maps.breaks([4, 5]))
    assert [hotspots.parse_click(f["properties"]["tip"]) for f in features["features"]] == [
        hotspots.Click("镇街", "城关街道"),
        hotspots.Click("镇街", "东坝镇"),
    ]
    site = maps.point_features(points())["features"][0]["properties"]["tip"]
    assert hotspots.parse_click(site) == hotspots.Click("点位", "S01")


def test_grid_gets_finer_when_the_view_is_smaller():
    county = hotspots.grid_for_view((117.0, 31.0, 117.4, 31.3), 1100, 560)
    town = hotspots.grid_for_view((117.0, 31.0, 117.05, 31.04), 1100, 560)
    assert town.zoom > county.zoom and town.cell_lon < county.cell_lon
    # 全县在 1100×560 像素里是第 11 级：16 像素 = 360° ÷ 2¹¹ ÷ 256 × 16 = 0.010986328125°（纬度方向按 cos 31.15° 缩小）
    assert (county.zoom, county.cell_lon, round(county.cell_lat, 9)) == (11, 0.010986328125, 0.009402275)


def test_zooming_in_past_the_opening_level_gives_a_finer_grid_for_what_is_shown():
    opened = hotspots.grid_for_view((117.0, 31.0, 117.4, 31.3), 1100, 560)  # 第 11 级
    shown = hotspots.map_view_of(
        {
            "bounds": {"_southWest": {"lat": 31.1, "lng": 117.1}, "_northEast": {"lat": 31.14, "lng": 117.16}},
            "zoom": 14.5,
        }
    )
    finer = hotspots.finer_grid(opened, shown, (117.0, 31.0, 117.4, 31.3))
    # 第 14 级：16 像素 = 360° ÷ 2¹⁴ ÷ 256 × 16 = 1/728.18… ≈ 0.001373°；起点 0，格号在拖动前后不变
    assert (finer.zoom, finer.cell_lon, finer.origin_lon, finer.origin_lat) == (14, 360 * 16 / (256 * 2**14), 0.0, 0.0)
    west, south, east, north = finer.extent
    # 四周各多留四分之一个视野，再对齐到 8 格
    step_lon, step_lat = finer.cell_lon * 8, finer.cell_lat * 8
    assert west <= 117.1 - 0.015 and east >= 117.16 + 0.015 and south <= 31.1 - 0.01 and north >= 31.14 + 0.01
    assert all(
        abs(v / s - round(v / s)) < 1e-9
        for v, s in ((west, step_lon), (east, step_lon), (south, step_lat), (north, step_lat))
    )
    assert east - west < 0.06 * 1.5 + 2 * step_lon
    # 拖动不到一步：参数完全相同（直接用缓存）
    nudged = hotspots.map_view_of(
        {
            "bounds": {"_southWest": {"lat": 31.1, "lng": 117.1001}, "_northEast": {"lat": 31.14, "lng": 117.1601}},
            "zoom": 14.5,
        }
    )
    assert hotspots.finer_grid(opened, nudged, (117.0, 31.0, 117.4, 31.3)).params() == finer.params()
    assert hotspots.cell_size_m(finer) == round(finer.cell_lon * geo.km_per_deg_lon(31.12) * 1000, -1)
    # 没放大过打开时的级别（缩小、只拖动）：沿用打开时的网格
    same = hotspots.map_view_of(
        {"bounds": {"_southWest": {"lat": 31.0, "lng": 117.0}, "_northEast": {"lat": 31.3, "lng": 117.4}}, "zoom": 11}
    )
    assert (
        hotspots.finer_grid(opened, same, (117.0, 31.0, 117.4, 31.3)) is None
        and hotspots.finer_grid(opened, None, (117.0, 31.0, 117.4, 31.3)) is None
    )


@pytest.mark.parametrize(
    "value",
    [
        None,
        "x",
        {},
        {"zoom": 12},
        {"bounds": None, "zoom": 12},
        {"bounds": {"_southWest": {"lat": "a", "lng": 1}, "_northEast": {"lat": 2, "lng": 3}}, "zoom": 12},
        {"bounds": {"_southWest": {"lat": 1, "lng": 1}, "_northEast": {"lat": 2, "lng": 3}}, "zoom": float("nan")},
        {"bounds": {"_southWest": {"lat": 1, "lng": 1}, "_northEast": {"lat": 2, "lng": 3}}, "zoom": 99},
        {"bounds": {"_southWest": {"lat": 1, "lng": 5}, "_northEast": {"lat": 2, "lng": 3}}, "zoom": 12},
        {"bounds": {"_southWest": {"lat": 1, "lng": -1e308}, "_northEast": {"lat": 2, "lng": 3}}, "zoom": 12},
        {"bounds": {"_southWest": {"lat": 1, "lng": 1}, "_northEast": {"lat": float("inf"), "lng": 3}}, "zoom": 12},
        {"bounds": [[1, 1], [2, 3]], "zoom": 12},
    ],
)
def test_map_state_from_the_browser_that_is_not_a_sane_extent_is_ignored(value):
    assert hotspots.map_view_of(value) is None


def test_fit_zoom_matches_leaflet_for_a_county():
    # 0.4° × 0.3° 的县放进 1100×560 像素：第 11 级约 582×510 像素放得下，第 12 级放不下
    assert hotspots.fit_zoom((117.0, 31.0, 117.4, 31.3), 1100, 560) == 11


def test_page_params_bind_multiselects_as_lists_and_refuse_unknown_values():
    page = hotspots.PageFilters(sources=("县自查", "省暗访"), statuses=("逾期",))
    p = hotspots.page_params(page, OPTIONS, county_ring=None)
    assert p == {
        "site": None,
        "sources": ("县自查", "省暗访"),
        "categories": None,
        "site_types": None,
        "severities": None,
        "statuses": ("逾期",),
        "county_ring": None,
    }
    with pytest.raises(ValueError, match="来源不在可选范围内：x' or 1=1"):
        hotspots.page_params(hotspots.PageFilters(sources=("x' or 1=1",)), OPTIONS, county_ring=None)


def test_a_value_with_a_comma_is_one_value_not_two():
    # 以前多选用逗号连接、SQL 里再拆开：名字里有逗号的来源会被拆成两个；现在作为列表绑定
    p = hotspots.page_params(hotspots.PageFilters(sources=("12345,热线",)), {"来源": ["12345,热线"]}, county_ring=None)
    assert p["sources"] == ("12345,热线",)


def test_history_view_drops_period_and_filters_but_keeps_scope():
    base = View(
        cutoff=datetime(2026, 11, 15, 18),
        as_of=datetime(2026, 11, 10, 23, 59, 59),
        period_start=datetime(2026, 11, 1),
        first_day=date(2025, 1, 1),
        township="T1",
        unit="U1",
        round="R1",
        scope_unit="U9",
    )
    h = hotspots.history_view(base)
    assert (h.as_of, h.period_start, h.township, h.unit, h.round, h.scope_unit) == (
        datetime(2026, 11, 10, 23, 59, 59),
        hotspots.HISTORY_START,
        None,
        None,
        None,
        "U9",
    )


def test_url_state_round_trips():
    page = hotspots.PageFilters(sources=("县自查",), categories=("市容秩序",), statuses=("逾期", "反弹"))
    shared = {"from": date(2026, 10, 17), "to": date(2026, 11, 15), "town": "990101002", "unit": None, "round": None}
    url = hotspots.to_query_params(page, "per_site", shared)
    assert url == {
        "src": "县自查",
        "cat": "市容秩序",
        "st": "逾期,反弹",
        "metric": "per_site",
        "from": "2026-10-17",
        "to": "2026-11-15",
        "town": "990101002",
    }
    back = hotspots.from_query_params(url, OPTIONS)
    assert (back.page, back.metric, back.notes) == (page, "per_site", ())  # 共用参数（日期、镇街）由侧栏读，不算本页的


def test_url_state_drops_unknown_values_instead_of_failing():
    back = hotspots.from_query_params(
        {"src": "县自查,乱写", "metric": "drop table", "town": "x", "from": "2026-13-40"}, OPTIONS
    )
    assert (back.page.sources, back.metric) == (("县自查",), "problems")
    assert back.notes == (
        "网址参数 src 中的“乱写”不是可选的取值，已忽略。",
        "网址参数 metric 的值“drop table”不是可选的指标，已按问题数显示。",
    )


def test_url_state_survives_huge_and_hostile_values():
    junk = "x" * 100_000
    back = hotspots.from_query_params({k: junk for k in (*hotspots.URL_KEYS, "from", "to", "town")}, OPTIONS)
    assert (back.page, back.metric) == (hotspots.PageFilters(), "problems")
    assert all(len(n) < 80 for n in back.notes) and len(back.notes) == 6


def ranking() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "grouping_kind": ["点位", "点位", "镇街", "镇街"],
            "code": ["S01", "S02", "990101002", "990101001"],
            "name": ["南门农贸市场", "东坝老街", "东坝镇", "城关街道"],
            "site_type": ["农贸市场", "背街小巷", None, None],
            "township_name": ["城关街道", "东坝镇", "东坝镇", "城关街道"],
            "problems": [3, 3, 5, 4],
            "overdue_now": [0, 2, 3, 0],
            "rebounds": [2, 2, 2, 2],
            "problems_prev": [1, 0, 0, 1],
            "change": [2, 3, 5, 3],
            "rank_problems": [1, 1, 1, 2],
            "rank_overdue": [None, 1, 1, None],
            "rank_rebounds": [1, 1, 1, 1],
        }
    )


def test_ranking_table_by_overdue_lists_only_units_with_overdue():
    t = hotspots.ranking_table(ranking(), "点位", "overdue_now")
    assert t.to_dict("records") == [
        {
            "名次": 1,
            "点位": "东坝老街",
            "点位代码": "S02",
            "点位类型": "背街小巷",
            "所属镇街": "东坝镇",
            "问题数": 3,
            "区间内发现且逾期": 2,
            "反弹数": 2,
            "上期问题数": 0,
            "较上期": "+3（上期无）",
        }
    ]


def test_ranking_table_ties_share_rank():
    t = hotspots.ranking_table(ranking(), "点位", "problems")
    assert list(t["名次"]) == [1, 1] and list(t["较上期"]) == ["+2（上期 1）", "+3（上期无）"]


def test_excel_export_has_chinese_headers_frozen_row_and_neutralised_formulas():
    sheets = hotspots.ranking_sheets(ranking())
    sheets["点位·按问题数"].loc[0, "点位"] = '=HYPERLINK("http://x")'
    data = excel.to_xlsx(sheets, note="数据截至 2026年11月15日 18:00")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[:3] == ["点位·按问题数", "点位·按区间内发现且逾期", "点位·按反弹数"]
    ws = wb["点位·按问题数"]
    assert [c.value for c in ws[1]] == [
        "名次",
        "点位",
        "点位代码",
        "点位类型",
        "所属镇街",
        "问题数",
        "区间内发现且逾期",
        "反弹数",
        "上期问题数",
        "较上期增减",
    ]
    assert ws.freeze_panes == "A2"
    assert ws["B2"].value == '\'=HYPERLINK("http://x")' and ws["B2"].data_type == "s"
    assert ws["J2"].value == 2 and ws.column_dimensions["B"].width >= 14


@pytest.mark.parametrize(
    "text,expected",
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("东坝镇", "东坝镇"),
        ("1-2", "1-2"),
    ],
)
def test_neutralise(text, expected):
    assert excel.neutralise(text) == expected


def test_sheet_names_are_made_legal_and_unique():
    taken: set[str] = set()
    assert excel.sheet_name("a/b:c", taken) == "a_b_c"
    assert excel.sheet_name("a/b:c", taken) == "a_b_c(2)"
    assert len(excel.sheet_name("长" * 40, taken)) == 31


def test_bad_coords_message_counts_both_kinds():
    msg = hotspots.bad_coords_message({"coords_missing": 1, "coords_outside": 2})
    assert msg.startswith("坐标缺失/越界 3 条（缺失 1 条、越界 2 条）")
    assert hotspots.bad_coords_message({"coords_missing": 0, "coords_outside": 0}) is None


def test_history_table_explains_rebounds_in_chinese():
    history = pd.DataFrame(
        {
            "problem_code": ["P11", "P4"],
            "found_at": [datetime(2026, 10, 20, 9), datetime(2026, 11, 10, 11)],
            "category": ["暴露垃圾"] * 2,
            "source": ["12345热线", "12345热线"],
            "severity": ["一般"] * 2,
            "status": ["反弹重开", "整改中"],
            "deadline": [None, None],
            "closed_at": [pd.NaT, pd.NaT],
            "is_overdue": [True, False],
            "is_rebound": [True, True],
            "rebound_after": ["P11", "P11"],
            "rebound_after_closed_at": [datetime(2026, 10, 25, 10)] * 2,
            "rebound_after_other_unit": [False, False],
            "reopened_count": [1, 0],
            "came_back_as": ["P4", None],
            "description": ["a", "b"],
        }
    )
    t = hotspots.history_table(history)
    assert list(t["是否反弹"]) == [
        "是（本条 2026年10月25日 销号后被反弹重开）",
        "是（P11 于 2026年10月25日 销号后再次发现）",
    ]
    assert list(t["销号后再现"]) == ["是：P4", "—（未销号）"]


def test_history_table_names_no_code_or_date_for_a_rebound_after_another_units_problem():
    # 查询对查看范围之外的那一条只给标记（编号与日期为空）：表里写“其他单位的问题”
    history = pd.DataFrame(
        {
            "problem_code": ["A2"],
            "found_at": [datetime(2026, 10, 22, 8)],
            "category": ["出店经营"],
            "source": ["县自查"],
            "severity": ["一般"],
            "status": ["已交办"],
            "deadline": [None],
            "closed_at": [pd.NaT],
            "is_overdue": [False],
            "is_rebound": [True],
            "rebound_after": [None],
            "rebound_after_closed_at": [pd.NaT],
            "rebound_after_other_unit": [True],
            "reopened_count": [0],
            "came_back_as": [None],
            "description": ["a"],
        }
    )
    t = hotspots.history_table(history)
    assert list(t["是否反弹"]) == ["是（其他单位的问题销号后再次发现）"]


def test_assets_not_installed_in_empty_dir(tmp_path):
    assert not assets.is_installed(tmp_path)


def test_assets_refuse_a_package_whose_hash_does_not_match(tmp_path, monkeypatch):
    def fake_pack(packages, dest):
        out = {}
        for p in packages:
            f = dest / f"{p.name}.tgz"
            f.write_bytes(b"not the real package")
            out[p.name] = f
        return out

    monkeypatch.setattr(assets, "_npm_pack", fake_pack)
    with pytest.raises(assets.AssetError, match="校验值与登记的不一致"):
        assets.install(tmp_path)
    assert not (tmp_path / "vendor").exists()


def _fake_install(static_dir, stamp):
    vendor = static_dir / assets.VENDOR
    for package in assets.PACKAGES:
        for _, dst in package.files:
            (vendor / dst).parent.mkdir(parents=True, exist_ok=True)
            (vendor / dst).write_text("// 文件", encoding="utf-8")
    (vendor / ".installed.json").write_text(json.dumps(stamp), encoding="utf-8")
    return vendor


def test_assets_count_as_installed_only_with_every_file_and_the_wanted_versions(tmp_path):
    # 不看这台机器装没装（那由浏览器测试的地图证明）：只看判断规则本身
    wanted = {p.name: p.version for p in assets.PACKAGES}
    vendor = _fake_install(tmp_path / "ok", wanted)
    assert assets.is_installed(tmp_path / "ok")
    _fake_install(tmp_path / "old", {**wanted, "leaflet": "0.7.7"})
    assert not assets.is_installed(tmp_path / "old")
    first = assets.PACKAGES[0].files[0][1]
    (vendor / first).unlink()
    assert not assets.is_installed(tmp_path / "ok")


def test_naive_baseline_builds_one_marker_per_problem():
    m = maps.naive_marker_map(points())
    assert html_of(m).count("L.marker(") == 2


def test_static_map_labels_move_aside_or_are_left_out_when_crowded():
    from chuangwen.export_png import place_labels

    area = (0, 0, 1000, 1000)
    # 第二个与第一个同处：挪到下方；第三个离得远：原地
    assert place_labels([(500, 500, 100, 40), (500, 500, 100, 40), (100, 100, 80, 40)], area) == [
        (500, 500),
        (500, 546),
        (100, 100),
    ]
    # 画图区很小、四周都放不下：不标（返回 None，调用方在图下列出名称）
    crowded = [(50, 20, 100, 40)] * 3
    assert place_labels(crowded, (0, 0, 100, 40)) == [(50, 20), None, None]
