"""README 的代码地图：界面上的每个名字（导航里的每一页）都有一行，页面模块与导航登记的一致，表里提到的文件与目录都在。"""

from __future__ import annotations

import re
from pathlib import Path

from chuangwen import sitemap

ROOT = Path(__file__).resolve().parents[2]


def code_map(readme: str) -> dict[str, list[str]]:
    """“| 功能 | 页面 | 核心 | 查询 | 测试 |”那张表：功能 → 各格。"""
    start = readme.index("| 功能 | 页面 | 核心 | 查询 | 测试 |")
    rows = {}
    for line in readme[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    return rows


def mentioned_paths(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def test_every_page_in_the_navigation_has_its_row_with_its_module():
    rows = code_map((ROOT / "README.md").read_text(encoding="utf-8"))
    assert list(rows) == [p.title for p in sitemap.PAGES]
    assert {t: mentioned_paths(cells[0])[0] for t, cells in rows.items()} == {p.title: p.file for p in sitemap.PAGES}


def test_every_file_the_map_mentions_exists():
    rows = code_map((ROOT / "README.md").read_text(encoding="utf-8"))
    missing = []
    for title, cells in rows.items():
        for path in (p for cell in cells for p in mentioned_paths(cell) if "/" in p or p.endswith(".py")):
            full = path if path.startswith(("app_pages/", "chuangwen/", "queries/", "tests/")) else f"chuangwen/{path}"
            if not (any(ROOT.glob(full)) if "*" in full else (ROOT / full).exists()):
                missing.append(f"{title}：{path}")
    assert missing == []


def test_the_map_checker_notices_a_missing_page():
    rows = code_map("| 功能 | 页面 | 核心 | 查询 | 测试 |\n| --- |\n| 总览 | `app_pages/overview.py` | | | |\n\n")
    assert list(rows) == ["总览"] != [p.title for p in sitemap.PAGES]
