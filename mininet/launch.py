#!/usr/bin/python3
"""Runs a netapprox launch plan in Mininet: BMv2 switches, hosts, the controller.

    sudo /usr/bin/python3 mininet/launch.py --plan run/plan.json [--cli | --duration S]

Usually started by `sudo netapprox mininet` or `sudo netapprox experiment`, which write
the plan from a topology. Uses Debian's python3-mininet (run it with /usr/bin/python3).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from netapprox_mn.launcher import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
