-- 片段（不是独立查询）：红黑榜的比率与综合得分（单位、镇街同一公式），输入 CTE board（每个时点 × 对象一行），结果为 CTE scored
-- [综合得分·开始] 唯一定义，_league_unit_board.sql 与 league_townships 经 `-- include:` 引入；公式文字见 chuangwen.league.formula_text
-- 小样本向全县收缩（贝叶斯 Beta 先验）：得分用的比率 = (分子 + k × 全县比率) ÷ (分母 + k)，k = $prior（设置 CHUANGWEN_LEAGUE_PRIOR）。
-- 相当于每个对象先按全县平均“补” k 条：3 条里错 0 条不会压过 30 条里错 1 条；分母越大越接近自己的真实比率。显示的比率仍是原始比率。
county_rates as (
    select period,
           sum(closed_on_time) / nullif(sum(closed), 0) as p_on_time,
           sum(overdue) / nullif(sum(open_now), 0) as p_overdue,
           sum(reopened) / nullif(sum(closed + reopened), 0) as p_rebound,
           sum(rejected) / nullif(sum(reviewed), 0) as p_reject
    from board
    group by period
),
rates as (
    select b.*,
           closed_on_time / nullif(closed, 0) as on_time_rate,
           overdue / nullif(open_now, 0) as overdue_rate,
           reopened / nullif(closed + reopened, 0) as rebound_rate,
           rejected / nullif(reviewed, 0) as reject_rate,
           days_to_close_sum / nullif(days_to_close_n, 0) as avg_days_to_close,
           case when closed > 0 then (closed_on_time + $prior * coalesce(c.p_on_time, 0)) / (closed + $prior) end as on_time_adj,
           case when open_now > 0 then (overdue + $prior * coalesce(c.p_overdue, 0)) / (open_now + $prior) end as overdue_adj,
           case when closed + reopened > 0 then (reopened + $prior * coalesce(c.p_rebound, 0)) / (closed + reopened + $prior) end as rebound_adj,
           case when reviewed > 0 then (rejected + $prior * coalesce(c.p_reject, 0)) / (reviewed + $prior) end as reject_adj,
           sample >= $min_sample as enough_sample
    from board b
    left join county_rates c using (period)
),
scored as (
    select *,
           case when enough_sample and (on_time_adj is not null or overdue_adj is not null
                                        or rebound_adj is not null or reject_adj is not null) then
               round(100 * (coalesce($w_on_time * on_time_adj, 0)
                            + coalesce($w_overdue * (1 - overdue_adj), 0)
                            + coalesce($w_rebound * (1 - rebound_adj), 0)
                            + coalesce($w_reject * (1 - reject_adj), 0))
                         / nullif((case when on_time_adj is not null then $w_on_time else 0 end)
                                  + (case when overdue_adj is not null then $w_overdue else 0 end)
                                  + (case when rebound_adj is not null then $w_rebound else 0 end)
                                  + (case when reject_adj is not null then $w_reject else 0 end), 0)
                     - $w_points * points_lost, 2)
           end as score
    from rates
),
-- [综合得分·结束]
