"""单元格的值：全角转半角、文本、日期（中文写法、Excel 序列号、指定格式）与数字的解析；压缩包里找第一个某类文件。"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from datetime import time as dtime

import numpy as np
import pandas as pd

# 全角数字、字母与常见标点 → 半角；全角空格 → 半角空格
_FULLWIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_FULLWIDTH_TABLE = str.maketrans(_FULLWIDTH)
# 名称类文本只换全角数字与全角空格：单位全称里的全角括号“（）”等必须原样保留才能与库中名称对上
_DIGITS_TABLE = str.maketrans({**{0xFF10 + i: 0x30 + i for i in range(10)}, 0x3000: 0x20})


def halfwidth(text: str) -> str:
    return text.translate(_FULLWIDTH_TABLE)


# ---------------------------------------------------------------- 日期

_DATE_RE = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT]*(?P<H>\d{1,2})\s*[:：时点]\s*(?P<M>\d{1,2})\s*(?:[:：分]\s*(?P<S>\d{1,2})(?:\.\d+)?\s*秒?|分)?)?$"
)
_EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "s")
EXCEL_SERIAL_RANGE = (1.0, 109574.0)  # 1900-01-01 … 2199-12-31


def _normalise_text(value: str) -> str:
    return halfwidth(value).strip()


def parse_dates(values: pd.Series, fmt: str | None = None) -> tuple[pd.Series, np.ndarray]:
    """把一列单元格解析成时间。支持：2025-03-05、2025/3/5、2025年3月5日、2025.3.5（可带时分秒）、
    Excel 序列号（数字）、单元格本身的日期；fmt 给出时先按 strftime 格式解析（来自映射文件）。
    返回（datetime64[us] 序列，无法解析的掩码）；空单元格不算错误，值为 NaT。
    """
    n = len(values)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    bad = np.zeros(n, dtype=bool)
    vals = values.to_numpy(dtype=object)
    text_idx, text_vals = [], []
    for i, v in enumerate(vals):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        if isinstance(v, datetime):
            out[i] = np.datetime64(v.replace(tzinfo=None, microsecond=0), "s")
        elif isinstance(v, date):
            out[i] = np.datetime64(v, "s")
        elif isinstance(v, dtime):
            bad[i] = True
        elif isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            text_idx.append(i)
            text_vals.append(repr(float(v)) if isinstance(v, float) else str(v))
        elif isinstance(v, str):
            s = _normalise_text(v)
            if s:
                text_idx.append(i)
                text_vals.append(s)
        else:
            bad[i] = True
    if text_idx:
        idx = np.asarray(text_idx)
        s = pd.Series(text_vals, dtype="string")
        parsed = pd.Series(pd.NaT, index=s.index, dtype="datetime64[s]")
        todo = pd.Series(True, index=s.index)
        if fmt:
            got = pd.to_datetime(s, format=fmt, errors="coerce")
            parsed = parsed.where(got.isna(), got.astype("datetime64[s]"))
            todo &= got.isna()
        if todo.any():
            m = s[todo].str.extract(_DATE_RE)
            ok = m["y"].notna()
            if ok.any():
                parts = m[ok].fillna("0").astype(int)
                got = pd.to_datetime(
                    {
                        "year": parts["y"],
                        "month": parts["m"],
                        "day": parts["d"],
                        "hour": parts["H"],
                        "minute": parts["M"],
                        "second": parts["S"],
                    },
                    errors="coerce",
                )
                valid_time = (parts["H"] < 24) & (parts["M"] < 60) & (parts["S"] < 60)
                got = got.where(valid_time)
                parsed.loc[got.index] = got.astype("datetime64[s]")
                todo.loc[got.index] = False
        if todo.any():
            # Excel 序列号：纯数字（可带小数表示时刻）
            num = pd.to_numeric(s[todo], errors="coerce")
            ok = num.notna() & (num >= EXCEL_SERIAL_RANGE[0]) & (num <= EXCEL_SERIAL_RANGE[1])
            if ok.any():
                secs = np.round(num[ok].to_numpy(float) * 86400).astype("int64")
                parsed.loc[num[ok].index] = pd.Series(_EXCEL_EPOCH + secs.astype("timedelta64[s]"), index=num[ok].index)
        res = parsed.to_numpy(dtype="datetime64[s]")
        out[idx] = res
        bad[idx] = np.isnat(res)
    return pd.Series(out.astype("datetime64[us]"), index=values.index), bad


def cell_text(value: object) -> str | None:
    """单元格 → 文本（去首尾空白、全角转半角；整数形式的浮点数去掉 .0）；空为 None。"""
    if value is None:
        return None
    if isinstance(value, float):
        if np.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    s = str(value).translate(_DIGITS_TABLE).strip()
    return s or None


def text_column(values: pd.Series) -> pd.Series:
    memo: dict = {}  # 台账里重复的取值很多（类别、单位、镇街）：同一文本只处理一次
    out = []
    for v in values.to_numpy(dtype=object):
        if isinstance(v, str):
            got = memo.get(v)
            if got is None and v not in memo:
                got = memo[v] = cell_text(v)
            out.append(got)
        else:
            out.append(cell_text(v))
    return pd.Series(out, index=values.index, dtype=object)


def parse_numbers(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """数字列（经纬度、分数）：文本中的全角数字先转半角；空为 NaN，无法解析的记为错误。"""
    txt = pd.Series(
        [None if v is None else halfwidth(v) for v in text_column(values)], index=values.index, dtype=object
    )
    num = pd.to_numeric(txt, errors="coerce")
    bad = (txt.notna() & num.isna()).to_numpy()
    return num.astype(float), bad


def zip_first(raw: bytes, suffixes: tuple[str, ...]) -> list[str]:
    """压缩包里符合扩展名的文件名（边界 Shapefile 用）。"""
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        return [n for n in zf.namelist() if n.lower().endswith(suffixes)]
