"""示例数据：虚构的云岚省澜溪县，一个从全省后三分之一向“前10名”爬升的创建故事。

同一个种子永远生成同一个库（只有 meta.built_at 是墙上时间）。所有“本周”“逾期”都相对
meta.data_cutoff（数据截至），不看系统时钟。大批量部分全部用 numpy 向量化，经 arrow 表写入 DuckDB。
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from chuangwen import db, geo

DEFAULT_UNTIL = datetime(2026, 11, 15, 18, 0)
DEFAULT_SEED = 2026
DEFAULT_PROBLEMS = 20000

PROVINCE_CODE = "990000"
PROVINCE_NAME = "云岚省"
OUR_COUNTY = "澜溪县"
RIVALS = ("青岚县", "雁汀市", "棠岭县")
NEW_DISTRICT = "芃泽区"          # 新设区：最早一轮缺测
TARGET_RANK = 10
COUNTY_CENTER = (117.30, 31.80)  # 虚构位置（WGS-84）
COUNTY_RADIUS_KM = 19.5
PROBLEM_YEARS = 3
ANNUAL_ROUNDS = 9                # 年度测评至少 8 年以上历史
CHECKER = "D01"                  # 县委宣传部（文明办）：复核、退回、销号

# ---------------------------------------------------------------- 排名组（全是虚构名称）
# (名称, 类型)；每 5 个编为一个地级市（9901..9909），区 02 起、县 21 起、县级市 81 起
PEERS: tuple[tuple[str, str], ...] = (
    ("苇川区", "区"), ("鹭屿区", "区"), ("杏坪县", "县"), ("芸湾县", "县"), ("蘅原市", "县级市"),
    ("槐岗区", "区"), ("榴溪县", "县"), ("桐汀县", "县"), ("芷阳县", "县"), ("樾川市", "县级市"),
    ("芃泽区", "区"), ("菱塘县", "县"), ("荻浦县", "县"), ("栎台县", "县"), ("楸源县", "县"),
    ("澈湾区", "区"), ("溱渡县", "县"), ("湄渚县", "县"), ("漪泽县", "县"), ("嵘桥市", "县级市"),
    ("崧埠区", "区"), ("澜溪县", "县"), ("青岚县", "县"), ("沄陵县", "县"), ("雁汀市", "县级市"),
    ("砚汀区", "区"), ("棠岭县", "县"), ("泠峪县", "县"), ("岫田县", "县"), ("珩原市", "县级市"),
    ("璟川区", "区"), ("琅湾县", "县"), ("瑶坪县", "县"), ("珂溪县", "县"), ("蓼洲县", "县"),
    ("萱坪区", "区"), ("蘋川县", "县"), ("茗岗县", "县"), ("莞埠县", "县"), ("翎川市", "县级市"),
    ("瑄渡区", "区"), ("蕖阳县", "县"), ("翊陵县", "县"), ("瑀台县", "县"), ("峤南县", "县"),
)

# ---------------------------------------------------------------- 本县镇街
# (名称, 类型, 代码后三位, 人口下限, 人口上限)
TOWNSHIPS: tuple[tuple[str, str, str, int, int], ...] = (
    ("澜城街道", "街道", "001", 55000, 78000),
    ("溪东街道", "街道", "002", 42000, 62000),
    ("溪西街道", "街道", "003", 40000, 60000),
    ("望澜街道", "街道", "004", 30000, 48000),
    ("澜溪经济开发区", "开发区", "401", 18000, 32000),
    ("栖鹭镇", "镇", "101", 26000, 42000),
    ("杏川镇", "镇", "102", 24000, 40000),
    ("桐岗镇", "镇", "103", 22000, 38000),
    ("芸埠镇", "镇", "104", 22000, 36000),
    ("榆汀镇", "镇", "105", 20000, 34000),
    ("菱湾镇", "镇", "106", 20000, 34000),
    ("槐坪镇", "镇", "107", 18000, 30000),
    ("蓼溪镇", "镇", "108", 18000, 30000),
)

# ---------------------------------------------------------------- 责任单位：条
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("县委宣传部（文明办）", "党委部门"), ("城管局", "政府部门"), ("公安局交警大队", "政府部门"),
    ("市场监管局", "政府部门"), ("住建局", "政府部门"), ("交通运输局", "政府部门"),
    ("卫健局", "政府部门"), ("教育局", "政府部门"), ("文旅局", "政府部门"), ("民政局", "政府部门"),
    ("生态环境分局", "垂管单位"), ("团县委", "群团组织"), ("自然资源局", "政府部门"),
    ("水利局", "政府部门"), ("商务局", "政府部门"), ("农业农村局", "政府部门"), ("供电公司", "垂管单位"),
    ("政务服务管理局", "政府部门"), ("公安局", "政府部门"), ("县委政法委", "党委部门"),
    ("发改委", "政府部门"), ("司法局", "政府部门"), ("应急管理局", "政府部门"), ("人社局", "政府部门"),
    ("财政局", "政府部门"), ("县妇联", "群团组织"), ("县总工会", "群团组织"), ("县融媒体中心", "事业单位"),
    ("退役军人事务局", "政府部门"), ("电信公司", "垂管单位"),
)
DEPT_CODE = {name: f"D{i + 1:02d}" for i, (name, _) in enumerate(DEPARTMENTS)}
# 整改速度（耗时倍数）：少数单位明显偏慢，形成逾期积压；其余单位在种子下小幅随机
UNIT_SPEED = {"城管局": 0.75, "公安局交警大队": 0.7, "住建局": 1.9, "交通运输局": 2.3, "商务局": 1.4,
              "溪东街道": 0.6, "澜溪经济开发区": 1.5, "榆汀镇": 2.0}

# ---------------------------------------------------------------- 点位类型
# (类型, 数量, 出问题的相对频度, 主管条, 城区集中度: 街道/开发区相对镇的权重)
SITE_TYPES: tuple[tuple[str, int, float, str, float], ...] = (
    ("农贸市场", 18, 3.0, "市场监管局", 2.0),
    ("背街小巷", 60, 2.2, "城管局", 4.0),
    ("老旧小区", 45, 1.8, "住建局", 4.0),
    ("公共厕所", 30, 1.0, "城管局", 3.0),
    ("交通路口", 35, 2.0, "公安局交警大队", 5.0),
    ("公交站", 30, 0.8, "交通运输局", 4.0),
    ("汽车站", 2, 1.5, "交通运输局", 10.0),
    ("高铁站", 1, 1.2, "交通运输局", 10.0),
    ("医院", 10, 1.3, "卫健局", 3.0),
    ("学校周边", 28, 1.3, "教育局", 2.0),
    ("商场超市", 15, 1.0, "商务局", 5.0),
    ("广场公园", 14, 1.2, "住建局", 4.0),
    ("城乡结合部", 16, 1.8, "农业农村局", 0.6),
    ("综合文化服务中心", 25, 0.5, "文旅局", 0.0),
    ("新时代文明实践站", 20, 0.5, "县委宣传部（文明办）", 0.0),
    ("窗口单位", 12, 0.6, "政务服务管理局", 10.0),
)
SITE_TYPE_NAMES = tuple(t[0] for t in SITE_TYPES)
BLOCK_FIRST_SITES = ("背街小巷", "老旧小区", "城乡结合部")  # 条块结合、以块为主
HOTSPOT_TYPES = ("农贸市场", "背街小巷", "城乡结合部", "老旧小区")
HOTSPOT_COUNT = 6
HOTSPOT_FACTOR = 8.0

# ---------------------------------------------------------------- 问题类别
# 大类 → [(小类, 牵头条, 测评标准要求, 问题细节...)]；“点位主管”表示由点位类型的主管条牵头
CATEGORIES: dict[str, tuple[tuple[str, str, str, tuple[str, ...]], ...]] = {
    "环境卫生": (
        ("卫生死角", "城管局", "干净整洁，无卫生死角", ("墙角积存垃圾", "绿化带内有烟头纸屑", "排水沟淤积杂物")),
        ("暴露垃圾", "城管局", "无暴露垃圾，垃圾日产日清", ("生活垃圾堆放未清运", "建筑垃圾裸露", "垃圾落地未清理")),
        ("垃圾箱破损满溢", "城管局", "垃圾箱（桶）完好，无满溢", ("垃圾桶满溢", "垃圾箱破损缺盖", "分类桶混投")),
        ("公厕保洁不到位", "城管局", "公厕干净无异味，设施完好", ("地面湿滑有污渍", "洗手池无水", "异味明显")),
    ),
    "市容秩序": (
        ("出店经营", "城管局", "无出店经营、占道经营", ("占道摆摊", "商品堆放出店", "店外设摊加工")),
        ("马路市场", "市场监管局", "无马路市场、流动摊贩", ("早市占道", "流动摊贩聚集", "路边销售蔬菜")),
        ("乱贴小广告", "城管局", "无乱贴乱画小广告（牛皮癣）", ("电线杆张贴小广告", "墙面喷涂电话号码", "楼道牛皮癣")),
        ("乱堆乱放", "城管局", "无乱堆乱放", ("楼道堆放杂物", "门前堆放建材", "废旧家具乱放")),
        ("毁绿种菜", "住建局", "绿化完好，无毁绿种菜", ("绿化带种菜", "草坪被踩踏裸土", "毁绿堆物")),
        ("乱拉乱挂", "城管局", "无乱拉乱挂、乱晾乱晒", ("树间拉绳晾晒", "飞线充电", "横幅乱挂")),
    ),
    "交通秩序": (
        ("闯红灯", "公安局交警大队", "行人、非机动车不闯红灯", ("行人闯红灯", "电动车闯红灯", "无人劝导")),
        ("机非混行", "公安局交警大队", "机动车、非机动车各行其道", ("电动车驶入机动车道", "机动车占用非机动车道")),
        ("不礼让斑马线", "公安局交警大队", "机动车礼让斑马线", ("车辆未礼让行人", "斑马线前抢行")),
        ("乱停车", "公安局交警大队", "车辆停放有序，无乱停乱放", ("电动车乱停", "机动车占用人行道", "共享单车堆放")),
        ("逆行", "公安局交警大队", "非机动车不逆行", ("电动车逆行", "三轮车逆行")),
    ),
    "设施": (
        ("盲道被占", "城管局", "盲道连续畅通，无占用", ("盲道被车辆占用", "盲道被摊点占用", "盲道断头")),
        ("无障碍设施缺失", "住建局", "无障碍设施齐全、规范", ("无障碍坡道缺失", "无障碍卫生间未开放", "扶手损坏")),
        ("路面坑洼积水", "交通运输局", "路面平整，无坑洼积水", ("路面坑洼", "雨后积水", "人行道板松动")),
        ("停车位施划不规范", "公安局交警大队", "停车泊位施划规范", ("泊位标线模糊", "泊位占用盲道", "未设非机动车停放区")),
        ("公共设施破损", "住建局", "路灯、井盖等公共设施完好", ("路灯不亮", "井盖缺失", "座椅损坏")),
    ),
    "公益广告": (
        ("公益广告数量不足", "县委宣传部（文明办）", "公益广告数量充足、位置醒目", ("公益广告数量不足", "未设置公益广告", "宣传栏内容过期")),
        ("公益广告破损", "县委宣传部（文明办）", "公益广告完好，无破损褪色", ("公益广告破损", "画面褪色", "广告牌倾斜")),
    ),
    "氛围/点位要素": (
        ("点位要素不齐", "点位主管", "点位要素齐全（标识、制度、设施）", ("缺少文明公约", "未公示服务制度", "无志愿服务台")),
        ("宣传氛围不浓", "点位主管", "创建宣传氛围浓厚", ("核心价值观宣传缺失", "创建宣传标语不足", "电子屏未播放公益内容")),
    ),
    "志愿服务": (
        ("志愿服务站点未运行", "团县委", "志愿服务站点正常运行、有人值守", ("站点无人值守", "站点关闭", "服务记录空白")),
        ("志愿者标识缺失", "团县委", "志愿者标识规范、服务到位", ("志愿者未佩戴标识", "志愿服务岗空岗")),
    ),
    "未成年人思想道德建设": (
        ("学校周边环境不达标", "教育局", "学校周边环境整洁、无违规经营", ("校门口流动摊贩", "周边售卖三无食品", "接送车辆拥堵")),
        ("网吧接纳未成年人", "文旅局", "网吧等场所不接纳未成年人", ("网吧接纳未成年人", "未张贴禁止未成年人进入标识")),
        ("未成年人活动场所不达标", "文旅局", "未成年人活动场所设施完好、正常开放", ("活动室未开放", "设施破损", "无活动记录")),
    ),
}
LEAF_PARENT = {leaf: parent for parent, leaves in CATEGORIES.items() for leaf, *_ in leaves}
LEAF_LEAD = {leaf: lead for leaves in CATEGORIES.values() for leaf, lead, *_ in leaves}
LEAF_REQUIREMENT = {leaf: req for leaves in CATEGORIES.values() for leaf, _, req, _ in leaves}
LEAF_DETAILS = {leaf: details for leaves in CATEGORIES.values() for leaf, _, _, details in leaves}
LEAVES = tuple(LEAF_PARENT)
# 配合单位候选（按大类）
COOP_POOL = {
    "环境卫生": ("城管局", "生态环境分局", "卫健局"),
    "市容秩序": ("城管局", "市场监管局", "自然资源局"),
    "交通秩序": ("公安局交警大队", "交通运输局", "公安局"),
    "设施": ("住建局", "交通运输局", "供电公司", "水利局", "民政局"),
    "公益广告": ("县委宣传部（文明办）", "城管局", "县融媒体中心"),
    "氛围/点位要素": ("县委宣传部（文明办）", "商务局", "文旅局"),
    "志愿服务": ("团县委", "民政局", "县妇联"),
    "未成年人思想道德建设": ("教育局", "团县委", "公安局", "文旅局"),
}
# 点位内部的环境卫生由点位主管负责（市场内归市场监管、医院内归卫健……）
INSIDE_OWNER_SITES = ("农贸市场", "医院", "商场超市", "汽车站", "高铁站", "窗口单位", "综合文化服务中心", "新时代文明实践站")

# 每类点位常见的问题（权重）
SITE_CATEGORY_WEIGHTS: dict[str, dict[str, float]] = {
    "农贸市场": {"卫生死角": 5, "暴露垃圾": 2, "马路市场": 4, "出店经营": 4, "乱堆乱放": 2, "乱贴小广告": 1,
               "点位要素不齐": 2, "公益广告数量不足": 1, "宣传氛围不浓": 1, "乱停车": 2},
    "背街小巷": {"卫生死角": 5, "暴露垃圾": 4, "乱堆乱放": 4, "乱贴小广告": 4, "乱拉乱挂": 3, "出店经营": 2,
               "乱停车": 2, "路面坑洼积水": 2, "公共设施破损": 1, "垃圾箱破损满溢": 2},
    "老旧小区": {"乱堆乱放": 5, "暴露垃圾": 3, "卫生死角": 3, "毁绿种菜": 3, "乱拉乱挂": 3, "乱贴小广告": 2,
               "乱停车": 2, "公益广告数量不足": 1, "垃圾箱破损满溢": 2, "公共设施破损": 1},
    "公共厕所": {"公厕保洁不到位": 6, "无障碍设施缺失": 2, "公共设施破损": 1, "点位要素不齐": 1},
    "交通路口": {"闯红灯": 5, "不礼让斑马线": 3, "机非混行": 3, "逆行": 2, "乱停车": 2, "盲道被占": 1,
               "志愿服务站点未运行": 1, "公益广告破损": 1, "停车位施划不规范": 1},
    "公交站": {"乱停车": 2, "卫生死角": 2, "公益广告破损": 2, "公益广告数量不足": 1, "乱贴小广告": 2,
             "盲道被占": 2, "公共设施破损": 1},
    "汽车站": {"卫生死角": 2, "乱停车": 3, "点位要素不齐": 2, "志愿者标识缺失": 1, "出店经营": 1, "无障碍设施缺失": 1},
    "高铁站": {"乱停车": 3, "点位要素不齐": 2, "志愿者标识缺失": 1, "公益广告数量不足": 1, "无障碍设施缺失": 1},
    "医院": {"乱停车": 4, "点位要素不齐": 2, "志愿者标识缺失": 2, "卫生死角": 1, "无障碍设施缺失": 1, "停车位施划不规范": 1},
    "学校周边": {"学校周边环境不达标": 4, "乱停车": 3, "出店经营": 2, "网吧接纳未成年人": 1,
               "公益广告数量不足": 1, "机非混行": 1, "不礼让斑马线": 1},
    "商场超市": {"出店经营": 2, "乱停车": 3, "点位要素不齐": 1, "宣传氛围不浓": 2, "无障碍设施缺失": 1, "停车位施划不规范": 1},
    "广场公园": {"暴露垃圾": 3, "毁绿种菜": 2, "公共设施破损": 2, "公益广告破损": 2, "志愿服务站点未运行": 1,
               "宣传氛围不浓": 1, "卫生死角": 1},
    "城乡结合部": {"暴露垃圾": 5, "乱堆乱放": 4, "卫生死角": 4, "马路市场": 2, "路面坑洼积水": 3, "毁绿种菜": 2,
                "乱贴小广告": 2, "网吧接纳未成年人": 0.3},
    "综合文化服务中心": {"点位要素不齐": 4, "未成年人活动场所不达标": 2, "志愿服务站点未运行": 2, "宣传氛围不浓": 2},
    "新时代文明实践站": {"点位要素不齐": 3, "志愿服务站点未运行": 3, "宣传氛围不浓": 2, "公益广告数量不足": 1},
    "窗口单位": {"点位要素不齐": 3, "志愿者标识缺失": 2, "无障碍设施缺失": 2, "公益广告数量不足": 1},
    # 不落在点位上的问题（道路、沿街）
    "": {"乱停车": 3, "暴露垃圾": 2, "乱贴小广告": 2, "路面坑洼积水": 3, "盲道被占": 2, "闯红灯": 1,
         "出店经营": 2, "公共设施破损": 2, "停车位施划不规范": 2, "逆行": 1},
}

# ---------------------------------------------------------------- 测评体系（全国版的形状：3/12/90/188）
# 测评内容：字符串 = 网上申报；以“？”结尾 = 先问卷后申报；三元组 = 实地考察 (名称, 问题小类|…, 点位类型|…)
FRAMEWORK: tuple = (
    ("思想道德建设", (
        ("理想信念教育", 6, "县委宣传部（文明办）", (
            "学习宣传党的创新理论？", "理论宣讲进基层", "主流舆论阵地建设", "爱国主义教育基地建设和使用",
            ("新时代文明实践中心建设", "点位要素不齐|宣传氛围不浓", "新时代文明实践站"), "党史学习教育常态化")),
        ("社会主义核心价值观", 7, "县委宣传部（文明办）", (
            "核心价值观融入法治建设",
            ("公益广告宣传", "公益广告数量不足|公益广告破损", "交通路口|公交站|广场公园|商场超市|背街小巷|老旧小区|农贸市场"),
            ("城市公共空间宣传氛围", "宣传氛围不浓", "广场公园|商场超市|窗口单位|汽车站|高铁站"),
            "道德模范和身边好人宣传？", "移风易俗？", "文明家庭创建", "中华优秀传统文化传承")),
        ("未成年人思想道德建设", 6, "教育局", (
            "学校德育工作", ("校园周边环境治理", "学校周边环境不达标", "学校周边"),
            ("网吧等娱乐场所管理", "网吧接纳未成年人", "学校周边|城乡结合部"),
            ("未成年人活动场所建设", "未成年人活动场所不达标", "综合文化服务中心|新时代文明实践站"),
            "家庭教育指导？", "心理健康教育", "关爱农村留守儿童")),
        ("志愿服务", 5, "团县委", (
            "志愿服务组织体系",
            ("志愿服务站点建设", "志愿服务站点未运行", "交通路口|广场公园|新时代文明实践站|综合文化服务中心"),
            "志愿者注册与服务记录", "志愿服务项目品牌",
            ("志愿者标识与礼遇", "志愿者标识缺失", "窗口单位|医院|汽车站|高铁站"))),
    )),
    ("城市治理与公共服务", (
        ("公共文化服务", 7, "文旅局", (
            "公共文化设施免费开放", ("综合文化服务中心运行", "点位要素不齐", "综合文化服务中心"),
            "图书馆文化馆总分馆建设", "群众文化活动", "文物保护利用", "全民阅读",
            ("全民健身设施", "公共设施破损", "广场公园"))),
        ("社会治理与诚信", 8, "县委政法委", (
            "平安建设？", "社会信用体系建设",
            ("诚信经营示范", "点位要素不齐|宣传氛围不浓", "农贸市场|商场超市"),
            ("食品安全管理", "卫生死角", "农贸市场"),
            ("政务服务规范", "点位要素不齐|无障碍设施缺失", "窗口单位"),
            "法治宣传教育", "矛盾纠纷多元化解", "安全生产")),
        ("公共服务与民生", 7, "民政局", (
            ("医疗服务环境", "点位要素不齐|乱停车", "医院"),
            ("公共交通服务", "卫生死角|公益广告破损", "公交站|汽车站|高铁站"),
            "养老服务", "社会救助",
            ("无障碍环境建设", "无障碍设施缺失|盲道被占", "交通路口|公交站|医院|窗口单位|商场超市"),
            ("公共厕所管理", "公厕保洁不到位", "公共厕所"),
            "群众满意度？")),
        ("生态环境", 8, "生态环境分局", (
            "空气质量改善", "水环境治理",
            ("生活垃圾分类", "垃圾箱破损满溢", "老旧小区|背街小巷|广场公园"),
            ("城市绿化管护", "毁绿种菜", "老旧小区|城乡结合部|广场公园"),
            "噪声污染防治？", "餐饮油烟治理", "节能降碳", "绿色出行？")),
    )),
    ("城市环境与公共秩序", (
        ("市容环境卫生", 14, "城管局", (
            ("主次干道保洁", "暴露垃圾|卫生死角", "背街小巷|交通路口|公交站"),
            ("背街小巷整治", "卫生死角|乱堆乱放|暴露垃圾", "背街小巷"),
            ("老旧小区环境", "乱堆乱放|暴露垃圾|卫生死角", "老旧小区"),
            ("农贸市场环境", "卫生死角|暴露垃圾", "农贸市场"),
            ("城乡结合部环境", "暴露垃圾|卫生死角|乱堆乱放", "城乡结合部"),
            ("车站周边环境", "卫生死角", "汽车站|高铁站|公交站"),
            ("广场公园环境", "暴露垃圾|卫生死角", "广场公园"),
            ("垃圾收运管理", "垃圾箱破损满溢|暴露垃圾", "背街小巷|老旧小区|城乡结合部"),
            "环卫作业规范")),
        ("市容秩序", 12, "城管局", (
            ("出店经营治理", "出店经营", "农贸市场|背街小巷|商场超市|学校周边"),
            ("马路市场治理", "马路市场", "农贸市场|城乡结合部|背街小巷"),
            ("小广告清理", "乱贴小广告", "背街小巷|老旧小区|公交站|城乡结合部"),
            ("乱拉乱挂治理", "乱拉乱挂", "背街小巷|老旧小区"),
            ("乱堆乱放治理", "乱堆乱放", "背街小巷|城乡结合部|农贸市场"),
            "户外广告设置", "违法建设治理",
            ("夜市摊点管理", "出店经营|马路市场", "广场公园|背街小巷"),
            ("施工工地围挡管理", "乱堆乱放", "背街小巷|城乡结合部"))),
        ("交通秩序", 11, "公安局交警大队", (
            ("路口通行秩序", "闯红灯|机非混行", "交通路口"),
            ("文明礼让斑马线", "不礼让斑马线", "交通路口|学校周边"),
            ("机动车停放", "乱停车", "医院|商场超市|农贸市场|汽车站|高铁站"),
            ("非机动车管理", "机非混行|逆行|乱停车", "交通路口|背街小巷|公交站"),
            ("交通标志标线", "停车位施划不规范", "交通路口|医院|商场超市"),
            ("公交站台秩序", "乱停车", "公交站"),
            ("校园周边交通", "乱停车|机非混行", "学校周边"),
            "出租车服务规范", "交通安全宣传")),
        ("基础设施", 9, "住建局", (
            ("道路设施完好", "路面坑洼积水", "背街小巷|交通路口|城乡结合部|老旧小区"),
            ("盲道管理", "盲道被占", "交通路口|公交站|背街小巷"),
            ("停车设施", "停车位施划不规范", "医院|商场超市|老旧小区"),
            ("排水防涝", "路面坑洼积水", "背街小巷|老旧小区"),
            ("公共设施维护", "公共设施破损", "背街小巷|广场公园|老旧小区|公交站"),
            "便民服务设施",
            ("城市照明", "公共设施破损", "背街小巷|老旧小区"),
            ("无障碍通道", "无障碍设施缺失", "公共厕所|广场公园|汽车站"))),
    )),
)
FRAMEWORK_STANDARDS = 188
# 非实地考察测评内容的牵头单位（默认取测评项目的牵头单位）
CONTENT_LEAD = {
    "社会信用体系建设": "发改委", "法治宣传教育": "司法局", "安全生产": "应急管理局", "水环境治理": "水利局",
    "食品安全管理": "市场监管局", "政务服务规范": "政务服务管理局", "医疗服务环境": "卫健局",
    "公共交通服务": "交通运输局", "养老服务": "民政局", "关爱农村留守儿童": "县妇联", "户外广告设置": "城管局",
    "违法建设治理": "自然资源局", "出租车服务规范": "交通运输局", "便民服务设施": "商务局",
    "主流舆论阵地建设": "县融媒体中心", "城市照明": "供电公司",
}
EDITIONS = (("2018版", date(2018, 1, 1)), ("2021版", date(2021, 1, 1)), ("2024版", date(2024, 1, 1)))
CURRENT_EDITION = "2024版"

# 负面清单（全国版 29 项，其中 12 项一票否决）
NEGATIVE_ITEMS: tuple[tuple[str, bool], ...] = (
    ("发生重特大安全生产责任事故", True), ("发生重大食品药品安全事故", True),
    ("发生重大环境污染或生态破坏事件", True), ("发生严重影响社会稳定的群体性事件", True),
    ("发生重大刑事案件且社会影响恶劣", True), ("党政主要领导严重违纪违法造成恶劣影响", True),
    ("发生重大公共卫生事件处置不力", True), ("发生重大意识形态事件", True),
    ("发生重大校园安全事故", True), ("发生重大火灾事故", True),
    ("创建工作弄虚作假造成恶劣影响", True), ("发生严重失信事件造成恶劣影响", True),
    ("城市环境卫生脏乱差被中央媒体曝光", False), ("马路市场、占道经营屡禁不止被通报", False),
    ("交通秩序混乱被省级以上通报", False), ("违规燃放烟花爆竹造成不良影响", False),
    ("黑臭水体治理不力被通报", False), ("露天焚烧秸秆垃圾被通报", False),
    ("网吧违规接纳未成年人被查处", False), ("违法建设问题突出被通报", False),
    ("户外广告设置混乱被通报", False), ("公益广告刊播不足被通报", False),
    ("志愿服务记录弄虚作假", False), ("拖欠农民工工资引发群体上访", False),
    ("窗口单位服务态度恶劣被曝光", False), ("文物保护不力造成损毁", False),
    ("重大舆情处置不当", False), ("测评期间组织群众突击打扫被曝光", False),
    ("未成年人活动场所挪作他用被通报", False),
)
# 负面清单中可由一个具体问题触发的条目 → 对应问题小类
NEGATIVE_BY_CATEGORY = {
    "暴露垃圾": "F13", "卫生死角": "F13", "马路市场": "F14", "出店经营": "F14", "闯红灯": "F15",
    "网吧接纳未成年人": "F19", "公益广告数量不足": "F22", "未成年人活动场所不达标": "F29",
}

# 问题来源与占比（设计值）
SOURCES = ("县自查", "市督查", "12345热线", "省暗访", "模拟测评", "媒体曝光")
SOURCE_SHARES = (0.46, 0.20, 0.15, 0.08, 0.08, 0.03)
SEVERITIES = ("一般", "较重", "严重")
SEVERITY_SHARES = (0.75, 0.20, 0.05)
DEADLINE_DAYS = (3, 7, 15)

# 起名用的字（虚构）
_NAME_HEAD = "东西南北新和平安兴福康永长丰裕宁祥瑞春翠柳桃梅竹松荷桂枫杨河湖金玉石"
_NAME_TAIL = "苑园坊里庄湾桥塘岗坪冲洼集营店铺寨畈圩堡"
_ROAD_WORDS = ("澜江", "溪园", "文昌", "望湖", "青云", "迎宾", "建设", "人民", "解放", "花园", "滨河", "和平",
               "振兴", "府前", "长安", "凤鸣", "桂香", "学府", "工业", "新华", "鹭鸣", "杏林", "桐荫", "芸香",
               "榆林", "菱歌", "槐荫", "蓼花", "澜园", "东湖", "西苑", "南关", "北门", "康宁", "健康", "胜利",
               "光明", "朝阳", "育才", "幸福")


# ================================================================ 小工具

def _seconds(dt: datetime | date) -> int:
    if not isinstance(dt, datetime):
        dt = datetime(dt.year, dt.month, dt.day)
    return int(np.datetime64(dt, "s").astype(np.int64))


def _day_seconds(days) -> np.ndarray:
    """一列 date → 当天零点的秒数。"""
    return np.array(list(days), dtype="M8[D]").astype("M8[s]").astype(np.int64)


def _split_cents(total: int, weights: np.ndarray, caps: np.ndarray | None = None, unit: int = 1) -> np.ndarray:
    """把 total（整数，单位 0.01 分）按权重分成若干份（最大余数法），每份是 unit 的整数倍且不超过上限。"""
    if total % unit:
        raise ValueError(f"{total} 不是 {unit} 的整数倍")
    weights = np.asarray(weights, dtype=float)
    n_units = total // unit
    alloc = np.zeros(len(weights), dtype=np.int64)
    caps_u = None if caps is None else np.asarray(caps, dtype=np.int64) // unit
    active = weights > 0
    remaining = n_units
    while remaining > 0 and active.any():
        w = np.where(active, weights, 0.0)
        share = remaining * w / w.sum()
        base = np.floor(share).astype(np.int64)
        order = np.argsort(-(share - base), kind="stable")
        base[order[: remaining - base.sum()]] += 1
        if caps_u is not None:
            base = np.minimum(base, caps_u - alloc)
            active &= alloc + base < caps_u
        alloc += base
        remaining = n_units - int(alloc.sum())
    if remaining:
        raise ValueError("上限之和小于要分配的总数")
    return alloc * unit


def _pick_by_weights(rng: np.random.Generator, cum: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """每个样本按自己那一行的累计权重抽一个列号（行 = rows[i]）。"""
    u = rng.random(len(rows))
    c = cum[rows]
    return (c < (u * c[:, -1])[:, None]).sum(axis=1)


def _dict_array(indices: np.ndarray, dictionary) -> pa.DictionaryArray:
    """整数下标 + 词表 → arrow 字典列（下标为负表示空值）；大表的重复字符串不必逐行生成。"""
    idx = np.asarray(indices)
    null = idx < 0
    codes = pa.array(np.where(null, 0, idx).astype(np.int32), mask=null if null.any() else None)
    return pa.DictionaryArray.from_arrays(codes, pa.array(list(dictionary), pa.string()))


# ================================================================ 地区与边界

@dataclass
class County:
    """本县的地理与组织：镇街多边形、社区、点位、责任单位。"""

    code: str
    outline: object
    township_codes: list[str]
    township_names: list[str]
    township_kinds: list[str]
    township_polys: list
    township_seats: np.ndarray                 # (n, 2) 镇区/街道中心
    community: pd.DataFrame                    # code, name, kind, township_idx, population, lon, lat
    units: pd.DataFrame = field(default=None)
    sites: pd.DataFrame = field(default=None)


def _peer_regions(rng: np.random.Generator) -> pd.DataFrame:
    """省和排名组内的县级单位（代码 99CCNN）。"""
    rows = []
    for city in range(len(PEERS) // 5):
        next_no = {"区": 2, "县": 21, "县级市": 81}
        for name, kind in PEERS[city * 5:(city + 1) * 5]:
            code = f"99{city + 1:02d}{next_no[kind]:02d}"
            next_no[kind] += 1
            lo, hi = {"区": (300_000, 800_000), "县": (250_000, 700_000), "县级市": (500_000, 1_100_000)}[kind]
            rows.append({"code": code, "name": name, "level": "县级", "kind": kind,
                         "parent_code": PROVINCE_CODE, "population": int(rng.integers(lo, hi) // 100 * 100)})
    peers = pd.DataFrame(rows).sort_values("code", ignore_index=True)
    peers["sort_order"] = np.arange(1, len(peers) + 1)
    return peers


def _township_seed_points(rng: np.random.Generator, outline) -> np.ndarray:
    """镇街中心（泰森多边形种子）：街道围着县城，开发区在城边，镇在外圈。"""
    lon0, lat0 = COUNTY_CENTER
    kinds = [t[1] for t in TOWNSHIPS]
    n_town = kinds.count("镇")
    start = rng.uniform(0, 2 * np.pi)
    dx, dy = [], []
    street_no = town_no = 0
    for kind in kinds:
        if kind == "街道":
            a = start + street_no * np.pi / 2 + rng.normal(0, 0.2)
            r = rng.uniform(2.2, 3.8)
            street_no += 1
        elif kind == "开发区":
            a = start + np.pi / 4 + rng.normal(0, 0.2)
            r = rng.uniform(7.5, 9.0)
        else:
            a = start + np.pi / 4 + (town_no + 0.5) * 2 * np.pi / n_town + rng.normal(0, 0.12)
            r = COUNTY_RADIUS_KM * rng.uniform(0.55, 0.72)
            town_no += 1
        dx.append(r * np.cos(a))
        dy.append(r * np.sin(a))
    dx, dy = np.array(dx), np.array(dy)
    # 落在县界外的种子往里收
    for _ in range(20):
        lon, lat = geo.offset_lonlat(lon0, lat0, dx, dy)
        outside = ~geo.contains(outline, lon, lat)
        if not outside.any():
            break
        dx[outside] *= 0.9
        dy[outside] *= 0.9
    return np.column_stack(geo.offset_lonlat(lon0, lat0, dx, dy))


def _community_names(rng: np.random.Generator, n: int) -> list[str]:
    combos = [h + t for h in _NAME_HEAD for t in _NAME_TAIL]
    picked = rng.choice(len(combos), size=n, replace=False)
    return [combos[i] for i in picked]


def make_county_geography(rng: np.random.Generator, county_code: str) -> County:
    """县界、镇街划分（泰森多边形严丝合缝铺满县域）、社区村。"""
    outline = geo.irregular_outline(*COUNTY_CENTER, COUNTY_RADIUS_KM, rng)
    seats = _township_seed_points(rng, outline)
    polys = geo.voronoi_tiling(outline, seats[:, 0], seats[:, 1])
    codes = [county_code + t[2] for t in TOWNSHIPS]
    kinds = [t[1] for t in TOWNSHIPS]
    # 社区（居委会 001 起）与村（村委会 200 起）
    n_comm = []
    for kind in kinds:
        if kind == "街道":
            n_comm.append((int(rng.integers(12, 20)), 0))
        elif kind == "开发区":
            n_comm.append((int(rng.integers(3, 6)), int(rng.integers(4, 8))))
        else:
            n_comm.append((int(rng.integers(1, 4)), int(rng.integers(16, 28))))
    names = _community_names(rng, sum(a + b for a, b in n_comm))
    rows, k = [], 0
    for i, ((n_she, n_cun), poly) in enumerate(zip(n_comm, polys)):
        pop_lo, pop_hi = TOWNSHIPS[i][3], TOWNSHIPS[i][4]
        township_pop = int(rng.integers(pop_lo, pop_hi))
        shares = rng.dirichlet(np.full(n_she + n_cun, 4.0))
        she_lon, she_lat = geo.points_near(poly, *seats[i], 1.2 if kinds[i] == "街道" else 0.8, n_she, rng)
        cun_lon, cun_lat = geo.random_points_in(poly, n_cun, rng)
        for j in range(n_she + n_cun):
            is_she = j < n_she
            rows.append({
                "code": codes[i] + (f"{j + 1:03d}" if is_she else f"{200 + j - n_she:03d}"),
                "name": names[k] + ("社区" if is_she else "村"),
                "kind": "社区" if is_she else "村",
                "township_idx": i,
                "population": int(township_pop * shares[j]),
                "lon": float(she_lon[j] if is_she else cun_lon[j - n_she]),
                "lat": float(she_lat[j] if is_she else cun_lat[j - n_she]),
            })
            k += 1
    return County(county_code, outline, codes, [t[0] for t in TOWNSHIPS], kinds, polys, seats, pd.DataFrame(rows))


def region_frames(peers: pd.DataFrame, county: County) -> list[pd.DataFrame]:
    """region 表分层写入（父级先于子级）：省、县级、镇街、社区村。"""
    cols = ["code", "name", "level", "kind", "parent_code", "population", "lon", "lat", "sort_order"]
    comm = county.community
    town_pop = comm.groupby("township_idx")["population"].sum()
    our_pop = int(town_pop.sum())
    peers = peers.copy()
    peers.loc[peers["code"] == county.code, "population"] = our_pop
    peers["lon"] = np.nan
    peers["lat"] = np.nan
    rep = geo.representative_lonlat(county.outline)
    peers.loc[peers["code"] == county.code, ["lon", "lat"]] = rep
    province = pd.DataFrame([{"code": PROVINCE_CODE, "name": PROVINCE_NAME, "level": "省", "kind": "省",
                              "parent_code": None, "population": int(peers["population"].sum()),
                              "lon": np.nan, "lat": np.nan, "sort_order": 0}])
    towns = []
    for i, poly in enumerate(county.township_polys):
        lon, lat = geo.representative_lonlat(poly)
        towns.append({"code": county.township_codes[i], "name": county.township_names[i], "level": "镇街",
                      "kind": county.township_kinds[i], "parent_code": county.code,
                      "population": int(town_pop.get(i, 0)), "lon": lon, "lat": lat, "sort_order": i + 1})
    communities = pd.DataFrame({
        "code": comm["code"], "name": comm["name"], "level": "社区村", "kind": comm["kind"],
        "parent_code": [county.township_codes[i] for i in comm["township_idx"]],
        "population": comm["population"], "lon": comm["lon"], "lat": comm["lat"],
        "sort_order": np.arange(1, len(comm) + 1),
    })
    return [province[cols], peers[cols], pd.DataFrame(towns)[cols], communities[cols]]


def boundary_frame(county: County) -> pd.DataFrame:
    """县和各镇街的边界（版本 1）。"""
    codes = [county.code] + county.township_codes
    geoms = [county.outline] + list(county.township_polys)
    return pd.DataFrame({
        "region_code": codes,
        "version": 1,
        "valid_from": date(2018, 1, 1),
        "geom_wkb": [geo.to_wkb(g) for g in geoms],
        "area_km2": [round(geo.area_km2(g), 3) for g in geoms],
        "source": "示例数据（随机生成，非真实边界）",
    })


def make_units(rng: np.random.Generator, county: County) -> pd.DataFrame:
    """责任单位：条（D01…）与块（T01…，每个镇街一个），附带整改速度。"""
    rows = []
    for i, (name, unit_type) in enumerate(DEPARTMENTS):
        rows.append({"code": DEPT_CODE[name], "name": name, "kind": "条", "unit_type": unit_type,
                     "region_code": None, "sort_order": i + 1})
    for i, name in enumerate(county.township_names):
        rows.append({"code": f"T{i + 1:02d}", "name": name, "kind": "块", "unit_type": county.township_kinds[i],
                     "region_code": county.township_codes[i], "sort_order": len(DEPARTMENTS) + i + 1})
    units = pd.DataFrame(rows)
    speed = np.exp(rng.normal(0, 0.2, len(units)))
    for name, factor in UNIT_SPEED.items():
        speed[units.index[units["name"] == name][0]] = factor
    units["speed"] = speed
    return units


# ================================================================ 点位

_WINDOW_UNITS = ("澜溪县政务服务中心", "澜溪县不动产登记中心", "澜溪县医保服务大厅", "澜溪县公积金管理中心",
                 "澜溪农商银行营业部", "供电营业厅（澜城）", "电信营业厅（溪东）", "邮政营业厅（溪西）",
                 "澜溪县车管所", "澜溪县图书馆", "澜溪县文化馆", "澜溪县博物馆", "澜溪县税务服务厅")
_BIG_HOSPITALS = ("澜溪县人民医院", "澜溪县中医院", "澜溪县妇幼保健院", "澜溪县第二人民医院")
_BIG_SCHOOLS = ("澜溪县第一中学", "澜溪县第二中学", "澜溪县实验小学", "澜溪县实验中学", "澜溪县职业教育中心")
# 假定的 GCJ-02 相对 WGS-84 偏移（只用来记录“原始坐标”，不是坐标转换算法）
GCJ02_OFFSET = (0.00521, -0.00226)
GCJ02_SITE_SHARE = 0.15


def _short(township: str) -> str:
    for suffix in ("经济开发区", "街道", "镇"):
        if township.endswith(suffix):
            return township[: -len(suffix)]
    return township


def _site_name(site_type: str, k: int, township: str, community: str, rng: np.random.Generator) -> str:
    word = _ROAD_WORDS[int(rng.integers(len(_ROAD_WORDS)))]
    other = _ROAD_WORDS[int(rng.integers(len(_ROAD_WORDS)))]
    pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
    short = _short(township)
    if site_type == "农贸市场":
        return f"{short}{pick(('中心', '东关', '南门', '西街', '北郊', '新区', '老街', '城南'))}农贸市场"
    if site_type == "背街小巷":
        return f"{word}{pick(('路背街小巷', '街背街小巷', '巷', '里'))}"
    if site_type == "老旧小区":
        return f"{word}{pick(('小区', '新村', '花园小区', '家属院', '公寓'))}"
    if site_type == "公共厕所":
        return f"{word}路{pick('一二三四五')}号公厕"
    if site_type == "交通路口":
        return f"{word}路与{other}路交叉口"
    if site_type == "公交站":
        return f"{word}{pick(('路口', '中路', '小区', '广场', '北'))}公交站"
    if site_type == "汽车站":
        return ("澜溪汽车站", "澜溪汽车南站", "澜溪城乡公交枢纽")[k % 3]
    if site_type == "高铁站":
        return ("澜溪站（高铁）", "澜溪东站（高铁）")[k % 2]
    if site_type == "医院":
        return _BIG_HOSPITALS[k] if k < len(_BIG_HOSPITALS) else f"{short}{pick(('卫生院', '社区卫生服务中心'))}"
    if site_type == "学校周边":
        village = community[:-2] if community.endswith("社区") else community[:-1]
        school = _BIG_SCHOOLS[k] if k < len(_BIG_SCHOOLS) else pick((
            f"{short}中心小学", f"{short}初级中学", f"{short}中心幼儿园", f"{village}小学", f"{village}幼儿园"))
        return school + "周边"
    if site_type == "商场超市":
        return f"{word}{pick(('购物中心', '超市', '商贸城', '购物广场'))}"
    if site_type == "广场公园":
        return f"{word}{pick(('广场', '公园', '游园'))}"
    if site_type == "城乡结合部":
        return f"{community}城乡结合部"
    if site_type in ("综合文化服务中心", "新时代文明实践站"):
        return f"{community}{site_type}"
    if site_type == "窗口单位":
        return _WINDOW_UNITS[k % len(_WINDOW_UNITS)]
    raise ValueError(f"未知点位类型：{site_type}")


def make_sites(rng: np.random.Generator, county: County) -> pd.DataFrame:
    """点位：城区点位聚在街道，文化服务中心与实践站落在社区村；少数是长期热点。"""
    comm = county.community
    kinds = np.array(county.township_kinds)
    rows: list[dict] = []
    used: set[str] = set()
    for type_no, (site_type, count, freq, _, urban) in enumerate(SITE_TYPES):
        if urban == 0:
            # 一个社区村一处，位置在社区村委会旁
            pick = rng.choice(len(comm), size=count, replace=False)
            town_idx = comm["township_idx"].to_numpy()[pick]
        else:
            w = np.where(kinds == "街道", urban, np.where(kinds == "开发区", urban * 0.5, 1.0))
            town_idx = rng.choice(len(kinds), size=count, p=w / w.sum())
            pick = None
        for k in range(count):
            t = int(town_idx[k])
            poly = county.township_polys[t]
            if pick is not None:
                c = int(pick[k])
                lon, lat = geo.points_near(poly, comm.at[c, "lon"], comm.at[c, "lat"], 0.08, 1, rng)
            elif site_type == "城乡结合部":
                # 城乡结合部：镇街里一个尚未用过的村（或社区）旁边
                in_town = np.flatnonzero(comm["township_idx"].to_numpy() == t)
                fresh = [i for i in in_town if f"{comm.at[i, 'name']}城乡结合部" not in used] or list(in_town)
                c = int(fresh[int(rng.integers(len(fresh)))])
                lon, lat = geo.points_near(poly, comm.at[c, "lon"], comm.at[c, "lat"], 0.4, 1, rng)
            else:
                sd = 1.0 if kinds[t] == "街道" else 0.7
                lon, lat = geo.points_near(poly, *county.township_seats[t], sd, 1, rng)
                in_town = np.flatnonzero(comm["township_idx"].to_numpy() == t)
                d2 = (comm["lon"].to_numpy()[in_town] - lon[0]) ** 2 + (comm["lat"].to_numpy()[in_town] - lat[0]) ** 2
                c = int(in_town[np.argmin(d2)])
            community = comm.at[c, "name"]
            for attempt in range(60):
                name = _site_name(site_type, k, county.township_names[t], community, rng)
                if name not in used:
                    break
            else:
                name = f"{name}{k + 1}"
            used.add(name)
            rows.append({"site_type": site_type, "type_no": type_no, "name": name, "township_idx": t,
                         "community_idx": c, "lon": float(lon[0]), "lat": float(lat[0]), "freq": freq})
    sites = pd.DataFrame(rows)
    sites["code"] = [f"S{i + 1:04d}" for i in range(len(sites))]
    sites["township_code"] = [county.township_codes[t] for t in sites["township_idx"]]
    sites["community_code"] = comm["code"].to_numpy()[sites["community_idx"]]
    sites["address"] = [f"{OUR_COUNTY}{county.township_names[t]}{comm.at[c, 'name']}"
                        for t, c in zip(sites["township_idx"], sites["community_idx"])]
    gcj = rng.random(len(sites)) < GCJ02_SITE_SHARE
    sites["crs_source"] = np.where(gcj, "GCJ02", "WGS84")
    sites["lon_source"] = np.where(gcj, sites["lon"] + GCJ02_OFFSET[0], np.nan)
    sites["lat_source"] = np.where(gcj, sites["lat"] + GCJ02_OFFSET[1], np.nan)
    # 长期热点：城区的农贸市场、背街小巷、城乡结合部、老旧小区里挑几处，问题频度放大
    candidates = np.flatnonzero(sites["site_type"].isin(HOTSPOT_TYPES).to_numpy()
                                & (kinds[sites["township_idx"]] != "镇"))
    hot = rng.choice(candidates, size=min(HOTSPOT_COUNT, len(candidates)), replace=False)
    sites["is_hotspot"] = False
    sites.loc[hot, "is_hotspot"] = True
    sites["weight"] = sites["freq"] * np.exp(rng.normal(0, 0.35, len(sites))) * np.where(sites["is_hotspot"], HOTSPOT_FACTOR, 1.0)
    return sites


# ================================================================ 测评体系、负面清单

def _standards_per_content(contents: list) -> list[int]:
    """每条测评内容下几条测评标准：实地考察按问题小类数 2–3 条，其余 2 条，再微调到总数 188。"""
    counts = [min(3, max(2, len(c[1].split("|")))) if isinstance(c, tuple) else 2 for c in contents]
    plain = [i for i, c in enumerate(contents) if not isinstance(c, tuple)]
    total = sum(counts)
    for i in reversed(plain):
        if total <= FRAMEWORK_STANDARDS:
            break
        counts[i] -= 1
        total -= 1
    for i in plain:
        if total >= FRAMEWORK_STANDARDS:
            break
        counts[i] += 1
        total += 1
    return counts


def _site_owner(site_type: str) -> str:
    return next(t[3] for t in SITE_TYPES if t[0] == site_type)


def make_framework() -> pd.DataFrame:
    """测评体系树（三个版次同形），分值由固定随机数决定，与示例种子无关：板块 → 项目 → 内容 → 标准。"""
    rng = np.random.default_rng(20210101)
    contents_flat = [c for _, items in FRAMEWORK for _, _, _, cs in items for c in cs]
    n_std = iter(_standards_per_content(contents_flat))
    rows = []
    order = 0

    def add(code, parent, level, name, cents, method=None, site_types=None, category=None, lead=None):
        nonlocal order
        order += 1
        rows.append({"code": code, "parent_code": parent, "level": level, "name": name, "cents": int(cents),
                     "method": method, "site_types": site_types, "category": category,
                     "lead_unit_code": DEPT_CODE[lead] if lead else None, "sort_order": order})

    for b, (board, items) in enumerate(FRAMEWORK, start=1):
        add(f"{b}", None, "板块", board, sum(p for _, p, _, _ in items) * 100)
        for i, (item, points, item_lead, contents) in enumerate(items, start=1):
            item_code = f"{b}.{i}"
            add(item_code, f"{b}", "测评项目", item, points * 100, lead=item_lead)
            w = np.array([1.3 if isinstance(c, tuple) else 1.0 for c in contents]) * rng.uniform(0.7, 1.3, len(contents))
            content_cents = _split_cents(points * 100, w, unit=10)
            for j, (content, cc) in enumerate(zip(contents, content_cents), start=1):
                content_code = f"{item_code}.{j}"
                k = next(n_std)
                std_cents = _split_cents(int(cc), rng.uniform(0.6, 1.4, k), unit=5)
                if isinstance(content, tuple):
                    name, cats, sites = content[0], content[1].split("|"), content[2].split("|")
                    add(content_code, item_code, "测评内容", name, cc, lead=CONTENT_LEAD.get(name, item_lead))
                    for s in range(k):
                        cat = cats[s % len(cats)]
                        st = sites if (len(cats) >= k or len(sites) < k) else sites[s::k]
                        lead = LEAF_LEAD[cat]
                        lead = _site_owner(st[0]) if lead == "点位主管" else lead
                        lead = CONTENT_LEAD.get(name, lead)
                        label = "、".join(st[:3]) + ("等" if len(st) > 3 else "") + "点位" + LEAF_REQUIREMENT[cat]
                        add(f"{content_code}.{s + 1}", content_code, "测评标准", label, std_cents[s],
                            "实地考察", list(st), cat, lead)
                else:
                    survey = content.endswith("？")
                    name = content.rstrip("？")
                    lead = CONTENT_LEAD.get(name, item_lead)
                    add(content_code, item_code, "测评内容", name, cc, lead=lead)
                    templates = (f"{name}有部署、有方案、有台账", f"{name}常态化开展，有活动记录和影像资料",
                                 f"{name}成效明显，有典型案例和群众评价")
                    for s in range(k):
                        if survey and s == 0:
                            label, method = f"市民对{name}的知晓率、满意度", "问卷调查"
                        else:
                            label, method = templates[s % 3], "网上申报"
                        add(f"{content_code}.{s + 1}", content_code, "测评标准", label, std_cents[s], method, None, None, lead)
    shape = pd.DataFrame(rows)
    shape["points"] = shape["cents"] / 100
    frames = []
    for edition, _ in EDITIONS:
        f = shape.copy()
        f.insert(0, "edition", edition)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def framework_edition_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "edition": [e for e, _ in EDITIONS],
        "name": [f"全国文明城市测评体系（{e[:4]}年版）" for e, _ in EDITIONS],
        "scope": "全国",
        "effective_from": [d for _, d in EDITIONS],
        "total_points": 100.0,
    })


def negative_item_frame() -> pd.DataFrame:
    """负面清单只挂在现行版次上。"""
    return pd.DataFrame({
        "edition": CURRENT_EDITION,
        "code": [f"F{i + 1:02d}" for i in range(len(NEGATIVE_ITEMS))],
        "name": [n for n, _ in NEGATIVE_ITEMS],
        "is_veto": [v for _, v in NEGATIVE_ITEMS],
        "description": ["一票否决：发生即取消当届评选资格" if v else "视情节扣减总分并通报" for _, v in NEGATIVE_ITEMS],
    })


def edition_for(day: date) -> str:
    current = EDITIONS[0][0]
    for edition, start in EDITIONS:
        if day >= start:
            current = edition
    return current


# ================================================================ 测评轮次

def _cycle(year: int) -> str:
    start = 2018 + 3 * ((year - 2018) // 3)
    return f"{start}-{start + 2}"


def problem_window_start(until: datetime) -> datetime:
    """问题数据覆盖截至日前三年（从三年前同日的次日零点起）。"""
    try:
        back = until.replace(year=until.year - PROBLEM_YEARS, hour=0, minute=0, second=0, microsecond=0)
    except ValueError:  # 2 月 29 日
        back = until.replace(year=until.year - PROBLEM_YEARS, day=28, hour=0, minute=0, second=0, microsecond=0)
    return back + timedelta(days=1)


def make_rounds(rng: np.random.Generator, until: datetime) -> pd.DataFrame:
    """轮次：省级年度测评与年中暗访（排名），窗口期内的模拟测评（季）、自查（月）、督查（月）。"""
    cutoff_day = until.date()
    window_day = problem_window_start(until).date()
    rows = []

    def add(code, name, round_type, level, start, end, is_ranked):
        end = min(end, cutoff_day)
        if start > cutoff_day or end < start:
            return
        rows.append({"code": code, "name": name, "round_type": round_type, "level": level, "start_date": start,
                     "end_date": end, "cycle": _cycle(start.year), "year": start.year,
                     "edition": edition_for(start), "is_ranked": is_ranked})

    annual, midyear = [], []
    for year in range(until.year - ANNUAL_ROUNDS - 1, until.year + 1):
        s = date(year, 10, 10) + timedelta(days=int(rng.integers(0, 9)))
        if s + timedelta(days=4) < cutoff_day:
            annual.append((year, s))
        s = date(year, 6, 8) + timedelta(days=int(rng.integers(0, 13)))
        if s + timedelta(days=3) < cutoff_day:
            midyear.append((year, s))
    annual = annual[-ANNUAL_ROUNDS:]
    first_year = annual[0][0]
    for year, s in midyear:
        if year >= first_year:
            add(f"R{year}-ZA", f"{year}年年中暗访（省文明办）", "年中暗访", "省", s, s + timedelta(days=3), True)
    for year, s in annual:
        add(f"R{year}-ND", f"{year}年度省级文明城市测评", "年度测评", "省", s, s + timedelta(days=4), True)

    y, m = window_day.year, window_day.month
    while (y, m) <= (cutoff_day.year, cutoff_day.month):
        month_start = date(y, m, 1)
        month_end = (date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1))
        add(f"R{y}-{m:02d}-ZC", f"{y}年{m}月县级自查", "自查", "县", month_start, month_end, False)
        s = date(y, m, 6) + timedelta(days=int(rng.integers(0, 9)))
        if s >= window_day:
            add(f"R{y}-{m:02d}-DC", f"{y}年{m}月市级督查", "督查", "市", s, s + timedelta(days=4), False)
        if m in (3, 5, 9, 12):
            s = date(y, m, 14) + timedelta(days=int(rng.integers(0, 8)))
            if s >= window_day:
                add(f"R{y}-{m:02d}-MN", f"{y}年{m}月第三方模拟测评", "模拟测评", "县", s, s + timedelta(days=2), False)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return pd.DataFrame(rows).sort_values(["start_date", "code"], ignore_index=True)


# ================================================================ 成绩、分项、扣分

@dataclass
class Scores:
    score: pd.DataFrame
    score_part: pd.DataFrame
    our_item_loss: dict[str, np.ndarray]      # 轮次 → 本县 12 个测评项目各丢多少分（0.01 分）


def _story_ranks(rng: np.random.Generator, n_rounds: int, group_sizes: list[int]) -> np.ndarray:
    """本县与三个对手每轮的名次：本县从后三分之一爬到 11–13 名，对手各有各的走势。"""
    ranks = np.zeros((n_rounds, 1 + len(RIVALS)), dtype=int)
    # 对手相对本县的名次差：(开始, 结束)
    offsets = ((-6, -3), (-10, 2), (4, -1))
    for r in range(n_rounds):
        p = r / max(1, n_rounds - 1)
        smooth = p * p * (3 - 2 * p)
        n_r = group_sizes[r]
        if r == n_rounds - 1:
            ours = int(rng.integers(11, 14))
        else:
            ours = int(round(36 - 24 * smooth + rng.normal(0, 1.0)))
            if r < 2:
                ours = max(ours, 33)
        ours = int(np.clip(ours, 2, n_r - 1))
        taken = {ours}
        row = [ours]
        for start, end in offsets:
            off = end if r == n_rounds - 1 else int(round(start + (end - start) * p + rng.normal(0, 0.8)))
            off = off if off != 0 else (1 if end > 0 else -1)
            rank = int(np.clip(ours + off, 1, n_r))
            step = 1 if off > 0 else -1
            while rank in taken:
                rank += step
                if rank < 1 or rank > n_r:
                    step, rank = -step, int(np.clip(rank, 1, n_r))
            taken.add(rank)
            row.append(rank)
        ranks[r] = row
    return ranks


def _round_totals(rng: np.random.Generator, n: int, mean: float) -> np.ndarray:
    """一轮成绩（降序、两位小数、互不相同）。"""
    s = np.clip(rng.normal(mean, 4.0, n), 66.0, 97.5)
    s = np.sort(np.round(s, 2))[::-1].copy()
    for i in range(1, n):
        if s[i] > s[i - 1] - 0.01:
            s[i] = round(s[i - 1] - 0.01, 2)
    return s


def make_scores(rng: np.random.Generator, rounds: pd.DataFrame, peers: pd.DataFrame, our_code: str,
                framework: pd.DataFrame) -> Scores:
    """排名组每轮成绩：本县与对手按故事定名次，其余单位按各自的潜在水平排；分项由总分拆出，逐级相加严格相等。"""
    ranked = rounds[rounds["is_ranked"]].sort_values("start_date", ignore_index=True)
    codes = peers["code"].tolist()
    names = peers["name"].tolist()
    story = [codes.index(our_code)] + [names.index(n) for n in RIVALS]
    newbie = names.index(NEW_DISTRICT)
    n_rounds = len(ranked)
    base = rng.normal(0, 1, len(codes))
    slope = rng.normal(0, 0.25, len(codes))
    group_sizes = [len(codes) - (1 if r == 0 else 0) for r in range(n_rounds)]
    story_ranks = _story_ranks(rng, n_rounds, group_sizes)
    tie_round = n_rounds // 2

    items_by_edition = {}
    for edition, f in framework.groupby("edition"):
        items = f[f["level"] == "测评项目"].sort_values("sort_order")
        items_by_edition[edition] = (items["code"].to_numpy(), items["parent_code"].to_numpy(),
                                     items["cents"].to_numpy())
    boards = ("1", "2", "3")

    score_rows, part_rows = [], []
    our_item_loss: dict[str, np.ndarray] = {}
    for r, rd in ranked.iterrows():
        present = [i for i in range(len(codes)) if not (r == 0 and i == newbie)]
        n_r = len(present)
        mean = 79.5 + 6.5 * r / max(1, n_rounds - 1) - (1.2 if rd["round_type"] == "年中暗访" else 0.0)
        totals = _round_totals(rng, n_r, mean)
        positions = {story[k]: int(story_ranks[r, k]) - 1 for k in range(len(story))}
        if r == tie_round:
            i = 3
            while i in positions.values() or i + 1 in positions.values():
                i += 1
            totals[i + 1] = totals[i]            # 一处并列：名次同为 i+1
        latent = base + slope * (rd["year"] - ranked["year"].iloc[0]) + rng.normal(0, 0.35, len(codes))
        others = sorted((i for i in present if i not in positions), key=lambda i: -latent[i])
        free = [p for p in range(n_r) if p not in positions.values()]
        positions.update(dict(zip(others, free)))
        item_codes, item_boards, item_cents = items_by_edition[rd["edition"]]
        for i in range(len(codes)):
            if i not in positions:
                score_rows.append({"round_code": rd["code"], "region_code": codes[i], "total": None,
                                   "note": "缺测：新设区未参评"})
                continue
            total_cents = int(round(totals[positions[i]] * 100))
            w = item_cents * rng.gamma(4.0, 1.0, len(item_cents))
            if i == story[0]:
                # 本县丢分主要在城市环境与公共秩序（实地考察）板块
                w = w * np.where(item_boards == "3", 1.6, 1.0)
            loss = _split_cents(10000 - total_cents, w, caps=(item_cents * 0.85).astype(np.int64))
            got = item_cents - loss
            score_rows.append({"round_code": rd["code"], "region_code": codes[i], "total": total_cents / 100,
                               "note": None})
            for b in boards:
                part_rows.append({"round_code": rd["code"], "region_code": codes[i], "edition": rd["edition"],
                                  "node_code": b, "score": int(got[item_boards == b].sum()) / 100})
            for c, g in zip(item_codes, got):
                part_rows.append({"round_code": rd["code"], "region_code": codes[i], "edition": rd["edition"],
                                  "node_code": c, "score": int(g) / 100})
            if i == story[0]:
                our_item_loss[rd["code"]] = loss
    return Scores(pd.DataFrame(score_rows), pd.DataFrame(part_rows), our_item_loss)


_ONLINE_FAULTS = ("佐证材料不完整", "未按时上传材料", "工作台账不规范", "数据前后不一致", "缺少影像资料")


def make_deductions(rng: np.random.Generator, rounds: pd.DataFrame, framework: pd.DataFrame,
                    scores: Scores, sites: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """本县每个排名轮次的扣分明细：每个测评项目丢的分摊到其下的测评标准，谁丢分谁负责。"""
    ranked = rounds[rounds["is_ranked"]].sort_values("start_date", ignore_index=True)
    # 三个版次同形：按现行版次取一次标准清单，代码通用
    shape = framework[framework["edition"] == CURRENT_EDITION]
    name_of = dict(zip(shape["code"], shape["name"]))
    std = shape[shape["level"] == "测评标准"]
    s_code = std["code"].to_numpy()
    s_parent = std["parent_code"].to_numpy()
    s_cents = std["cents"].to_numpy()
    s_method = std["method"].to_numpy()
    s_cat = std["category"].to_numpy()
    s_lead = std["lead_unit_code"].to_numpy()
    s_item = np.array([c.rsplit(".", 2)[0] for c in s_code])
    s_fit = [np.flatnonzero(np.isin(sites["site_type"].to_numpy(), t)) if t is not None else None
             for t in std["site_types"]]
    item_codes = shape.loc[shape["level"] == "测评项目"].sort_values("sort_order")["code"].tolist()
    by_item = {c: np.flatnonzero(s_item == c) for c in item_codes}
    site_names = sites["name"].tolist()
    site_codes = sites["code"].tolist()
    block_of_site = [f"T{int(t) + 1:02d}" for t in sites["township_idx"]]
    ded_rows, unit_rows = [], []
    for rd in ranked.itertuples():
        loss = scores.our_item_loss[rd.code]
        for item_code, item_loss in zip(item_codes, loss):
            if item_loss <= 0:
                continue
            cand = by_item[item_code]
            field_w = np.where(s_method[cand] == "实地考察", 2.5, 1.0)
            order = cand[np.argsort(-rng.random(len(cand)) ** (1 / field_w), kind="stable")]
            take = int(np.searchsorted(np.cumsum(s_cents[order]), 1.6 * item_loss) + 1)
            chosen = order[:take]
            alloc = _split_cents(int(item_loss), rng.uniform(0.3, 1.0, len(chosen)), caps=s_cents[chosen])
            for s, cents in zip(chosen.tolist(), alloc.tolist()):
                if cents <= 0:
                    continue
                site_code = None
                block = None
                if s_method[s] == "实地考察":
                    fit = s_fit[s]
                    k = int(fit[rng.integers(len(fit))])
                    site_code, block = site_codes[k], block_of_site[k]
                    details = LEAF_DETAILS[s_cat[s]]
                    reason = f"实地考察{site_names[k]}：{s_cat[s]}（{details[int(rng.integers(len(details)))]}）"
                elif s_method[s] == "网上申报":
                    fault = _ONLINE_FAULTS[int(rng.integers(len(_ONLINE_FAULTS)))]
                    reason = f"网上申报：{name_of[s_parent[s]]}{fault}"
                else:
                    reason = f"问卷调查：市民对{name_of[s_parent[s]]}的满意度 {rng.uniform(68, 86):.1f}%，低于全省平均"
                ded_id = len(ded_rows) + 1
                ded_rows.append({"id": ded_id, "round_code": rd.code, "edition": rd.edition,
                                 "standard_code": s_code[s], "points": cents / 100, "reason": reason,
                                 "site_code": site_code})
                if block:
                    lead_share = float(rng.choice([0.5, 0.6, 0.7]))
                    unit_rows.append({"deduction_id": ded_id, "unit_code": s_lead[s], "share": lead_share})
                    unit_rows.append({"deduction_id": ded_id, "unit_code": block, "share": round(1 - lead_share, 2)})
                else:
                    unit_rows.append({"deduction_id": ded_id, "unit_code": s_lead[s], "share": 1.0})
    return pd.DataFrame(ded_rows), pd.DataFrame(unit_rows)


# ================================================================ 问题与整改（向量化）

# 来源 → 发现时间分布：日历型（每天都可能发现）或轮次型（只在某类轮次的日期内发现）
_SOURCE_ROUND_TYPES = {"市督查": ("督查",), "模拟测评": ("模拟测评",), "省暗访": ("年中暗访", "年度测评"),
                       "县自查": ("自查",)}
_NO_SITE_SHARE = {"县自查": 0.04, "市督查": 0.04, "12345热线": 0.15, "省暗访": 0.03, "模拟测评": 0.03, "媒体曝光": 0.10}
_ACTIONS = ("交办", "整改中", "申请销号", "退回", "已销号", "反弹重开")
_SLOW_CATEGORIES = ("路面坑洼积水", "无障碍设施缺失", "停车位施划不规范", "公共设施破损")
_EVENT_NOTES = ("限期3天整改", "限期7天整改", "限期15天整改", "未设整改期限", "已安排人员整改",
                "已整改完成，申请销号（附整改前后照片）", "复核未通过：整改不到位，退回重改",
                "复核通过，予以销号", "复查发现问题反弹，重新交办", "重新整改完成，再次申请销号")


@dataclass
class Calendar:
    """问题窗口期的逐日强度：测评前六周集中整治、测评后松懈、春节前后回落、工作日多周末少。"""

    day0: int                 # 窗口首日零点（秒）
    cutoff: int               # 数据截至（秒）
    season: np.ndarray        # 每天的季节强度
    weekday: np.ndarray       # 0=周一


def make_calendar(until: datetime, rounds: pd.DataFrame) -> Calendar:
    start = problem_window_start(until).date()
    days = np.arange(np.datetime64(start), np.datetime64(until.date()) + 1)
    n = len(days)
    day_no = days.astype(np.int64)
    season = np.ones(n)
    for _, rd in rounds[rounds["is_ranked"]].iterrows():
        s = np.datetime64(rd["start_date"]).astype("M8[D]").astype(np.int64)
        e = np.datetime64(rd["end_date"]).astype("M8[D]").astype(np.int64)
        lead = s - day_no
        amp = 1.1 if rd["round_type"] == "年度测评" else 0.6
        ramp = (lead > 0) & (lead <= 42)
        season[ramp] += amp * (1 - 0.5 * lead[ramp] / 42)
        after = day_no - e
        season[(after > 0) & (after <= 14)] -= 0.25
    month = days.astype("M8[M]").astype(np.int64) % 12 + 1
    dom = (days - days.astype("M8[M]")).astype(np.int64) + 1
    festival = ((month == 1) & (dom >= 20)) | ((month == 2) & (dom <= 20))
    season[festival] *= 0.65
    season *= 1 + 0.08 * np.arange(n) / 365
    return Calendar(_seconds(start), _seconds(until), season, (day_no + 3) % 7)


def _found_times(rng: np.random.Generator, cal: Calendar, rounds: pd.DataFrame, source: str,
                 k: int) -> tuple[np.ndarray, np.ndarray]:
    """某来源 k 个问题的发现时间（秒）与对应轮次下标（-1 = 无轮次）。"""
    n_days = len(cal.season)
    round_idx = np.full(k, -1, dtype=np.int64)
    types = _SOURCE_ROUND_TYPES.get(source)
    start_day = (_day_seconds(rounds["start_date"]) - cal.day0) // 86400
    end_day = (_day_seconds(rounds["end_date"]) - cal.day0) // 86400
    window = np.flatnonzero(rounds["round_type"].isin(types or ()).to_numpy() & (start_day >= 0))
    if types and source != "县自查" and len(window):
        # 轮次型：先按轮次的规模抽轮次，再在轮次日期内均匀抽一天
        starts = start_day[window]
        ends = np.minimum(end_day[window], n_days - 1)
        w = np.array([cal.season[s:e + 1].sum() for s, e in zip(starts, ends)])
        w *= np.where(rounds["round_type"].to_numpy()[window] == "年度测评", 1.3, 1.0)
        pick = rng.choice(len(window), size=k, p=w / w.sum())
        span = ends[pick] - starts[pick] + 1
        day = starts[pick] + np.floor(rng.random(k) * span).astype(np.int64)
        for _ in range(3):
            # 督查、测评组周末也会出动，但少得多
            redo = np.flatnonzero((cal.weekday[day] >= 5) & (rng.random(k)[: len(day)] > 0.3))
            day[redo] = starts[pick[redo]] + np.floor(rng.random(len(redo)) * span[redo]).astype(np.int64)
        round_idx = rounds.index.to_numpy()[window][pick]
        tod = 8.5 * 3600 + rng.random(k) * 9 * 3600
    else:
        if source == "12345热线":
            p = (1 + 0.3 * (cal.season - 1)) * np.array([1, 1, 1, 1, 1, 1.1, 1.05])[cal.weekday]
            tod = 7 * 3600 + rng.random(k) * 15 * 3600
        elif source == "媒体曝光":
            p = 1 + 0.5 * (cal.season - 1)
            tod = 8 * 3600 + rng.random(k) * 13 * 3600
        else:
            p = cal.season * np.array([1, 1, 1, 1, 1, 0.45, 0.3])[cal.weekday]
            tod = 8.5 * 3600 + rng.random(k) * 9 * 3600
        day = rng.choice(n_days, size=k, p=p / p.sum())
    found = cal.day0 + day * 86400 + tod.astype(np.int64)
    late = found > cal.cutoff
    found[late] = cal.cutoff - rng.integers(600, 6 * 3600, late.sum())
    found = np.maximum(found, cal.day0)
    if source == "县自查":
        # 自查问题归到当月自查轮次
        months = found.astype("M8[s]").astype("M8[M]").astype(str)
        code_of = {c[1:8]: i for i, c in zip(rounds.index, rounds["code"]) if c.endswith("-ZC")}
        keys, inv = np.unique(months, return_inverse=True)
        mapped = np.array([code_of.get(m, -1) for m in keys], dtype=np.int64)
        round_idx = mapped[inv]
    return found, round_idx


def _township_index_arrays(county: County):
    comm = county.community
    return comm["township_idx"].to_numpy(), comm["lon"].to_numpy(), comm["lat"].to_numpy()


def _keep_inside(county: County, town: np.ndarray, lon: np.ndarray, lat: np.ndarray,
                 fallback_lon: np.ndarray, fallback_lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """抖动后的坐标若越出所属镇街，退回到原点（点位或社区位置）。"""
    ok = np.ones(len(lon), dtype=bool)
    for t, poly in enumerate(county.township_polys):
        sel = np.flatnonzero(town == t)
        if len(sel):
            ok[sel] = geo.contains(poly, lon[sel], lat[sel])
    return np.where(ok, lon, fallback_lon), np.where(ok, lat, fallback_lat)


@dataclass
class Problems:
    table: pa.Table
    coop: pa.Table
    events: pa.Table


def make_problems(rng: np.random.Generator, n: int, until: datetime, county: County, rounds: pd.DataFrame,
                  framework: pd.DataFrame) -> Problems:
    """问题台账、配合单位与整改事件日志，全部按数组一次生成。"""
    sites, units = county.sites, county.units
    cal = make_calendar(until, rounds)

    # ---- 来源与发现时间
    counts = rng.multinomial(n, SOURCE_SHARES)
    found_parts, round_parts, source_parts = [], [], []
    for s, (source, k) in enumerate(zip(SOURCES, counts)):
        f, r = _found_times(rng, cal, rounds, source, int(k))
        found_parts.append(f)
        round_parts.append(r)
        source_parts.append(np.full(int(k), s, dtype=np.int64))
    found = np.concatenate(found_parts)
    round_idx = np.concatenate(round_parts)
    source = np.concatenate(source_parts)

    # ---- 点位（热点点位权重放大）或无点位（沿街、道路）
    no_site_p = np.array([_NO_SITE_SHARE[s] for s in SOURCES])[source]
    has_site = rng.random(n) >= no_site_p
    site_w = sites["weight"].to_numpy()
    site_idx = np.where(has_site, rng.choice(len(sites), size=n, p=site_w / site_w.sum()), -1)
    s_ok = np.where(has_site, site_idx, 0)
    comm_town, comm_lon, comm_lat = _township_index_arrays(county)
    comm_pop = county.community["population"].to_numpy().astype(float)
    comm_w = comm_pop * np.where(np.array(county.township_kinds)[comm_town] == "街道", 2.0, 1.0)
    free_comm = rng.choice(len(comm_town), size=n, p=comm_w / comm_w.sum())
    community = np.where(has_site, sites["community_idx"].to_numpy()[s_ok], free_comm)
    town = comm_town[community]
    site_town = sites["township_idx"].to_numpy()[s_ok]
    town = np.where(has_site, site_town, town)

    # ---- 坐标：点位坐标加几十米抖动，且不出镇街；约 1% 坐标缺失
    base_lon = np.where(has_site, sites["lon"].to_numpy()[s_ok], comm_lon[community])
    base_lat = np.where(has_site, sites["lat"].to_numpy()[s_ok], comm_lat[community])
    sd_km = np.where(has_site, 0.025, 0.4)
    jl, jt = geo.offset_lonlat(0.0, COUNTY_CENTER[1], rng.normal(0, 1, n) * sd_km, rng.normal(0, 1, n) * sd_km)
    lon, lat = _keep_inside(county, town, base_lon + jl, base_lat + jt, base_lon, base_lat)
    missing = rng.random(n) < 0.01
    lon = np.where(missing, np.nan, lon)
    lat = np.where(missing, np.nan, lat)
    site_gcj = np.where(has_site, sites["crs_source"].to_numpy()[s_ok] == "GCJ02", False)
    gcj = (site_gcj | ((SOURCES.index("12345热线") == source) & (rng.random(n) < 0.5))) & ~missing
    crs = np.where(missing, -1, np.where(gcj, 1, 0))           # 0 WGS84, 1 GCJ02
    lon_src = np.where(gcj, lon + GCJ02_OFFSET[0], np.nan)
    lat_src = np.where(gcj, lat + GCJ02_OFFSET[1], np.nan)

    # ---- 问题类别：由点位类型决定
    type_names = list(SITE_TYPE_NAMES) + [""]
    weights = np.array([[SITE_CATEGORY_WEIGHTS[t].get(c, 0.0) for c in LEAVES] for t in type_names])
    type_row = np.where(has_site, sites["type_no"].to_numpy()[s_ok], len(SITE_TYPE_NAMES))
    cat = _pick_by_weights(rng, np.cumsum(weights, axis=1), type_row)

    # ---- 测评标准：同类别、且点位类型在标准的点位范围内的实地考察标准（三个版次同形，代码通用）
    std = framework[(framework["edition"] == CURRENT_EDITION) & (framework["method"] == "实地考察")]
    std_codes = std["code"].to_numpy()
    std_cat = std["category"].to_numpy()
    std_sites = std["site_types"].tolist()
    combo = cat * len(type_names) + type_row
    std_idx = np.empty(n, dtype=np.int64)
    uniq, inv = np.unique(combo, return_inverse=True)
    for u_i, u in enumerate(uniq):
        c, t = divmod(int(u), len(type_names))
        same_cat = np.flatnonzero(std_cat == LEAVES[c])
        fit = [i for i in same_cat if type_names[t] in std_sites[i]] or list(same_cat)
        sel = np.flatnonzero(inv == u_i)
        std_idx[sel] = np.asarray(fit)[rng.integers(len(fit), size=len(sel))]
    edition_starts = np.array([_seconds(d) for _, d in EDITIONS])
    edition_idx = np.searchsorted(edition_starts, found, side="right") - 1

    # ---- 牵头单位：按类别找条；背街小巷/老旧小区/城乡结合部的环境卫生与市容秩序以块为主
    n_dept = len(DEPARTMENTS)
    parent = np.array([LEAF_PARENT[c] for c in LEAVES])[cat]
    leaf_lead = np.array([DEPT_CODE.get(LEAF_LEAD[c], "") for c in LEAVES])
    dept_index = {code: i for i, code in enumerate(units["code"])}
    lead_of_leaf = np.array([dept_index.get(c, -1) for c in leaf_lead])[cat]
    owner_of_type = np.array([dept_index[DEPT_CODE[t[3]]] for t in SITE_TYPES] + [dept_index[CHECKER]])[type_row]
    lead = np.where(lead_of_leaf < 0, owner_of_type, lead_of_leaf)
    site_type_name = np.array(type_names)[type_row]
    env = np.isin(parent, ("环境卫生", "市容秩序"))
    inside = (parent == "环境卫生") & np.isin(site_type_name, INSIDE_OWNER_SITES)
    lead = np.where(inside, owner_of_type, lead)
    block_first = env & (np.isin(site_type_name, BLOCK_FIRST_SITES) | (~has_site & (rng.random(n) < 0.5)))
    block_unit = n_dept + town
    lead = np.where(block_first, block_unit, lead)

    # ---- 严重程度与整改期限
    severity = rng.choice(3, size=n, p=SEVERITY_SHARES)
    deadline = found + np.array(DEADLINE_DAYS)[severity] * 86400
    no_deadline = rng.random(n) < 0.005
    deadline_days_note = np.where(no_deadline, 3, severity)

    # ---- 按发现时间排序，编号 WT年份-序号
    order = np.lexsort((np.arange(n), found))
    (found, round_idx, source, site_idx, has_site, community, town, lon, lat, crs, lon_src, lat_src, cat,
     std_idx, edition_idx, lead, severity, deadline, no_deadline, deadline_days_note, type_row, block_unit) = (
        a[order] for a in (found, round_idx, source, site_idx, has_site, community, town, lon, lat, crs, lon_src,
                           lat_src, cat, std_idx, edition_idx, lead, severity, deadline, no_deadline,
                           deadline_days_note, type_row, block_unit))
    year = found.astype("M8[s]").astype("M8[Y]").astype(np.int64) + 1970
    first_of_year = np.r_[True, year[1:] != year[:-1]]
    start_pos = np.maximum.accumulate(np.where(first_of_year, np.arange(n), 0))
    seq = np.arange(n) - start_pos + 1
    codes = [f"WT{y}-{s:06d}" for y, s in zip(year.tolist(), seq.tolist())]

    # ---- 触及负面清单的少数问题（现行版次），其中最近的一件截至时仍未整改完
    neg_code = np.full(n, -1, dtype=np.int64)
    neg_names = [f"F{i + 1:02d}" for i in range(len(NEGATIVE_ITEMS))]
    leaf_neg = np.array([neg_names.index(NEGATIVE_BY_CATEGORY[c]) if c in NEGATIVE_BY_CATEGORY else -1 for c in LEAVES])
    cand = np.flatnonzero((leaf_neg[cat] >= 0) & (found >= _seconds(date(2024, 1, 1))))
    force_open = np.zeros(n, dtype=bool)
    if len(cand):
        recent = cand[found[cand] >= cal.cutoff - 20 * 86400]
        older = np.setdiff1d(cand, recent)
        chosen = list(rng.choice(older, size=min(7, len(older)), replace=False)) if len(older) else []
        last = recent[rng.integers(len(recent))] if len(recent) else cand[-1]
        chosen.append(last)
        chosen = np.array(sorted(set(int(c) for c in chosen)))
        neg_code[chosen] = leaf_neg[cat[chosen]]
        severity[chosen] = 2
        deadline[chosen] = found[chosen] + DEADLINE_DAYS[2] * 86400
        no_deadline[chosen] = False
        deadline_days_note[chosen] = 2
        force_open[last] = True

    # ---- 描述：地点 + 类别 + 细节（组合有限，按字典列存）
    n_detail = np.array([len(LEAF_DETAILS[c]) for c in LEAVES])
    detail = np.floor(rng.random(n) * n_detail[cat]).astype(np.int64)
    place_names = sites["name"].tolist() + [f"{county.township_names[t]}{nm}附近"
                                            for t, nm in zip(comm_town, county.community["name"])]
    place = np.where(has_site, site_idx, len(sites) + community)
    desc_key = (place * len(LEAVES) + cat) * 4 + detail
    desc_uniq, desc_inv = np.unique(desc_key, return_inverse=True)
    desc_text = []
    for key in desc_uniq.tolist():
        rest, d = divmod(key, 4)
        p, c = divmod(rest, len(LEAVES))
        desc_text.append(f"{place_names[p]}：{LEAVES[c]}，{LEAF_DETAILS[LEAVES[c]][d]}")

    # ---- 配合单位（0–2 个）：条牵头时所在镇街的块配合，块牵头时类别的条配合，另可加一个相关条
    n_coop = rng.choice(3, size=n, p=(0.45, 0.38, 0.17))
    cat_dept = np.array([dept_index.get(c, dept_index[CHECKER]) for c in leaf_lead])[cat]
    first = np.where(lead >= n_dept, cat_dept, block_unit)
    pools = [np.array([dept_index[DEPT_CODE[u]] for u in COOP_POOL[LEAF_PARENT[c]]]) for c in LEAVES]
    pool_len = np.array([len(p) for p in pools])
    pool_flat = np.concatenate(pools)
    pool_off = np.r_[0, np.cumsum(pool_len)[:-1]]
    second = pool_flat[pool_off[cat] + np.floor(rng.random(n) * pool_len[cat]).astype(np.int64)]
    c1 = np.flatnonzero((n_coop >= 1) & (first != lead))
    c2 = np.flatnonzero((n_coop == 2) & (second != lead) & (second != first))
    coop_p = np.concatenate([c1, c2])
    coop_u = np.concatenate([first[c1], second[c2]])
    co = np.lexsort((coop_u, coop_p))
    coop = pa.table({"problem_code": pa.array(codes).take(pa.array(coop_p[co])),
                     "unit_code": _dict_array(coop_u[co], units["code"])})

    events = make_rectify_events(rng, cal, found, deadline, no_deadline, deadline_days_note, severity, lead,
                                 units["speed"].to_numpy(), cat, site_idx, sites, force_open, dept_index[CHECKER],
                                 units["code"].tolist())
    ev_codes = pa.array(codes).take(pa.array(events.pop("problem")))
    event_table = pa.table({"id": pa.array(np.arange(1, len(ev_codes) + 1, dtype=np.int64)),
                            "problem_code": ev_codes, **events})

    std_dict = list(std_codes)
    table = pa.table({
        "code": pa.array(codes),
        "found_at": pa.array(found.astype("M8[s]")),
        "source": _dict_array(source, SOURCES),
        "round_code": _dict_array(round_idx, rounds["code"]),
        "edition": _dict_array(edition_idx, [e for e, _ in EDITIONS]),
        "standard_code": _dict_array(std_idx, std_dict),
        "category": _dict_array(cat, LEAVES),
        "site_code": _dict_array(site_idx, sites["code"]),
        "township_code": _dict_array(town, county.township_codes),
        "community_code": _dict_array(community, county.community["code"]),
        "lon": pa.array(lon, from_pandas=True),
        "lat": pa.array(lat, from_pandas=True),
        "crs_source": _dict_array(crs, ("WGS84", "GCJ02")),
        "lon_source": pa.array(lon_src, from_pandas=True),
        "lat_source": pa.array(lat_src, from_pandas=True),
        "description": _dict_array(desc_inv, desc_text),
        "severity": _dict_array(severity, SEVERITIES),
        "negative_item_code": _dict_array(neg_code, neg_names),
        "lead_unit_code": _dict_array(lead, units["code"]),
        "deadline": pa.array(np.where(no_deadline, np.datetime64("NaT"), deadline.astype("M8[s]")).astype("M8[s]"),
                             from_pandas=True),
    })
    return Problems(table, coop, event_table)


def make_rectify_events(rng, cal: Calendar, found, deadline, no_deadline, deadline_days_note, severity, lead,
                        unit_speed, cat, site_idx, sites, force_open, checker, unit_codes) -> dict:
    """整改事件日志：交办（当天）→ 整改中 → 申请销号 →（退回 → 再申请）→ 已销号 →（反弹重开 → 再走一遍）。

    慢单位耗时长、更常被退回；热点点位更容易反弹。截至时刻之后的事件不写，于是近期问题仍在办、部分逾期。
    """
    n = len(found)
    day = 86400.0
    speed = unit_speed[lead]
    limit_days = np.array(DEADLINE_DAYS, dtype=float)[severity]

    end_of_day = (found // 86400) * 86400 + 86340
    assign = found + 60 + (rng.random(n) * np.clip(np.minimum(6 * 3600, end_of_day - found - 60), 0, None)).astype(np.int64)
    # 从交办到销号的总耗时：按期限与单位速度；多数在期限内，慢单位常常逾期
    total = limit_days * speed * np.exp(rng.normal(np.log(0.55), 0.45, n))
    slow_cat = np.isin(np.array(LEAVES)[cat], _SLOW_CATEGORIES)
    slow_unit = speed > 1.5
    # 需要立项、协调的问题拖得很久；一部分截至时仍未整改完（历史遗留）
    stalled = rng.random(n) < 0.015 + 0.03 * slow_cat + 0.03 * slow_unit
    total = np.where(stalled, total * rng.uniform(8, 60, n), total)
    # 始终办不完的历史遗留很少（约 1%），否则未销号几乎全是陈年逾期，不像真实台账
    never = rng.random(n) < 0.004 + 0.008 * slow_cat + 0.012 * slow_unit
    total_s = np.maximum(3 * 3600, (total * day).astype(np.int64))
    start = assign + np.maximum(600, (0.1 * total_s).astype(np.int64))
    apply1 = assign + np.maximum(0.75 * total_s, 0.1 * total_s + 1200).astype(np.int64)
    review = np.maximum(1800, (0.25 * total_s * rng.uniform(0.6, 1.4, n)).astype(np.int64))
    rejected = rng.random(n) < np.clip(0.08 + 0.03 * (speed - 1), 0.04, 0.16)
    reject = apply1 + review
    reapply = reject + (rng.uniform(0.5, 4.0, n) * speed * day).astype(np.int64)
    close1 = np.where(rejected, reapply + review, apply1 + review)
    # 反弹：热点点位最常见，背街小巷、农贸市场等次之
    is_hot = np.where(site_idx >= 0, sites["is_hotspot"].to_numpy()[np.maximum(site_idx, 0)], False)
    hot_type = np.where(site_idx >= 0, np.isin(sites["site_type"].to_numpy()[np.maximum(site_idx, 0)], HOTSPOT_TYPES), False)
    rebound = rng.random(n) < np.where(is_hot, 0.12, np.where(hot_type, 0.03, 0.01))
    reopen = close1 + ((3 + rng.exponential(25, n)) * day).astype(np.int64)
    restart = reopen + (rng.uniform(0.1, 1.0, n) * day).astype(np.int64)
    reapply2 = restart + np.maximum(7200, (limit_days * speed * np.exp(rng.normal(np.log(0.4), 0.45, n)) * day).astype(np.int64))
    close2 = reapply2 + review

    no_apply = force_open | never            # 负面清单里最近那件必在其中：截至时仍在整改
    lead_u = lead
    chk = np.full(n, checker)
    note_assign = deadline_days_note
    # (时间, 是否发生, 动作, 单位, 备注) ；seq 保证同一问题内按发生顺序
    plan = (
        (assign, np.ones(n, bool), 0, lead_u, note_assign),
        (start, np.ones(n, bool), 1, lead_u, np.full(n, 4)),
        (apply1, ~no_apply, 2, lead_u, np.full(n, 5)),
        (reject, rejected & ~no_apply, 3, chk, np.full(n, 6)),
        (reapply, rejected & ~no_apply, 2, lead_u, np.full(n, 9)),
        (close1, ~no_apply, 4, chk, np.full(n, 7)),
        (reopen, rebound & ~no_apply, 5, chk, np.full(n, 8)),
        (restart, rebound & ~no_apply, 1, lead_u, np.full(n, 4)),
        (reapply2, rebound & ~no_apply, 2, lead_u, np.full(n, 9)),
        (close2, rebound & ~no_apply, 4, chk, np.full(n, 7)),
    )
    probs, times, actions, unit_list, notes, seqs = [], [], [], [], [], []
    for seq, (t, happens, action, unit, note) in enumerate(plan):
        keep = np.flatnonzero(happens & (t <= cal.cutoff))
        probs.append(keep)
        times.append(t[keep])
        actions.append(np.full(len(keep), action, dtype=np.int64))
        unit_list.append(unit[keep])
        notes.append(note[keep])
        seqs.append(np.full(len(keep), seq, dtype=np.int64))
    prob = np.concatenate(probs)
    t = np.concatenate(times)
    seq = np.concatenate(seqs)
    # 日志按发生时间追加：id 顺序即时间顺序；（时间, 问题, 步骤）压成一个整数键排序，比多键排序快得多
    if n < 1 << 24:
        order = np.argsort(((t - cal.day0) << np.int64(28)) | (prob.astype(np.int64) << np.int64(4)) | seq)
    else:
        order = np.lexsort((seq, prob, t))
    return {
        "problem": prob[order],
        "event_at": pa.array(t[order].astype("M8[s]")),
        "action": _dict_array(np.concatenate(actions)[order], _ACTIONS),
        "unit_code": _dict_array(np.concatenate(unit_list)[order], unit_codes),
        "note": _dict_array(np.concatenate(notes)[order], _EVENT_NOTES),
    }


# ================================================================ 写库

_TABLES = ("meta", "region", "boundary", "unit", "site_type", "problem_category", "framework_edition",
           "framework_node", "negative_item", "site", "round", "score", "score_part", "deduction",
           "deduction_unit", "problem", "problem_coop_unit", "rectify_event", "import_log")


def _insert(con, table: str, frame) -> None:
    con.register("_demo_frame", frame)
    try:
        con.execute(f"insert into {table} by name select * from _demo_frame")
    finally:
        con.unregister("_demo_frame")


def _advance_sequence(con, name: str, to: int) -> None:
    """显式写入 id 之后把序列推到 to，之后的导入从 to+1 起取号。"""
    if to > 0:
        con.execute(f"select max(nextval('{name}')) from range({int(to)})")


def build(path, *, seed: int = DEFAULT_SEED, problems: int = DEFAULT_PROBLEMS,
          until: datetime = DEFAULT_UNTIL) -> dict:
    """生成示例库（原子地写到 path）；同一种子、同一问题数、同一截至时间得到逐行相同的数据。

    返回各表行数与耗时 {表名: 行数, ..., "seconds": 秒}。
    """
    if not isinstance(problems, (int, np.integer)) or isinstance(problems, bool) or problems <= 0:
        raise ValueError(f"问题数必须是正整数，实际为 {problems!r}")
    if until.year - ANNUAL_ROUNDS < 2010:
        raise ValueError(f"数据截至时间过早：{until}")
    t0 = time.perf_counter()
    until = until.replace(microsecond=0)
    rng = np.random.Generator(np.random.PCG64(seed))

    peers = _peer_regions(rng)
    our_code = peers.loc[peers["name"] == OUR_COUNTY, "code"].iloc[0]
    county = make_county_geography(rng, our_code)
    county.units = make_units(rng, county)
    county.sites = make_sites(rng, county)
    framework = make_framework()
    rounds = make_rounds(rng, until)
    scores = make_scores(rng, rounds, peers, our_code, framework)
    deductions, deduction_units = make_deductions(rng, rounds, framework, scores, county.sites)
    issues = make_problems(rng, int(problems), until, county, rounds, framework)

    rival_codes = [peers.loc[peers["name"] == r, "code"].iloc[0] for r in RIVALS]
    meta = pd.DataFrame({"key": ["is_demo", "data_cutoff", "our_region_code", "province_code", "county_name",
                                 "province_name", "target_rank", "demo_seed", "demo_problems", "rival_region_codes",
                                 "current_edition", "built_at"],
                         "value": ["1", until.strftime("%Y-%m-%d %H:%M:%S"), our_code, PROVINCE_CODE, OUR_COUNTY,
                                   PROVINCE_NAME, str(TARGET_RANK), str(seed), str(int(problems)),
                                   ",".join(rival_codes), CURRENT_EDITION,
                                   datetime.now().strftime("%Y-%m-%d %H:%M:%S")]})
    site_type = pd.DataFrame({"name": SITE_TYPE_NAMES, "sort_order": np.arange(1, len(SITE_TYPE_NAMES) + 1)})
    cat_rows, k = [], 0
    for parent, leaves in CATEGORIES.items():
        k += 1
        cat_rows.append({"name": parent, "parent": None, "sort_order": k})
        for leaf, *_ in leaves:
            k += 1
            cat_rows.append({"name": leaf, "parent": parent, "sort_order": k})
    sites = county.sites
    site = sites[["code", "name", "site_type", "township_code", "community_code", "address", "lon", "lat",
                  "crs_source", "lon_source", "lat_source"]]

    with db.build_new(Path(path)) as con:
        con.execute("set enable_progress_bar = false")
        con.execute("begin transaction")
        _insert(con, "meta", meta)
        for level in region_frames(peers, county):
            _insert(con, "region", level)
        _insert(con, "boundary", boundary_frame(county))
        _insert(con, "unit", county.units.drop(columns="speed"))
        _insert(con, "site_type", site_type)
        _insert(con, "problem_category", pd.DataFrame(cat_rows))
        _insert(con, "framework_edition", framework_edition_frame())
        _insert(con, "framework_node", framework.drop(columns="cents"))
        _insert(con, "negative_item", negative_item_frame())
        _insert(con, "site", site)
        _insert(con, "round", rounds)
        _insert(con, "score", scores.score)
        _insert(con, "score_part", scores.score_part)
        _insert(con, "deduction", deductions)
        _insert(con, "deduction_unit", deduction_units)
        _insert(con, "problem", issues.table)
        _insert(con, "problem_coop_unit", issues.coop)
        _insert(con, "rectify_event", issues.events)
        _advance_sequence(con, "deduction_id_seq", len(deductions))
        _advance_sequence(con, "rectify_event_id_seq", issues.events.num_rows)
        con.execute("commit")
        counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in _TABLES}
    counts["seconds"] = round(time.perf_counter() - t0, 2)
    return counts


def ensure(path: str | os.PathLike, **demo_kwargs) -> bool:
    """首次启动：示例库不存在时生成（写入锁防止多个会话、多个进程同时生成）；返回是否新生成。"""
    from chuangwen import store

    path = Path(path)
    if path.exists():
        return False
    with store.writer_lock(path, "首次启动生成示例库"):
        if path.exists():
            return False
        build(path, **demo_kwargs)
    return True
