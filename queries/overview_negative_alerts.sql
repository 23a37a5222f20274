-- name: overview_negative_alerts
-- 用途: 总览页负面清单预警：截至数据截至时间仍未销号、且触及负面清单的问题（一票否决项在前）
-- params: $as_of TIMESTAMP, $scope_unit VARCHAR
-- 指标: 负面清单预警 | 口径: 触及负面清单（台账里登记了负面清单项）且截至数据截至时间未销号的问题 | 分母: —
select s.problem_code,
       p.found_at,
       n.name as negative_item,
       n.is_veto,
       s.status,
       s.deadline,
       s.is_overdue,
       s.lead_unit_code,
       u.name as lead_unit,
       p.description
from problem_state_open($as_of) s   -- 截至统计时刻在办的（已销号的与预警无关）
join problem p on p.code = s.problem_code
join negative_item n on n.code = p.negative_item_code
    and n.edition = coalesce(p.edition, (
        -- 问题未关联测评标准时，取发现时生效的测评体系版本
        select e.edition from framework_edition e
        where e.effective_from <= p.found_at
        order by e.effective_from desc
        limit 1))
join unit u on u.code = s.lead_unit_code
where not s.is_closed
  and involves_unit($scope_unit, s.lead_unit_code, s.problem_code)
order by n.is_veto desc, p.found_at desc
