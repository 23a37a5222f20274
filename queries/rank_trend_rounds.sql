-- name: rank_trend_rounds
-- 用途: 排名趋势页的轮次清单：公布排名（round.is_ranked）且有成绩记录的各轮，含有成绩与缺测的单位数
-- params:
-- 指标: 组内单位数 | 口径: 该轮有总分的单位数（缺测单位不计入，与名次的“共 N 个”一致） | 分母: —
-- 指标: 缺测单位数 | 口径: 该轮有成绩记录但总分为空的单位数 | 分母: —
select r.code as round_code,
       r.name as round_name,
       r.round_type,
       r.end_date,
       r.year,
       count(*) filter (where sr.score_status = '正常') as group_size,
       count(*) filter (where sr.score_status = '缺测') as missing_count
from round r
join score_ranked sr on sr.round_code = r.code
where r.is_ranked
group by all
order by r.end_date, r.code
