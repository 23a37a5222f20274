"""缓存层（chuangwen.ui.data）与地图组件（chuangwen.ui.mapview）：同一输入几个会话同时要只算一次、算失败不卡住、
改一个格也认得出、改拿到的结果不改缓存、地图输入不变时组件参数（含组件键）不变。"""

from __future__ import annotations

import shutil
import sys
import threading
import time

import folium
import pandas as pd
import pytest

from chuangwen.ui import data, mapview

HANG_GUARD = 300  # 秒：只防测试卡死，不是对快慢的要求（正常几十毫秒就完）


def _waiting_for_the_compute_lock(thread: threading.Thread) -> bool:
    """这个线程正停在 Streamlit 缓存的计算锁上（同一个键有人在算，它等着取结果）。"""
    frame = sys._current_frames().get(thread.ident)
    return frame is not None and frame.f_code.co_name == "_hold_compute_lock"


def test_many_sessions_asking_for_the_same_input_compute_it_once():
    # 不靠“算 0.2 秒，别的线程大概已经来了”：第一个线程算的时候等到其余 7 个都停在计算锁上，再交出结果。
    # 没有锁（或锁不按键）时它们会各自进来算：calls 不止一个，等待随之结束，断言失败
    calls, threads = [], []

    def build(x):
        calls.append(x)
        others = [t for t in threads if t is not threading.current_thread()]
        deadline = time.monotonic() + HANG_GUARD
        while len(calls) == 1 and not all(_waiting_for_the_compute_lock(t) for t in others):
            assert time.monotonic() < deadline, "其余会话没有在计算锁上等"
            time.sleep(0.001)
        return object()

    results = []
    threads += [threading.Thread(target=lambda: results.append(data.memo(build, "同一输入"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(HANG_GUARD)
    assert (len(calls), len(results), len({id(r) for r in results})) == (1, 8, 1)


def test_a_failed_computation_is_not_cached_and_does_not_block_the_next_one():
    attempts = []

    def build(x):
        attempts.append(x)
        if len(attempts) == 1:
            raise RuntimeError("查询失败")
        return 42

    with pytest.raises(RuntimeError, match="查询失败"):
        data.memo(build, "输入")
    assert (data.memo(build, "输入"), len(attempts)) == (42, 2)


def test_a_changed_input_frame_is_recomputed_even_for_one_cell():
    calls = []

    def total(df):
        calls.append(1)
        return int(df["n"].sum())

    frame = pd.DataFrame({"n": range(100_000)})
    edited = frame.copy()
    edited.loc[54_321, "n"] = -1
    assert (data.memo(total, frame), data.memo(total, edited), data.memo(total, frame), len(calls)) == (
        4999950000,
        4999895678,
        4999950000,
        2,
    )


def test_changing_a_query_result_does_not_change_what_the_next_caller_gets(demo_db, tmp_path, monkeypatch):
    path = tmp_path / "office.duckdb"
    shutil.copyfile(demo_db, path)
    monkeypatch.setenv("CHUANGWEN_DB", str(path))
    from chuangwen.view import View

    view = View.of(data.meta(data.pin()), snapshot=data.pin())
    first = data.query("app_meta", view)
    expected = first.copy(deep=True)
    first.iloc[0, 1] = "被改了"
    first["多出来的列"] = 1
    again = data.query("app_meta", view)
    pd.testing.assert_frame_equal(again, expected)
    assert again is not first


def test_fingerprint_reads_every_byte_of_binary_columns():
    frame = pd.DataFrame({"code": ["A", "B"], "geom_wkb": [bytearray(b"\x01\x02"), bytearray(b"\x03")]})
    same = pd.DataFrame({"code": ["A", "B"], "geom_wkb": [bytearray(b"\x01\x02"), bytearray(b"\x03")]})
    changed = pd.DataFrame({"code": ["A", "B"], "geom_wkb": [bytearray(b"\x01\x02"), bytearray(b"\x04")]})
    assert data._fingerprint(frame) == data._fingerprint(same)
    assert data._fingerprint(frame) != data._fingerprint(changed)


def small_map(label: str) -> folium.Map:
    fmap = folium.Map(location=[28.0, 119.0], zoom_start=11, tiles=None)
    folium.Marker([28.0, 119.0], tooltip=label).add_to(fmap)
    return fmap


def test_map_component_arguments_are_stable_and_follow_the_map_content():
    one = mapview._built_args(small_map, "m", 300, ("last_object_clicked_tooltip",), "澜城街道")
    two = mapview._built_args(small_map, "m", 300, ("last_object_clicked_tooltip",), "澜城街道")
    other = mapview._built_args(small_map, "m", 300, ("last_object_clicked_tooltip",), "溪东街道")
    assert "澜城街道" in one["script"] and "on_change" not in one
    assert one["height"] == 300 and one["default"] == {"last_object_clicked_tooltip": None}
    assert one["key"] == two["key"] != other["key"]  # 组件键只随地图内容变


def test_dashboard_connections_carry_the_declared_duckdb_memory_limit(tmp_path, monkeypatch):
    from chuangwen import db
    from tests.builders import fixture_db

    path = fixture_db(tmp_path / "tiny.duckdb", "tiny")
    monkeypatch.setenv("CHUANGWEN_DB", str(path))
    monkeypatch.setenv("CHUANGWEN_READER_MEMORY_MB", "512")
    data._connection.clear()
    try:
        con = data.connection(data.pin())
        # 512 MB = 488.2 MiB（DuckDB 按 1024 进位显示）
        assert con.execute("select current_setting('memory_limit')").fetchall() == [("488.2 MiB",)]
        # 同一进程里（命令行、通报、基准）再打开同一快照不会因“配置不同”被 DuckDB 拒绝，且共用同一上限
        other = db.open_readonly(path)
        assert other.execute("select current_setting('memory_limit')").fetchall() == [("488.2 MiB",)]
        other.close()
    finally:
        data._connection.clear()
