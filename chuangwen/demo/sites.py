"""示例县的点位：按类型、镇街与社区生成名称和坐标。"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chuangwen import geo
from chuangwen.demo.common import (
    _ROAD_WORDS,
    DEPARTMENTS,
    HOTSPOT_COUNT,
    HOTSPOT_FACTOR,
    HOTSPOT_TYPES,
    OUR_COUNTY,
    SITE_TYPES,
    SPONSORED_SITES,
)
from chuangwen.demo.geography import County

_WINDOW_UNITS = (
    "澜溪县政务服务中心",
    "澜溪县不动产登记中心",
    "澜溪县医保服务大厅",
    "澜溪县公积金管理中心",
    "澜溪农商银行营业部",
    "供电营业厅（澜城）",
    "电信营业厅（溪东）",
    "邮政营业厅（溪西）",
    "澜溪县车管所",
    "澜溪县图书馆",
    "澜溪县文化馆",
    "澜溪县博物馆",
    "澜溪县税务服务厅",
)
_BIG_HOSPITALS = ("澜溪县人民医院", "澜溪县中医院", "澜溪县妇幼保健院", "澜溪县第二人民医院")
_BIG_SCHOOLS = ("澜溪县第一中学", "澜溪县第二中学", "澜溪县实验小学", "澜溪县实验中学", "澜溪县职业教育中心")
# 假定的 GCJ-02 相对 WGS-84 偏移（只用来记录“原始坐标”，不是坐标转换算法）
GCJ02_OFFSET = (0.00521, -0.00226)
GCJ02_SITE_SHARE = 0.15


def _short(township: str) -> str:
    for suffix in ("经济开发区", "街道", "镇"):
        if township.endswith(suffix):
            return township[: -len(suffix)]
    return township


def _site_name(site_type: str, k: int, township: str, community: str, rng: np.random.Generator) -> str:
    word = _ROAD_WORDS[int(rng.integers(len(_ROAD_WORDS)))]
    other = _ROAD_WORDS[int(rng.integers(len(_ROAD_WORDS)))]
    pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
    short = _short(township)
    if site_type == "农贸市场":
        return f"{short}{pick(('中心', '东关', '南门', '西街', '北郊', '新区', '老街', '城南'))}农贸市场"
    if site_type == "背街小巷":
        return f"{word}{pick(('路背街小巷', '街背街小巷', '巷', '里'))}"
    if site_type == "老旧小区":
        return f"{word}{pick(('小区', '新村', '花园小区', '家属院', '公寓'))}"
    if site_type == "公共厕所":
        return f"{word}路{pick('一二三四五')}号公厕"
    if site_type == "交通路口":
        return f"{word}路与{other}路交叉口"
    if site_type == "公交站":
        return f"{word}{pick(('路口', '中路', '小区', '广场', '北'))}公交站"
    if site_type == "汽车站":
        return ("澜溪汽车站", "澜溪汽车南站", "澜溪城乡公交枢纽")[k % 3]
    if site_type == "高铁站":
        return ("澜溪站（高铁）", "澜溪东站（高铁）")[k % 2]
    if site_type == "医院":
        return _BIG_HOSPITALS[k] if k < len(_BIG_HOSPITALS) else f"{short}{pick(('卫生院', '社区卫生服务中心'))}"
    if site_type == "学校周边":
        village = community[:-2] if community.endswith("社区") else community[:-1]
        school = (
            _BIG_SCHOOLS[k]
            if k < len(_BIG_SCHOOLS)
            else pick(
                (f"{short}中心小学", f"{short}初级中学", f"{short}中心幼儿园", f"{village}小学", f"{village}幼儿园")
            )
        )
        return school + "周边"
    if site_type == "商场超市":
        return f"{word}{pick(('购物中心', '超市', '商贸城', '购物广场'))}"
    if site_type == "广场公园":
        return f"{word}{pick(('广场', '公园', '游园'))}"
    if site_type == "城乡结合部":
        return f"{community}城乡结合部"
    if site_type in ("综合文化服务中心", "新时代文明实践站"):
        return f"{community}{site_type}"
    if site_type == "窗口单位":
        return _WINDOW_UNITS[k % len(_WINDOW_UNITS)]
    raise ValueError(f"未知点位类型：{site_type}")


def make_sites(rng: np.random.Generator, county: County) -> pd.DataFrame:
    """点位：城区点位聚在街道，文化服务中心与实践站落在社区村；少数是长期热点。"""
    comm = county.community
    kinds = np.array(county.township_kinds)
    rows: list[dict] = []
    used: set[str] = set()
    for type_no, (site_type, count, freq, _, urban) in enumerate(SITE_TYPES):
        if urban == 0:
            # 一个社区村一处，位置在社区村委会旁
            pick = rng.choice(len(comm), size=count, replace=False)
            town_idx = comm["township_idx"].to_numpy()[pick]
        else:
            w = np.where(kinds == "街道", urban, np.where(kinds == "开发区", urban * 0.5, 1.0))
            town_idx = rng.choice(len(kinds), size=count, p=w / w.sum())
            pick = None
        for k in range(count):
            t = int(town_idx[k])
            poly = county.township_polys[t]
            if pick is not None:
                c = int(pick[k])
                lon, lat = geo.points_near(poly, comm.at[c, "lon"], comm.at[c, "lat"], 0.08, 1, rng)
            elif site_type == "城乡结合部":
                # 城乡结合部：镇街里一个尚未用过的村（或社区）旁边
                in_town = np.flatnonzero(comm["township_idx"].to_numpy() == t)
                fresh = [i for i in in_town if f"{comm.at[i, 'name']}城乡结合部" not in used] or list(in_town)
                c = int(fresh[int(rng.integers(len(fresh)))])
                lon, lat = geo.points_near(poly, comm.at[c, "lon"], comm.at[c, "lat"], 0.4, 1, rng)
            else:
                sd = 1.0 if kinds[t] == "街道" else 0.7
                lon, lat = geo.points_near(poly, county.township_seats[t, 0], county.township_seats[t, 1], sd, 1, rng)
                in_town = np.flatnonzero(comm["township_idx"].to_numpy() == t)
                d2 = (comm["lon"].to_numpy()[in_town] - lon[0]) ** 2 + (comm["lat"].to_numpy()[in_town] - lat[0]) ** 2
                c = int(in_town[np.argmin(d2)])
            community = comm.at[c, "name"]
            for _attempt in range(60):
                name = _site_name(site_type, k, county.township_names[t], community, rng)
                if name not in used:
                    break
            else:
                name = f"{name}{k + 1}"
            used.add(name)
            rows.append(
                {
                    "site_type": site_type,
                    "type_no": type_no,
                    "name": name,
                    "township_idx": t,
                    "community_idx": c,
                    "lon": float(lon[0]),
                    "lat": float(lat[0]),
                    "freq": freq,
                }
            )
    sites = pd.DataFrame(rows)
    sites["code"] = [f"S{i + 1:04d}" for i in range(len(sites))]
    sites["township_code"] = [county.township_codes[t] for t in sites["township_idx"]]
    sites["community_code"] = comm["code"].to_numpy()[sites["community_idx"]]
    sites["address"] = [
        f"{OUR_COUNTY}{county.township_names[t]}{comm.at[c, 'name']}"
        for t, c in zip(sites["township_idx"], sites["community_idx"])
    ]
    gcj = rng.random(len(sites)) < GCJ02_SITE_SHARE
    sites["crs_source"] = np.where(gcj, "GCJ02", "WGS84")
    sites["lon_source"] = np.where(gcj, sites["lon"] + GCJ02_OFFSET[0], np.nan)
    sites["lat_source"] = np.where(gcj, sites["lat"] + GCJ02_OFFSET[1], np.nan)
    # 长期热点：城区的农贸市场、背街小巷、城乡结合部、老旧小区里挑几处，问题频度放大
    candidates = np.flatnonzero(
        sites["site_type"].isin(HOTSPOT_TYPES).to_numpy() & (kinds[sites["township_idx"]] != "镇")
    )
    hot = rng.choice(candidates, size=min(HOTSPOT_COUNT, len(candidates)), replace=False)
    sites["is_hotspot"] = False
    sites.loc[hot, "is_hotspot"] = True
    # 包保：公共点位按随机顺序轮流分给各县直部门，每个部门都包几处
    sponsored = np.flatnonzero(sites["site_type"].isin(SPONSORED_SITES).to_numpy())
    order = rng.permutation(sponsored)
    sites["sponsor"] = None
    sites.loc[order, "sponsor"] = [DEPARTMENTS[i % len(DEPARTMENTS)][0] for i in range(len(order))]
    sites["weight"] = (
        sites["freq"] * np.exp(rng.normal(0, 0.35, len(sites))) * np.where(sites["is_hotspot"], HOTSPOT_FACTOR, 1.0)
    )
    return sites
