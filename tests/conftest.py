"""共用夹具：空库 fresh_db、tests/data/tiny 小库 tiny_db；每个测试前后清空 Streamlit 缓存。"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from chuangwen import db

TINY_DIR = Path(__file__).resolve().parent / "data" / "tiny"


@pytest.fixture
def fresh_db(tmp_path) -> Path:
    """只有表结构的空库。"""
    return db.create_database(tmp_path / "fresh.duckdb")


@pytest.fixture
def tiny_db(tmp_path) -> Path:
    """表结构 + tests/data/tiny/*.sql（按文件名顺序执行）。"""
    path = db.create_database(tmp_path / "tiny.duckdb")
    scripts = sorted(TINY_DIR.glob("*.sql"))
    with db.writer(path) as con:
        for script in scripts:
            con.execute(script.read_text(encoding="utf-8"))
    return path


def _clear_streamlit_caches_now() -> None:
    # 没导入过 streamlit 就不可能有缓存；核心测试因此不必加载它
    if sys.modules.get("streamlit") is None:
        return
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """Streamlit 缓存会跨测试泄漏（streamlit#9139）：测试前后各清一次。"""
    _clear_streamlit_caches_now()
    yield
    _clear_streamlit_caches_now()
