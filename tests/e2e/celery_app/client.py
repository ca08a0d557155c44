"""Sends tasks to the worker one at a time (each result awaited before the
next task goes out) and prints their results as JSON lines; exits non-zero
with a FAIL line if a result does not come back in time."""
import faulthandler
import json
import sys

faulthandler.dump_traceback_later(40, exit=True)

from tasks import add, fail  # noqa: E402  (after the watchdog)

try:
    result = add.delay(2, 3)
    print(json.dumps({"task": "add", "id": result.id, "result": result.get(timeout=25)}), flush=True)
    again = add.delay(20, 22)
    print(json.dumps({"task": "add-again", "result": again.get(timeout=25)}), flush=True)
    failed = fail.delay("boom")
    try:
        failed.get(timeout=25)
        print("FAIL: the failing task did not raise", file=sys.stderr, flush=True)
        sys.exit(1)
    except ValueError as err:
        print(json.dumps({"task": "fail", "error": str(err), "state": failed.state}), flush=True)
except Exception as err:  # pylint: disable=broad-except
    print("FAIL: %r" % (err,), file=sys.stderr, flush=True)
    sys.exit(1)
