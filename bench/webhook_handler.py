"""What adnanh/webhook runs per hook call: `python3 webhook_handler.py '<payload JSON>'`."""

import json
import sys

from workload import summarise

print(summarise(**json.loads(sys.argv[1])))
