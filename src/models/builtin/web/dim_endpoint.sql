-- materialized: dimension
-- unique_key: endpoint_key
-- referenced_by: fact_requests
select distinct md5(coalesce(endpoint, '')) as endpoint_key, endpoint
from stg_requests
