-- Version 2: the registrar's bindings (RFC 3261 section 10, RFC 5626 flows, RFC 3327 Path), one
-- row per binding, shared by every replica of a gateway. Times are wall-clock milliseconds since
-- the epoch, as the replicas compare them.

create table location (
    aor               varchar(512)  not null,
    binding_key       varchar(1024) not null,
    -- the binding's place in its address-of-record, oldest first
    position          integer       not null,
    contact           varchar(2048) not null,
    instance          varchar(512),
    reg_id            integer       not null,
    q                 integer       not null,
    expires_at        bigint        not null,
    call_id           varchar(512),
    cseq              bigint        not null,
    -- the Path values, top first, one per line
    path              text,
    received_address  varchar(64),
    received_port     integer       not null,
    transport         varchar(8),
    local_address     varchar(80),
    node              varchar(253),
    connection_id     varchar(64),
    user_agent        varchar(512),
    registered_at     bigint        not null,
    primary key (aor, binding_key)
);
create index location_expires_at on location (expires_at);
