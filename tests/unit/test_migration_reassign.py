"""迁移 003：已有的版本 2 库升级后，重建的表逐行不变、序列接着编号，问题的镇街可以改写。"""

from __future__ import annotations

import duckdb
import pytest

from chuangwen import db, dbfile
from tests.builders import scripts

REBUILT = ("site", "problem", "problem_coop_unit", "rectify_event", "deduction", "deduction_unit", "import_created")


@pytest.fixture
def v2_db(tmp_path, monkeypatch):
    """只执行迁移 1–2 的库，装入 tests/data/tiny 与一次导入的记录。"""
    first_two = db.migrations()[:2]
    path = tmp_path / "v2.duckdb"
    con = duckdb.connect(str(path))
    try:
        with monkeypatch.context() as m:
            m.setattr(dbfile, "migrations", lambda: first_two)  # 迁移在 dbfile 里执行
            db.apply_migrations(con, 0)
        for script in scripts("tiny"):
            con.execute(script.read_text(encoding="utf-8"))
        con.execute("""
            insert into import_log (kind, file_name, file_sha256, rows_total, rows_imported, imported_by, imported_at, status)
                values ('rectify', '整改.xlsx', 'abc', 1, 1, '测试', timestamp '2026-11-15 18:00', '成功');
            insert into rectify_event (problem_code, event_at, action, unit_code, import_id)
                values ('P3', timestamp '2026-11-15 17:00', '整改中', 'D02', 1);
            insert into import_created values (1, 'unit', 'D09'), (1, 'site', 'S09');
        """)
        assert db.schema_version(con) == 2
    finally:
        con.close()
    return path


def contents(path, tables=REBUILT) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"select * from {t} order by all").fetchall() for t in tables}
    finally:
        con.close()


def test_upgrade_from_version_2_keeps_every_row_of_the_rebuilt_tables(v2_db):
    before = contents(v2_db)
    assert (
        db.upgrade(v2_db) == 5
    )  # 003 重新归属、004 状态时段、005 状态时段的分块布局、006 涉及单位的宏、007 丢分预警的输入
    assert contents(v2_db) == before
    assert all(before[t] for t in REBUILT)


def test_after_the_upgrade_new_rectify_events_continue_the_id_sequence(v2_db):
    db.upgrade(v2_db)
    with db.writer(v2_db) as con:
        top = con.execute("select max(id) from rectify_event").fetchone()[0]
        new = con.execute(
            "insert into rectify_event (problem_code, event_at, action) values"
            " ('P4', timestamp '2026-11-15 17:30', '申请销号') returning id"
        ).fetchone()[0]
    assert new == top + 1 == 20


def test_after_the_upgrade_a_problem_with_rectify_events_can_change_township(v2_db):
    db.upgrade(v2_db)
    with db.writer(v2_db) as con:
        con.execute("update problem set township_code = '990101002', community_code = null where code = 'P1'")
        con.execute("update site set township_code = '990101002', community_code = null where code = 'S01'")
    assert [v[:2] for v in contents(v2_db, ("schema_version",))["schema_version"][-3:]] == [
        (5, "state_layout"),
        (6, "involves_unit"),
        (7, "loss_model"),
    ]
    con = duckdb.connect(str(v2_db), read_only=True)
    try:
        assert con.execute("select township_code, community_code from problem where code = 'P1'").fetchone() == (
            "990101002",
            None,
        )
    finally:
        con.close()


def test_after_the_upgrade_rectify_events_still_require_an_existing_problem(v2_db):
    db.upgrade(v2_db)
    with pytest.raises(duckdb.ConstraintException, match="(?i)foreign key"), db.writer(v2_db) as con:
        con.execute(
            "insert into rectify_event (problem_code, event_at, action) values ('无此问题', timestamp '2026-11-15', '交办')"
        )


def test_the_upgrade_derives_the_state_intervals_from_the_existing_event_log(v2_db):
    db.upgrade(v2_db)
    con = duckdb.connect(str(v2_db), read_only=True)
    try:
        moments = [r[0] for r in con.execute("select distinct event_at from rectify_event order by 1").fetchall()]
        # 每条问题：第一个事件之前一段，之后每个有事件的时刻一段
        assert (
            con.execute("select count(*) from problem_state_interval").fetchone()[0]
            == con.execute(
                "select (select count(*) from problem) + (select count(*) from (select distinct problem_code, event_at "
                "from rectify_event))"
            ).fetchone()[0]
        )
        for at in moments:
            ref = con.execute("select * from problem_state_as_of($t) order by problem_code", {"t": at}).fetchall()
            assert con.execute("select * from problem_state_at($t) order by problem_code", {"t": at}).fetchall() == ref
    finally:
        con.close()
