"""测试小库的数据只写一份：几个文件夹共用的 SQL 放在 tests/data/shared/，由各自的 shared.txt 列出（tests/builders.py）。"""

from __future__ import annotations

import re

from tests.builders import DATA, SHARED, scripts


def _body(text: str) -> str:
    """去掉注释与空白后的 SQL：只有注释不同的两份文件也算同一份。"""
    return re.sub(r"\s+", " ", re.sub(r"--[^\n]*", "", text)).strip()


def test_no_fixture_sql_is_a_copy_of_another():
    seen: dict[str, list[str]] = {}
    for path in sorted(DATA.glob("*/*.sql")):
        seen.setdefault(_body(path.read_text(encoding="utf-8")), []).append(str(path.relative_to(DATA)))
    assert [names for names in seen.values() if len(names) > 1] == []


def test_the_shared_regions_and_units_are_loaded_first_wherever_listed():
    listing = {
        p.parent.name for p in DATA.glob("*/shared.txt") if "01_regions_units.sql" in p.read_text("utf-8").split()
    }
    assert (listing, {f: scripts(f)[0] for f in listing}) == (
        {"briefing", "hotspots", "imports", "league", "loss_risk", "tiny"},
        {f: SHARED / "01_regions_units.sql" for f in listing},
    )
