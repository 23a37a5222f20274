"""示例问题台账与整改事件日志（向量化）：发现时间、点位、类别、牵头与配合单位、期限，以及交办到销号、退回、反弹的事件。"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
import pyarrow as pa

from chuangwen import geo
from chuangwen.demo.common import (
    BLOCK_FIRST_SITES,
    CHECKER,
    COOP_POOL,
    COUNTY_CENTER,
    DEADLINE_DAYS,
    DEPARTMENTS,
    DEPT_CODE,
    HOTSPOT_TYPES,
    INSIDE_OWNER_SITES,
    LEAF_DETAILS,
    LEAF_LEAD,
    LEAF_PARENT,
    LEAVES,
    SEVERITIES,
    SEVERITY_SHARES,
    SITE_CATEGORY_WEIGHTS,
    SITE_TYPE_NAMES,
    SITE_TYPES,
    SOURCE_SHARES,
    SOURCES,
    SPONSOR_BLOCK_SHARE,
    SPONSOR_CATEGORIES,
    SPONSOR_ENV_SHARE,
    _day_seconds,
    _dict_array,
    _pick_by_weights,
    _seconds,
)
from chuangwen.demo.framework_spec import (
    CURRENT_EDITION,
    EDITIONS,
    NEGATIVE_BY_CATEGORY,
    NEGATIVE_ITEMS,
)
from chuangwen.demo.geography import County
from chuangwen.demo.scores import problem_window_start
from chuangwen.demo.sites import GCJ02_OFFSET
from chuangwen.vocabulary import ASSIGN, CLOSE_REQUESTED, CLOSED, IN_PROGRESS, REOPENED, RETURN

# 来源 → 发现时间分布：日历型（每天都可能发现）或轮次型（只在某类轮次的日期内发现）
_SOURCE_ROUND_TYPES = {
    "市督查": ("督查",),
    "模拟测评": ("模拟测评",),
    "省暗访": ("年中暗访", "年度测评"),
    "县自查": ("自查",),
}
# 不落在点位上的问题（道路、沿街）：热线与媒体多半是，督查、测评组多在点位上
_NO_SITE_SHARE = {"县自查": 0.30, "市督查": 0.20, "12345热线": 0.60, "省暗访": 0.10, "模拟测评": 0.10, "媒体曝光": 0.50}
_ACTIONS = (ASSIGN, IN_PROGRESS, CLOSE_REQUESTED, RETURN, CLOSED, REOPENED)  # 事件表里按下标取，顺序不能改
_SLOW_CATEGORIES = ("路面坑洼积水", "无障碍设施缺失", "停车位施划不规范", "公共设施破损")
_EVENT_NOTES = (
    "限期3天整改",
    "限期7天整改",
    "限期15天整改",
    "未设整改期限",
    "已安排人员整改",
    "已整改完成，申请销号（附整改前后照片）",
    "复核未通过：整改不到位，退回重改",
    "复核通过，予以销号",
    "复查发现问题反弹，重新交办",
    "重新整改完成，再次申请销号",
)


@dataclass
class Calendar:
    """问题窗口期的逐日强度：测评前六周集中整治、测评后松懈、春节前后回落、工作日多周末少。"""

    day0: int  # 窗口首日零点（秒）
    cutoff: int  # 数据截至（秒）
    season: np.ndarray  # 每天的季节强度
    weekday: np.ndarray  # 0=周一


def make_calendar(until: datetime, rounds: pd.DataFrame) -> Calendar:
    start = problem_window_start(until).date()
    days = np.arange(np.datetime64(start), np.datetime64(until.date()) + 1)
    n = len(days)
    day_no = days.astype(np.int64)
    season = np.ones(n)
    for _, rd in rounds[rounds["is_ranked"]].iterrows():
        s = np.datetime64(rd["start_date"]).astype("M8[D]").astype(np.int64)
        e = np.datetime64(rd["end_date"]).astype("M8[D]").astype(np.int64)
        lead = s - day_no
        amp = 1.1 if rd["round_type"] == "年度测评" else 0.6
        ramp = (lead > 0) & (lead <= 42)
        season[ramp] += amp * (1 - 0.5 * lead[ramp] / 42)
        after = day_no - e
        season[(after > 0) & (after <= 14)] -= 0.25
    month = days.astype("M8[M]").astype(np.int64) % 12 + 1
    dom = (days - days.astype("M8[M]")).astype(np.int64) + 1
    festival = ((month == 1) & (dom >= 20)) | ((month == 2) & (dom <= 20))
    season[festival] *= 0.65
    season *= 1 + 0.08 * np.arange(n) / 365
    return Calendar(_seconds(start), _seconds(until), season, (day_no + 3) % 7)


def _found_times(
    rng: np.random.Generator, cal: Calendar, rounds: pd.DataFrame, source: str, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """某来源 k 个问题的发现时间（秒）与对应轮次下标（-1 = 无轮次）。"""
    n_days = len(cal.season)
    round_idx = np.full(k, -1, dtype=np.int64)
    types = _SOURCE_ROUND_TYPES.get(source)
    start_day = (_day_seconds(rounds["start_date"]) - cal.day0) // 86400
    end_day = (_day_seconds(rounds["end_date"]) - cal.day0) // 86400
    window = np.flatnonzero(rounds["round_type"].isin(types or ()).to_numpy() & (start_day >= 0))
    if types and source != "县自查" and len(window):
        # 轮次型：先按轮次的规模抽轮次，再在轮次日期内均匀抽一天
        starts = start_day[window]
        ends = np.minimum(end_day[window], n_days - 1)
        w = np.array([cal.season[s : e + 1].sum() for s, e in zip(starts, ends)])
        w *= np.where(rounds["round_type"].to_numpy()[window] == "年度测评", 1.3, 1.0)
        pick = rng.choice(len(window), size=k, p=w / w.sum())
        span = ends[pick] - starts[pick] + 1
        day = starts[pick] + np.floor(rng.random(k) * span).astype(np.int64)
        for _ in range(3):
            # 督查、测评组周末也会出动，但少得多
            redo = np.flatnonzero((cal.weekday[day] >= 5) & (rng.random(k)[: len(day)] > 0.3))
            day[redo] = starts[pick[redo]] + np.floor(rng.random(len(redo)) * span[redo]).astype(np.int64)
        round_idx = rounds.index.to_numpy()[window][pick]
        tod = 8.5 * 3600 + rng.random(k) * 9 * 3600
    else:
        if source == "12345热线":
            p = (1 + 0.3 * (cal.season - 1)) * np.array([1, 1, 1, 1, 1, 1.1, 1.05])[cal.weekday]
            tod = 7 * 3600 + rng.random(k) * 15 * 3600
        elif source == "媒体曝光":
            p = 1 + 0.5 * (cal.season - 1)
            tod = 8 * 3600 + rng.random(k) * 13 * 3600
        else:
            p = cal.season * np.array([1, 1, 1, 1, 1, 0.45, 0.3])[cal.weekday]
            tod = 8.5 * 3600 + rng.random(k) * 9 * 3600
        day = rng.choice(n_days, size=k, p=p / p.sum())
    found = cal.day0 + day * 86400 + tod.astype(np.int64)
    late = found > cal.cutoff
    found[late] = cal.cutoff - rng.integers(600, 6 * 3600, late.sum())
    found = np.maximum(found, cal.day0)
    if source == "县自查":
        # 自查问题归到当月自查轮次
        months = found.astype("M8[s]").astype("M8[M]").astype(str)
        code_of = {c[1:8]: i for i, c in zip(rounds.index, rounds["code"]) if c.endswith("-ZC")}
        keys, inv = np.unique(months, return_inverse=True)
        mapped = np.array([code_of.get(m, -1) for m in keys], dtype=np.int64)
        round_idx = mapped[inv]
    return found, round_idx


def _township_index_arrays(county: County) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    comm = county.community
    return comm["township_idx"].to_numpy(), comm["lon"].to_numpy(), comm["lat"].to_numpy()


def _keep_inside(
    county: County,
    town: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    fallback_lon: np.ndarray,
    fallback_lat: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """抖动后的坐标若越出所属镇街，退回到原点（点位或社区位置）。"""
    ok = np.ones(len(lon), dtype=bool)
    for t, poly in enumerate(county.township_polys):
        sel = np.flatnonzero(town == t)
        if len(sel):
            ok[sel] = geo.contains(poly, lon[sel], lat[sel])
    return np.where(ok, lon, fallback_lon), np.where(ok, lat, fallback_lat)


def _reordered(order: np.ndarray, *columns: np.ndarray) -> list[np.ndarray]:
    """各列按同一个顺序重排。"""
    return [c[order] for c in columns]


@dataclass
class Problems:
    table: pa.Table
    coop: pa.Table
    events: pa.Table


def make_problems(
    rng: np.random.Generator, n: int, until: datetime, county: County, rounds: pd.DataFrame, framework: pd.DataFrame
) -> Problems:
    """问题台账、配合单位与整改事件日志，全部按数组一次生成。"""
    sites, units = county.sites, county.units
    cal = make_calendar(until, rounds)

    # ---- 来源与发现时间
    counts = rng.multinomial(n, SOURCE_SHARES)
    found_parts, round_parts, source_parts = [], [], []
    for s, (source_name, k) in enumerate(zip(SOURCES, counts)):
        f, r = _found_times(rng, cal, rounds, source_name, int(k))
        found_parts.append(f)
        round_parts.append(r)
        source_parts.append(np.full(int(k), s, dtype=np.int64))
    found = np.concatenate(found_parts)
    round_idx = np.concatenate(round_parts)
    source = np.concatenate(source_parts)

    # ---- 点位（热点点位权重放大）或无点位（沿街、道路）
    no_site_p = np.array([_NO_SITE_SHARE[s] for s in SOURCES])[source]
    has_site = rng.random(n) >= no_site_p
    site_w = sites["weight"].to_numpy()
    site_idx = np.where(has_site, rng.choice(len(sites), size=n, p=site_w / site_w.sum()), -1)
    s_ok = np.where(has_site, site_idx, 0)
    comm_town, comm_lon, comm_lat = _township_index_arrays(county)
    comm_pop = county.community["population"].to_numpy().astype(float)
    comm_w = comm_pop * np.where(np.array(county.township_kinds)[comm_town] == "街道", 2.0, 1.0)
    free_comm = rng.choice(len(comm_town), size=n, p=comm_w / comm_w.sum())
    community = np.where(has_site, sites["community_idx"].to_numpy()[s_ok], free_comm)
    town = comm_town[community]
    site_town = sites["township_idx"].to_numpy()[s_ok]
    town = np.where(has_site, site_town, town)

    # ---- 坐标：点位坐标加几十米抖动，且不出镇街；约 1% 坐标缺失
    base_lon = np.where(has_site, sites["lon"].to_numpy()[s_ok], comm_lon[community])
    base_lat = np.where(has_site, sites["lat"].to_numpy()[s_ok], comm_lat[community])
    sd_km = np.where(has_site, 0.025, 0.4)
    jl, jt = geo.offset_lonlat(0.0, COUNTY_CENTER[1], rng.normal(0, 1, n) * sd_km, rng.normal(0, 1, n) * sd_km)
    lon, lat = _keep_inside(county, town, base_lon + jl, base_lat + jt, base_lon, base_lat)
    missing = rng.random(n) < 0.01
    lon = np.where(missing, np.nan, lon)
    lat = np.where(missing, np.nan, lat)
    site_gcj = np.where(has_site, sites["crs_source"].to_numpy()[s_ok] == "GCJ02", False)
    gcj = (site_gcj | ((SOURCES.index("12345热线") == source) & (rng.random(n) < 0.5))) & ~missing
    crs = np.where(missing, -1, np.where(gcj, 1, 0))  # 0 WGS84, 1 GCJ02
    lon_src = np.where(gcj, lon + GCJ02_OFFSET[0], np.nan)
    lat_src = np.where(gcj, lat + GCJ02_OFFSET[1], np.nan)

    # ---- 问题类别：由点位类型决定
    type_names = list(SITE_TYPE_NAMES) + [""]
    weights = np.array([[SITE_CATEGORY_WEIGHTS[t].get(c, 0.0) for c in LEAVES] for t in type_names])
    type_row = np.where(has_site, sites["type_no"].to_numpy()[s_ok], len(SITE_TYPE_NAMES))
    cat = _pick_by_weights(rng, np.cumsum(weights, axis=1), type_row)

    # ---- 测评标准：同类别、且点位类型在标准的点位范围内的实地考察标准（三个版次同形，代码通用）
    std = framework[(framework["edition"] == CURRENT_EDITION) & (framework["method"] == "实地考察")]
    std_codes = std["code"].to_numpy()
    std_cat = std["category"].to_numpy()
    std_sites = std["site_types"].tolist()
    combo = cat * len(type_names) + type_row
    std_idx = np.empty(n, dtype=np.int64)
    uniq, inv = np.unique(combo, return_inverse=True)
    for u_i, u in enumerate(uniq):
        c, t = divmod(int(u), len(type_names))
        same_cat = np.flatnonzero(std_cat == LEAVES[c])
        fit = [i for i in same_cat if type_names[t] in std_sites[i]] or list(same_cat)
        sel = np.flatnonzero(inv == u_i)
        std_idx[sel] = np.asarray(fit)[rng.integers(len(fit), size=len(sel))]
    edition_starts = np.array([_seconds(d) for _, d in EDITIONS])
    edition_idx = np.searchsorted(edition_starts, found, side="right") - 1

    # ---- 牵头单位：按类别找条；背街小巷/老旧小区/城乡结合部的环境卫生与市容秩序以块为主
    n_dept = len(DEPARTMENTS)
    parent = np.array([LEAF_PARENT[c] for c in LEAVES])[cat]
    leaf_lead = np.array([DEPT_CODE.get(LEAF_LEAD[c], "") for c in LEAVES])
    dept_index = {code: i for i, code in enumerate(units["code"])}
    lead_of_leaf = np.array([dept_index.get(c, -1) for c in leaf_lead])[cat]
    owner_of_type = np.array([dept_index[DEPT_CODE[t[3]]] for t in SITE_TYPES] + [dept_index[CHECKER]])[type_row]
    lead = np.where(lead_of_leaf < 0, owner_of_type, lead_of_leaf)
    site_type_name = np.array(type_names)[type_row]
    env = np.isin(parent, ("环境卫生", "市容秩序"))
    inside = (parent == "环境卫生") & np.isin(site_type_name, INSIDE_OWNER_SITES)
    lead = np.where(inside, owner_of_type, lead)
    block_first = env & (np.isin(site_type_name, BLOCK_FIRST_SITES) | (~has_site & (rng.random(n) < 0.5)))
    block_unit = n_dept + town
    lead = np.where(block_first, block_unit, lead)
    # 包保部门牵头：包保点位上的宣传氛围、志愿服务、公益广告，以及一部分（点位不归主管自管的）环境与秩序问题
    sponsor_of_site = np.array([dept_index[DEPT_CODE[u]] if isinstance(u, str) else -1 for u in sites["sponsor"]])
    sponsor = np.where(has_site, sponsor_of_site[s_ok], -1)
    share = np.where(block_first, SPONSOR_BLOCK_SHARE, SPONSOR_ENV_SHARE)
    by_sponsor = (
        (sponsor >= 0)
        & ~inside
        & ((np.isin(parent, SPONSOR_CATEGORIES) & ~block_first) | (env & (rng.random(n) < share)))
    )
    lead = np.where(by_sponsor, sponsor, lead)

    # ---- 严重程度与整改期限
    severity = rng.choice(3, size=n, p=SEVERITY_SHARES)
    deadline = found + np.array(DEADLINE_DAYS)[severity] * 86400
    no_deadline = rng.random(n) < 0.005
    deadline_days_note = np.where(no_deadline, 3, severity)

    # ---- 按发现时间排序，编号 WT年份-序号
    order = np.lexsort((np.arange(n), found))
    (
        found,
        round_idx,
        source,
        site_idx,
        has_site,
        community,
        town,
        lon,
        lat,
        crs,
        lon_src,
        lat_src,
        cat,
        std_idx,
        edition_idx,
        lead,
        severity,
        deadline,
        no_deadline,
        deadline_days_note,
        type_row,
        block_unit,
    ) = _reordered(
        order,
        found,
        round_idx,
        source,
        site_idx,
        has_site,
        community,
        town,
        lon,
        lat,
        crs,
        lon_src,
        lat_src,
        cat,
        std_idx,
        edition_idx,
        lead,
        severity,
        deadline,
        no_deadline,
        deadline_days_note,
        type_row,
        block_unit,
    )
    year = found.astype("M8[s]").astype("M8[Y]").astype(np.int64) + 1970
    first_of_year = np.r_[True, year[1:] != year[:-1]]
    start_pos = np.maximum.accumulate(np.where(first_of_year, np.arange(n), 0))
    seq = np.arange(n) - start_pos + 1
    codes = [f"WT{y}-{s:06d}" for y, s in zip(year.tolist(), seq.tolist())]

    # ---- 触及负面清单的少数问题（现行版次），其中最近的一件截至时仍未整改完
    neg_code = np.full(n, -1, dtype=np.int64)
    neg_names = [f"F{i + 1:02d}" for i in range(len(NEGATIVE_ITEMS))]
    leaf_neg = np.array([neg_names.index(NEGATIVE_BY_CATEGORY[c]) if c in NEGATIVE_BY_CATEGORY else -1 for c in LEAVES])
    cand = np.flatnonzero((leaf_neg[cat] >= 0) & (found >= _seconds(date(2024, 1, 1))))
    force_open = np.zeros(n, dtype=bool)
    if len(cand):
        recent = cand[found[cand] >= cal.cutoff - 20 * 86400]
        older = np.setdiff1d(cand, recent)
        chosen = list(rng.choice(older, size=min(7, len(older)), replace=False)) if len(older) else []
        last = recent[rng.integers(len(recent))] if len(recent) else cand[-1]
        chosen.append(last)
        picked = np.array(sorted(set(int(c) for c in chosen)))
        neg_code[picked] = leaf_neg[cat[picked]]
        severity[picked] = 2
        deadline[picked] = found[picked] + DEADLINE_DAYS[2] * 86400
        no_deadline[picked] = False
        deadline_days_note[picked] = 2
        force_open[last] = True

    # ---- 描述：地点 + 类别 + 细节（组合有限，按字典列存）
    n_detail = np.array([len(LEAF_DETAILS[c]) for c in LEAVES])
    detail = np.floor(rng.random(n) * n_detail[cat]).astype(np.int64)
    place_names = sites["name"].tolist() + [
        f"{county.township_names[t]}{nm}附近" for t, nm in zip(comm_town, county.community["name"])
    ]
    place = np.where(has_site, site_idx, len(sites) + community)
    desc_key = (place * len(LEAVES) + cat) * 4 + detail
    desc_uniq, desc_inv = np.unique(desc_key, return_inverse=True)
    desc_text = []
    for key in desc_uniq.tolist():
        rest, d = divmod(key, 4)
        p, c = divmod(rest, len(LEAVES))
        desc_text.append(f"{place_names[p]}：{LEAVES[c]}，{LEAF_DETAILS[LEAVES[c]][d]}")

    # ---- 配合单位（0–2 个）：条牵头时所在镇街的块配合，块牵头时类别的条配合，另可加一个相关条
    n_coop = rng.choice(3, size=n, p=(0.45, 0.38, 0.17))
    cat_dept = np.array([dept_index.get(c, dept_index[CHECKER]) for c in leaf_lead])[cat]
    first = np.where(lead >= n_dept, cat_dept, block_unit)
    pools = [np.array([dept_index[DEPT_CODE[u]] for u in COOP_POOL[LEAF_PARENT[c]]]) for c in LEAVES]
    pool_len = np.array([len(p) for p in pools])
    pool_flat = np.concatenate(pools)
    pool_off = np.r_[0, np.cumsum(pool_len)[:-1]]
    second = pool_flat[pool_off[cat] + np.floor(rng.random(n) * pool_len[cat]).astype(np.int64)]
    c1 = np.flatnonzero((n_coop >= 1) & (first != lead))
    c2 = np.flatnonzero((n_coop == 2) & (second != lead) & (second != first))
    coop_p = np.concatenate([c1, c2])
    coop_u = np.concatenate([first[c1], second[c2]])
    co = np.lexsort((coop_u, coop_p))
    coop = pa.table(
        {
            "problem_code": pa.array(codes).take(pa.array(coop_p[co])),
            "unit_code": _dict_array(coop_u[co], units["code"]),
        }
    )

    events = make_rectify_events(
        rng,
        cal,
        found,
        deadline,
        no_deadline,
        deadline_days_note,
        severity,
        lead,
        units["speed"].to_numpy(),
        cat,
        site_idx,
        sites,
        force_open,
        dept_index[CHECKER],
        units["code"].tolist(),
    )
    ev_codes = pa.array(codes).take(pa.array(events.pop("problem")))
    event_table = pa.table(
        {"id": pa.array(np.arange(1, len(ev_codes) + 1, dtype=np.int64)), "problem_code": ev_codes, **events}
    )

    std_dict = list(std_codes)
    table = pa.table(
        {
            "code": pa.array(codes),
            "found_at": pa.array(found.astype("M8[s]")),
            "source": _dict_array(source, SOURCES),
            "round_code": _dict_array(round_idx, rounds["code"]),
            "edition": _dict_array(edition_idx, [e for e, _ in EDITIONS]),
            "standard_code": _dict_array(std_idx, std_dict),
            "category": _dict_array(cat, LEAVES),
            "site_code": _dict_array(site_idx, sites["code"]),
            "township_code": _dict_array(town, county.township_codes),
            "community_code": _dict_array(community, county.community["code"]),
            "lon": pa.array(lon, from_pandas=True),
            "lat": pa.array(lat, from_pandas=True),
            "crs_source": _dict_array(crs, ("WGS84", "GCJ02")),
            "lon_source": pa.array(lon_src, from_pandas=True),
            "lat_source": pa.array(lat_src, from_pandas=True),
            "description": _dict_array(desc_inv, desc_text),
            "severity": _dict_array(severity, SEVERITIES),
            "negative_item_code": _dict_array(neg_code, neg_names),
            "lead_unit_code": _dict_array(lead, units["code"]),
            "deadline": pa.array(
                np.where(no_deadline, np.datetime64("NaT"), deadline.astype("M8[s]")).astype("M8[s]"), from_pandas=True
            ),
        }
    )
    return Problems(table, coop, event_table)


def make_rectify_events(
    rng: np.random.Generator,
    cal: Calendar,
    found: np.ndarray,
    deadline: np.ndarray,
    no_deadline: np.ndarray,
    deadline_days_note: np.ndarray,
    severity: np.ndarray,
    lead: np.ndarray,
    unit_speed: np.ndarray,
    cat: np.ndarray,
    site_idx: np.ndarray,
    sites: pd.DataFrame,
    force_open: np.ndarray,
    checker: int,
    unit_codes: list[str],
) -> dict:
    """整改事件日志：交办（当天）→ 整改中 → 申请销号 →（退回 → 再申请）→ 已销号 →（反弹重开 → 再走一遍）。

    慢单位耗时长、更常被退回；热点点位更容易反弹。截至时刻之后的事件不写，于是近期问题仍在办、部分逾期。
    """
    n = len(found)
    day = 86400.0
    speed = unit_speed[lead]
    limit_days = np.array(DEADLINE_DAYS, dtype=float)[severity]

    end_of_day = (found // 86400) * 86400 + 86340
    assign = (
        found + 60 + (rng.random(n) * np.clip(np.minimum(6 * 3600, end_of_day - found - 60), 0, None)).astype(np.int64)
    )
    # 从交办到销号的总耗时：按期限与单位速度；多数在期限内，慢单位常常逾期
    total = limit_days * speed * np.exp(rng.normal(np.log(0.55), 0.45, n))
    slow_cat = np.isin(np.array(LEAVES)[cat], _SLOW_CATEGORIES)
    slow_unit = speed > 1.5
    # 需要立项、协调的问题拖得很久；一部分截至时仍未整改完（历史遗留）
    # 多数单位偶有拖延；慢单位的难办类别最常拖，于是逾期 30 天以上的积压集中在少数单位，红榜有单位够得上
    stalled = rng.random(n) < 0.003 + 0.012 * slow_cat + 0.04 * slow_unit
    total = np.where(stalled, total * rng.uniform(8, 60, n), total)
    # 始终办不完的历史遗留很少（约 1%），否则未销号几乎全是陈年逾期，不像真实台账
    never = rng.random(n) < 0.0002 + 0.001 * slow_cat + 0.003 * slow_unit
    total_s = np.maximum(3 * 3600, (total * day).astype(np.int64))
    start = assign + np.maximum(600, (0.1 * total_s).astype(np.int64))
    apply1 = assign + np.maximum(0.75 * total_s, 0.1 * total_s + 1200).astype(np.int64)
    review = np.maximum(1800, (0.25 * total_s * rng.uniform(0.6, 1.4, n)).astype(np.int64))
    rejected = rng.random(n) < np.clip(0.08 + 0.03 * (speed - 1), 0.04, 0.16)
    reject = apply1 + review
    reapply = reject + (rng.uniform(0.5, 4.0, n) * speed * day).astype(np.int64)
    close1 = np.where(rejected, reapply + review, apply1 + review)
    # 反弹：热点点位最常见，背街小巷、农贸市场等次之
    is_hot = np.where(site_idx >= 0, sites["is_hotspot"].to_numpy()[np.maximum(site_idx, 0)], False)
    hot_type = np.where(
        site_idx >= 0, np.isin(sites["site_type"].to_numpy()[np.maximum(site_idx, 0)], HOTSPOT_TYPES), False
    )
    rebound = rng.random(n) < np.where(is_hot, 0.3, np.where(hot_type, 0.015, np.where(site_idx >= 0, 0.005, 0.002)))
    reopen = close1 + ((3 + rng.exponential(25, n)) * day).astype(np.int64)
    restart = reopen + (rng.uniform(0.1, 1.0, n) * day).astype(np.int64)
    reapply2 = restart + np.maximum(
        7200, (limit_days * speed * np.exp(rng.normal(np.log(0.4), 0.45, n)) * day).astype(np.int64)
    )
    close2 = reapply2 + review

    no_apply = force_open | never  # 负面清单里最近那件必在其中：截至时仍在整改
    lead_u = lead
    chk = np.full(n, checker)
    note_assign = deadline_days_note
    # (时间, 是否发生, 动作, 单位, 备注) ；seq 保证同一问题内按发生顺序
    plan = (
        (assign, np.ones(n, bool), 0, lead_u, note_assign),
        (start, np.ones(n, bool), 1, lead_u, np.full(n, 4)),
        # 历史遗留（never）也申请过销号、被退回：台账上看得到来回，而不是交办后就再无动静
        (apply1, ~force_open, 2, lead_u, np.full(n, 5)),
        (reject, (rejected | never) & ~force_open, 3, chk, np.full(n, 6)),
        (reapply, rejected & ~no_apply, 2, lead_u, np.full(n, 9)),
        (close1, ~no_apply, 4, chk, np.full(n, 7)),
        (reopen, rebound & ~no_apply, 5, chk, np.full(n, 8)),
        (restart, rebound & ~no_apply, 1, lead_u, np.full(n, 4)),
        (reapply2, rebound & ~no_apply, 2, lead_u, np.full(n, 9)),
        (close2, rebound & ~no_apply, 4, chk, np.full(n, 7)),
    )
    probs, times, actions, unit_list, notes, seqs = [], [], [], [], [], []
    for step, (t, happens, action, unit, note) in enumerate(plan):
        keep = np.flatnonzero(happens & (t <= cal.cutoff))
        probs.append(keep)
        times.append(t[keep])
        actions.append(np.full(len(keep), action, dtype=np.int64))
        unit_list.append(unit[keep])
        notes.append(note[keep])
        seqs.append(np.full(len(keep), step, dtype=np.int64))
    prob = np.concatenate(probs)
    t = np.concatenate(times)
    seq = np.concatenate(seqs)
    # 日志按发生时间追加：id 顺序即时间顺序；（时间, 问题, 步骤）压成一个整数键排序，比多键排序快得多
    if n < 1 << 24:
        order = np.argsort(((t - cal.day0) << np.int64(28)) | (prob.astype(np.int64) << np.int64(4)) | seq)
    else:
        order = np.lexsort((seq, prob, t))
    return {
        "problem": prob[order],
        "event_at": pa.array(t[order].astype("M8[s]")),
        "action": _dict_array(np.concatenate(actions)[order], _ACTIONS),
        "unit_code": _dict_array(np.concatenate(unit_list)[order], unit_codes),
        "note": _dict_array(np.concatenate(notes)[order], _EVENT_NOTES),
    }
