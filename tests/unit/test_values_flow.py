"""值顺着参数走（整理（二）第 1 部分）：口径、看页面的人与数据版本由画框作为参数交给页面，不经会话状态；
每一页是 render(view, viewer)；网址不因模块改名而变。"""

from __future__ import annotations

import ast
from pathlib import Path

from chuangwen import sitemap

ROOT = Path(__file__).resolve().parents[2]
FRAME_FILES = [ROOT / "dashboard.py", ROOT / "chuangwen/ui/frame.py", *sorted((ROOT / "app_pages").glob("*.py"))]
HANDED_OVER = {"_view", "_viewer", "_snapshot", "_page_title", "_identity", "_login_token", "_script_seconds"}


def session_state_keys(tree: ast.AST) -> list[tuple[int, str]]:
    """st.session_state[键]、st.session_state.get/pop/setdefault(键) 里写明的键。"""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("session_state"):
            key = node.slice
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and ast.unparse(node.func.value).endswith("session_state")
            and node.args
        ):
            key = node.args[0]
        else:
            continue
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            found.append((node.lineno, key.value))
    return found


def test_view_viewer_and_snapshot_never_pass_through_session_state():
    offenders = [
        f"{p.relative_to(ROOT)}:{line} {key}"
        for p in FRAME_FILES
        for line, key in session_state_keys(ast.parse(p.read_text(encoding="utf-8")))
        if key in HANDED_OVER
    ]
    assert offenders == []


def test_the_checker_sees_a_hand_over_when_there_is_one():
    tree = ast.parse('import streamlit as st\nst.session_state["_view"] = 1\nv = st.session_state.get("_viewer")\n')
    assert session_state_keys(tree) == [(2, "_view"), (3, "_viewer")]


def test_every_page_is_a_render_function_of_the_view_and_the_viewer():
    signatures = {}
    for spec in [*sitemap.PAGES, sitemap.PageSpec("forbidden", "", "", "")]:
        tree = ast.parse((ROOT / spec.file).read_text(encoding="utf-8"))
        render = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "render"]
        top_level_calls = [n for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
        signatures[spec.module] = ([a.arg for a in render[0].args.args] if render else None, len(top_level_calls))
    assert signatures == {name: (["view", "viewer"], 0) for name in signatures}


def test_page_urls_stay_what_bookmarks_and_shared_links_use():
    assert {p.title: p.url_path for p in sitemap.PAGES} == {
        "总览": "overview",
        "排名趋势": "rank_trend",
        "问题热点": "hotspots",
        "红黑榜": "league",
        "整改督办": "supervision",
        "丢分预警": "loss_risk",
        "数据管理": "data_admin",
        "通报导出": "briefing",
        "账号与审计": "admin",
    }


def test_the_frame_has_no_hand_over_functions_left():
    from chuangwen.ui import data, frame

    assert [n for n in ("view", "viewer", "publish", "has_view", "page_title", "open_page") if hasattr(frame, n)] == []
    assert [n for n in ("snapshot", "_Lru") if hasattr(data, n)] == []
