"""chuangwen.db：建库、升级、拒绝打开、写入回滚、原子生成，以及两个唯一口径（整改状态、名次）。"""

from __future__ import annotations

import hashlib
import os

import duckdb
import pytest

from chuangwen import db, dbfile


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_dicts(con, sql: str, params=None) -> list[dict]:
    cur = con.cursor()
    try:
        cur.execute(sql, params or {})
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]
    finally:
        cur.close()


# ---------------------------------------------------------------- 建库与版本


def test_create_database_records_current_schema_version(tmp_path):
    path = db.create_database(tmp_path / "new.duckdb")
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert db.schema_version(con) == db.SCHEMA_VERSION
    finally:
        con.close()


def test_create_database_refuses_existing_file(fresh_db):
    before = sha256(fresh_db)
    with pytest.raises(db.DatabaseError, match="已存在"):
        db.create_database(fresh_db)
    assert sha256(fresh_db) == before


def test_migrations_are_numbered_from_one_without_gaps():
    assert [m.version for m in db.migrations()] == list(range(1, db.SCHEMA_VERSION + 1))


def test_open_readonly_upgrades_an_older_file_and_records_the_new_version(fresh_db, monkeypatch):
    real = db.migrations()
    extra = db.Migration(db.SCHEMA_VERSION + 1, "test", "create table added_by_test (x integer);")
    monkeypatch.setattr(dbfile, "migrations", lambda: [*real, extra])
    monkeypatch.setattr(dbfile, "SCHEMA_VERSION", extra.version)
    monkeypatch.setattr(db, "SCHEMA_VERSION", extra.version)  # db 一并提供的同一个值

    con = db.open_readonly(fresh_db)
    try:
        assert db.schema_version(con) == extra.version
        assert con.execute("select name from schema_version where version = $v", {"v": extra.version}).fetchone() == (
            "test",
        )
        assert con.execute("select count(*) from added_by_test").fetchone() == (0,)
    finally:
        con.close()


def test_open_readonly_leaves_a_current_file_unchanged(fresh_db):
    before = sha256(fresh_db)
    db.open_readonly(fresh_db).close()
    assert sha256(fresh_db) == before


# ---------------------------------------------------------------- 拒绝打开，文件不动


def test_newer_schema_version_is_refused_in_chinese_and_file_untouched(fresh_db):
    con = duckdb.connect(str(fresh_db))
    con.execute(
        "insert into schema_version values ($v, 'from_the_future', timestamp '2030-01-01 00:00:00')",
        {"v": db.SCHEMA_VERSION + 1},
    )
    con.close()
    before = sha256(fresh_db)

    with pytest.raises(db.DatabaseError, match="高于") as excinfo:
        db.open_readonly(fresh_db)

    assert f"{db.SCHEMA_VERSION + 1}" in str(excinfo.value)
    assert sha256(fresh_db) == before


def test_text_file_posing_as_duckdb_is_refused_and_untouched(tmp_path):
    path = tmp_path / "fake.duckdb"
    path.write_text("问题编号,描述\nP1,暴露垃圾\n", encoding="utf-8")
    before = sha256(path)

    with pytest.raises(db.DatabaseError, match="不是 DuckDB"):
        db.open_readonly(path)

    assert sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake.duckdb"]


def test_directory_path_is_refused(tmp_path):
    with pytest.raises(db.DatabaseError, match="目录"):
        db.open_readonly(tmp_path)


def test_missing_file_is_refused_and_not_created(tmp_path):
    path = tmp_path / "missing.duckdb"
    with pytest.raises(db.DatabaseError, match="不存在"):
        db.open_readonly(path)
    assert not path.exists()


def test_duckdb_file_without_our_schema_is_refused(tmp_path):
    path = tmp_path / "other.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(db.DatabaseError, match="schema_version"):
        db.open_readonly(path)


# ---------------------------------------------------------------- 写入路径


def test_writer_commits_on_success(fresh_db):
    with db.writer(fresh_db) as con:
        con.execute("insert into meta values ('is_demo', 'false')")
    con = db.open_readonly(fresh_db)
    try:
        assert db.read_meta(con) == {"is_demo": "false"}
    finally:
        con.close()


def test_writer_rolls_back_everything_on_exception(fresh_db):
    with pytest.raises(RuntimeError, match="导入中断"):
        with db.writer(fresh_db) as con:
            con.execute("insert into meta values ('is_demo', 'false')")
            con.execute("insert into meta values ('data_as_of', '2026-11-15 18:00')")
            raise RuntimeError("导入中断")
    con = db.open_readonly(fresh_db)
    try:
        assert con.execute("select count(*) from meta").fetchone() == (0,)
    finally:
        con.close()


def test_build_new_failure_leaves_no_file_and_no_temp_file(tmp_path):
    path = tmp_path / "built.duckdb"
    with pytest.raises(RuntimeError, match="生成失败"):
        with db.build_new(path) as con:
            con.execute("insert into meta values ('is_demo', 'true')")
            raise RuntimeError("生成失败")
    assert list(tmp_path.iterdir()) == []


def test_build_new_success_leaves_only_the_finished_file(tmp_path):
    path = tmp_path / "built.duckdb"
    with db.build_new(path) as con:
        con.execute("insert into meta values ('is_demo', 'true')")
    assert [p.name for p in tmp_path.iterdir()] == ["built.duckdb"]
    con = db.open_readonly(path)
    try:
        assert db.read_meta(con) == {"is_demo": "true"}
    finally:
        con.close()


# ---------------------------------------------------------------- 名次口径：score_ranked


@pytest.fixture
def ranked_db(fresh_db):
    with db.writer(fresh_db) as con:
        con.execute("""
            insert into region (code, name, level, kind, parent_code) values ('P', '某省', '省', null, null);
            insert into region (code, name, level, kind, parent_code) values
                ('A', '甲县', '县级', '县', 'P'),
                ('B', '乙县', '县级', '县', 'P'),
                ('C', '丙县', '县级', '县', 'P'),
                ('D', '丁县', '县级', '县', 'P'),
                ('E', '戊县', '县级', '县', 'P');
            insert into round (code, name, round_type, level, start_date, end_date, cycle, year, is_ranked) values
                ('R2026', '2026 年度测评', '年度测评', '省', date '2026-10-01', date '2026-10-20', '2024-2026', 2026, true);
            insert into score (round_code, region_code, total) values
                ('R2026', 'A', 90.0),
                ('R2026', 'B', 85.0),
                ('R2026', 'C', 85.004),
                ('R2026', 'D', 80.0),
                ('R2026', 'E', null);
        """)
    con = db.open_readonly(fresh_db)
    yield con
    con.close()


def test_score_ranked_shares_ranks_on_ties_rounded_to_two_decimals(ranked_db):
    rows = fetch_dicts(
        ranked_db,
        "select region_code, total, rank, group_size, score_status from score_ranked"
        " where score_status = '正常' order by region_code",
    )
    assert rows == [
        {"region_code": "A", "total": 90.0, "rank": 1, "group_size": 4, "score_status": "正常"},
        {"region_code": "B", "total": 85.0, "rank": 2, "group_size": 4, "score_status": "正常"},
        {"region_code": "C", "total": 85.0, "rank": 2, "group_size": 4, "score_status": "正常"},
        {"region_code": "D", "total": 80.0, "rank": 4, "group_size": 4, "score_status": "正常"},
    ]


def test_score_ranked_lists_missing_score_without_rank_or_group_size(ranked_db):
    rows = fetch_dicts(
        ranked_db,
        "select region_code, total, rank, group_size, score_status from score_ranked where score_status = '缺测'",
    )
    assert rows == [{"region_code": "E", "total": None, "rank": None, "group_size": None, "score_status": "缺测"}]


def test_new_databases_are_private_to_their_owner(tmp_path):
    import stat

    made = db.create_database(tmp_path / "new.duckdb")
    with db.build_new(tmp_path / "built.duckdb"):
        pass
    assert [stat.S_IMODE(os.stat(p).st_mode) for p in (made, tmp_path / "built.duckdb")] == [0o600, 0o600]
