"""Progress of the launcher: JSON events on stdout (for a parent process) and text on stderr.

Writing must never stop a teardown: a parent that died leaves a broken pipe behind, and
the network must still be torn down.
"""

import json
import os
import sys
import threading
import time


class Events:
    def __init__(self, stream):
        self.stream = stream
        self.lock = threading.Lock()

    def __call__(self, event: dict) -> None:
        event = {"time": round(time.time(), 3), **event}
        with self.lock:
            try:
                self.stream.write(json.dumps(event) + "\n")
                self.stream.flush()
            except OSError:
                # The reader is gone (a parent that died): teardown must go on regardless.
                self.stream = open(os.devnull, "w")


def log(message: str) -> None:
    try:
        sys.stderr.write(f"netapprox-mininet: {message}\n")
        sys.stderr.flush()
    except OSError:
        pass  # nobody reads it any more; the teardown matters more
