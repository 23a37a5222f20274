"""问题台账里出现、库里还没有的点位：--create-missing 时按名称、坐标、镇街与点位类型新增（Issue 17 第 3 部分）。

12345、数字城管的导出都带地址（点位）与坐标，没有单独的点位表：
- 同一名称、相距不到 SAME_SITE_M 米的行是同一个点位（坐标取第一个有坐标的行）；同名而相距更远的是不同点位，名称后加“（2）”“（3）”；
  没有坐标的行并入这个名称的第一个点位；
- 同一坐标而名称不同的是不同点位（一个路口的公厕与公交站）；
- 坐标换算到 WGS-84 保存，原始坐标与坐标系照留；镇街取行里的（或按边界判定的；库里既没有镇街也没有边界时挂“待补充镇街”）；
  点位类型取行里的或映射文件 [defaults] 的，
  库里没有的类型随之新增；缺镇街或点位类型的行报错，说明怎么补。
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chuangwen import geo
from chuangwen.imports.checks import Checker, Refs, row_mask

SAME_SITE_M = 30.0
PLACEHOLDER_TOWNSHIP = "待补充镇街（导入时自动添加）"


def create_from_rows(
    ck: Checker,
    refs: Refs,
    names: pd.Series,
    types: pd.Series,
    town: pd.Series,
    known: pd.Series,
    lon_a: np.ndarray,
    lat_a: np.ndarray,
    wlon: np.ndarray,
    wlat: np.ndarray,
    crs_src: pd.Series,
    has_xy: np.ndarray,
) -> list[str | None]:
    """每行的新点位代码（已有点位、没写点位名称或被拒的行为 None）；新增的点位记在 refs.new_sites。"""
    n = len(names)
    out: list[str | None] = [None] * n
    clusters: dict[str, list[dict]] = {}  # 名称 → 这个名称的各个点位（按出现顺序）
    taken = set(refs.site_codes) | {s["code"] for s in refs.new_sites}
    for i in range(n):
        name = names.iat[i]
        if name is None or known.iat[i] is not None or ck.bad[i]:
            continue
        town_code = town.iat[i]
        kind = types.iat[i]
        problems = []
        if town_code is None and not refs.township_geoms and not refs.township_by_name:
            # 新库还没有镇街（也没有边界）：挂在“待补充镇街”下，与“待补充县”同样是导入时自动添加、之后可改的占位
            town_code = refs.township(PLACEHOLDER_TOWNSHIP)
        if town_code is None:
            problems.append("镇街（在文件里填“镇街”，或先导入镇街边界、由坐标判定）")
        if kind is None:
            problems.append(
                "点位类型（在文件里加“点位类型”列，或"
                + ck.place.default_value.format(column="点位类型", example="背街小巷")
                + "）"
            )
        if problems:
            ck.flag(row_mask(n, i), "点位名称", name, f"新增点位“{name}”还缺：{'；'.join(problems)}")
            continue
        same = clusters.setdefault(name, [])
        hit = None
        if not has_xy[i]:
            hit = same[0] if same else None  # 没有坐标的行：并入这个名称的第一个点位
        else:
            for site in same:
                if site["lon"] is None:  # 先出现的同名行没有坐标：这个点位用这一行的坐标
                    site.update(
                        lon=float(wlon[i]),
                        lat=float(wlat[i]),
                        crs_source=crs_src[i],
                        lon_source=float(lon_a[i]),
                        lat_source=float(lat_a[i]),
                    )
                    hit = site
                elif float(geo.distance_m(site["lon"], site["lat"], wlon[i], wlat[i])) < SAME_SITE_M:
                    hit = site
                if hit is not None:
                    break
        if hit is None:
            code = refs._next_code("IMPS", taken, 0)
            taken.add(code)
            if kind not in refs.site_types:
                refs.site_types.add(kind)
                refs.new_site_types.append(kind)
            hit = {
                "code": code,
                "name": name if not same else f"{name}（{len(same) + 1}）",
                "site_type": kind,
                "township_code": town_code,
                "community_code": None,
                "address": None,
                "lon": float(wlon[i]) if has_xy[i] else None,
                "lat": float(wlat[i]) if has_xy[i] else None,
                "crs_source": crs_src[i] if has_xy[i] else "WGS84",
                "lon_source": float(lon_a[i]) if has_xy[i] else None,
                "lat_source": float(lat_a[i]) if has_xy[i] else None,
            }
            same.append(hit)
            refs.new_sites.append(hit)
            refs.site_township[code] = town_code
        out[i] = hit["code"]
    return out
