-- 片段（不是独立查询）：红黑榜的比率与综合得分（单位、镇街同一公式），输入 CTE board（每个时点 × 对象一行），结果为 CTE scored
-- [综合得分·开始] 唯一定义，_league_unit_board.sql 与 league_townships 经 `-- include:` 引入；公式文字见 chuangwen.league.formula_text
rates as (
    select *,
           closed_on_time / nullif(closed, 0) as on_time_rate,
           overdue / nullif(open_now, 0) as overdue_rate,
           reopened / nullif(closed + reopened, 0) as rebound_rate,
           rejected / nullif(reviewed, 0) as reject_rate,
           sample >= $min_sample as enough_sample
    from board
),
scored as (
    select *,
           case when enough_sample and (on_time_rate is not null or overdue_rate is not null
                                        or rebound_rate is not null or reject_rate is not null) then
               round(100 * (coalesce($w_on_time * on_time_rate, 0)
                            + coalesce($w_overdue * (1 - overdue_rate), 0)
                            + coalesce($w_rebound * (1 - rebound_rate), 0)
                            + coalesce($w_reject * (1 - reject_rate), 0))
                         / nullif((case when on_time_rate is not null then $w_on_time else 0 end)
                                  + (case when overdue_rate is not null then $w_overdue else 0 end)
                                  + (case when rebound_rate is not null then $w_rebound else 0 end)
                                  + (case when reject_rate is not null then $w_reject else 0 end), 0)
                     - $w_points * points_lost, 2)
           end as score
    from rates
),
-- [综合得分·结束]
