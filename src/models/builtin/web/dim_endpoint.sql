-- materialized: table
select md5(coalesce(endpoint, '')) as endpoint_key, endpoint, count(distinct path) as distinct_paths, min(day) as first_seen, max(day) as last_seen
from stg_requests group by endpoint
