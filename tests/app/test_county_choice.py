"""本县没选定的库（Issue 17 第 2 部分）：每页顶部一句话说明，管理员、创建办就地选定（存进库的设置、记审计），领导看到怎么办；
标题不以“·”结尾，总览、排名趋势不说误导的“还没有成绩”；选定后名称取地区表；命令行 settings 同一套。"""

from __future__ import annotations

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from chuangwen import cli, demo, statedb
from tests.app.conftest import DASHBOARD, PAGES, SIGNED_IN, login_token
from tests.oracles import county_rank_by_definition

NOTICE = "还没有选定本县"


@pytest.fixture(scope="module")
def unchosen_db(tmp_path_factory):
    """示例库去掉 meta 里的本县：就像一个刚导入了全省成绩、还没说哪个是本县的新库。"""
    path = tmp_path_factory.mktemp("county") / "new.duckdb"
    demo.build(path, seed=5, problems=300)
    with duckdb.connect(str(path)) as con:
        con.execute("delete from meta where key in ('our_region_code', 'county_name', 'target_rank')")
    return path


def open_as(path, role, monkeypatch, name=None):
    monkeypatch.setenv("CHUANGWEN_DB", str(path))
    monkeypatch.delenv("CHUANGWEN_OUR_CODE", raising=False)
    monkeypatch.delenv("CHUANGWEN_TARGET_RANK", raising=False)
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.session_state[SIGNED_IN] = login_token(path, name or f"测试{role}", role)
    return at


@pytest.mark.parametrize("page", [p for p in PAGES if p != "app_pages/data_admin.py"])
def test_every_page_says_the_county_is_not_chosen_without_empty_titles(unchosen_db, monkeypatch, page):
    at = open_as(unchosen_db, "领导", monkeypatch).run()
    at.switch_page(page).run()
    assert not at.exception, page
    assert any(NOTICE in w.value for w in at.warning), page
    assert all(not t.value.rstrip().endswith("·") for t in at.title), [t.value for t in at.title]
    assert any("chuangwen settings set our_code" in c.value for c in at.caption)  # 领导不能选：说明怎么办
    shown = " ".join(x.value for kind in ("info", "caption", "markdown") for x in at.get(kind))
    assert "本县还没有年度测评成绩" not in shown and "中还没有成绩" not in shown


def test_overview_and_rank_trend_say_so_instead_of_no_scores(unchosen_db, monkeypatch):
    at = open_as(unchosen_db, "领导", monkeypatch).run()
    values = {m.label: m.value for m in at.metric}
    assert values["全省排名"] == "未选定本县"
    assert any("未选定本县" in i.value for i in at.info)
    at.switch_page("app_pages/rank_trend.py").run()
    assert any("未选定本县" in i.value for i in at.info)
    assert at.number_input(key="rk_target").value is None  # 与总览同一默认：没设就是未设定，不悄悄用 10


def test_the_office_chooses_the_county_in_the_app_and_it_is_stored_and_audited(unchosen_db, tmp_path, monkeypatch):
    import shutil

    path = tmp_path / "pick.duckdb"
    shutil.copy(unchosen_db, path)
    at = open_as(path, "创建办", monkeypatch, "创建办小李").run()
    assert any(NOTICE in w.value for w in at.warning)
    with duckdb.connect(str(path), read_only=True) as con:
        code, name = con.execute("select code, name from region where name = '澜溪县'").fetchone()
    form_select = [s for s in at.selectbox if s.label == "本县"][0]
    form_select.set_value(code)
    [n for n in at.number_input if n.label == "目标名次（前 k 名）"][0].set_value(10)
    [b for b in at.button if b.label == "保存"][0].click().run()
    assert not at.exception
    assert statedb.office_settings(path) == {"our_region_code": code, "target_rank": "10"}
    assert not any(NOTICE in w.value for w in at.warning)
    assert at.title[0].value.endswith(f"· {name}")
    round_name, rank = county_rank_by_definition(path, county=code)  # 选定的县在最近一轮年度测评里的名次
    assert [m.value for m in at.metric if m.label == f"全省排名（{round_name}）"] == [rank]
    records = statedb.audit(path, action="改设置")
    assert [(r["user"], r["detail"]) for r in records][-2:] in (
        [("创建办小李", f"本县：{code}"), ("创建办小李", "目标名次：10")],
        [("创建办小李", "目标名次：10"), ("创建办小李", f"本县：{code}")],
    )


def test_cli_settings_set_by_name_show_and_refuse(unchosen_db, tmp_path, capsys):
    import shutil

    path = tmp_path / "cli.duckdb"
    shutil.copy(unchosen_db, path)
    assert cli.main(["settings", "set", "our_code", "澜溪县", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("已设定本县：") and "（澜溪县）" in out
    assert cli.main(["settings", "set", "target_rank", "8", "--db", str(path)]) == 0
    capsys.readouterr()
    assert cli.main(["settings", "show", "--db", str(path)]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown[0].startswith("本县：") and shown[0].endswith("（澜溪县）") and shown[1] == "目标名次：8"
    assert cli.main(["settings", "set", "our_code", "不存在县", "--db", str(path)]) == 2
    assert "排名组里没有地区代码（或名称）“不存在县”" in capsys.readouterr().err
    assert cli.main(["settings", "set", "target_rank", "0", "--db", str(path)]) == 2
    assert cli.main(["settings", "clear", "target_rank", "--db", str(path)]) == 0
    assert statedb.office_settings(path).keys() == {"our_region_code"}
