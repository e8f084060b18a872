-- materialized: dimension
-- unique_key: referrer_key
-- referenced_by: fact_requests
select distinct md5(coalesce(referrer_host, '')) as referrer_key, referrer_host
from stg_requests
