"""`python -m mappings`: print the Elasticsearch index definition (settings and mappings)."""

import json

from mappings.elastic import index_definition

print(json.dumps(index_definition(), indent=2))
