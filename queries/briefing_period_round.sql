-- name: briefing_period_round
-- 用途: 按测评轮次出通报时的统计区间：统计时刻之前开始的最近一轮测评（年度测评、年中暗访、模拟测评、自查；不含每周的督查），以及它的上一轮
-- params: $as_of TIMESTAMP
-- 指标: 当年第几轮 | 口径: 统计时刻所在年份中开始日期不晚于统计时刻的测评轮次数（不含督查），作默认期数 | 分母: —
-- 指标: 本轮统计区间 | 口径: 自最近一轮（开始日期不晚于统计时刻）的开始日 0 时（不含）至统计时刻；上期为上一轮开始日至本轮开始日 | 分母: —
with rounds as (
    select code, name, round_type, start_date,
           row_number() over (order by start_date desc, code desc) as recency,
           count(*) filter (where year(start_date) = year($as_of)) over () as rounds_in_year
    from round
    where round_type <> '督查' and start_date <= cast($as_of as date)
)
select code, name, round_type, start_date, recency, rounds_in_year
from rounds
where recency <= 2
order by recency
