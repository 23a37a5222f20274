"""默认示例县像真的（Issue 16 第 3 部分）：反弹占比、最忙点位、陈年在办、每月都有事的部门与镇街、突出的长期热点、
按周能排出名次的部门——都按看板自己的口径（问题热点、红黑榜的查询）在默认示例库上核对；故事（向目标名次爬升）不变。"""

from __future__ import annotations

import duckdb
import pytest

from chuangwen import demo
from chuangwen.demo import bands


@pytest.fixture(scope="module")
def default_demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("bands") / "demo.duckdb"
    demo.build(path)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def measured(default_demo):
    return bands.measure(default_demo)


@pytest.mark.parametrize("key", list(bands.BANDS))
def test_default_demo_holds_each_band(measured, key):
    band = bands.BANDS[key]
    assert band.holds(measured[key]), f"{band.label}：{band.text(measured[key])}"


def test_report_marks_each_band_and_the_whole():
    values = {key: band.low for key, band in bands.BANDS.items()}
    lines, ok = bands.report(values)
    assert ok and len(lines) == len(bands.BANDS) and all(line.startswith("✓") for line in lines)
    values["rebound_share_30d"] = 0.41
    lines, ok = bands.report(values)
    assert not ok
    assert lines[0] == "✗ 近 30 天发现的问题中反弹的占比（问题热点口径）：41.0%（区间 5%–15%）"


def test_the_story_still_climbs_toward_the_target(default_demo):
    ranks = default_demo.execute("""
        select r.year, s.rank from score_ranked s join round r on r.code = s.round_code
        where r.round_type = '年度测评' and s.region_code = (select value from meta where key = 'our_region_code')
        order by r.year""").fetchall()
    first, last = ranks[0][1], ranks[-1][1]
    assert last < first and last <= 15


def test_check_script_exit_code(tmp_path, capsys):
    path = tmp_path / "demo.duckdb"
    demo.build(path, seed=7, problems=300)
    code = bands.main([str(path)])
    out = capsys.readouterr().out
    assert code == 1 and "有量度不在区间内" in out and out.count("\n") == len(bands.BANDS) + 1
