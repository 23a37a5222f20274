"""命令行 chuangwen：用法错误退出码 2、数据库错误退出码 1（文件不动），各子命令的输出。"""

from __future__ import annotations

import hashlib
import subprocess
import sys

import duckdb
import pytest

from chuangwen import cli, cli_common, db, dbfile


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count(path, table: str) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        con.close()


# ---------------------------------------------------------------- 用法错误：退出码 2，中文提示


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "缺少必需的参数：子命令"),
        (["info"], "缺少必需的参数：--db"),
        (["info", "--db"], "参数 --db 后面需要一个值"),
        (["info", "--db", "x.duckdb", "--bogus"], "无法识别的参数：--bogus"),
        (["frobnicate"], "参数 子命令 的取值 'frobnicate' 无效，可选：'demo', 'init', 'migrate', 'info'"),
        (["demo", "--db", "x.duckdb", "--problems", "0"], "参数 --problems：应为正整数（至少为 1），实际为 '0'"),
        (["demo", "--db", "x.duckdb", "--problems", "-5"], "参数 --problems：应为正整数（至少为 1），实际为 '-5'"),
        (["demo", "--db", "x.duckdb", "--problems", "many"], "参数 --problems：应为正整数，实际为 'many'"),
        (["demo", "--db", "x.duckdb", "--seed", "1.5"], "参数 --seed：应为整数，实际为 '1.5'"),
        (
            ["demo", "--db", "x.duckdb", "--until", "2026/11/15"],
            "参数 --until：时间格式应为 'YYYY-MM-DD' 或 'YYYY-MM-DD HH:MM'，实际为 '2026/11/15'",
        ),
        (["demo", "--db", "x.duckdb", "--until", "2026-13-01"], "参数 --until：时间格式应为"),
        (["audit"], "缺少必需的参数：操作"),
        (["audit", "verify"], "缺少必需的参数：--db"),
        (
            ["audit", "export", "--db", "x.duckdb", "--since", "2026/12/01", "--out", "a.csv"],
            "参数 --since：日期格式应为 'YYYY-MM-DD'，实际为 '2026/12/01'",
        ),
    ],
)
def test_usage_error_exits_2_with_chinese_message(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "用法：chuangwen" in err
    assert message in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("unrecognized arguments: --x --y", "无法识别的参数：--x --y"),
        ("the following arguments are required: --db", "缺少必需的参数：--db"),
        ("argument --seed: invalid int value: 'a'", "参数 --seed 的值 'a' 无效，应为整数"),
        (
            "argument 子命令: invalid choice: 'x' (choose from 'demo', 'init')",
            "参数 子命令 的取值 'x' 无效，可选：'demo', 'init'",
        ),
        ("argument --db: expected one argument", "参数 --db 后面需要一个值"),
    ],
)
def test_argparse_messages_are_translated(english, chinese):
    assert cli_common.translate_argparse_message(english) == chinese


@pytest.mark.parametrize("argv", [["-h"], ["demo", "-h"], ["init", "--help"]])
def test_help_is_chinese_and_exits_0(capsys, argv):
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：chuangwen")
    assert "显示本帮助并退出" in out


def test_module_runs_as_a_script(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "chuangwen.cli", "info"], cwd=tmp_path, capture_output=True, text=True
    )
    assert (result.returncode, "缺少必需的参数：--db" in result.stderr) == (2, True)


# ---------------------------------------------------------------- 数据库错误：退出码 1，文件不动


def test_info_on_text_file_exits_1_and_leaves_it_untouched(tmp_path, capsys):
    path = tmp_path / "ledger.duckdb"
    path.write_text("问题编号,描述\n", encoding="utf-8")
    before = sha256(path)
    assert cli.main(["info", "--db", str(path)]) == 1
    assert "不是 DuckDB" in capsys.readouterr().err
    assert sha256(path) == before


def test_info_on_missing_file_exits_1_and_creates_nothing(tmp_path, capsys):
    path = tmp_path / "missing.duckdb"
    assert cli.main(["info", "--db", str(path)]) == 1
    assert "不存在" in capsys.readouterr().err
    assert not path.exists()


def test_init_refuses_an_existing_file(fresh_db, capsys):
    before = sha256(fresh_db)
    assert cli.main(["init", "--db", str(fresh_db)]) == 1
    assert "已存在" in capsys.readouterr().err
    assert sha256(fresh_db) == before


def test_migrate_refuses_a_newer_schema_version_and_leaves_file_untouched(fresh_db, capsys):
    con = duckdb.connect(str(fresh_db))
    con.execute(
        "insert into schema_version values ($v, 'future', timestamp '2030-01-01')", {"v": db.SCHEMA_VERSION + 1}
    )
    con.close()
    before = sha256(fresh_db)
    assert cli.main(["migrate", "--db", str(fresh_db)]) == 1
    assert "高于" in capsys.readouterr().err
    assert sha256(fresh_db) == before


def test_migrate_on_a_directory_exits_1(tmp_path, capsys):
    assert cli.main(["migrate", "--db", str(tmp_path)]) == 1
    assert "目录" in capsys.readouterr().err


def test_file_locked_by_another_process_exits_1(fresh_db, capsys):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); sys.stdin.read()",
            str(fresh_db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert cli.main(["info", "--db", str(fresh_db)]) == 1
    finally:
        holder.stdin.close()
        holder.wait()
    assert "锁定" in capsys.readouterr().err


# ---------------------------------------------------------------- init / migrate / info


def test_init_creates_an_empty_database_with_the_schema(tmp_path, capsys):
    path = tmp_path / "sub" / "empty.duckdb"
    assert cli.main(["init", "--db", str(path)]) == 0
    assert f"已新建空数据库（结构版本 {db.SCHEMA_VERSION}）" in capsys.readouterr().out
    assert (count(path, "schema_version"), count(path, "problem")) == (db.SCHEMA_VERSION, 0)


def test_migrate_on_a_current_file_says_nothing_to_do(fresh_db, capsys):
    assert cli.main(["migrate", "--db", str(fresh_db)]) == 0
    assert f"结构版本已是 {db.SCHEMA_VERSION}，无需升级" in capsys.readouterr().out


def test_migrate_upgrades_an_older_file_and_prints_from_and_to(fresh_db, monkeypatch, capsys):
    real = db.migrations()
    extra = db.Migration(db.SCHEMA_VERSION + 1, "test", "create table added_by_test (x integer);")
    monkeypatch.setattr(dbfile, "migrations", lambda: [*real, extra])
    monkeypatch.setattr(dbfile, "SCHEMA_VERSION", extra.version)
    monkeypatch.setattr(db, "SCHEMA_VERSION", extra.version)  # db 一并提供的同一个值
    assert cli.main(["migrate", "--db", str(fresh_db)]) == 0
    assert f"结构版本 {extra.version - 1} → {extra.version}（执行迁移 1 个）" in capsys.readouterr().out
    assert count(fresh_db, "added_by_test") == 0


def test_info_shows_version_meta_and_row_counts(tiny_db, capsys):
    before = sha256(tiny_db)
    assert cli.main(["info", "--db", str(tiny_db)]) == 0
    lines = [line.strip() for line in capsys.readouterr().out.splitlines()]
    assert lines[1:5] == [
        f"结构版本：{db.SCHEMA_VERSION}",
        "数据截至：2026-11-15 18:00:00",
        "本县：甲县（990101，库内默认值）",
        "是否示例数据：否",
    ]
    problem_line = next(line for line in lines if line.startswith("问题 problem "))
    assert problem_line.split()[-1] == f"{count(tiny_db, 'problem'):,}"
    assert sha256(tiny_db) == before


def test_info_on_an_empty_database_says_meta_is_not_recorded(fresh_db, capsys):
    assert cli.main(["info", "--db", str(fresh_db)]) == 0
    out = capsys.readouterr().out
    assert "数据截至：（未记录）" in out
    assert "是否示例数据：（未记录）" in out


# ---------------------------------------------------------------- demo


def test_demo_builds_a_database_and_prints_a_summary(tmp_path, capsys):
    path = tmp_path / "demo.duckdb"
    assert cli.main(["demo", "--db", str(path), "--problems", "300", "--until", "2026-06-30 17:30"]) == 0
    out = capsys.readouterr().out
    assert f"已生成示例数据库：{path}" in out
    assert "数据截至 2026-06-30 17:30" in out
    assert "用时" in out
    assert count(path, "problem") == 300
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.duckdb"]


def test_demo_refuses_to_overwrite_without_force(fresh_db, capsys):
    before = sha256(fresh_db)
    assert cli.main(["demo", "--db", str(fresh_db), "--problems", "300"]) == 1
    assert "已存在" in capsys.readouterr().err
    assert sha256(fresh_db) == before


def test_demo_force_replaces_an_existing_database(fresh_db, capsys):
    assert cli.main(["demo", "--db", str(fresh_db), "--problems", "300", "--force"]) == 0
    assert count(fresh_db, "problem") == 300
    assert sorted(p.name for p in fresh_db.parent.iterdir() if not p.name.endswith(".lock")) == [
        fresh_db.name,
        fresh_db.name + ".snapshots",
    ]
    # 旧库收进快照目录（第 1 版，可重新发布），新库是第 2 版；没有留下临时文件
    assert sorted(p.name for p in (fresh_db.parent / (fresh_db.name + ".snapshots")).iterdir()) == [
        "000001.duckdb",
        "000002.duckdb",
        "CURRENT",
        "store.log",
    ]


def test_demo_force_keeps_the_old_file_when_the_build_fails(fresh_db, monkeypatch, capsys):
    from chuangwen import demo

    def failing_build(path, **kwargs):
        with db.build_new(path) as con:
            con.execute("insert into meta values ('is_demo', '1')")
            raise RuntimeError("生成中途出错")

    monkeypatch.setattr(demo, "build", failing_build)
    before = sha256(fresh_db)
    with pytest.raises(RuntimeError, match="生成中途出错"):
        cli.main(["demo", "--db", str(fresh_db), "--problems", "300", "--force"])
    assert sha256(fresh_db) == before
    assert sorted(p.name for p in fresh_db.parent.iterdir() if not p.name.endswith(".lock")) == [fresh_db.name]


def test_demo_force_refuses_to_overwrite_a_file_that_is_not_duckdb(tmp_path, capsys):
    path = tmp_path / "notes.duckdb"
    path.write_text("不是数据库", encoding="utf-8")
    before = sha256(path)
    assert cli.main(["demo", "--db", str(path), "--problems", "300", "--force"]) == 1
    assert "不是 DuckDB" in capsys.readouterr().err
    assert sha256(path) == before


def test_demo_value_error_from_the_builder_is_a_usage_error(tmp_path, monkeypatch, capsys):
    from chuangwen import demo

    def refusing_build(path, **kwargs):
        raise ValueError("截至时间早于示例数据的起始日期")

    monkeypatch.setattr(demo, "build", refusing_build)
    path = tmp_path / "demo.duckdb"
    assert cli.main(["demo", "--db", str(path), "--until", "2000-01-01"]) == 2
    assert "截至时间早于示例数据的起始日期" in capsys.readouterr().err
    assert not path.exists()


def test_demo_internal_english_value_error_is_not_hidden_as_a_usage_error(tmp_path, monkeypatch):
    from chuangwen import demo

    def buggy_build(path, **kwargs):
        raise ValueError("probabilities contain NaN")

    monkeypatch.setattr(demo, "build", buggy_build)
    with pytest.raises(ValueError, match="NaN"):
        cli.main(["demo", "--db", str(tmp_path / "demo.duckdb")])


def test_demo_force_refuses_to_overwrite_real_data(tiny_db, capsys):
    before = sha256(tiny_db)
    assert cli.main(["demo", "--db", str(tiny_db), "--problems", "300", "--force"]) == 1
    assert "不是示例库" in capsys.readouterr().err
    assert sha256(tiny_db) == before


def test_demo_force_replaces_a_previous_demo_database(tmp_path, capsys):
    path = tmp_path / "demo.duckdb"
    assert cli.main(["demo", "--db", str(path), "--problems", "300", "--seed", "1"]) == 0
    assert cli.main(["demo", "--db", str(path), "--problems", "301", "--seed", "2", "--force"]) == 0
    assert count(path, "problem") == 301


# ---------------------------------------------------------------- audit export 的用法错误：退出码 2，什么都不写


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--out", "审计.txt"], "输出文件扩展名应为 .xlsx 或 .csv，实际为 '审计.txt'"),
        (
            ["--since", "2026-12-03", "--until", "2026-12-01", "--out", "审计.csv"],
            "--since（2026-12-03）晚于 --until（2026-12-01）",
        ),
    ],
)
def test_audit_export_usage_errors_exit_2_and_write_nothing(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["audit", "export", "--db", "库.duckdb", *argv]) == 2
    assert capsys.readouterr().err == f"chuangwen audit：错误：{message}\n"
    assert list(tmp_path.iterdir()) == []
