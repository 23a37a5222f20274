-- 看板自己写的状态（不进分析快照）：列映射预设、操作审计；之后的登录会话、筛选预设也放这里
create table import_preset (
    kind         text not null,
    name         text not null,
    mapping_toml text not null,
    saved_at     text not null,
    saved_by     text not null,
    primary key (kind, name)
);

create table audit_event (
    id     integer primary key autoincrement,
    at     text not null,
    user   text not null,
    action text not null,
    detail text
);
create index audit_event_at on audit_event (at);
