"""缓存层（chuangwen.ui.data）与地图组件（chuangwen.ui.mapview）：同一键只算一次、算失败不卡住、改拿到的结果不改缓存、
地图输入不变时组件参数（含组件键）不变。"""

from __future__ import annotations

import shutil
import threading
import time

import folium
import pandas as pd
import pytest
import streamlit_folium

from chuangwen.ui import data, mapview


def test_many_sessions_asking_for_the_same_key_compute_it_once():
    cache = data._Lru(8)
    calls, started = [], threading.Event()

    def make():
        calls.append(1)
        started.set()
        time.sleep(0.2)
        return object()

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("k", make))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(calls) == 1
    assert len(results) == 8 and len({id(r) for r in results}) == 1


def test_a_failed_computation_is_not_cached_and_does_not_block_the_next_one():
    cache = data._Lru(8)

    def boom():
        raise RuntimeError("查询失败")

    with pytest.raises(RuntimeError, match="查询失败"):
        cache.get("k", boom)
    assert cache.get("k", lambda: 42) == 42
    assert cache.making == {}


def test_least_recently_used_entries_go_first_and_idle_ones_expire(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(data.time, "monotonic", lambda: clock[0])
    cache = data._Lru(2, idle_seconds=60)
    cache.get("a", lambda: 1)
    cache.get("b", lambda: 2)
    cache.get("a", lambda: -1)  # a 刚用过
    cache.get("c", lambda: 3)  # 满了：丢 b
    assert list(cache.items) == ["a", "c"]
    clock[0] += 61
    assert cache.get("a", lambda: 10) == 10  # 闲置超时：重算
    assert list(cache.items) == ["a"]


def test_changing_a_query_result_does_not_change_what_the_next_caller_gets(demo_db, tmp_path, monkeypatch):
    path = tmp_path / "office.duckdb"
    shutil.copyfile(demo_db, path)
    monkeypatch.setenv("CHUANGWEN_DB", str(path))
    first = data.query("app_meta")
    expected = first.copy(deep=True)
    first.iloc[0, 1] = "被改了"
    first["多出来的列"] = 1
    again = data.query("app_meta")
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


def test_map_component_arguments_are_those_st_folium_would_send_and_are_stable():
    real = streamlit_folium._component_func
    one = mapview._component_args(small_map, "m", 300, ("last_object_clicked_tooltip",), "澜城街道")
    two = mapview._component_args(small_map, "m", 300, ("last_object_clicked_tooltip",), "澜城街道")
    other = mapview._component_args(small_map, "m", 300, ("last_object_clicked_tooltip",), "溪东街道")
    assert streamlit_folium._component_func is real  # 记下参数后原样换回
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
        con = data.connection()
        # 512 MB = 488.2 MiB（DuckDB 按 1024 进位显示）
        assert con.execute("select current_setting('memory_limit')").fetchall() == [("488.2 MiB",)]
        # 同一进程里（命令行、通报、基准）再打开同一快照不会因“配置不同”被 DuckDB 拒绝，且共用同一上限
        other = db.open_readonly(path)
        assert other.execute("select current_setting('memory_limit')").fetchall() == [("488.2 MiB",)]
        other.close()
    finally:
        data._connection.clear()
