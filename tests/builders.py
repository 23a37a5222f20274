"""测试用小库的共用构建：tests/data/<功能>/ 是该功能自己的 SQL；几个功能共用的放在 tests/data/shared/，
各文件夹的 shared.txt 列出它用到哪些。执行时按文件名顺序把两部分合在一起（01 地区单位 → 02 测评 → 03 问题 …）。"""

from __future__ import annotations

from pathlib import Path

from chuangwen import db

DATA = Path(__file__).resolve().parent / "data"
SHARED = DATA / "shared"
RANK_OURS = "990101"  # tests/data/rank 里的本县


def scripts(folder: str) -> list[Path]:
    """某个文件夹要执行的全部 SQL（自己的 + shared.txt 列出的共用文件），按文件名排序。"""
    own = {p.name: p for p in (DATA / folder).glob("*.sql")}
    listed = DATA / folder / "shared.txt"
    for name in listed.read_text(encoding="utf-8").split() if listed.exists() else []:
        if name in own or not (SHARED / name).is_file():
            raise FileNotFoundError(f"{listed} 列出的 {name} 不在 {SHARED}，或与本文件夹的同名文件冲突")
        own[name] = SHARED / name
    return [own[name] for name in sorted(own)]


def fixture_db(path: Path, folder: str) -> Path:
    """表结构 + 该文件夹的 SQL（一次写入）。"""
    db.create_database(path)
    with db.writer(path) as con:
        for script in scripts(folder):
            con.execute(script.read_text(encoding="utf-8"))
    return path


def build_league_db(path: Path) -> Path:
    return fixture_db(path, "league")


def build_rank_db(path: Path) -> Path:
    return fixture_db(path, "rank")


def build_briefing_db(path: Path) -> Path:
    return fixture_db(path, "briefing")
