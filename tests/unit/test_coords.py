"""坐标系转换：对照公开实现发布的转换向量（正向 1e-6 度以内，反向 0.5 米以内）。

向量来源：
- googollee/eviltransform `python/test.py` 的 TESTS（上海、深圳、北京：WGS-84 → GCJ-02）；
- wandergis/coordtransform `test/app.js` 注释中的结果（北京 116.404, 39.915：WGS-84 → GCJ-02、GCJ-02 → BD-09）。
"""

import math

import numpy as np
import pytest

from chuangwen import geo

# （WGS-84 经度, 纬度）→（GCJ-02 经度, 纬度）
WGS_TO_GCJ = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # eviltransform：上海
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # eviltransform：深圳
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # eviltransform：北京
    ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),  # coordtransform：北京
]
# （GCJ-02）→（BD-09）
GCJ_TO_BD = [
    ((116.404, 39.915), (116.41036949371029, 39.92133699351021)),  # coordtransform：北京
]

FORWARD_TOL_DEG = 1e-6
INVERSE_TOL_M = 0.5


@pytest.mark.parametrize("wgs,gcj", WGS_TO_GCJ)
def test_wgs84_to_gcj02_matches_published_vectors(wgs, gcj):
    lon, lat = geo.wgs84_to_gcj02(*wgs)
    assert abs(lon - gcj[0]) < FORWARD_TOL_DEG and abs(lat - gcj[1]) < FORWARD_TOL_DEG


@pytest.mark.parametrize("gcj,bd", GCJ_TO_BD)
def test_gcj02_to_bd09_matches_published_vectors(gcj, bd):
    lon, lat = geo.gcj02_to_bd09(*gcj)
    assert abs(lon - bd[0]) < FORWARD_TOL_DEG and abs(lat - bd[1]) < FORWARD_TOL_DEG


@pytest.mark.parametrize("wgs,gcj", WGS_TO_GCJ)
def test_gcj02_to_wgs84_recovers_published_point_within_half_metre(wgs, gcj):
    lon, lat = geo.gcj02_to_wgs84(*gcj)
    assert geo.distance_m(lon, lat, *wgs) < INVERSE_TOL_M


@pytest.mark.parametrize("gcj,bd", GCJ_TO_BD)
def test_bd09_to_gcj02_recovers_published_point_within_half_metre(gcj, bd):
    lon, lat = geo.bd09_to_gcj02(*bd)
    assert geo.distance_m(lon, lat, *gcj) < INVERSE_TOL_M


def test_bd09_to_wgs84_round_trips_within_half_metre():
    wgs = (116.404, 39.915)
    lon, lat = geo.bd09_to_wgs84(*geo.wgs84_to_bd09(*wgs))
    assert geo.distance_m(lon, lat, *wgs) < INVERSE_TOL_M


def test_gcj02_offset_is_hundreds_of_metres_so_the_tests_above_mean_something():
    wgs, gcj = WGS_TO_GCJ[0]
    assert 300 < geo.distance_m(*wgs, *gcj) < 800


def test_arrays_convert_elementwise_and_keep_missing_as_nan():
    lons = np.array([121.5272106, np.nan, 113.912316])
    lats = np.array([31.1774276, np.nan, 22.543847])
    glon, glat = geo.wgs84_to_gcj02(lons, lats)
    assert glon.shape == (3,) and math.isnan(glon[1]) and math.isnan(glat[1])
    assert abs(glon[2] - 113.9171764808363) < FORWARD_TOL_DEG
    wlon, wlat = geo.to_wgs84(glon, glat, "GCJ02")
    assert np.nanmax(geo.distance_m(wlon, wlat, lons, lats)) < INVERSE_TOL_M


def test_points_outside_china_are_not_shifted():
    assert geo.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert geo.gcj02_to_wgs84(0.0, 0.0) == (0.0, 0.0)


def test_to_wgs84_dispatches_on_source_system():
    assert geo.to_wgs84(117.1, 31.0, "WGS84") == (117.1, 31.0)
    assert geo.to_wgs84(117.1, 31.0, "CGCS2000") == (117.1, 31.0)
    back = geo.from_wgs84(*geo.to_wgs84(117.1, 31.0, "BD09"), "BD09")
    assert geo.distance_m(*back, 117.1, 31.0) < 0.01


def test_unknown_coordinate_system_is_refused_in_chinese():
    with pytest.raises(ValueError, match="不认识的坐标系"):
        geo.to_wgs84(117.1, 31.0, "EPSG:3857")
