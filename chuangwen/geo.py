"""几何工具：县域轮廓、镇街划分（泰森多边形）、面积、WKB 编解码、点落在哪个镇街。

约定：坐标一律 WGS-84 经纬度（lon, lat，单位度）。不依赖 streamlit，也不联网。
坐标系转换（GCJ-02、BD-09 → WGS-84）以后放在这里，现在尚未实现。
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Polygon
from shapely.geometry.base import BaseGeometry

# 地球的等面积（authalic）半径，km；正弦投影在这个球面上严格等积
EARTH_AUTHALIC_RADIUS_KM = 6371.0072
KM_PER_DEG_LAT = 110.574


def km_per_deg_lon(lat: float) -> float:
    """某纬度上每度经度的公里数（局部近似，够小范围造图与抖动用）。"""
    return 111.320 * np.cos(np.radians(lat))


def offset_lonlat(lon0: float, lat0: float, dx_km, dy_km) -> tuple[np.ndarray, np.ndarray]:
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
        r += roughness * rng.normal() / k ** 0.9 * np.sin(k * theta + rng.uniform(0, 2 * np.pi))
    r += 0.012 * rng.normal(size=n_vertices)
    r = np.clip(r, 0.55, 1.6) * radius_km
    lon, lat = offset_lonlat(lon0, lat0, r * np.cos(theta), r * np.sin(theta))
    poly = Polygon(np.column_stack([lon, lat]))
    return shapely.make_valid(poly) if not poly.is_valid else poly


def voronoi_tiling(region: BaseGeometry, lons: Sequence[float], lats: Sequence[float]) -> list[BaseGeometry]:
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


def contains(geom: BaseGeometry, lons, lats) -> np.ndarray:
    """逐点判断是否在多边形内（含边界），向量化。"""
    shapely.prepare(geom)
    return shapely.intersects_xy(geom, np.asarray(lons, float), np.asarray(lats, float))


def locate(lons, lats, geoms: Sequence[BaseGeometry]) -> np.ndarray:
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


__all__ = [
    "EARTH_AUTHALIC_RADIUS_KM",
    "KM_PER_DEG_LAT",
    "area_km2",
    "contains",
    "from_wkb",
    "irregular_outline",
    "km_per_deg_lon",
    "locate",
    "offset_lonlat",
    "points_near",
    "random_points_in",
    "representative_lonlat",
    "to_wkb",
    "voronoi_tiling",
]
