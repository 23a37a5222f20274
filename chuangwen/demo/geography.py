"""示例县的地区与边界：排名组的县级单位、县界与镇街（Voronoi 剖分，无缝无重叠）、社区、责任单位。"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from chuangwen import geo
from chuangwen.demo.common import (
    _NAME_HEAD,
    _NAME_TAIL,
    COUNTY_CENTER,
    COUNTY_RADIUS_KM,
    DEPARTMENTS,
    DEPT_CODE,
    PEERS,
    PROVINCE_CODE,
    PROVINCE_NAME,
    TOWNSHIPS,
    UNIT_SPEED,
)


@dataclass
class County:
    """本县的地理与组织：镇街多边形、社区、点位、责任单位。"""

    code: str
    outline: object
    township_codes: list[str]
    township_names: list[str]
    township_kinds: list[str]
    township_polys: list
    township_seats: np.ndarray  # (n, 2) 镇区/街道中心
    community: pd.DataFrame  # code, name, kind, township_idx, population, lon, lat
    units: pd.DataFrame = field(default=None)
    sites: pd.DataFrame = field(default=None)


def _peer_regions(rng: np.random.Generator) -> pd.DataFrame:
    """省和排名组内的县级单位（代码 99CCNN）。"""
    rows = []
    for city in range(len(PEERS) // 5):
        next_no = {"区": 2, "县": 21, "县级市": 81}
        for name, kind in PEERS[city * 5 : (city + 1) * 5]:
            code = f"99{city + 1:02d}{next_no[kind]:02d}"
            next_no[kind] += 1
            lo, hi = {"区": (300_000, 800_000), "县": (250_000, 700_000), "县级市": (500_000, 1_100_000)}[kind]
            rows.append(
                {
                    "code": code,
                    "name": name,
                    "level": "县级",
                    "kind": kind,
                    "parent_code": PROVINCE_CODE,
                    "population": int(rng.integers(lo, hi) // 100 * 100),
                }
            )
    peers = pd.DataFrame(rows).sort_values("code", ignore_index=True)
    peers["sort_order"] = np.arange(1, len(peers) + 1)
    return peers


def _township_seed_points(rng: np.random.Generator, outline: BaseGeometry) -> np.ndarray:
    """镇街中心（泰森多边形种子）：街道围着县城，开发区在城边，镇在外圈。"""
    lon0, lat0 = COUNTY_CENTER
    kinds = [t[1] for t in TOWNSHIPS]
    n_town = kinds.count("镇")
    start = rng.uniform(0, 2 * np.pi)
    east: list[float] = []
    north: list[float] = []
    street_no = town_no = 0
    for kind in kinds:
        if kind == "街道":
            a = start + street_no * np.pi / 2 + rng.normal(0, 0.2)
            r = rng.uniform(2.2, 3.8)
            street_no += 1
        elif kind == "开发区":
            a = start + np.pi / 4 + rng.normal(0, 0.2)
            r = rng.uniform(7.5, 9.0)
        else:
            a = start + np.pi / 4 + (town_no + 0.5) * 2 * np.pi / n_town + rng.normal(0, 0.12)
            r = COUNTY_RADIUS_KM * rng.uniform(0.55, 0.72)
            town_no += 1
        east.append(r * np.cos(a))
        north.append(r * np.sin(a))
    dx, dy = np.array(east), np.array(north)
    # 落在县界外的种子往里收
    for _ in range(20):
        lon, lat = geo.offset_lonlat(lon0, lat0, dx, dy)
        outside = ~geo.contains(outline, lon, lat)
        if not outside.any():
            break
        dx[outside] *= 0.9
        dy[outside] *= 0.9
    return np.column_stack(geo.offset_lonlat(lon0, lat0, dx, dy))


def _community_names(rng: np.random.Generator, n: int) -> list[str]:
    combos = [h + t for h in _NAME_HEAD for t in _NAME_TAIL]
    picked = rng.choice(len(combos), size=n, replace=False)
    return [combos[i] for i in picked]


def make_county_geography(rng: np.random.Generator, county_code: str) -> County:
    """县界、镇街划分（泰森多边形严丝合缝铺满县域）、社区村。"""
    outline = geo.irregular_outline(*COUNTY_CENTER, COUNTY_RADIUS_KM, rng)
    seats = _township_seed_points(rng, outline)
    polys = geo.voronoi_tiling(outline, seats[:, 0], seats[:, 1])
    codes = [county_code + t[2] for t in TOWNSHIPS]
    kinds = [t[1] for t in TOWNSHIPS]
    # 社区（居委会 001 起）与村（村委会 200 起）
    n_comm = []
    for kind in kinds:
        if kind == "街道":
            n_comm.append((int(rng.integers(12, 20)), 0))
        elif kind == "开发区":
            n_comm.append((int(rng.integers(3, 6)), int(rng.integers(4, 8))))
        else:
            n_comm.append((int(rng.integers(1, 4)), int(rng.integers(16, 28))))
    names = _community_names(rng, sum(a + b for a, b in n_comm))
    rows, k = [], 0
    for i, ((n_she, n_cun), poly) in enumerate(zip(n_comm, polys)):
        pop_lo, pop_hi = TOWNSHIPS[i][3], TOWNSHIPS[i][4]
        township_pop = int(rng.integers(pop_lo, pop_hi))
        shares = rng.dirichlet(np.full(n_she + n_cun, 4.0))
        she_lon, she_lat = geo.points_near(
            poly, seats[i, 0], seats[i, 1], 1.2 if kinds[i] == "街道" else 0.8, n_she, rng
        )
        cun_lon, cun_lat = geo.random_points_in(poly, n_cun, rng)
        for j in range(n_she + n_cun):
            is_she = j < n_she
            rows.append(
                {
                    "code": codes[i] + (f"{j + 1:03d}" if is_she else f"{200 + j - n_she:03d}"),
                    "name": names[k] + ("社区" if is_she else "村"),
                    "kind": "社区" if is_she else "村",
                    "township_idx": i,
                    "population": int(township_pop * shares[j]),
                    "lon": float(she_lon[j] if is_she else cun_lon[j - n_she]),
                    "lat": float(she_lat[j] if is_she else cun_lat[j - n_she]),
                }
            )
            k += 1
    return County(county_code, outline, codes, [t[0] for t in TOWNSHIPS], kinds, polys, seats, pd.DataFrame(rows))


def region_frames(peers: pd.DataFrame, county: County) -> list[pd.DataFrame]:
    """region 表分层写入（父级先于子级）：省、县级、镇街、社区村。"""
    cols = ["code", "name", "level", "kind", "parent_code", "population", "lon", "lat", "sort_order"]
    comm = county.community
    town_pop = comm.groupby("township_idx")["population"].sum()
    our_pop = int(town_pop.sum())
    peers = peers.copy()
    peers.loc[peers["code"] == county.code, "population"] = our_pop
    peers["lon"] = np.nan
    peers["lat"] = np.nan
    rep = geo.representative_lonlat(county.outline)
    peers.loc[peers["code"] == county.code, ["lon", "lat"]] = rep
    province = pd.DataFrame(
        [
            {
                "code": PROVINCE_CODE,
                "name": PROVINCE_NAME,
                "level": "省",
                "kind": "省",
                "parent_code": None,
                "population": int(peers["population"].sum()),
                "lon": np.nan,
                "lat": np.nan,
                "sort_order": 0,
            }
        ]
    )
    towns = []
    for i, poly in enumerate(county.township_polys):
        lon, lat = geo.representative_lonlat(poly)
        towns.append(
            {
                "code": county.township_codes[i],
                "name": county.township_names[i],
                "level": "镇街",
                "kind": county.township_kinds[i],
                "parent_code": county.code,
                "population": int(town_pop.get(i, 0)),
                "lon": lon,
                "lat": lat,
                "sort_order": i + 1,
            }
        )
    communities = pd.DataFrame(
        {
            "code": comm["code"],
            "name": comm["name"],
            "level": "社区村",
            "kind": comm["kind"],
            "parent_code": [county.township_codes[i] for i in comm["township_idx"]],
            "population": comm["population"],
            "lon": comm["lon"],
            "lat": comm["lat"],
            "sort_order": np.arange(1, len(comm) + 1),
        }
    )
    return [province[cols], peers[cols], pd.DataFrame(towns)[cols], communities[cols]]


def boundary_frame(county: County) -> pd.DataFrame:
    """县和各镇街的边界（版本 1）。"""
    codes = [county.code] + county.township_codes
    geoms = [county.outline] + list(county.township_polys)
    return pd.DataFrame(
        {
            "region_code": codes,
            "version": 1,
            "valid_from": date(2018, 1, 1),
            "geom_wkb": [geo.to_wkb(g) for g in geoms],
            "area_km2": [round(geo.area_km2(g), 3) for g in geoms],
            "source": "示例数据（随机生成，非真实边界）",
        }
    )


def make_units(rng: np.random.Generator, county: County) -> pd.DataFrame:
    """责任单位：条（D01…）与块（T01…，每个镇街一个），附带整改速度。"""
    rows = []
    for i, (name, unit_type) in enumerate(DEPARTMENTS):
        rows.append(
            {
                "code": DEPT_CODE[name],
                "name": name,
                "kind": "条",
                "unit_type": unit_type,
                "region_code": None,
                "sort_order": i + 1,
            }
        )
    for i, name in enumerate(county.township_names):
        rows.append(
            {
                "code": f"T{i + 1:02d}",
                "name": name,
                "kind": "块",
                "unit_type": county.township_kinds[i],
                "region_code": county.township_codes[i],
                "sort_order": len(DEPARTMENTS) + i + 1,
            }
        )
    units = pd.DataFrame(rows)
    speed = np.exp(rng.normal(0, 0.2, len(units)))
    for name, factor in UNIT_SPEED.items():
        speed[units.index[units["name"] == name][0]] = factor
    units["speed"] = speed
    return units
