-- 片段（不是独立查询）：红黑榜的名次、黑榜与红榜（单位、镇街同一规则），输入 CTE scored（每个时点 × 对象一行，含 kind），结果为 CTE ranked
-- [名次与红黑榜·开始] 唯一定义，_league_unit_board.sql 与 league_townships 经 `-- include:` 引入；规则文字见 chuangwen.league.list_rules
-- 名次：同一时点、同一类（条 / 块 / 镇街）按综合得分降序的竞争排名（并列同名次 1,2,2,4）；样本不足的不排名。
-- 黑榜：有名次的倒数 5 名（并列一起列入）；有名次的不足 10 个时只取名次在后一半的（⌊N÷2⌋ 名以内，与前一半并列的不算），
--       免得同一对象既该上红榜又上黑榜。
-- 红榜：不在黑榜、且符合资格的，按得分前 5 名（并列一起列入）。资格：截至统计时刻没有逾期 30 天以上的问题、
--       逾期率不超过 $red_max_overdue_rate、区间内销过号，而且每一项都不比本榜全体合起来差——
--       按期销号率不低于、逾期率不高于、退回率不高于、反弹率不高于、平均销号天数不多于本榜全部对象合计的比率
--       （同一时点、同一类：条、块、镇街各自合计）。0% 按期的单位因此上不了红榜。
--       部门榜只排条；块（镇、街道、开发区）只在镇街榜上按辖区排一次（league_units 不给块列红黑榜）。
pooled as (
    -- 本榜全体合起来的比率：分子、分母各自相加再相除
    select period, kind,
           sum(closed_on_time) / nullif(sum(closed), 0) as pool_on_time,
           sum(overdue) / nullif(sum(open_now), 0) as pool_overdue,
           sum(rejected) / nullif(sum(reviewed), 0) as pool_reject,
           sum(reopened) / nullif(sum(closed + reopened), 0) as pool_rebound,
           sum(days_to_close_sum) / nullif(sum(days_to_close_n), 0) as pool_days
    from scored
    group by all
),
ranks as (
    select *,
           case when score is not null then rank() over (partition by period, kind, score is null order by score desc) end as rank,
           case when score is not null then rank() over (partition by period, kind, score is null order by score asc) end as rank_from_bottom,
           count(score) over (partition by period, kind) as ranked_count
    from scored
    join pooled using (period, kind)
),
black as (
    select *,
           coalesce(case when ranked_count >= 10 then rank_from_bottom <= 5
                         else rank_from_bottom <= ranked_count // 2 and rank > ranked_count - ranked_count // 2 end,
                    false) as is_black,
           score is not null and overdue_over_30 = 0 and coalesce(overdue_rate, 0) <= $red_max_overdue_rate
               and closed > 0
               and on_time_rate >= coalesce(pool_on_time, 0)
               and coalesce(overdue_rate, 0) <= coalesce(pool_overdue, 0)
               and coalesce(reject_rate, 0) <= coalesce(pool_reject, 0)
               and coalesce(rebound_rate, 0) <= coalesce(pool_rebound, 0)
               and coalesce(avg_days_to_close, 0) <= coalesce(pool_days, 0) as red_eligible
    from ranks
),
ranked as (
    select *,
           case when red_eligible and not is_black
                then rank() over (partition by period, kind, red_eligible and not is_black order by score desc) end as red_rank,
           coalesce(red_eligible and not is_black
                    and rank() over (partition by period, kind, red_eligible and not is_black order by score desc) <= 5,
                    false) as is_red
    from black
)
-- [名次与红黑榜·结束]
