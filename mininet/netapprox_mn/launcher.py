"""The launcher's command line and life cycle.

    build the Mininet network (hosts, veths) -> configure hosts and switch interfaces
    -> start one simple_switch_grpc per switch, wait for its gRPC and Thrift ports
    -> start the controller, wait until it reports every switch ready and synced
    -> "ready" (run the Mininet CLI, or wait for Ctrl-C, SIGTERM, the end of stdin or
       --duration) -> teardown, whatever happened before.

Progress goes to stdout as one JSON object per line ("events", for the experiment runner)
and to stderr as text. The exit status is 0 after a clean run and teardown, 1 when
something failed or was left behind, 2 for a bad plan or flag.
"""

import argparse
import os
import signal
import sys
import threading
import time

from .events import Events, log
from .network import Bmv2Network, LaunchError
from .plan import PlanError, load_plan


class Interrupted(Exception):
    pass


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="launch.py",
        description="Runs a netapprox topology in Mininet with BMv2 switches and the "
        "controller. The plan comes from `netapprox mininet --plan-only`.",
    )
    p.add_argument("--plan", required=True, help="the launch plan (JSON)")
    p.add_argument("--cli", action="store_true", help="open the Mininet CLI once ready")
    p.add_argument(
        "--stdin-control",
        action="store_true",
        help="tear down when stdin reaches its end (for a parent process)",
    )
    p.add_argument(
        "--duration",
        type=float,
        default=None,
        help="tear down after this many seconds of being ready",
    )
    p.add_argument(
        "--force-clean",
        action="store_true",
        help="delete interfaces of this plan left behind by a crashed run",
    )
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    emit = Events(sys.stdout)
    try:
        plan = load_plan(args.plan)
    except PlanError as err:
        log(str(err))
        emit({"event": "error", "stage": "plan", "message": str(err)})
        return 2
    if os.geteuid() != 0:
        message = "Mininet needs root (run with sudo)"
        log(message)
        emit({"event": "error", "stage": "preflight", "message": message})
        return 2

    network = Bmv2Network(plan, emit, log)
    stop = threading.Event()
    state = {"starting": True, "reason": None}

    def on_signal(signum, _frame):
        name = signal.Signals(signum).name
        if state["reason"] is None:
            state["reason"] = name
        stop.set()
        if state["starting"]:
            state["starting"] = False  # raise once; teardown runs in `finally`
            raise Interrupted(name)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    if args.stdin_control:
        # The parent closing our stdin (or dying) means stop, at any stage.
        def read_stdin():
            for _line in sys.stdin:
                pass
            state["reason"] = state["reason"] or "stdin closed"
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=read_stdin, name="stdin", daemon=True).start()

    status = 0
    try:
        if args.force_clean:
            removed = network.force_clean()
            if removed:
                log("deleted stale interfaces " + ", ".join(removed))
        network.preflight()
        started = time.monotonic()
        log(
            f"building {len(plan.switches)} switches, {len(plan.hosts)} hosts, "
            f"{len(plan.links)} links; logs in {plan.run_dir}"
        )
        network.build()
        network.configure()
        network.start_switches()
        network.start_watchdog()
        network.start_controller()
        ready_after = network.wait_controller_ready()
        state["starting"] = False
        emit(network.ready_event(time.monotonic() - started))
        log(
            f"ready ({time.monotonic() - started:.1f} s; controller ready after "
            f"{ready_after:.1f} s)"
        )
        status = wait(args, network, stop, state)
    except Interrupted as err:
        log(f"interrupted ({err}) while starting")
        state["reason"] = state["reason"] or str(err)
    except LaunchError as err:
        log(str(err))
        emit({"event": "error", "stage": "launch", "message": str(err)})
        status = 1
    except Exception as err:  # report and still tear everything down
        log(f"unexpected error: {err!r}")
        emit({"event": "error", "stage": "launch", "message": repr(err)})
        status = 1
    finally:
        state["starting"] = False
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not cut teardown short
        emit({"event": "stopping", "reason": state["reason"] or network.failure or "done"})
        leftovers = network.teardown()
        emit({"event": "down", "leftovers": leftovers})
        if leftovers:
            log("left behind after teardown: " + "; ".join(leftovers))
            status = 1
        else:
            log("torn down; nothing left behind")
    if network.failure is not None:
        status = 1
    return status


def wait(args, network: Bmv2Network, stop: threading.Event, state: dict) -> int:
    def on_failure():
        network.failed.wait()
        stop.set()

    threading.Thread(target=on_failure, name="failure", daemon=True).start()

    if args.cli:
        from mininet.cli import CLI

        signal.signal(signal.SIGINT, signal.default_int_handler)  # the CLI handles Ctrl-C
        CLI(network.net)
        state["reason"] = state["reason"] or "CLI exited"
        return 1 if network.failed.is_set() else 0
    deadline = None if args.duration is None else time.monotonic() + args.duration
    while not stop.wait(0.2):
        if deadline is not None and time.monotonic() >= deadline:
            state["reason"] = "duration reached"
            break
    return 1 if network.failed.is_set() else 0
