"""共用夹具：空库 fresh_db、tests/data/tiny 小库 tiny_db；每个测试前后清空 Streamlit 缓存。"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from chuangwen import db
from tests.builders import fixture_db


@pytest.fixture
def fresh_db(tmp_path) -> Path:
    """只有表结构的空库。"""
    return db.create_database(tmp_path / "fresh.duckdb")


@pytest.fixture
def tiny_db(tmp_path) -> Path:
    """表结构 + tests/data/tiny 的 SQL（含 shared.txt 列出的共用文件，见 tests/builders.py）。"""
    return fixture_db(tmp_path / "tiny.duckdb", "tiny")


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
