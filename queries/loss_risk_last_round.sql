-- name: loss_risk_last_round
-- 用途: 丢分预警“分数能换来什么”：统计时刻之前结束的、本县有成绩的最近一轮公布排名的测评（不论类型），本县的得分与名次
-- params: $county VARCHAR, $as_of TIMESTAMP
-- 指标: 按上一轮成绩可到的名次 | 口径: 本县上一轮得分加上“预计少丢的分”后，在该轮全组成绩中的竞争排名（追平第 k 高的得分即与其并列）：与排名趋势“距前 k 名所差分数”同一规则；只是实地考察部分的估计，别的单位的分数按上一轮不变 | 分母: 该轮有成绩的单位数
select r.code as round_code,
       r.name as round_name,
       r.round_type,
       r.end_date,
       sr.total as our_total,
       sr.rank as our_rank,
       sr.group_size
from round r
join score_ranked sr on sr.round_code = r.code and sr.region_code = $county and sr.score_status = '正常'
where r.is_ranked and cast(r.end_date as timestamp) <= $as_of
order by r.end_date desc, r.code desc
limit 1
