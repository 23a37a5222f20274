"""几何工具：县域轮廓、镇街划分（泰森多边形）、面积、WKB 编解码、点落在哪个镇街。

约定：坐标一律 WGS-84 经纬度（lon, lat，单位度）。不依赖 streamlit，也不联网。
坐标系转换（GCJ-02、BD-09 与 WGS-84 互转）在文件末尾。
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import MultiPoint, Polygon
from shapely.geometry.base import BaseGeometry

# 地球的等面积（authalic）半径，km；正弦投影在这个球面上严格等积
EARTH_AUTHALIC_RADIUS_KM = 6371.0072
KM_PER_DEG_LAT = 110.574

# 坐标换算的结果：标量进标量出，数组进数组出（经度, 纬度）
LonLat = tuple[float, float] | tuple[np.ndarray, np.ndarray]


def km_per_deg_lon(lat: float) -> float:
    """某纬度上每度经度的公里数（局部近似，够小范围造图与抖动用）。"""
    return 111.320 * np.cos(np.radians(lat))


def offset_lonlat(
    lon0: float, lat0: float, dx_km: npt.ArrayLike, dy_km: npt.ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """从 (lon0, lat0) 向东 dx_km、向北 dy_km 后的经纬度（局部平面近似）。"""
    dx = np.asarray(dx_km, dtype=float)
    dy = np.asarray(dy_km, dtype=float)
    return lon0 + dx / km_per_deg_lon(lat0), lat0 + dy / KM_PER_DEG_LAT


def irregular_outline(
    lon0: float,
    lat0: float,
    radius_km: float,
    rng: np.random.Generator,
    n_vertices: int = 160,
    roughness: float = 0.10,
) -> Polygon:
    """一个边界起伏、不自交的星形多边形，用作虚构县域轮廓（平均半径 radius_km）。"""
    theta = np.linspace(0.0, 2 * np.pi, n_vertices, endpoint=False)
    r = np.ones_like(theta)
    for k in range(2, 9):
        # 低频起伏大、高频起伏小，轮廓像行政边界而不是齿轮
        r += roughness * rng.normal() / k**0.9 * np.sin(k * theta + rng.uniform(0, 2 * np.pi))
    r += 0.012 * rng.normal(size=n_vertices)
    r = np.clip(r, 0.55, 1.6) * radius_km
    lon, lat = offset_lonlat(lon0, lat0, r * np.cos(theta), r * np.sin(theta))
    poly = Polygon(np.column_stack([lon, lat]))
    return shapely.make_valid(poly) if not poly.is_valid else poly


def voronoi_tiling(region: BaseGeometry, lons: npt.ArrayLike, lats: npt.ArrayLike) -> list[BaseGeometry]:
    """以给定种子点把 region 划成泰森多边形，按种子顺序返回；各块并集即 region，互不重叠。"""
    seeds = MultiPoint(np.column_stack([np.asarray(lons, float), np.asarray(lats, float)]))
    cells = shapely.voronoi_polygons(seeds, extend_to=region, ordered=True)
    pieces = [cell.intersection(region) for cell in cells.geoms]
    # 交出来的碎线、碎点不是面，丢掉；只留面状部分
    return [_polygonal_part(p) for p in pieces]


def _polygonal_part(geom: BaseGeometry) -> BaseGeometry:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys)


def _sinusoidal_km(geom: BaseGeometry) -> BaseGeometry:
    """经纬度 → 正弦投影平面坐标（km）：等积投影，面积即球面面积。"""

    def project(coords: np.ndarray) -> np.ndarray:
        lam = np.radians(coords[:, 0])
        phi = np.radians(coords[:, 1])
        return np.column_stack([EARTH_AUTHALIC_RADIUS_KM * lam * np.cos(phi), EARTH_AUTHALIC_RADIUS_KM * phi])

    return shapely.transform(geom, project)


def area_km2(geom: BaseGeometry) -> float:
    """经纬度多边形的面积（km²），按等积投影计算。"""
    return float(_sinusoidal_km(geom).area)


def to_wkb(geom: BaseGeometry) -> bytes:
    return shapely.to_wkb(geom)


def from_wkb(data: bytes) -> BaseGeometry:
    return shapely.from_wkb(bytes(data))


def representative_lonlat(geom: BaseGeometry) -> tuple[float, float]:
    """一定落在多边形内部的代表点（不是质心：凹多边形的质心可能在外面）。"""
    p = geom.representative_point()
    return float(p.x), float(p.y)


def contains(geom: BaseGeometry, lons: npt.ArrayLike, lats: npt.ArrayLike) -> np.ndarray:
    """逐点判断是否在多边形内（含边界），向量化。"""
    shapely.prepare(geom)
    return shapely.intersects_xy(geom, np.asarray(lons, float), np.asarray(lats, float))


def locate(lons: npt.ArrayLike, lats: npt.ArrayLike, geoms: Sequence[BaseGeometry]) -> np.ndarray:
    """每个点落在第几个多边形里；不在任何多边形里为 -1。坐标为 NaN 的点也为 -1。"""
    lons = np.asarray(lons, float)
    lats = np.asarray(lats, float)
    found = np.full(lons.shape, -1, dtype=np.int64)
    valid = ~(np.isnan(lons) | np.isnan(lats))
    for i, g in enumerate(geoms):
        todo = valid & (found < 0)
        if not todo.any():
            break
        idx = np.flatnonzero(todo)
        hit = contains(g, lons[idx], lats[idx])
        found[idx[hit]] = i
    return found


def random_points_in(geom: BaseGeometry, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """在多边形内均匀撒 n 个点（外接矩形内拒绝采样）。"""
    minx, miny, maxx, maxy = geom.bounds
    lons = np.empty(0)
    lats = np.empty(0)
    while lons.size < n:
        k = max(16, int((n - lons.size) * 1.6))
        x = rng.uniform(minx, maxx, k)
        y = rng.uniform(miny, maxy, k)
        keep = contains(geom, x, y)
        lons = np.concatenate([lons, x[keep]])
        lats = np.concatenate([lats, y[keep]])
    return lons[:n], lats[:n]


def points_near(
    geom: BaseGeometry,
    lon0: float,
    lat0: float,
    sd_km: float,
    n: int,
    rng: np.random.Generator,
    max_tries: int = 50,
) -> tuple[np.ndarray, np.ndarray]:
    """在多边形内、围绕 (lon0, lat0) 正态散布的 n 个点（像镇区聚集）；多次落空时退回均匀撒点。"""
    lons = np.empty(0)
    lats = np.empty(0)
    for _ in range(max_tries):
        if lons.size >= n:
            break
        k = max(16, (n - lons.size) * 2)
        x, y = offset_lonlat(lon0, lat0, rng.normal(0, sd_km, k), rng.normal(0, sd_km, k))
        keep = contains(geom, x, y)
        lons = np.concatenate([lons, x[keep]])
        lats = np.concatenate([lats, y[keep]])
    if lons.size < n:
        x, y = random_points_in(geom, n - lons.size, rng)
        lons = np.concatenate([lons, x])
        lats = np.concatenate([lats, y])
    return lons[:n], lats[:n]


# ---------------------------------------------------------------------------------------------
# 坐标系转换：GCJ-02（国测局，高德/腾讯）、BD-09（百度）与 WGS-84 互转，numpy 向量化。
# 正向（WGS→GCJ、GCJ→BD）是公开的解析公式；反向没有解析解，用不动点迭代求到 1e-10 度以内，
# 误差远小于 0.5 m（不用常见的“减一次偏移”近似，那种近似误差 1–2 m）。
# 中国范围外的点不加偏移，原样返回（与公开实现一致）。
_GCJ_A = 6378245.0  # 克拉索夫斯基椭球长半轴
_GCJ_EE = 0.00669342162296594323  # 偏心率平方
_BD_X_PI = np.pi * 3000.0 / 180.0


def _in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon > 73.66) & (lon < 135.05) & (lat > 3.86) & (lat < 53.55)


def _gcj_delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = lon - 105.0
    y = lat - 35.0
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    rad = lat / 180.0 * np.pi
    magic = 1 - _GCJ_EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_GCJ_A * (1 - _GCJ_EE)) / (magic * sqrt_magic) * np.pi)
    dlon = dlon * 180.0 / (_GCJ_A / sqrt_magic * np.cos(rad) * np.pi)
    return dlon, dlat


def _as_arrays(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray, bool]:
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    return np.atleast_1d(np.asarray(lon, float)).copy(), np.atleast_1d(np.asarray(lat, float)).copy(), scalar


def _out(lon: np.ndarray, lat: np.ndarray, scalar: bool) -> LonLat:
    return (float(lon[0]), float(lat[0])) if scalar else (lon, lat)


def wgs84_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> LonLat:
    """WGS-84 → GCJ-02（经度, 纬度）；标量进标量出，数组进数组出；NaN 保持 NaN。"""
    lon, lat, scalar = _as_arrays(lon, lat)
    inside = _in_china(lon, lat)
    dlon, dlat = _gcj_delta(lon[inside], lat[inside])
    lon[inside] += dlon
    lat[inside] += dlat
    return _out(lon, lat, scalar)


def gcj02_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> LonLat:
    """GCJ-02 → BD-09。"""
    lon, lat, scalar = _as_arrays(lon, lat)
    inside = _in_china(lon, lat)
    x, y = lon[inside], lat[inside]
    z = np.hypot(x, y) + 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _BD_X_PI)
    lon[inside] = z * np.cos(theta) + 0.0065
    lat[inside] = z * np.sin(theta) + 0.006
    return _out(lon, lat, scalar)


def wgs84_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> LonLat:
    """WGS-84 → BD-09（先到 GCJ-02 再加百度偏移）。"""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def _invert(
    forward: Callable[[np.ndarray, np.ndarray], LonLat],
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    tol: float = 1e-10,
    max_iter: int = 30,
) -> LonLat:
    """求 forward(w) = target 的 w：不动点迭代 w ← w − (forward(w) − target)；偏移的导数很小，几步即收敛。"""
    lon, lat, scalar = _as_arrays(lon, lat)
    w_lon, w_lat = lon.copy(), lat.copy()
    for _ in range(max_iter):
        f_lon, f_lat = forward(w_lon, w_lat)
        e_lon, e_lat = f_lon - lon, f_lat - lat
        w_lon -= e_lon
        w_lat -= e_lat
        err = np.nanmax(np.abs(np.concatenate([e_lon, e_lat]))) if lon.size else 0.0
        if not err > tol:
            break
    return _out(w_lon, w_lat, scalar)


def gcj02_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> LonLat:
    """GCJ-02 → WGS-84（迭代求逆，误差 < 1e-9 度）。"""
    return _invert(wgs84_to_gcj02, lon, lat)


def bd09_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> LonLat:
    """BD-09 → GCJ-02（迭代求逆）。"""
    return _invert(gcj02_to_bd09, lon, lat)


def bd09_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> LonLat:
    """BD-09 → WGS-84（迭代求逆整条链）。"""
    return _invert(wgs84_to_bd09, lon, lat)


_TO_WGS84: dict[str, Callable[[npt.ArrayLike, npt.ArrayLike], LonLat]] = {
    "WGS84": lambda lon, lat: _out(*_as_arrays(lon, lat)[:2], np.ndim(lon) == 0 and np.ndim(lat) == 0),
    "CGCS2000": lambda lon, lat: _out(*_as_arrays(lon, lat)[:2], np.ndim(lon) == 0 and np.ndim(lat) == 0),
    "GCJ02": gcj02_to_wgs84,
    "BD09": bd09_to_wgs84,
}
_FROM_WGS84 = {
    "WGS84": _TO_WGS84["WGS84"],
    "CGCS2000": _TO_WGS84["WGS84"],
    "GCJ02": wgs84_to_gcj02,
    "BD09": wgs84_to_bd09,
}
COORDINATE_SYSTEMS = tuple(_TO_WGS84)


def to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike, crs: str) -> LonLat:
    """按原始坐标系（problem/site 表 crs_source 的取值）换算到 WGS-84；CGCS2000 与 WGS-84 视为相同。"""
    try:
        return _TO_WGS84[crs](lon, lat)
    except KeyError:
        raise ValueError(f"不认识的坐标系 {crs!r}，应为 {'、'.join(COORDINATE_SYSTEMS)} 之一") from None


def from_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike, crs: str) -> LonLat:
    """WGS-84 → 指定坐标系（例如给 GCJ-02 瓦片服务叠加点位时用）。"""
    try:
        return _FROM_WGS84[crs](lon, lat)
    except KeyError:
        raise ValueError(f"不认识的坐标系 {crs!r}，应为 {'、'.join(COORDINATE_SYSTEMS)} 之一") from None


def distance_m(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike
) -> np.ndarray | float:
    """两点球面距离（米，半正矢公式，地球半径 6371008.8 m）；标量进标量出，数组进数组出。"""
    lam1, phi1, lam2, phi2 = (np.radians(np.asarray(v, float)) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((phi2 - phi1) / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2
    return 2 * 6371008.8 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


__all__ = [
    "COORDINATE_SYSTEMS",
    "EARTH_AUTHALIC_RADIUS_KM",
    "KM_PER_DEG_LAT",
    "area_km2",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "contains",
    "distance_m",
    "from_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "from_wkb",
    "irregular_outline",
    "km_per_deg_lon",
    "locate",
    "offset_lonlat",
    "points_near",
    "random_points_in",
    "representative_lonlat",
    "to_wgs84",
    "to_wkb",
    "voronoi_tiling",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]
