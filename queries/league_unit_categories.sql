-- name: league_unit_categories
-- 用途: 单位下钻：一个牵头单位在统计区间内经手问题的类别构成（大类、小类），含在办与逾期数
-- params: $unit_code VARCHAR, $as_of TIMESTAMP, $period_start TIMESTAMP, $scope_unit VARCHAR
-- 单位口径：下钻的对象是红黑榜上的部门，按红黑榜同一口径只算它牵头的问题（league.BASIS）；查看范围（$scope_unit）照全看板的 involves_unit
-- 指标: 类别构成 | 口径: 该单位牵头、区间内交办或区间内销号或截至统计时刻在办的问题（与红黑榜“样本数”同一范围，但含记录顺序存疑的问题），按问题类别计数；大类取类别表的上级，没有上级的即为大类 | 分母: 该单位样本数
select coalesce(pc.parent, s.category) as parent_category,
       s.category,
       count(*) as problems,
       count(*) filter (where not s.is_closed) as open_now,
       count(*) filter (where s.is_overdue) as overdue
-- “有事”的问题已含下面三种（区间内交办或销号的，状态都在区间内变过）：只读它们
from problem_state_active($period_start, $as_of) s
left join problem_category pc on pc.name = s.category
where s.lead_unit_code = $unit_code
  and (coalesce(s.assigned_at > $period_start, false)
       or (s.is_closed and s.closed_at > $period_start)
       or not s.is_closed)
  and involves_unit($scope_unit, s.lead_unit_code, s.problem_code)
group by all
order by problems desc, parent_category, s.category
