"""示例数据（chuangwen.demo 包）：虚构的云岚省澜溪县，一个从全省后三分之一向“前10名”爬升的创建故事。

同一个种子永远生成同一个库（只有 meta.built_at 是墙上时间）。所有“本周”“逾期”都相对
meta.data_cutoff（数据截至），不看系统时钟。大批量部分全部用 numpy 向量化，经 arrow 表写入 DuckDB。

各部分：common 设定，geography 地区与边界，sites 点位，framework 测评体系，scores 轮次与成绩，
problems 问题与整改；这里把它们写进一个新库（build）。
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from chuangwen import db
from chuangwen.demo.common import (
    ANNUAL_ROUNDS,
    CATEGORIES,
    DEFAULT_PROBLEMS,
    DEFAULT_SEED,
    DEFAULT_UNTIL,
    OUR_COUNTY,
    PROVINCE_CODE,
    PROVINCE_NAME,
    RIVALS,
    SITE_TYPE_NAMES,
    SOURCE_SHARES,
    SOURCES,
    TARGET_RANK,
)
from chuangwen.demo.framework import framework_edition_frame, loss_model_frames, make_framework, negative_item_frame
from chuangwen.demo.framework_spec import (
    CURRENT_EDITION,
    STREET_TYPE,
)
from chuangwen.demo.geography import _peer_regions, boundary_frame, make_county_geography, make_units, region_frames
from chuangwen.demo.problems import make_problems, make_rectify_events
from chuangwen.demo.scores import make_deductions, make_rounds, make_scores, problem_window_start
from chuangwen.demo.sites import make_sites

# 包外用到的：build 与 ensure，以及测试、基准直接看的几个设定与函数
__all__ = [
    "build",
    "ensure",
    "DEFAULT_SEED",
    "DEFAULT_PROBLEMS",
    "DEFAULT_UNTIL",
    "SOURCES",
    "SOURCE_SHARES",
    "problem_window_start",
    "make_rectify_events",
]


# ================================================================ 写库

_TABLES = (
    "meta",
    "region",
    "boundary",
    "unit",
    "site_type",
    "problem_category",
    "framework_edition",
    "framework_node",
    "negative_item",
    "sampling_plan",
    "standard_scoring",
    "standard_category",
    "site",
    "round",
    "score",
    "score_part",
    "deduction",
    "deduction_unit",
    "problem",
    "problem_coop_unit",
    "rectify_event",
    "import_log",
)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame | pa.Table) -> None:
    # 表名不能绑定：只接受上面固定的表名（允许清单），值都经注册的 DataFrame 传入
    if table not in _TABLES:
        raise ValueError(f"示例数据没有表 {table}")
    con.register("_demo_frame", frame)
    try:
        con.execute(f"insert into {table} by name select * from _demo_frame")
    finally:
        con.unregister("_demo_frame")


def _advance_sequence(con: duckdb.DuckDBPyConnection, name: str, to: int) -> None:
    """显式写入 id 之后把序列推到 to，之后的导入从 to+1 起取号。"""
    if to > 0:
        con.execute("select max(nextval($sequence)) from range($n)", {"sequence": name, "n": int(to)})


def build(
    path: str | os.PathLike[str],
    *,
    seed: int = DEFAULT_SEED,
    problems: int = DEFAULT_PROBLEMS,
    until: datetime = DEFAULT_UNTIL,
) -> dict:
    """生成示例库（原子地写到 path）；同一种子、同一问题数、同一截至时间得到逐行相同的数据。

    返回各表行数与耗时 {表名: 行数, ..., "seconds": 秒}。
    """
    if not isinstance(problems, (int, np.integer)) or isinstance(problems, bool) or problems <= 0:
        raise ValueError(f"问题数必须是正整数，实际为 {problems!r}")
    if until.year - ANNUAL_ROUNDS < 2010:
        raise ValueError(f"数据截至时间过早：{until}")
    t0 = time.perf_counter()
    until = until.replace(microsecond=0)
    rng = np.random.Generator(np.random.PCG64(seed))

    peers = _peer_regions(rng)
    our_code = peers.loc[peers["name"] == OUR_COUNTY, "code"].iloc[0]
    county = make_county_geography(rng, our_code)
    county.units = make_units(rng, county)
    county.sites = make_sites(rng, county)
    framework = make_framework()
    rounds = make_rounds(rng, until)
    scores = make_scores(rng, rounds, peers, our_code, framework)
    deductions, deduction_units = make_deductions(rng, rounds, framework, scores, county.sites)
    issues = make_problems(rng, int(problems), until, county, rounds, framework)

    rival_codes = [peers.loc[peers["name"] == r, "code"].iloc[0] for r in RIVALS]
    meta = pd.DataFrame(
        {
            "key": [
                "is_demo",
                "data_cutoff",
                "our_region_code",
                "province_code",
                "county_name",
                "province_name",
                "target_rank",
                "demo_seed",
                "demo_problems",
                "rival_region_codes",
                "current_edition",
                "built_at",
            ],
            "value": [
                "1",
                until.strftime("%Y-%m-%d %H:%M:%S"),
                our_code,
                PROVINCE_CODE,
                OUR_COUNTY,
                PROVINCE_NAME,
                str(TARGET_RANK),
                str(seed),
                str(int(problems)),
                ",".join(rival_codes),
                CURRENT_EDITION,
                datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
            ],
        }
    )
    # 点位类型：有点位的各类，加上没有点位、按镇街计路段的街面类型（主次干道）
    type_names = [*SITE_TYPE_NAMES, STREET_TYPE]
    site_type = pd.DataFrame({"name": type_names, "sort_order": np.arange(1, len(type_names) + 1)})
    cat_rows, k = [], 0
    for parent, leaves in CATEGORIES.items():
        k += 1
        cat_rows.append({"name": parent, "parent": None, "sort_order": k})
        for leaf, *_ in leaves:
            k += 1
            cat_rows.append({"name": leaf, "parent": parent, "sort_order": k})
    sites = county.sites
    site = sites[
        [
            "code",
            "name",
            "site_type",
            "township_code",
            "community_code",
            "address",
            "lon",
            "lat",
            "crs_source",
            "lon_source",
            "lat_source",
        ]
    ]

    with db.build_new(Path(path)) as con:
        con.execute("set enable_progress_bar = false")
        con.execute("begin transaction")
        _insert(con, "meta", meta)
        for level in region_frames(peers, county):
            _insert(con, "region", level)
        _insert(con, "boundary", boundary_frame(county))
        _insert(con, "unit", county.units.drop(columns="speed"))
        _insert(con, "site_type", site_type)
        _insert(con, "problem_category", pd.DataFrame(cat_rows))
        _insert(con, "framework_edition", framework_edition_frame())
        _insert(con, "framework_node", framework.drop(columns="cents"))
        _insert(con, "negative_item", negative_item_frame())
        for table, frame in zip(
            ("sampling_plan", "standard_scoring", "standard_category"), loss_model_frames(framework)
        ):
            _insert(con, table, frame)
        _insert(con, "site", site)
        _insert(con, "round", rounds)
        _insert(con, "score", scores.score)
        _insert(con, "score_part", scores.score_part)
        _insert(con, "deduction", deductions)
        _insert(con, "deduction_unit", deduction_units)
        _insert(con, "problem", issues.table)
        _insert(con, "problem_coop_unit", issues.coop)
        _insert(con, "rectify_event", issues.events)
        _advance_sequence(con, "deduction_id_seq", len(deductions))
        _advance_sequence(con, "rectify_event_id_seq", issues.events.num_rows)
        con.execute("commit")
        counts = {t: db.scalar(con, f"select count(*) from {t}") for t in _TABLES}
    counts["seconds"] = round(time.perf_counter() - t0, 2)
    return counts


def ensure(path: str | os.PathLike, **demo_kwargs: Any) -> bool:
    """首次启动：示例库不存在时生成（写入锁防止多个会话、多个进程同时生成）；返回是否新生成。"""
    from chuangwen import store

    path = Path(path)
    if path.exists():
        return False
    with store.writer_lock(path, "首次启动生成示例库"):
        if path.exists():
            return False
        build(path, **demo_kwargs)
    return True
