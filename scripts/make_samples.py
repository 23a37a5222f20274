"""生成 data/samples/ 里给新用户试导入的样例文件（入库的是生成结果；改了示例县再运行一次）。

- 数字城管案件导出.csv：表头、状态词、时间写法都与模板不同的一份台账（像各地数字城管系统导出的样子），
  配 数字城管案件导出.mapping.toml（列对照、默认值、状态词对照），导入示例县：
  chuangwen import problems data/samples/数字城管案件导出.csv --mapping data/samples/数字城管案件导出.mapping.toml --db data/demo.duckdb
- 澜溪县镇街边界.geojson：示例县 13 个镇街的边界（WGS-84，名称字段“镇街”），可试 chuangwen import boundaries。

用法：python scripts/make_samples.py
"""

from __future__ import annotations

import csv
import io
import json
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import duckdb
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chuangwen import demo, geo  # noqa: E402
from chuangwen.demo import common  # noqa: E402

OUT = ROOT / "data" / "samples"
LEDGER = OUT / "数字城管案件导出.csv"
MAPPING = OUT / "数字城管案件导出.mapping.toml"
BOUNDARY = OUT / "澜溪县镇街边界.geojson"
ROWS = 30

MAPPING_TEXT = """# 数字城管系统导出的案件（表头、状态词与模板不同）→ 问题台账。数据管理页选“问题台账”、上传 CSV 后，
# 也可以按下面的对照在页面上选列，并存为预设。
kind = "problems"
crs = "wgs84"

[columns]
问题编号 = "案件号"
发现时间 = "上报时间"
整改期限 = "处置时限"
销号时间 = "结案时间"
整改状态 = "案件状态"
问题类别 = "小类名称"
镇街 = "所属街道"
牵头单位 = "责任部门"
问题描述 = "问题描述"
经度 = "经度"
纬度 = "纬度"

[defaults]
来源 = "县自查"
严重程度 = "一般"

[values.整改状态]
"已派遣" = "已交办"
"处置中" = "整改中"
"已结案" = "已销号"
"""


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.duckdb"
        demo.build(path, problems=200)
        con = duckdb.connect(str(path), read_only=True)
        towns = con.execute(
            "select r.name, b.geom_wkb from boundary b join region r on r.code = b.region_code "
            "where r.level = '镇街' order by r.code"
        ).fetchall()
        con.close()
    features = [
        {
            "type": "Feature",
            "properties": {"镇街": name},
            "geometry": json.loads(json.dumps(geo.from_wkb(bytes(wkb)).__geo_interface__)),
        }
        for name, wkb in towns
    ]
    BOUNDARY.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8"
    )

    rng = np.random.default_rng(7)
    leaves = [leaf for leaf in common.LEAVES]
    start = common.DEFAULT_UNTIL - timedelta(days=14)
    rows = []
    for k in range(ROWS):
        name, wkb = towns[k % len(towns)]
        point = geo.from_wkb(bytes(wkb)).representative_point()
        found = start + timedelta(minutes=int(rng.integers(0, 13 * 24 * 60)))
        due = found + timedelta(days=int(rng.choice([3, 7, 15])))
        status = ("已派遣", "处置中", "已结案")[k % 3]
        closed = (
            min(found + timedelta(hours=int(rng.integers(4, 200))), common.DEFAULT_UNTIL)
            if status == "已结案"
            else None
        )
        leaf = leaves[int(rng.integers(0, len(leaves)))]
        lead = common.LEAF_LEAD[leaf]
        if lead not in common.DEPT_CODE:  # “点位主管”：由点位的主管单位牵头，样例里交给城管局
            lead = "城管局"
        rows.append(
            {
                "案件号": f"SZCG-202611-{k + 1:04d}",
                "上报时间": f"{found:%Y/%m/%d %H:%M}",
                "处置时限": f"{due:%Y/%m/%d %H:%M}",
                "结案时间": f"{closed:%Y/%m/%d %H:%M}" if closed else "",
                "案件状态": status,
                "小类名称": leaf,
                "所属街道": name,
                "责任部门": lead,
                "问题描述": f"{name}{leaf}（数字城管上报）",
                "经度": f"{point.x + float(rng.normal(0, 0.0005)):.6f}",
                "纬度": f"{point.y + float(rng.normal(0, 0.0005)):.6f}",
                "地址": f"{name}样例地址{k + 1}号",
            }
        )
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    LEDGER.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))  # Excel 另存的 CSV（带 BOM）
    MAPPING.write_text(MAPPING_TEXT, encoding="utf-8")
    print(f"已生成 {LEDGER.name}（{ROWS} 行）、{MAPPING.name}、{BOUNDARY.name}（{len(features)} 个镇街）→ {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
