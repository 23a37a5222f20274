"""测评成绩里的名次列：按表头含义认出“公布名次”，不导入（名次只由总分推导），但逐行与按总分推导的名次核对，
不一致、不是名次、缺测却有名次、同名次不同分都作为提示写进报告。"""

from __future__ import annotations

import re

import duckdb
import numpy as np
import pandas as pd

from chuangwen.imports import readers
from chuangwen.imports.checks import NOTE, Prepared, lookup

# 名次列按含义认：表头里有这些词（公布名次、全省排名、省内排名、名次（公布）、排序号……）就是名次，不是分项得分
_RANK_WORDS = re.compile(r"名次|排名|排序|位次|序号")
_NOT_A_RANK = re.compile(r"变化|升降|上轮|上期|上年|去年|目标")  # 名次变化、上轮排名、目标名次：不是本轮公布的名次
_RANK_VALUE = re.compile(r"^\s*第?\s*(\d+)(?:\.0+)?\s*名?\s*$")


def is_rank_header(header: str) -> bool:
    """表头是不是名次一类的列（都不导入：名次由总分推导）。"""
    return bool(_RANK_WORDS.search(header or ""))


def is_published_rank(header: str) -> bool:
    """名次一类的列里，哪些是本轮公布的名次、要逐行核对：单独的“序号”（常只是行号）、名次变化、上轮排名、目标名次不核对；
    “排序号”这样的是名次。"""
    h = header or ""
    return is_rank_header(h) and h.strip() != "序号" and not _NOT_A_RANK.search(h)


def published_rank(value: object) -> int | None:
    """名次单元格 → 正整数名次（“3”“第3名”“3.0”）；空、文字、0 或负数为 None。"""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    m = _RANK_VALUE.match(str(value))
    return int(m.group(1)) if m and int(m.group(1)) > 0 else None


def derived_ranks(totals: dict) -> dict:
    """按总分（两位小数）降序的竞争排名（并列同名次 1,2,2,4；与视图 score_ranked 同一规则）；没有总分的不排。"""
    scored = {k: round(float(v), 2) for k, v in totals.items() if v is not None and not pd.isna(v)}
    return {k: 1 + sum(1 for w in scored.values() if w > v) for k, v in scored.items()}


def _same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None or (isinstance(a, float) and np.isnan(a)) or (isinstance(b, float) and np.isnan(b)):
        return (a is None or (isinstance(a, float) and np.isnan(a))) and (
            b is None or (isinstance(b, float) and np.isnan(b))
        )
    return round(float(a), 4) == round(float(b), 4)


def _check_published_ranks(
    con: duckdb.DuckDBPyConnection,
    prep: Prepared,
    col: str,
    rnd: pd.Series,
    region: pd.Series,
    total: np.ndarray,
    ok: np.ndarray,
) -> None:
    """公布的名次与按总分推导的名次逐行核对，不一致的每行一条提示（导入照常）：名次按该轮库中已有的成绩加上文件里的成绩推导。
    名次格不是正整数、缺测却有名次、同一轮名次相同而总分不同，也各记一条提示。"""
    raw = prep.table.data[col].reset_index(drop=True)
    rows = readers.row_numbers(prep.table)

    def note(i, value, reason):
        prep.issues.append(
            {
                "级别": NOTE,
                "文件": prep.table.file_name,
                "工作表": prep.table.sheet,
                "行": int(rows[i]),
                "列": col,
                "值": value,
                "原因": reason,
            }
        )

    have = lookup(con, "select round_code, region_code, total from score")
    checked = disagree = 0
    for r in pd.unique(rnd[rnd.notna() & pd.Series(ok)]):
        idx = [i for i in range(len(rnd)) if rnd.iat[i] == r and ok[i]]
        totals = {g: t for rr, g, t in have.itertuples(index=False) if rr == r}
        totals.update({region.iat[i]: total[i] for i in idx})
        derived = derived_ranks(totals)
        seen: dict[int, int] = {}
        for i in idx:
            text = "" if pd.isna(raw.iat[i]) else str(raw.iat[i]).strip()
            if not text:
                continue
            pub = published_rank(text)
            if pub is None:
                note(i, text, "名次应为正整数（如 3 或 第3名）；这一格不核对，导入照常")
                continue
            if np.isnan(total[i]):
                note(i, text, f"没有总分（缺测）却有公布名次 {pub}；缺测单位不参与排名")
                continue
            checked += 1
            if pub in seen and not _same_number(total[seen[pub]], total[i]):
                note(i, text, f"与第 {int(rows[seen[pub]])} 行公布名次同为 {pub}，但总分不同")
            seen.setdefault(pub, i)
            if derived.get(region.iat[i]) != pub:
                disagree += 1
                note(
                    i,
                    text,
                    f"公布名次 {pub}，按总分推导为第 {derived.get(region.iat[i])} 名（总分相同并列同名次）；"
                    "看板按推导的名次显示",
                )
    if checked:
        summary = (
            f"公布名次与按总分推导的名次全部一致（核对 {checked} 行）"
            if not disagree
            else f"核对 {checked} 行公布名次，{disagree} 行与按总分推导的不一致（见各行提示）"
        )
        prep.issues.append(
            {
                "级别": NOTE,
                "文件": prep.table.file_name,
                "工作表": prep.table.sheet,
                "行": "",
                "列": col,
                "值": "",
                "原因": summary,
            }
        )
