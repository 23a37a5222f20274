"""四种角色（AppTest）：导航里只有这个角色能用的页面，不能用的控件不出现（不是变灰）；直接切到不该有的页面回到总览；
管理员的账号与审计页；每次导入、回滚、下载恰好留一条审计，记的是登录的人。"""

from __future__ import annotations

import duckdb
import pytest

from chuangwen import accounts, demo, imports, statedb
from tests.app.conftest import PAGES, SIGNED_IN, TEST_PASSWORD, login_token, switch_to
from tests.oracles import site_history_counts

ALL_TITLES = ["总览", "排名趋势", "问题热点", "红黑榜", "整改督办", "丢分预警", "数据管理", "通报导出", "账号与审计"]


def busiest_unit(db_path) -> str:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(
            "select lead_unit_code from problem group by 1 order by count(*) desc, 1 limit 1"
        ).fetchone()[0]


def as_role(app, db_path, role: str, name: str | None = None):
    unit = busiest_unit(db_path) if role == "责任单位" else None
    app.session_state[SIGNED_IN] = login_token(db_path, name or f"测试{role}", role, unit)
    return app


def titles(at) -> list[str]:
    return [t.value.split(" · ")[0] for t in at.title]


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        ("领导", ["总览", "排名趋势", "问题热点", "红黑榜", "整改督办", "丢分预警", "通报导出"]),
        ("创建办", ["总览", "排名趋势", "问题热点", "红黑榜", "整改督办", "丢分预警", "数据管理", "通报导出"]),
        ("责任单位", ["总览", "排名趋势", "问题热点", "红黑榜", "整改督办", "丢分预警"]),
        ("管理员", ALL_TITLES),
    ],
)
def test_each_role_can_open_exactly_its_pages_and_the_others_are_not_in_the_navigation(app, demo_db, role, pages):
    at = as_role(app, demo_db, role).run()
    opened, refused = [], []
    for page in [*PAGES, "app_pages/admin.py"]:  # 像在地址栏敲每一页的网址
        at.switch_page(page).run()
        assert not at.exception, page
        (refused if titles(at)[0] == "没有权限" else opened).append(titles(at)[0])
    assert (opened, len(refused)) == (pages, len(ALL_TITLES) - len(pages))


def test_the_campaign_office_imports_but_has_no_rollback_or_republish(tmp_path, monkeypatch):
    path = tmp_path / "office.duckdb"
    demo.build(path, seed=5, problems=300)
    raw = "单位名称,单位编码,条块,单位类型,所属镇街\n新建的文旅局,,条,政府部门,\n".encode()
    assert imports.run_import(path, raw, "单位.csv", "units", imported_by="命令行").inserted == {"unit": 1}
    monkeypatch.setenv("CHUANGWEN_DB", str(path))
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import DASHBOARD

    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.session_state[SIGNED_IN] = login_token(path, "创建办小李", "创建办")
    at = switch_to(at, "app_pages/data_admin.py")
    keys = {w.key for kind in ("button", "selectbox", "checkbox") for w in at.get(kind) if getattr(w, "key", None)}
    assert ("dm_kind" in keys, "dm_rollback" in keys, "dm_rb_id" in keys, "dm_republish" in keys) == (
        True,
        False,
        False,
        False,
    )
    assert "回滚导入由管理员操作。" in [c.value for c in at.caption]
    at.session_state[SIGNED_IN] = login_token(path, "管理员老王", "管理员")
    at.run()
    keys = {w.key for kind in ("button", "selectbox") for w in at.get(kind) if getattr(w, "key", None)}
    assert ("dm_rollback" in keys, "dm_rb_id" in keys) == (True, True)


def test_a_unit_account_drills_down_only_into_its_own_unit_but_sees_every_unit_on_the_boards(app, demo_db):
    unit = busiest_unit(demo_db)
    at = switch_to(as_role(app, demo_db, "责任单位"), "app_pages/league.py")
    assert at.selectbox(key="lg_unit").options == [at.selectbox(key="lg_unit").format_func(unit)]
    unit_boards = [df.value for df in at.dataframe[:4]]  # 部门（条）与镇街（按辖区）各自的红榜、黑榜
    admin = switch_to(as_role(app, demo_db, "管理员", "测试管理员"), "app_pages/league.py")
    assert [b.equals(a.value) for b, a in zip(unit_boards, admin.dataframe[:4])] == [True] * 4
    assert sum(len(b) for b in unit_boards) > 10


def test_a_unit_account_has_no_briefing_export_and_every_download_is_its_own(app, demo_db):
    at = switch_to(as_role(app, demo_db, "责任单位"), "app_pages/supervision.py")
    label = next(b.label for b in at.get("download_button") if b.key == "sv_export")
    shown = int(at.metric[0].value.replace(",", ""))
    name = at.selectbox(key="sv_unit").format_func(busiest_unit(demo_db))
    assert label == f"导出 Excel：{name}的在办问题清单（{shown:,} 条）"
    at.switch_page("app_pages/briefing.py").run()
    assert (titles(at)[0], [b.key for b in at.get("download_button")]) == ("没有权限", [])


def test_a_unit_account_builds_only_its_own_notice_on_the_supervision_page(app, demo_db):
    at = switch_to(as_role(app, demo_db, "责任单位"), "app_pages/supervision.py")
    own = busiest_unit(demo_db)
    at.button(key="sv_notice_build").click().run(timeout=120)
    job = at.session_state["sv_notice_job"]
    assert job.wait(300)
    at.run(timeout=120)
    assert not at.exception
    ns = job.result.notices
    assert [n.unit_code for n in ns.notices] == [own]
    assert job.result.deck == b"" and job.result.docx is None  # 单位账号不生成全县通报
    name = ns.notices[0].unit_name
    labels = [b.label for b in at.get("download_button")]
    assert f"下载督办单：{name}（Word）" in labels and not any(label.startswith("下载全部督办单") for label in labels)


def test_the_admin_page_creates_an_account_and_shows_the_audit_trail(app, demo_db):
    at = switch_to(app, "app_pages/admin.py")
    assert titles(at)[0] == "账号与审计"
    form = at.get("form")[0]
    form.text_input[0].input("新来的张三")
    form.selectbox[0].select("领导")
    form.text_input[1].input("Zhang-初始口令1")
    form.button[0].click()
    at.run()
    assert not at.exception
    assert at.success[0].value == "已新建账号 新来的张三（领导）。"
    assert accounts.login(demo_db, "新来的张三", "Zhang-初始口令1").viewer == accounts.Viewer(
        "新来的张三", "领导", None
    )
    events = [(e["user"], e["action"], e["detail"]) for e in statedb.audit(demo_db, 3)]
    assert ("测试管理员", "新建账号", "新来的张三（领导）") in events
    table = at.dataframe[1].value
    assert list(table.columns) == ["时间", "谁", "操作", "内容", "页面", "筛选", "行数", "文件 SHA-256"]


def test_a_leader_has_no_data_admin_page_to_switch_to_only_a_chinese_no_permission_page(app, demo_db):
    at = as_role(app, demo_db, "领导").run()
    at.switch_page("data_admin").run()  # 敲 /data_admin 这样的网址：到的是“没有权限”页
    keys = {w.key for kind in ("button", "selectbox") for w in at.get(kind) if getattr(w, "key", None)}
    assert (titles(at)[0], any(k.startswith("dm_") for k in keys)) == ("没有权限", False)
    assert at.warning[-1].value.endswith("账号开放，你的账号是领导。需要时请联系本单位的看板管理员。")


def test_passwords_and_tokens_are_never_stored_in_clear(app, demo_db):
    at = app.run()
    token = at.session_state[SIGNED_IN]
    raw = statedb.state_path(demo_db).read_bytes()
    wal = statedb.state_path(demo_db).with_name(statedb.state_path(demo_db).name + "-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    assert (TEST_PASSWORD.encode() in raw, token.encode() in raw) == (False, False)


def test_a_forged_site_pick_shows_a_unit_account_no_other_units_history(app, demo_db):
    """点位历史：选中的点位（地图点击或构造的控件值）即使全是别的单位的问题，责任单位账号也看不到一条。"""
    unit = busiest_unit(demo_db)
    with duckdb.connect(str(demo_db), read_only=True) as con:
        site = con.execute(
            "select site_code from problem where site_code is not null group by 1 "
            "having bool_and(not involves_unit($u, lead_unit_code, code)) order by count(*) desc, 1 limit 1",
            {"u": unit},
        ).fetchone()[0]
    admin = app
    admin.session_state["hs_site"] = site
    at = switch_to(admin, "app_pages/hotspots.py")
    empty = "这个点位在统计时刻之前没有问题记录（或不在您的查看范围内）。"
    # 管理员看得到（对照）：该点位截至数据截至的每一条问题
    assert (empty in [i.value for i in at.info], len(at.dataframe[-1].value)) == (
        False,
        site_history_counts(demo_db, site)[0],
    )
    at.session_state[SIGNED_IN] = login_token(demo_db, "测试责任单位", "责任单位", unit)
    at.session_state["hs_site"] = site
    at.run()
    assert not at.exception
    assert empty in [i.value for i in at.info]


def test_a_unit_accounts_overview_says_in_its_title_whose_problems_it_shows(app, demo_db):
    unit = busiest_unit(demo_db)
    with duckdb.connect(str(demo_db), read_only=True) as con:
        name = con.execute("select name || '（' || kind || '）' from unit where code = ?", [unit]).fetchone()[0]
    at = as_role(app, demo_db, "责任单位")
    at.run()
    assert at.title[0].value == f"总览 · 澜溪县 · {name}的问题"
    assert at.info[0].value == f"本页的问题指标、镇街与单位只算{name}牵头或配合的问题；全省名次与得分是全县的。"
    admin = as_role(app, demo_db, "管理员", "测试管理员")
    admin.run()
    assert admin.title[0].value == "总览 · 澜溪县"
