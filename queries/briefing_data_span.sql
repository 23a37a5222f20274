-- name: briefing_data_span
-- 用途: 通报导出前的检查：截至统计时刻库里已发现的问题数、最早与最晚的发现时间（为 0 时不生成幻灯片）
-- params: $as_of TIMESTAMP
-- 指标: 已发现问题数 | 口径: 发现时间不晚于统计时刻的问题（不论状态） | 分母: —
select count(*) filter (where found_at <= $as_of) as problems,
       min(found_at) as first_found_at,
       max(found_at) filter (where found_at <= $as_of) as last_found_at
from problem
