"""数据管理页用的纯函数：读陌生表格的表头、由选列生成映射、“将写入的样子”预览、报告工作簿。不依赖 streamlit。"""

from __future__ import annotations

import pandas as pd

from chuangwen import excel
from chuangwen.imports import checks, readers, write
from chuangwen.imports.kinds import KINDS
from chuangwen.imports.mapping import Mapping

NOT_MAPPED = "（不导入）"
LABELS = {
    "code": "问题编号",
    "found_at": "发现时间",
    "source": "来源",
    "round_code": "测评轮次",
    "edition": "测评体系版本",
    "standard_code": "测评标准编号",
    "category": "问题类别",
    "site_code": "点位编码",
    "township_code": "镇街编码",
    "community_code": "社区编码",
    "lon": "经度（WGS-84）",
    "lat": "纬度（WGS-84）",
    "crs_source": "原坐标系",
    "lon_source": "原经度",
    "lat_source": "原纬度",
    "description": "问题描述",
    "severity": "严重程度",
    "lead_unit_code": "牵头单位编码",
    "deadline": "整改期限",
    "problem_code": "问题编号",
    "event_at": "时间",
    "action": "动作",
    "unit_code": "单位编码",
    "note": "说明",
    "name": "名称",
    "kind": "条块",
    "unit_type": "单位类型",
    "region_code": "地区编码",
    "parent_code": "上级编号",
    "level": "层级",
    "points": "分值",
    "method": "测评方法",
    "site_types": "点位类型",
    "sort_order": "顺序",
    "scope": "适用范围",
    "effective_from": "生效日期",
    "total_points": "满分",
    "round_type": "轮次类型",
    "start_date": "开始日期",
    "end_date": "结束日期",
    "cycle": "创建周期",
    "year": "年份",
    "is_ranked": "公布排名",
    "total": "总分",
    "node_code": "板块/项目编号",
    "score": "得分",
    "reason": "扣分原因",
    "share": "分摊比例",
    "id": "扣分编号",
}
TABLE_LABELS = write.TABLE_LABELS
# 同名列在不同表里的意思不同（code 在问题表是问题编号、在体系表是条目编号）
COLUMN_LABELS = {
    "unit": {"code": "单位编码", "name": "单位名称"},
    "site": {"code": "点位编码", "name": "点位名称"},
    "framework_edition": {"edition": "版本", "name": "体系名称"},
    "framework_node": {"edition": "版本", "code": "编号", "name": "名称"},
    "round": {"code": "轮次编号", "name": "轮次名称", "level": "组织层级"},
    "score": {"note": "备注"},
    "region": {"code": "地区编码", "name": "名称"},
}


def source_columns(raw: bytes, file_name: str, kind: str, mapping: Mapping | None = None) -> tuple[list[str], int]:
    """文件的列名与表头行号：先按模板列名（或映射的源列）找表头，找不到时取第一行。"""
    expected = (list(mapping.columns.values()) if mapping else []) + KINDS[kind].names
    try:
        table = readers.read_table(raw, file_name, expected)
    except readers.ReadError as exc:
        if "找不到表头行" not in str(exc):
            raise
        table = readers.read_table(raw, file_name, expected, header_row=1)
    return table.columns, table.first_row - 1


def missing_required(kind: str, guessed: dict[str, str]) -> bool:
    """猜出的映射里还有必填列没有对上（列映射面板这时默认展开）。"""
    return any(guessed.get(name) == NOT_MAPPED for name in KINDS[kind].required)


def guess(kind: str, columns: list[str], preset: Mapping | None = None) -> dict[str, str]:
    """每个模板列的默认选择：预设里有就用预设，否则同名列，否则不导入。"""
    out = {}
    for name in KINDS[kind].names:
        if preset and preset.columns.get(name) in columns:
            out[name] = preset.columns[name]
        elif name in columns:
            out[name] = name
        else:
            out[name] = NOT_MAPPED
    return out


def build_mapping(
    kind: str, choices: dict[str, str], *, preset: Mapping | None = None, date_format: str | None = None
) -> Mapping:
    """页面上的选列 → 映射；取值对照与默认值沿用预设（页面不编辑它们）。"""
    return Mapping(
        columns={k: v for k, v in choices.items() if v and v != NOT_MAPPED},
        values=dict(preset.values) if preset else {},
        defaults={k: v for k, v in (preset.defaults if preset else {}).items() if choices.get(k) in (None, NOT_MAPPED)},
        date_format=date_format or (preset.date_format if preset else None),
        crs=preset.crs if preset else None,
        kind=kind,
    )


def stored_rows(prep: checks.Prepared, limit: int = 20) -> dict[str, pd.DataFrame]:
    """将写入各表的前若干行，列名为中文。"""
    out = {}
    for table, df in prep.frames.items():
        if df is None or df.empty:
            continue
        shown = df.drop(columns=[c for c in df.columns if c.startswith("_")]).head(limit).copy()
        for col in shown.columns:
            if pd.api.types.is_datetime64_any_dtype(shown[col]):
                shown[col] = shown[col].dt.strftime("%Y-%m-%d %H:%M")
        shown = shown.astype(object).where(shown.notna(), "")
        out[TABLE_LABELS.get(table, table)] = shown.rename(columns={**LABELS, **COLUMN_LABELS.get(table, {})})
    return out


def summary(prep: checks.Prepared) -> dict[str, int]:
    rejected = int(prep.rejected.sum()) if prep.rejected is not None else 0
    return {
        "总行数": prep.rows_total,
        "通过": prep.rows_total - rejected,
        "被拒": rejected,
        "与库中相同": prep.skipped,
        "错误": prep.errors,
        "提示": len(prep.issues) - prep.errors,
    }


def report_workbook(prep: checks.Prepared) -> bytes:
    sheets = {"校验报告": prep.report()}
    rejects = prep.rejects()
    if len(rejects):
        sheets["被拒的行"] = rejects
    return excel.to_xlsx(sheets)
