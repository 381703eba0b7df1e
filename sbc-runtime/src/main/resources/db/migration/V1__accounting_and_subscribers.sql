-- The SBC's schema, version 1: accounting records (one per call, like Kamailio's acc table) and
-- subscribers (digest credentials as HA1 hashes only, RFC 3261 section 22.4, RFC 7616 3.4.2).

create table acc_call (
    id            uuid         primary key,
    gateway       varchar(253) not null,
    replica       varchar(253),
    call_id       varchar(512) not null,
    started_at    timestamptz  not null,
    answered_at   timestamptz,
    ended_at      timestamptz  not null,
    -- milliseconds from the answer to the end; 0 for a call never answered
    duration_ms   bigint       not null,
    status        integer      not null,
    end_reason    varchar(16)  not null,
    caller        varchar(512),
    callee        varchar(512),
    source        varchar(64),
    route         varchar(253),
    destination   varchar(512),
    -- RTPengine's totals for the call, once media accounting feeds them (null: not known)
    rtp_packets   bigint,
    rtp_bytes     bigint
);
create index acc_call_started_at on acc_call (started_at);
create index acc_call_caller on acc_call (caller, started_at);
create index acc_call_callee on acc_call (callee, started_at);

create table subscriber (
    domain        varchar(253) not null,
    username      varchar(128) not null,
    -- H(username ":" realm ":" password), realm = domain, lower-case hex
    ha1_md5       char(32)     not null,
    ha1_sha256    char(64)     not null,
    created_at    timestamptz  not null,
    updated_at    timestamptz  not null,
    primary key (domain, username)
);
