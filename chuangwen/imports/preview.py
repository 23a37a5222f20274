"""数据管理页用的纯函数：“将写入的样子”预览、校验结论的一句话、报告（页面上的前若干条与可下载的工作簿）。
不依赖 streamlit。列映射的部分在 page_mapping。"""

from __future__ import annotations

import pandas as pd

from chuangwen import excel
from chuangwen.imports import checks, write

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
    """页面上方的几个数：总行数、通过、被拒、与库中相同、错误、提示。"""
    rejected = int(prep.rejected.sum()) if prep.rejected is not None else 0
    return {
        "总行数": prep.rows_total,
        "通过": prep.rows_total - rejected,
        "被拒": rejected,
        "与库中相同": prep.skipped,
        "错误": prep.errors,
        "提示": len(prep.issues) - prep.errors,
    }


# 页面上的报告表最多列这么多条（十万行的文件可能有几十万条）；完整的报告下载
REPORT_ROWS_SHOWN = 1000


def report_head(prep: checks.Prepared, limit: int = REPORT_ROWS_SHOWN) -> pd.DataFrame:
    """页面上显示的报告：错误在前，最多 limit 条。"""
    report = prep.report()
    if len(report) <= limit:
        return report
    return report.sort_values("级别", key=lambda s: s != checks.ERROR, kind="stable").head(limit)


def header_gaps(prep: checks.Prepared) -> list[str]:
    """文件级的问题（缺必填列、映射的源列不在文件里）涉及的模板列：有这些时一行都没有逐行校验。"""
    return [str(i["列"]) for i in prep.issues if i["行"] == "表头" and i["级别"] == checks.ERROR]


def verdict(prep: checks.Prepared, *, partial: bool) -> tuple[str, str]:
    """校验结论：（级别 success / warning / error，一句话）。全部被拒时直说，不说“没有新数据”。"""
    counts = summary(prep)
    total, passed = counts["总行数"], counts["通过"]
    gaps = header_gaps(prep)
    if gaps:
        return (
            "error",
            f"列映射还不完整（{'、'.join(dict.fromkeys(gaps))}），{total:,} 行都没有校验、不会写入。"
            "请在上面“列映射”里补上，再点“应用映射并校验”。",
        )
    if total and passed == 0:
        return (
            "error",
            f"所有 {total:,} 行都未通过校验（{prep.errors:,} 处错误），没有可写入的行。"
            "请按下面的校验报告改正列映射、取值对照或文件后再试。",
        )
    if prep.errors:
        tail = (
            f"勾选了只导入通过校验的行：被拒的 {counts['被拒']:,} 行不会写入，其余 {passed:,} 行可以导入。"
            if partial
            else f"整批模式下不会写入任何数据；请改正后重新上传，或勾选“只导入通过校验的行”（可导入 {passed:,} 行）。"
        )
        return "warning", f"校验发现 {prep.errors:,} 处错误，涉及 {counts['被拒']:,} 行。" + tail
    if passed and counts["与库中相同"] >= passed:
        return "success", f"校验通过：{passed:,} 行，都与库中已有的相同（导入时跳过，不会重复添加）。"
    return "success", f"校验通过：{passed:,} 行。"


def nothing_to_write(prep: checks.Prepared) -> str:
    """预览里没有要写入的行时的说明：是都被拒了，还是都与库中相同。"""
    counts = summary(prep)
    if counts["总行数"] and counts["通过"] == 0:
        return f"没有要写入的行：所有 {counts['总行数']:,} 行都被拒（见校验报告）。"
    return f"没有新数据要写入：通过校验的 {counts['通过']:,} 行与库中已有的相同，导入时跳过。"


def report_workbook(prep: checks.Prepared) -> bytes:
    sheets = {"校验报告": prep.report()}
    rejects = prep.rejects()
    if len(rejects):
        sheets["被拒的行"] = rejects
    return excel.to_xlsx(sheets)
