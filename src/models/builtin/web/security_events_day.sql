-- materialized: incremental
-- partition_by: day
-- source: stg_security_events
select day, client_id, kind, rule, arg_max(severity, score) as severity, count(*) as events, min(ts) as first_seen, max(ts) as last_seen
from stg_security_events group by all
