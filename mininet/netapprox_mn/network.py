"""A Mininet network of BMv2 switches built from a launch plan, and its complete teardown.

Switches are simple_switch_grpc processes in the root namespace (one per switch, started
by this module, watched by a thread); hosts are Mininet hosts (a shell in its own network
namespace); links are plain veth pairs. Nothing shapes traffic in Linux: link capacity is
the sum of the BMv2 per-priority queue rates that the controller sets over Thrift, so the
switch's own queues are the bottleneck and the switch can prioritise them.
"""

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import json
from typing import Callable, Dict, List, Optional

from mininet.net import Mininet
from mininet.node import Host, Switch

from . import commands
from .sysctl import WMEM_DEFAULT, SysctlError, raise_socket_buffer, write_sysctl
from .plan import LaunchPlan, SwitchPlan


class LaunchError(Exception):
    """Something in the network failed to come up; the message says what and where."""


def tail(path: str, lines: int = 20) -> List[str]:
    """The last lines of a log file (empty when it does not exist)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 64 * 1024))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return []
    return text.splitlines()[-lines:]


def port_open(host: str, port: int, timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def port_free(host: str, port: int) -> bool:
    """Whether nothing listens on host:port (a bind test, so TIME_WAIT does not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            return True
        except OSError:
            return False


def existing_interfaces() -> set:
    out = subprocess.run(
        ["ip", "-o", "link", "show"], capture_output=True, text=True, check=False
    ).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split(":", 2)
        if len(parts) >= 2:
            names.add(parts[1].strip().split("@", 1)[0])
    return names


def net_namespace(pid: int) -> Optional[str]:
    try:
        return os.readlink(f"/proc/{pid}/ns/net")
    except OSError:
        return None


def pids_in_namespace(namespace: str, exclude: set) -> List[int]:
    """Every process whose network namespace is `namespace`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        if pid in exclude or pid == os.getpid():
            continue
        if net_namespace(pid) == namespace:
            found.append(pid)
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return False


def stop_process(proc: subprocess.Popen, grace: float) -> None:
    """SIGTERM to the process group, SIGKILL after `grace` seconds."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=5)


def kill_pids(pids: List[int], grace: float) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    for pid in pids:
        if alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


class Bmv2Switch(Switch):
    """A Mininet switch whose data plane is a simple_switch_grpc process."""

    def __init__(self, name, plan: SwitchPlan = None, launch: LaunchPlan = None, **params):
        Switch.__init__(self, name, dpid=format(plan.device_id, "x"), **params)
        self.plan = plan
        self.launch = launch
        self.proc: Optional[subprocess.Popen] = None
        self.output = None

    @property
    def log_file(self) -> str:
        return commands.switch_log_file(self.launch.run_dir, self.name)

    @property
    def output_file(self) -> str:
        return commands.switch_output_file(self.launch.run_dir, self.name)

    def start(self, controllers):
        argv = commands.bmv2_argv(self.plan, self.launch.bmv2, self.launch.run_dir)
        self.output = open(self.output_file, "wb")
        self.output.write((" ".join(argv) + "\n").encode())
        self.output.flush()
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=self.output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as err:
            raise LaunchError(f"switch {self.name}: cannot run {argv[0]}: {err.strerror}") from None

    def log_tail(self, lines: int = 20) -> List[str]:
        return tail(self.output_file, lines) + tail(self.log_file, lines)

    def wait_listening(self, timeout: float) -> float:
        """Blocks until both the gRPC and the Thrift port accept connections."""
        started = time.monotonic()
        deadline = started + timeout
        targets = [(self.plan.grpc_host, self.plan.grpc_port), ("127.0.0.1", self.plan.thrift_port)]
        while targets:
            if self.proc.poll() is not None:
                raise LaunchError(
                    f"switch {self.name} (simple_switch_grpc) exited with status "
                    f"{self.proc.returncode} while starting; last lines of its logs "
                    f"({self.output_file}, {self.log_file}):\n  " + "\n  ".join(self.log_tail())
                )
            targets = [t for t in targets if not port_open(*t)]
            if not targets:
                break
            if time.monotonic() > deadline:
                waiting = ", ".join(f"{h}:{p}" for h, p in targets)
                raise LaunchError(
                    f"switch {self.name}: {waiting} not listening after {timeout:.0f} s; last "
                    f"lines of {self.output_file}:\n  " + "\n  ".join(self.log_tail())
                )
            time.sleep(0.1)
        return time.monotonic() - started

    def stop(self, deleteIntfs=True):
        if self.proc is not None:
            stop_process(self.proc, grace=5)
        if self.output is not None:
            self.output.close()
            self.output = None
        Switch.stop(self, deleteIntfs)


class Bmv2Network:
    """Builds, runs and tears down one network. `emit` receives progress events."""

    def __init__(self, plan: LaunchPlan, emit: Callable[[dict], None], log: Callable[[str], None]):
        self.plan = plan
        self.emit = emit
        self.log = log
        self.net: Optional[Mininet] = None
        self.switches: Dict[str, Bmv2Switch] = {}
        self.hosts: Dict[str, Host] = {}
        self.controller: Optional[subprocess.Popen] = None
        self.controller_output = None
        self.stopping = False
        self.failure: Optional[str] = None
        self.failed = threading.Event()
        self._watchdog: Optional[threading.Thread] = None

    @property
    def controller_log(self) -> str:
        return os.path.join(self.plan.run_dir, "controller.txt")

    # ---- checks before building -------------------------------------------------------

    def preflight(self) -> None:
        """Refuses to start over what another network (or a crashed run) still holds."""
        problems = []
        for sw in self.plan.switches:
            if not port_free(sw.grpc_host, sw.grpc_port):
                problems.append(f"switch {sw.name}: gRPC address {sw.grpc_address} is in use")
            if not port_free("0.0.0.0", sw.thrift_port):
                problems.append(f"switch {sw.name}: Thrift port {sw.thrift_port} is in use")
        stale = sorted(set(self.plan.interfaces) & existing_interfaces())
        if stale:
            problems.append("interfaces " + ", ".join(stale) + " already exist")
        if problems:
            raise LaunchError(
                "cannot start the network of "
                + self.plan.topology_file
                + ": "
                + "; ".join(problems)
                + " (another network is running, or a previous run left "
                "them behind; `ss -ltnp` shows the listeners; --force-clean deletes stale "
                "interfaces)"
            )

    def force_clean(self) -> List[str]:
        stale = sorted(set(self.plan.interfaces) & existing_interfaces())
        for name in stale:
            subprocess.run(["ip", "link", "del", name], capture_output=True, check=False)
        return stale

    # ---- bring-up -----------------------------------------------------------------------

    def build(self) -> None:
        os.makedirs(self.plan.run_dir, exist_ok=True)
        net = Mininet(
            topo=None,
            build=False,
            controller=None,
            autoSetMacs=False,
            autoStaticArp=False,
            waitConnected=False,
        )
        self.net = net
        for sw in self.plan.switches:
            self.switches[sw.name] = net.addSwitch(
                sw.name, cls=Bmv2Switch, plan=sw, launch=self.plan
            )
        for h in self.plan.hosts:
            self.hosts[h.name] = net.addHost(h.name, ip=f"{h.ipv4}/32", mac=h.mac)
        for a, b in self.plan.links:
            net.addLink(
                net.get(a.node),
                net.get(b.node),
                port1=a.port,
                port2=b.port,
                intfName1=a.interface,
                intfName2=b.interface,
            )
        net.build()
        self.emit(
            {
                "event": "built",
                "switches": len(self.switches),
                "hosts": len(self.hosts),
                "links": len(self.plan.links),
            }
        )

    def run_checked(self, argv: List[str], where: str, pid: Optional[int] = None) -> str:
        full = argv if pid is None else ["mnexec", "-a", str(pid)] + argv
        done = subprocess.run(full, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise LaunchError(
                f"{where}: `{' '.join(argv)}` failed with status "
                f"{done.returncode}: {(done.stderr or done.stdout).strip()}"
            )
        return done.stdout

    def configure(self) -> None:
        for sw in self.plan.switches:
            for argv in commands.switch_interface_argvs(sw):
                self.run_checked(argv, f"switch {sw.name}")
        for h in self.plan.hosts:
            pid = self.hosts[h.name].pid
            for argv in commands.host_setup_argvs(h, self.plan.hosts):
                self.run_checked(argv, f"host {h.name}", pid)
            for argv in h.commands:
                self.run_checked(argv, f"host {h.name}", pid)
            for argv in self.plan.host_commands:
                self.run_checked(argv, f"host {h.name}", pid)
        self.emit(
            {
                "event": "hosts-configured",
                "hosts": len(self.plan.hosts),
                "commandsPerHost": len(self.plan.host_commands),
            }
        )

    def start_switches(self) -> None:
        # BMv2 opens its packet sockets as it starts: with the send buffer they need for
        # what the links' queues hold (plan.bmv2.socket_buffer), the system's default
        # raised only for as long as the switches take to start.
        try:
            restore = raise_socket_buffer(self.plan.bmv2.socket_buffer)
        except SysctlError as err:
            raise LaunchError(str(err)) from None
        if restore is not None:
            self.log(
                f"net.core.wmem_default raised to {self.plan.bmv2.socket_buffer} while "
                f"the switches start (was {restore})"
            )
        try:
            for name, sw in self.switches.items():
                sw.start([])
            for name, sw in self.switches.items():
                seconds = sw.wait_listening(self.plan.bmv2.start_timeout)
                self.emit(
                    {
                        "event": "switch-up",
                        "switch": name,
                        "pid": sw.proc.pid,
                        "grpc": sw.plan.grpc_address,
                        "thrift": sw.plan.thrift_port,
                        "seconds": round(seconds, 2),
                        "log": sw.output_file,
                    }
                )
        finally:
            if restore is not None:
                write_sysctl(WMEM_DEFAULT, restore)

    def start_controller(self) -> None:
        c = self.plan.controller
        if c is None:
            return
        self.controller_output = open(self.controller_log, "wb")
        try:
            self.controller = subprocess.Popen(
                c.argv,
                cwd=c.cwd,
                stdin=subprocess.DEVNULL,
                stdout=self.controller_output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as err:
            raise LaunchError(f"controller: cannot run {c.argv[0]}: {err.strerror}") from None
        self.emit(
            {"event": "controller-started", "pid": self.controller.pid, "log": self.controller_log}
        )

    def controller_status(self) -> Optional[dict]:
        try:
            with urllib.request.urlopen(self.plan.controller.status_url, timeout=2) as r:
                return json.loads(r.read().decode("utf-8"))
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def wait_controller_ready(self) -> float:
        """Until /status shows every switch ready with a full sync and no failed update."""
        c = self.plan.controller
        if c is None:
            return 0.0
        started = time.monotonic()
        deadline = started + c.ready_timeout
        names = {s.name for s in self.plan.switches}
        status = None
        while True:
            if self.controller.poll() is not None:
                raise LaunchError(
                    f"the controller exited with status {self.controller.returncode} before "
                    f"every switch was ready; last lines of {self.controller_log}:\n  "
                    + "\n  ".join(tail(self.controller_log))
                )
            if self.failed.is_set():
                raise LaunchError(self.failure or "a switch failed")
            status = self.controller_status()
            if status is not None and controller_ready(status, names):
                return time.monotonic() - started
            if time.monotonic() > deadline:
                raise LaunchError(
                    f"switches not ready after {c.ready_timeout:.0f} s: "
                    + describe_not_ready(status, names)
                    + f"; last lines of "
                    f"{self.controller_log}:\n  " + "\n  ".join(tail(self.controller_log))
                )
            time.sleep(0.25)

    def start_watchdog(self) -> None:
        def watch():
            while not self.stopping:
                for name, sw in self.switches.items():
                    if sw.proc is not None and sw.proc.poll() is not None and not self.stopping:
                        self._fail(
                            {
                                "event": "switch-died",
                                "switch": name,
                                "exitCode": sw.proc.returncode,
                                "logTail": sw.log_tail(),
                            },
                            f"switch {name} (simple_switch_grpc, pid {sw.proc.pid}) "
                            f"exited with status {sw.proc.returncode}",
                        )
                        return
                if (
                    self.controller is not None
                    and self.controller.poll() is not None
                    and not self.stopping
                ):
                    self._fail(
                        {
                            "event": "controller-died",
                            "exitCode": self.controller.returncode,
                            "logTail": tail(self.controller_log),
                        },
                        f"the controller exited with status {self.controller.returncode}",
                    )
                    return
                time.sleep(0.2)

        self._watchdog = threading.Thread(target=watch, name="watchdog", daemon=True)
        self._watchdog.start()

    def _fail(self, event: dict, message: str) -> None:
        self.failure = message
        self.emit(event)
        self.log(message + "; last lines of its log:\n  " + "\n  ".join(event["logTail"]))
        self.failed.set()

    def ready_event(self, seconds: float) -> dict:
        return {
            "event": "ready",
            "seconds": round(seconds, 2),
            "hosts": {
                name: {
                    "pid": h.pid,
                    "interface": self.plan_host(name).interface,
                    "ipv4": self.plan_host(name).ipv4,
                }
                for name, h in self.hosts.items()
            },
            "switches": {
                name: {"pid": sw.proc.pid, "log": sw.output_file}
                for name, sw in self.switches.items()
            },
            "controller": None
            if self.controller is None
            else {
                "pid": self.controller.pid,
                "statusUrl": self.plan.controller.status_url,
                "log": self.controller_log,
            },
        }

    def plan_host(self, name: str):
        return next(h for h in self.plan.hosts if h.name == name)

    # ---- teardown -----------------------------------------------------------------------

    def teardown(self) -> List[str]:
        """Stops everything this network started; returns what is still left over."""
        self.stopping = True
        if self.controller is not None:
            stop_process(self.controller, grace=5)
        if self.controller_output is not None:
            self.controller_output.close()
        # Programs that others started inside the hosts (traffic, shells) keep a namespace
        # and its veth alive after Mininet kills the host's own shell: stop them first.
        shells = {h.pid for h in self.hosts.values() if h.pid}
        for h in self.hosts.values():
            ns = net_namespace(h.pid) if h.pid else None
            if ns is not None and ns != net_namespace(os.getpid()):
                kill_pids(pids_in_namespace(ns, shells), grace=2)
        for sw in self.switches.values():
            if sw.proc is not None:
                stop_process(sw.proc, grace=5)
        if self.net is not None:
            try:
                self.net.stop()
            except Exception as err:  # keep tearing down what is left
                self.log(f"mininet stop: {err}")
        return self.leftovers()

    def leftovers(self) -> List[str]:
        found = []
        present = existing_interfaces()
        for name in self.plan.interfaces:
            if name in present:
                subprocess.run(["ip", "link", "del", name], capture_output=True, check=False)
        present = existing_interfaces()
        found += [f"interface {n}" for n in self.plan.interfaces if n in present]
        procs = [(f"switch {n}", sw.proc.pid) for n, sw in self.switches.items() if sw.proc]
        procs += [(f"host {n} shell", h.pid) for n, h in self.hosts.items() if h.pid]
        procs += [(f"{n} shell", sw.pid) for n, sw in self.switches.items() if sw.pid]
        if self.controller is not None:
            procs.append(("controller", self.controller.pid))
        for what, pid in procs:
            if alive(pid):
                kill_pids([pid], grace=1)
                if alive(pid):
                    found.append(f"{what} (pid {pid})")
        return found


def controller_ready(status: dict, names: set) -> bool:
    switches = {s.get("name"): s for s in status.get("switches", [])}
    for name in names:
        s = switches.get(name)
        if s is None or s.get("state") != "ready":
            return False
        sync = s.get("lastSync")
        if sync is None or sync.get("failed", 1) != 0:
            return False
    return True


def describe_not_ready(status: Optional[dict], names: set) -> str:
    if status is None:
        return "the controller's /status did not answer"
    switches = {s.get("name"): s for s in status.get("switches", [])}
    parts = []
    for name in sorted(names):
        s = switches.get(name)
        if s is None:
            parts.append(f"{name} unknown to the controller")
            continue
        sync = s.get("lastSync")
        what = f"{name} {s.get('state')}"
        if sync is None:
            what += ", not synced"
        elif sync.get("failed"):
            what += f", {sync['failed']} updates failed"
        if s.get("lastError"):
            what += f" (last error: {s['lastError']})"
        parts.append(what)
    return "; ".join(parts)
