"""示例测评轮次、成绩与分项、扣分明细：本县名次从后三分之一爬到前 10 名附近的故事。"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from chuangwen.demo.common import (
    ANNUAL_ROUNDS,
    LEAF_DETAILS,
    NEW_DISTRICT,
    PROBLEM_YEARS,
    RIVALS,
    _split_cents,
)
from chuangwen.demo.framework import edition_for
from chuangwen.demo.framework_spec import (
    CURRENT_EDITION,
)


def _cycle(year: int) -> str:
    start = 2018 + 3 * ((year - 2018) // 3)
    return f"{start}-{start + 2}"


def problem_window_start(until: datetime) -> datetime:
    """问题数据覆盖截至日前三年（从三年前同日的次日零点起）。"""
    try:
        back = until.replace(year=until.year - PROBLEM_YEARS, hour=0, minute=0, second=0, microsecond=0)
    except ValueError:  # 2 月 29 日
        back = until.replace(year=until.year - PROBLEM_YEARS, day=28, hour=0, minute=0, second=0, microsecond=0)
    return back + timedelta(days=1)


def make_rounds(rng: np.random.Generator, until: datetime) -> pd.DataFrame:
    """轮次：省级年度测评与年中暗访（排名），窗口期内的模拟测评（季）、自查（月）、督查（月）。"""
    cutoff_day = until.date()
    window_day = problem_window_start(until).date()
    rows = []

    def add(code, name, round_type, level, start, end, is_ranked):
        end = min(end, cutoff_day)
        if start > cutoff_day or end < start:
            return
        rows.append(
            {
                "code": code,
                "name": name,
                "round_type": round_type,
                "level": level,
                "start_date": start,
                "end_date": end,
                "cycle": _cycle(start.year),
                "year": start.year,
                "edition": edition_for(start),
                "is_ranked": is_ranked,
            }
        )

    annual, midyear = [], []
    for year in range(until.year - ANNUAL_ROUNDS - 1, until.year + 1):
        s = date(year, 10, 10) + timedelta(days=int(rng.integers(0, 9)))
        if s + timedelta(days=4) < cutoff_day:
            annual.append((year, s))
        s = date(year, 6, 8) + timedelta(days=int(rng.integers(0, 13)))
        if s + timedelta(days=3) < cutoff_day:
            midyear.append((year, s))
    annual = annual[-ANNUAL_ROUNDS:]
    first_year = annual[0][0]
    for year, s in midyear:
        if year >= first_year:
            add(f"R{year}-ZA", f"{year}年年中暗访（省文明办）", "年中暗访", "省", s, s + timedelta(days=3), True)
    for year, s in annual:
        add(f"R{year}-ND", f"{year}年度省级文明城市测评", "年度测评", "省", s, s + timedelta(days=4), True)

    y, m = window_day.year, window_day.month
    while (y, m) <= (cutoff_day.year, cutoff_day.month):
        month_start = date(y, m, 1)
        month_end = date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)
        add(f"R{y}-{m:02d}-ZC", f"{y}年{m}月县级自查", "自查", "县", month_start, month_end, False)
        s = date(y, m, 6) + timedelta(days=int(rng.integers(0, 9)))
        if s >= window_day:
            add(f"R{y}-{m:02d}-DC", f"{y}年{m}月市级督查", "督查", "市", s, s + timedelta(days=4), False)
        if m in (3, 5, 9, 12):
            s = date(y, m, 14) + timedelta(days=int(rng.integers(0, 8)))
            if s >= window_day:
                add(f"R{y}-{m:02d}-MN", f"{y}年{m}月第三方模拟测评", "模拟测评", "县", s, s + timedelta(days=2), False)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return pd.DataFrame(rows).sort_values(["start_date", "code"], ignore_index=True)


# ================================================================ 成绩、分项、扣分


@dataclass
class Scores:
    score: pd.DataFrame
    score_part: pd.DataFrame
    our_item_loss: dict[str, np.ndarray]  # 轮次 → 本县 12 个测评项目各丢多少分（0.01 分）


def _story_ranks(rng: np.random.Generator, n_rounds: int, group_sizes: list[int]) -> np.ndarray:
    """本县与三个对手每轮的名次：本县从后三分之一爬到 11–13 名，对手各有各的走势。"""
    ranks = np.zeros((n_rounds, 1 + len(RIVALS)), dtype=int)
    # 对手相对本县的名次差：(开始, 结束)
    offsets = ((-6, -3), (-10, 2), (4, -1))
    for r in range(n_rounds):
        p = r / max(1, n_rounds - 1)
        smooth = p * p * (3 - 2 * p)
        n_r = group_sizes[r]
        if r == n_rounds - 1:
            ours = int(rng.integers(11, 14))
        else:
            ours = int(round(36 - 24 * smooth + rng.normal(0, 1.0)))
            if r < 2:
                ours = max(ours, 33)
        ours = int(np.clip(ours, 2, n_r - 1))
        taken = {ours}
        row = [ours]
        for start, end in offsets:
            off = end if r == n_rounds - 1 else int(round(start + (end - start) * p + rng.normal(0, 0.8)))
            off = off if off != 0 else (1 if end > 0 else -1)
            rank = int(np.clip(ours + off, 1, n_r))
            step = 1 if off > 0 else -1
            while rank in taken:
                rank += step
                if rank < 1 or rank > n_r:
                    step, rank = -step, int(np.clip(rank, 1, n_r))
            taken.add(rank)
            row.append(rank)
        ranks[r] = row
    return ranks


def _round_totals(rng: np.random.Generator, n: int, mean: float) -> np.ndarray:
    """一轮成绩（降序、两位小数、互不相同）。"""
    s = np.clip(rng.normal(mean, 4.0, n), 66.0, 97.5)
    s = np.sort(np.round(s, 2))[::-1].copy()
    for i in range(1, n):
        if s[i] > s[i - 1] - 0.01:
            s[i] = round(s[i - 1] - 0.01, 2)
    return s


def make_scores(
    rng: np.random.Generator, rounds: pd.DataFrame, peers: pd.DataFrame, our_code: str, framework: pd.DataFrame
) -> Scores:
    """排名组每轮成绩：本县与对手按故事定名次，其余单位按各自的潜在水平排；分项由总分拆出，逐级相加严格相等。"""
    ranked = rounds[rounds["is_ranked"]].sort_values("start_date", ignore_index=True)
    codes = peers["code"].tolist()
    names = peers["name"].tolist()
    story = [codes.index(our_code)] + [names.index(n) for n in RIVALS]
    newbie = names.index(NEW_DISTRICT)
    n_rounds = len(ranked)
    base = rng.normal(0, 1, len(codes))
    slope = rng.normal(0, 0.25, len(codes))
    group_sizes = [len(codes) - (1 if r == 0 else 0) for r in range(n_rounds)]
    story_ranks = _story_ranks(rng, n_rounds, group_sizes)
    tie_round = n_rounds // 2

    items_by_edition = {}
    for edition, f in framework.groupby("edition"):
        items = f[f["level"] == "测评项目"].sort_values("sort_order")
        items_by_edition[edition] = (
            items["code"].to_numpy(),
            items["parent_code"].to_numpy(),
            items["cents"].to_numpy(),
        )
    boards = ("1", "2", "3")

    score_rows, part_rows = [], []
    our_item_loss: dict[str, np.ndarray] = {}
    for r, rd in ranked.iterrows():
        present = [i for i in range(len(codes)) if not (r == 0 and i == newbie)]
        n_r = len(present)
        mean = 79.5 + 6.5 * r / max(1, n_rounds - 1) - (1.2 if rd["round_type"] == "年中暗访" else 0.0)
        totals = _round_totals(rng, n_r, mean)
        positions = {story[k]: int(story_ranks[r, k]) - 1 for k in range(len(story))}
        if r == tie_round:
            i = 3
            while i in positions.values() or i + 1 in positions.values():
                i += 1
            totals[i + 1] = totals[i]  # 一处并列：名次同为 i+1
        latent = base + slope * (rd["year"] - ranked["year"].iloc[0]) + rng.normal(0, 0.35, len(codes))
        others = sorted((i for i in present if i not in positions), key=lambda i: -latent[i])
        free = [p for p in range(n_r) if p not in positions.values()]
        positions.update(dict(zip(others, free)))
        item_codes, item_boards, item_cents = items_by_edition[rd["edition"]]
        for i in range(len(codes)):
            if i not in positions:
                score_rows.append(
                    {"round_code": rd["code"], "region_code": codes[i], "total": None, "note": "缺测：新设区未参评"}
                )
                continue
            total_cents = int(round(totals[positions[i]] * 100))
            w = item_cents * rng.gamma(4.0, 1.0, len(item_cents))
            if i == story[0]:
                # 本县丢分主要在城市环境与公共秩序（实地考察）板块
                w = w * np.where(item_boards == "3", 1.6, 1.0)
            loss = _split_cents(10000 - total_cents, w, caps=(item_cents * 0.85).astype(np.int64))
            got = item_cents - loss
            score_rows.append(
                {"round_code": rd["code"], "region_code": codes[i], "total": total_cents / 100, "note": None}
            )
            for b in boards:
                part_rows.append(
                    {
                        "round_code": rd["code"],
                        "region_code": codes[i],
                        "edition": rd["edition"],
                        "node_code": b,
                        "score": int(got[item_boards == b].sum()) / 100,
                    }
                )
            for c, g in zip(item_codes, got):
                part_rows.append(
                    {
                        "round_code": rd["code"],
                        "region_code": codes[i],
                        "edition": rd["edition"],
                        "node_code": c,
                        "score": int(g) / 100,
                    }
                )
            if i == story[0]:
                our_item_loss[rd["code"]] = loss
    return Scores(pd.DataFrame(score_rows), pd.DataFrame(part_rows), our_item_loss)


_ONLINE_FAULTS = ("佐证材料不完整", "未按时上传材料", "工作台账不规范", "数据前后不一致", "缺少影像资料")


def make_deductions(
    rng: np.random.Generator, rounds: pd.DataFrame, framework: pd.DataFrame, scores: Scores, sites: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """本县每个排名轮次的扣分明细：每个测评项目丢的分摊到其下的测评标准，谁丢分谁负责。"""
    ranked = rounds[rounds["is_ranked"]].sort_values("start_date", ignore_index=True)
    # 三个版次同形：按现行版次取一次标准清单，代码通用
    shape = framework[framework["edition"] == CURRENT_EDITION]
    name_of = dict(zip(shape["code"], shape["name"]))
    std = shape[shape["level"] == "测评标准"]
    s_code = std["code"].to_numpy()
    s_parent = std["parent_code"].to_numpy()
    s_cents = std["cents"].to_numpy()
    s_method = std["method"].to_numpy()
    s_cat = std["category"].to_numpy()
    s_lead = std["lead_unit_code"].to_numpy()
    s_item = np.array([c.rsplit(".", 2)[0] for c in s_code])
    s_fit = [
        np.flatnonzero(np.isin(sites["site_type"].to_numpy(), t)) if t is not None else None for t in std["site_types"]
    ]
    item_codes = shape.loc[shape["level"] == "测评项目"].sort_values("sort_order")["code"].tolist()
    by_item = {c: np.flatnonzero(s_item == c) for c in item_codes}
    site_names = sites["name"].tolist()
    site_codes = sites["code"].tolist()
    block_of_site = [f"T{int(t) + 1:02d}" for t in sites["township_idx"]]
    ded_rows: list[dict[str, Any]] = []
    unit_rows: list[dict[str, Any]] = []
    for rd in ranked.itertuples():
        loss = scores.our_item_loss[rd.code]
        for item_code, item_loss in zip(item_codes, loss):
            if item_loss <= 0:
                continue
            cand = by_item[item_code]
            field_w = np.where(s_method[cand] == "实地考察", 2.5, 1.0)
            order = cand[np.argsort(-(rng.random(len(cand)) ** (1 / field_w)), kind="stable")]
            take = int(np.searchsorted(np.cumsum(s_cents[order]), 1.6 * item_loss) + 1)
            chosen = order[:take]
            alloc = _split_cents(int(item_loss), rng.uniform(0.3, 1.0, len(chosen)), caps=s_cents[chosen])
            for s, cents in zip(chosen.tolist(), alloc.tolist()):
                if cents <= 0:
                    continue
                site_code = None
                block = None
                if s_method[s] == "实地考察":
                    fit = s_fit[s]
                    k = int(fit[rng.integers(len(fit))])
                    site_code, block = site_codes[k], block_of_site[k]
                    details = LEAF_DETAILS[s_cat[s]]
                    reason = f"实地考察{site_names[k]}：{s_cat[s]}（{details[int(rng.integers(len(details)))]}）"
                elif s_method[s] == "网上申报":
                    fault = _ONLINE_FAULTS[int(rng.integers(len(_ONLINE_FAULTS)))]
                    reason = f"网上申报：{name_of[s_parent[s]]}{fault}"
                else:
                    reason = f"问卷调查：市民对{name_of[s_parent[s]]}的满意度 {rng.uniform(68, 86):.1f}%，低于全省平均"
                ded_id = len(ded_rows) + 1
                ded_rows.append(
                    {
                        "id": ded_id,
                        "round_code": rd.code,
                        "edition": rd.edition,
                        "standard_code": s_code[s],
                        "points": cents / 100,
                        "reason": reason,
                        "site_code": site_code,
                    }
                )
                if block:
                    lead_share = float(rng.choice([0.5, 0.6, 0.7]))
                    unit_rows.append({"deduction_id": ded_id, "unit_code": s_lead[s], "share": lead_share})
                    unit_rows.append({"deduction_id": ded_id, "unit_code": block, "share": round(1 - lead_share, 2)})
                else:
                    unit_rows.append({"deduction_id": ded_id, "unit_code": s_lead[s], "share": 1.0})
    return pd.DataFrame(ded_rows), pd.DataFrame(unit_rows)
