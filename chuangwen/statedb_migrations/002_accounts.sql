-- 账号、登录会话与审计（只追加）。口令只存 argon2id 散列，会话只存令牌的 SHA-256：库里没有一样能直接拿来登录的东西
create table account (
    name         text primary key,
    role         text not null check (role in ('领导', '创建办', '责任单位', '管理员')),
    unit_code    text,                                   -- 责任单位账号绑定的单位代码；其余角色为空
    pw_hash      text not null,
    disabled     integer not null default 0,
    failures     integer not null default 0,             -- 连续登录失败次数（成功后清零）
    locked_until text,                                   -- 锁定到这一时刻（含）
    created_at   text not null,
    created_by   text not null,
    changed_at   text not null,
    check ((role = '责任单位') = (unit_code is not null))
);

create table login_session (
    token_sha256 text primary key,
    name         text not null references account (name),
    created_at   text not null,
    last_seen    text not null,
    expires_at   text not null,
    ended_at     text                                    -- 退出、改口令、停用时结束；结束的会话不再认
);
create index login_session_name on login_session (name);

-- 审计记录补上页面、筛选、行数与文件散列
alter table audit_event add column page text;
alter table audit_event add column filters text;
alter table audit_event add column rows integer;
alter table audit_event add column file_sha256 text;

-- 审计记录只追加：看板与命令行都不能改、不能删
create trigger audit_event_no_update before update on audit_event
begin
    select raise(abort, '审计记录只能追加，不能修改');
end;
create trigger audit_event_no_delete before delete on audit_event
begin
    select raise(abort, '审计记录只能追加，不能删除');
end;
