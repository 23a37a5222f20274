-- name: overview_rank_history
-- 用途: 总览页名次走势：本县在某类测评历轮的名次、得分与组内单位数
-- params: $county VARCHAR, $round_type VARCHAR
-- 指标: 历轮名次 | 口径: 每轮按总分降序的竞争排名（并列同名次，缺测轮次不画点） | 分母: 该轮有成绩的单位数
with
-- include: _round_label.sql  （轮次标签只写在这一处）
select r.code as round_code,
       r.name as round_name,
       r.label as round_label,
       r.end_date,
       sr.total,
       sr.rank,
       sr.group_size,
       sr.score_status
from round_labelled r
join score_ranked sr on sr.round_code = r.code and sr.region_code = $county
where r.round_type = $round_type and r.is_ranked
order by r.end_date, r.code
