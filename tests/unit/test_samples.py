"""data/samples/ 里给新用户试导入的样例：台账（表头、状态词、时间写法都与模板不同）配映射文件导入示例县，边界文件与示例县相同。"""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest

from chuangwen import cli, demo
from tests.unit._import_helpers import q

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
LEDGER = SAMPLES / "数字城管案件导出.csv"


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory):
    path = tmp_path_factory.mktemp("samples") / "demo.duckdb"
    demo.build(path, problems=300)
    return path


def test_the_sample_ledger_imports_into_the_demo_county_with_its_mapping(demo_copy, tmp_path, capsys):
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_copy, path)
    code = cli.main(
        [
            "import",
            "problems",
            str(LEDGER),
            "--mapping",
            str(SAMPLES / "数字城管案件导出.mapping.toml"),
            "--db",
            str(path),
        ]
    )
    assert code == 0, capsys.readouterr().err
    with open(LEDGER, encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 30
    got = dict(
        q(
            path,
            "select p.code, r.name from problem p join region r on r.code = p.township_code where p.code like 'SZCG-%'",
        )
    )
    assert got == {r["案件号"]: r["所属街道"] for r in rows}
    # 已派遣 → 交办；处置中 → 交办、整改中；已结案 → 交办、已销号
    events = Counter(a for (a,) in q(path, "select action from rectify_event where problem_code like 'SZCG-%'"))
    states = Counter(r["案件状态"] for r in rows)
    assert events == {"交办": 30, "整改中": states["处置中"], "已销号": states["已结案"]}


def test_the_sample_boundary_file_is_the_demo_countys_own(demo_copy, tmp_path, capsys):
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_copy, path)
    assert cli.main(["import", "boundaries", str(SAMPLES / "澜溪县镇街边界.geojson"), "--db", str(path)]) == 0
    assert "边界与库中最新版本相同" in capsys.readouterr().out
