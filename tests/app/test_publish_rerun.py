"""同一个会话：导入发布新版本后，下一次运行就读新版本（侧栏写明版本号），不用重启。"""

from __future__ import annotations

import shutil

from streamlit.testing.v1 import AppTest

from chuangwen.imports import run_import
from tests.app.conftest import DASHBOARD
from tests.oracles import open_by_definition
from tests.unit._import_helpers import HEADER, csv_bytes


def open_problems(at) -> int:
    return int({m.label: m.value for m in at.metric}["在办问题（存量）"].replace(",", ""))


def test_the_next_rerun_reads_the_newly_published_version(demo_db, tmp_path, monkeypatch):
    path = tmp_path / "office.duckdb"
    shutil.copyfile(demo_db, path)
    monkeypatch.setenv("CHUANGWEN_DB", str(path))
    at = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    before = open_problems(at)
    assert before == open_by_definition(path)
    assert "数据版本：最初导入的数据（之后还没有更新过）" in [c.value for c in at.sidebar.caption]
    rows = [
        {
            "问题编号": "NEW-1",
            "发现时间": "2026-11-15 09:00",
            "来源": "县自查",
            "问题类别": "暴露垃圾",
            "镇街": "澜城街道",
            "问题描述": "新发现",
            "严重程度": "一般",
            "牵头单位": "城管局",
            "整改状态": "已交办",
        }
    ]
    run_import(path, csv_bytes(rows, header=[h for h in HEADER if h in rows[0]]), "今日.csv", "problems")
    at.run()
    assert not at.exception
    assert (open_problems(at), open_by_definition(path)) == (before + 1, before + 1)  # 新版本里多了这一条在办问题
    assert "数据版本：第 1 版" in [c.value for c in at.sidebar.caption]


def test_memo_rebuilds_when_any_cell_of_the_input_changes():
    import pandas as pd

    from chuangwen.ui import data

    calls = []

    def build(df, label):
        calls.append(label)
        return df["n"].sum()

    # 20 万行里只改一格：Streamlit 的抽样哈希认不出来（pitfalls §3），这里按整表哈希
    frame = pd.DataFrame({"n": range(200_000)})
    assert data.memo(build, frame, "a") == data.memo(build, frame.copy(), "a")
    changed = frame.copy()
    changed.loc[123_456, "n"] = -1
    assert data.memo(build, changed, "a") != data.memo(build, frame, "a")
    assert calls == ["a", "a"]
