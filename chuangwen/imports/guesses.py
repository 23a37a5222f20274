"""数据管理页的“最可能的对照”：别的系统导出的列名对到哪个模板列、文件里的状态词对到哪个允许的取值。

只是预先填好的猜测，用户在页面上可以改；猜不出来时给 None，让用户自己选（不乱猜）。
词表按创建办常见的几种导出（数字城管、12345 热线、督查台账）整理；不认识的词再按字面相近（difflib）找。
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from chuangwen.imports.cells import halfwidth
from chuangwen.imports.mapping import crs_name
from chuangwen.vocabulary import (
    ASSIGN,
    ASSIGNED,
    CLOSE_REQUESTED,
    CLOSED,
    IN_PROGRESS,
    PENDING,
    REOPENED,
    RETURN,
    RETURNED,
)

# 模板列 → 别的系统常用的列名（同名的列总是优先，不在这里）
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "问题编号": ("编号", "案件号", "案件编号", "工单号", "工单编号", "问题编码", "事件编号", "任务编号"),
    "发现时间": ("上报时间", "发现日期", "登记时间", "受理时间", "立案时间", "反映时间", "创建时间", "检查时间"),
    "来源": ("问题来源", "案件来源", "来源渠道", "渠道"),
    "问题类别": ("类别", "问题类型", "小类", "小类名称", "案件小类", "案件类别", "事项类别", "问题小类"),
    "点位名称": ("点位", "检查点位", "地点名称"),
    "点位类型": ("点位类别", "场所类型"),
    "镇街": ("所属镇街", "所属街道", "街道", "乡镇", "所属乡镇", "镇街名称", "街镇"),
    "社区": ("所属社区", "社区名称", "村社区", "社区（村）", "村（社区）"),
    "经度": ("lng", "lon", "longitude", "x坐标"),
    "纬度": ("lat", "latitude", "y坐标"),
    "问题描述": ("描述", "问题内容", "案件描述", "诉求内容", "内容", "问题详情"),
    "严重程度": ("严重性", "问题等级", "等级", "紧急程度"),
    "牵头单位": ("责任单位", "责任部门", "处置部门", "承办单位", "主责单位", "处置单位"),
    "配合单位": ("协办单位", "配合部门", "协同单位"),
    "整改期限": ("处置时限", "办理时限", "整改时限", "截止时间", "期限", "限办时间"),
    "整改状态": ("状态", "案件状态", "办理状态", "处置状态", "问题状态"),
    "销号时间": ("结案时间", "办结时间", "销号日期", "完成时间", "整改完成时间"),
    "时间": ("事件时间", "操作时间", "处理时间"),
    "动作": ("操作", "环节", "处置环节"),
    "操作单位": ("处理单位", "经办单位"),
    "单位名称": ("单位", "部门名称", "名称"),
    "条块": ("单位性质", "条/块"),
}

# 模板列 → 文件里的说法 → 允许的取值（键写规范化之后的样子：见 _norm）
VALUE_SYNONYMS: dict[str, dict[str, str]] = {
    "整改状态": {
        **dict.fromkeys(
            ("已结案", "结案", "已办结", "办结", "已完成", "完成", "已关闭", "关闭", "处置完毕", "整改完成", "已整改"),
            CLOSED,
        ),
        **dict.fromkeys(("销号", "closed", "已处置"), CLOSED),
        **dict.fromkeys(("处置中", "处理中", "办理中", "正在处置", "在办", "进行中", "整改"), IN_PROGRESS),
        **dict.fromkeys(
            ("已派遣", "派遣", "已派单", "派单", "已分派", "已转办", "交办", "已立案", "立案", "待处置", "已受理"),
            ASSIGNED,
        ),
        **dict.fromkeys(("待派遣", "未派遣", "待受理", "待立案", "新建", "未处理"), PENDING),
        **dict.fromkeys(("申请结案", "待核查", "待核实", "待结案", "待审核", "核查中", "审核中"), CLOSE_REQUESTED),
        **dict.fromkeys(("退回", "已退回", "返工", "回退", "驳回"), RETURNED),
        **dict.fromkeys(("反弹", "重开", "复发", "重新打开"), REOPENED),
    },
    "动作": {
        **dict.fromkeys(("派遣", "派单", "立案", "分派", "转办"), ASSIGN),
        **dict.fromkeys(("处置", "处置中", "处理中"), IN_PROGRESS),
        **dict.fromkeys(("申请结案", "提交核查"), CLOSE_REQUESTED),
        **dict.fromkeys(("结案", "办结", "销号", "核查通过"), CLOSED),
        **dict.fromkeys(("驳回", "返工", "回退", "核查不通过"), RETURN),
        **dict.fromkeys(("反弹", "重开"), REOPENED),
    },
    "来源": {
        **dict.fromkeys(("12345", "热线", "市民热线", "政务热线", "便民热线", "12345市民热线"), "12345热线"),
        **dict.fromkeys(("数字城管", "自查", "巡查", "日常巡查", "网格员上报", "监督员上报", "城管巡查"), "县自查"),
        **dict.fromkeys(("暗访", "省级暗访"), "省暗访"),
        **dict.fromkeys(("督查", "市级督查"), "市督查"),
        **dict.fromkeys(("模拟", "第三方测评"), "模拟测评"),
        **dict.fromkeys(("媒体", "曝光", "舆情", "新闻曝光"), "媒体曝光"),
    },
    "严重程度": {
        **dict.fromkeys(("普通", "轻微", "低", "一般问题", "轻"), "一般"),
        **dict.fromkeys(("较严重", "中", "中等", "比较严重", "重要"), "较重"),
        **dict.fromkeys(("重大", "紧急", "高", "特别严重", "严重问题", "重"), "严重"),
    },
    "条块": {
        **dict.fromkeys(("部门", "职能部门", "县直部门", "县直"), "条"),
        **dict.fromkeys(("属地", "镇街", "镇", "街道", "乡镇", "开发区"), "块"),
    },
}
# 差得太远的不猜（difflib 的相似度，0～1）
CLOSE_ENOUGH = 0.6


def _norm(text: str) -> str:
    return "".join(halfwidth(str(text)).split()).casefold()


def header_guesses(template_columns: Sequence[str], source_columns: Sequence[str]) -> dict[str, str]:
    """模板列 → 猜的源列：同名的先对上，再按常用别名；一个源列只给一个模板列。"""
    by_norm = {_norm(c): c for c in source_columns}
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in template_columns:  # 同名优先，免得被别的模板列的别名抢走
        hit = by_norm.get(_norm(name))
        if hit is not None:
            out[name] = hit
            taken.add(hit)
    for name in template_columns:
        if name in out:
            continue
        for alias in HEADER_SYNONYMS.get(name, ()):
            hit = by_norm.get(_norm(alias))
            if hit is not None and hit not in taken:
                out[name] = hit
                taken.add(hit)
                break
    return out


def best_value(column: str, value: str, allowed: Iterable[str]) -> str | None:
    """文件里的一个取值最可能对应哪个允许的取值；猜不出时 None。"""
    allowed = list(allowed)
    if value in allowed:
        return value
    key = _norm(value)
    by_norm = {_norm(a): a for a in allowed}
    if key in by_norm:
        return by_norm[key]
    if column == "坐标系" and (named := crs_name(value)) in allowed:
        return named
    synonym = VALUE_SYNONYMS.get(column, {}).get(key)
    if synonym in allowed:
        return synonym
    inside = [a for a in allowed if _norm(a) in key or key in _norm(a)]
    if len(inside) == 1:
        return inside[0]
    close = difflib.get_close_matches(key, list(by_norm), n=1, cutoff=CLOSE_ENOUGH)
    return by_norm[close[0]] if close else None
