"""真实办公室从空库开始：只导入了测评体系与成绩（还没有问题台账）时，看板不再停在引导页，排名趋势页按成绩画出本轮名次。"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from chuangwen import db
from chuangwen.imports import write
from tests.app.conftest import DASHBOARD
from tests.unit._import_helpers import csv_bytes

FRAMEWORK = [
    {"版本": "2026版", "编号": "1", "层级": "板块", "名称": "公共文明", "分值": "100", "生效日期": "2026-01-01"}
]
SCORES = [
    {"测评轮次": "2026年度测评", "日期": "2026-10-15", "单位": u, "总分": t, "1": t}
    for u, t in (("澜溪县", "86.5"), ("青石县", "90"), ("白水县", ""))
]


def test_scores_alone_open_the_dashboard_on_the_rank_page(tmp_path, monkeypatch):
    path = db.create_database(tmp_path / "office.duckdb")
    write.run_import(path, csv_bytes(FRAMEWORK, header=list(FRAMEWORK[0])), "体系.csv", "framework")
    res = write.run_import(path, csv_bytes(SCORES, header=list(SCORES[0])), "成绩.csv", "scores", create_missing=True)
    ours = dict((n, c) for c, n in zip(res.prepared.created["region"]["code"], res.prepared.created["region"]["name"]))[
        "澜溪县"
    ]
    monkeypatch.setenv("CHUANGWEN_DB", str(path))
    monkeypatch.setenv("CHUANGWEN_OUR_CODE", ours)
    at = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    assert not at.exception
    assert not any("还没有数据" in i.value for i in at.info)
    at.switch_page("app_pages/rank_trend.py").run()
    assert not at.exception
    # 数据截至取有成绩的最晚一轮的结束日；缺测单位单独说明
    assert any("2026年10月15日" in m.value or "2026-10-15" in m.value for m in at.sidebar.markdown)
    assert any("本轮缺测 1 个单位：白水县" in i.value for i in at.info)
