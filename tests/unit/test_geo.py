"""几何工具：泰森划分铺满、面积、WKB、点落镇街、随机撒点。"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from chuangwen import geo


def test_voronoi_tiling_covers_region_without_overlap_in_seed_order():
    region = Polygon([(0, 0), (4, 0), (4, 3), (2, 4), (0, 3)])
    lons, lats = [0.5, 3.5, 2.0, 1.0], [0.5, 0.5, 3.0, 2.0]
    cells = geo.voronoi_tiling(region, lons, lats)
    assert len(cells) == 4
    assert shapely.union_all(cells).symmetric_difference(region).area < 1e-12
    for i in range(4):
        assert cells[i].contains(shapely.Point(lons[i], lats[i]))
        for j in range(i + 1, 4):
            assert cells[i].intersection(cells[j]).area < 1e-12


def test_area_of_one_degree_cell_matches_the_sphere():
    # 球面上经纬度各 1° 的格子：R² · Δλ · (sin φ2 − sin φ1)
    r = geo.EARTH_AUTHALIC_RADIUS_KM
    expected = r * r * math.radians(1) * (math.sin(math.radians(32)) - math.sin(math.radians(31)))
    assert geo.area_km2(box(117, 31, 118, 32)) == pytest.approx(expected, rel=1e-4)


def test_wkb_round_trip():
    poly = Polygon([(117.1, 31.7), (117.2, 31.7), (117.2, 31.8)])
    assert geo.from_wkb(geo.to_wkb(poly)).equals(poly)
    assert geo.from_wkb(memoryview(geo.to_wkb(poly))).equals(poly)


def test_locate_returns_index_or_minus_one():
    cells = [box(0, 0, 1, 1), box(1, 0, 2, 1)]
    where = geo.locate([0.5, 1.5, 5.0, np.nan], [0.5, 0.5, 5.0, 0.5], cells)
    assert where.tolist() == [0, 1, -1, -1]


def test_random_points_fall_inside():
    rng = np.random.default_rng(1)
    tri = Polygon([(0, 0), (1, 0), (0, 1)])
    x, y = geo.random_points_in(tri, 500, rng)
    assert len(x) == 500 and geo.contains(tri, x, y).all()
    x, y = geo.points_near(tri, 0.2, 0.2, 50.0, 100, rng)  # 散得很开也只留在多边形里
    assert len(x) == 100 and geo.contains(tri, x, y).all()


def test_irregular_outline_is_a_valid_county_sized_polygon():
    poly = geo.irregular_outline(117.3, 31.8, 20.0, np.random.default_rng(5))
    assert poly.is_valid and poly.geom_type == "Polygon"
    assert 600 <= geo.area_km2(poly) <= 2600
    assert poly.contains(shapely.Point(117.3, 31.8))


def test_offset_lonlat_moves_by_kilometres():
    lon, lat = geo.offset_lonlat(117.3, 31.8, 10.0, 5.0)
    assert (lat - 31.8) * geo.KM_PER_DEG_LAT == pytest.approx(5.0)
    assert (lon - 117.3) * geo.km_per_deg_lon(31.8) == pytest.approx(10.0)


def test_representative_point_is_inside_concave_polygon():
    u_shape = Polygon([(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)])
    lon, lat = geo.representative_lonlat(u_shape)
    assert u_shape.contains(shapely.Point(lon, lat))
