"""看板的固定词（唯一一处）：角色、问题的整改状态与整改动作、测评轮次类型、统计周期的键。

这些词存在库里（账号的角色、问题与整改事件、测评轮次）、写在导入的文件里、显示在页面上，值就是那几个中文词，不能改；
别的模块都从这里取，不再各写一遍。SQL（queries/、迁移）里用到的同样的词照旧写在 SQL 里。
这个模块在分层的最底下：不导入 chuangwen 的任何东西（tests/unit/test_architecture.py 检查）。
"""

from __future__ import annotations

# ---------------------------------------------------------------- 角色（状态库 account.role，迁移 002 的 check 约束）
ROLE_LEADER = "领导"
ROLE_OFFICE = "创建办"
ROLE_UNIT = "责任单位"  # 绑定一个单位，只看本单位的问题
ROLE_ADMIN = "管理员"
ROLES = (ROLE_LEADER, ROLE_OFFICE, ROLE_UNIT, ROLE_ADMIN)

# ---------------------------------------------------------------- 问题的整改状态（导入台账的“整改状态”）
PENDING = "待交办"
ASSIGNED = "已交办"  # 导入台账时整改状态空白按它
IN_PROGRESS = "整改中"
CLOSE_REQUESTED = "申请销号"
CLOSED = "已销号"
RETURNED = "退回整改"
REOPENED = "反弹重开"
STATUSES = (PENDING, ASSIGNED, IN_PROGRESS, CLOSE_REQUESTED, CLOSED, RETURNED, REOPENED)
OPEN_STATUSES = tuple(s for s in STATUSES if s != CLOSED)  # 整改督办台账里的状态：已销号的不在台账里

# ---------------------------------------------------------------- 整改动作（rectify_event.action；整改中、申请销号、已销号、反弹重开与状态同词）
ASSIGN = "交办"
RETURN = "退回"
ACTIONS = (ASSIGN, IN_PROGRESS, CLOSE_REQUESTED, CLOSED, RETURN, REOPENED)

# ---------------------------------------------------------------- 测评轮次类型（round.round_type）
ANNUAL = "年度测评"
MIDYEAR = "年中暗访"
MOCK = "模拟测评"
SELF_CHECK = "自查"
INSPECTION = "督查"
ROUND_TYPES = (ANNUAL, MIDYEAR, MOCK, SELF_CHECK, INSPECTION)  # 也是列出轮次类型时的惯常顺序
DEFAULT_ROUND_TYPE = ANNUAL  # 看名次、出通报默认看它；导入成绩新增轮次时类型空白按它

# ---------------------------------------------------------------- 统计周期的键（红黑榜、通报、命令行 --period；显示的中文在各自模块）
WEEK = "week"
MONTH = "month"
ROUND = "round"  # 通报：最近一轮测评开始至统计时刻
SIDEBAR = "sidebar"  # 红黑榜：侧栏的统计区间
PERIOD_DAYS = {WEEK: 7, MONTH: 30}  # 按周 = 统计时刻前 7 天，按月 = 前 30 天（红黑榜与通报同一口径）

# 下拉框里“不限”的那一项（侧栏与各页的筛选共用）
ALL_OPTION = "（全部）"
