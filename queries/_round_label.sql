-- [轮次标签·开始] 唯一定义，总览的名次走势（overview_rank_history）与排名趋势（rank_trend_history）经 `-- include:` 引入：
-- 一个 CTE round_labelled = round 表每一行加上图上的轮次标签 label：
-- 同一类测评在同一年只有一轮时写“2024年”，否则用轮次全名（如“2024年6月市级督查”）。
round_labelled as (
    select r.*,
           case when count(*) over (partition by r.round_type, r.year) = 1 then r.year::varchar || '年' else r.name end
               as label
    from round r
)
-- [轮次标签·结束]
