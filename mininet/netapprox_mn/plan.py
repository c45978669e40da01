"""The launch plan (netapprox-mininet-plan/1): read and checked before anything is built.

The TypeScript side (packages/lab/src/mininet/plan.ts) resolves the topology and writes the
plan; this module only checks its shape so that a bad or hand-edited plan gets an error
that names the file, the path inside it and what was expected.
"""

import json
import re
from dataclasses import dataclass, field
from typing import Any, List, Optional

PLAN_FORMAT = "netapprox-mininet-plan/1"
MAX_INTERFACE_NAME = 15
LOG_LEVELS = ("trace", "debug", "info", "warn", "error", "off")
_IPV4 = re.compile(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$")
_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
_ADDRESS = re.compile(r"^[^\s:]+:(\d{1,5})$")
_INTERFACE = re.compile(r"^[A-Za-z0-9_.-]+$")


class PlanError(Exception):
    """A problem with the plan file: names the file and the path inside it."""


@dataclass(frozen=True)
class SwitchPort:
    port: int
    interface: str


@dataclass(frozen=True)
class SwitchPlan:
    name: str
    device_id: int
    grpc_address: str
    thrift_port: int
    cpu_port: Optional[int]
    ports: List[SwitchPort]

    @property
    def grpc_port(self) -> int:
        return int(self.grpc_address.rsplit(":", 1)[1])

    @property
    def grpc_host(self) -> str:
        host = self.grpc_address.rsplit(":", 1)[0]
        return "127.0.0.1" if host in ("0.0.0.0", "localhost") else host


@dataclass(frozen=True)
class HostPlan:
    name: str
    ipv4: str
    mac: str
    interface: str
    switch: str
    port: int
    # Commands this host runs after its interface is configured (its qdisc, TCP settings).
    commands: List[List[str]] = field(default_factory=list)


@dataclass(frozen=True)
class LinkEnd:
    node: str
    interface: str
    port: Optional[int]


@dataclass(frozen=True)
class Bmv2Plan:
    binary: str
    log_level: str
    priority_queues: int
    start_timeout: float
    # Bytes of send buffer each BMv2 packet socket needs (net.core.wmem_default while the
    # switches start); None: as the system has it.
    socket_buffer: Optional[int] = None


@dataclass(frozen=True)
class ControllerPlan:
    argv: List[str]
    cwd: str
    status_url: str
    ready_timeout: float


@dataclass(frozen=True)
class LaunchPlan:
    file: str
    topology_file: str
    run_dir: str
    switches: List[SwitchPlan]
    hosts: List[HostPlan]
    links: List[List[LinkEnd]]
    host_commands: List[List[str]]
    bmv2: Bmv2Plan
    controller: Optional[ControllerPlan]
    interfaces: List[str] = field(default_factory=list)


class _Reader:
    """Typed access to a JSON document with errors that carry the path."""

    def __init__(self, file: str):
        self.file = file

    def fail(self, path: str, expected: str, got: Any) -> PlanError:
        shown = json.dumps(got) if not isinstance(got, _Missing) else "nothing"
        return PlanError(f"{self.file}: {path or '(top level)'}: expected {expected}, got {shown}")

    def get(self, obj: Any, key: str, path: str) -> Any:
        if not isinstance(obj, dict):
            raise self.fail(path, "a mapping", obj)
        return obj.get(key, _MISSING)

    def string(
        self,
        obj: Any,
        key: str,
        path: str,
        pattern: Optional[re.Pattern] = None,
        expected: str = "a non-empty string",
    ) -> str:
        value = self.get(obj, key, path)
        at = _join(path, key)
        if not isinstance(value, str) or value == "" or (pattern and not pattern.match(value)):
            raise self.fail(at, expected, value)
        return value

    def integer(
        self, obj: Any, key: str, path: str, low: int, high: int, optional: bool = False
    ) -> Optional[int]:
        value = self.get(obj, key, path)
        at = _join(path, key)
        if optional and (value is None or isinstance(value, _Missing)):
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(at, f"an integer from {low} to {high}", value)
        return value

    def number(self, obj: Any, key: str, path: str, low: float) -> float:
        value = self.get(obj, key, path)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low:
            raise self.fail(_join(path, key), f"a number >= {low}", value)
        return float(value)

    def array(self, obj: Any, key: str, path: str) -> list:
        value = self.get(obj, key, path)
        if not isinstance(value, list):
            raise self.fail(_join(path, key), "a list", value)
        return value

    def commands(self, obj: Any, key: str, path: str, optional: bool = False) -> List[List[str]]:
        """A list of commands, each a non-empty list of strings (absent: none, if optional)."""
        if optional and isinstance(self.get(obj, key, path), _Missing):
            return []
        out = []
        at = _join(path, key)
        for i, argv in enumerate(self.array(obj, key, path)):
            if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
                raise self.fail(_join(at, i), "a command as a non-empty list of strings", argv)
            out.append(list(argv))
        return out


class _Missing:
    pass


_MISSING = _Missing()


def _join(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return key if path == "" else f"{path}.{key}"


def _ipv4(text: str) -> bool:
    m = _IPV4.match(text)
    return bool(m) and all(0 <= int(p) <= 255 for p in m.groups())


def parse_plan(doc: Any, file: str) -> LaunchPlan:
    """Checks a decoded plan document and returns it typed."""
    r = _Reader(file)
    if r.get(doc, "format", "") != PLAN_FORMAT:
        raise r.fail("format", f'"{PLAN_FORMAT}"', r.get(doc, "format", ""))
    interface = dict(pattern=_INTERFACE, expected="an interface name (letters, digits, _ . -)")

    switches = []
    for i, s in enumerate(r.array(doc, "switches", "")):
        p = _join("switches", i)
        ports = []
        for j, port in enumerate(r.array(s, "ports", p)):
            pp = _join(_join(p, "ports"), j)
            name = r.string(port, "interface", pp, **interface)
            if len(name) > MAX_INTERFACE_NAME:
                raise r.fail(_join(pp, "interface"), "at most 15 characters", name)
            ports.append(SwitchPort(r.integer(port, "port", pp, 0, 511), name))
        switches.append(
            SwitchPlan(
                name=r.string(s, "name", p),
                device_id=r.integer(s, "deviceId", p, 1, 2**32 - 1),
                grpc_address=r.string(s, "grpcAddress", p, _ADDRESS, "an address host:port"),
                thrift_port=r.integer(s, "thriftPort", p, 1, 65535),
                cpu_port=r.integer(s, "cpuPort", p, 1, 511, optional=True),
                ports=ports,
            )
        )
    if not switches:
        raise r.fail("switches", "at least one switch", [])

    hosts = []
    for i, h in enumerate(r.array(doc, "hosts", "")):
        p = _join("hosts", i)
        ipv4 = r.string(h, "ipv4", p)
        if not _ipv4(ipv4):
            raise r.fail(_join(p, "ipv4"), "an IPv4 address such as 10.0.1.1", ipv4)
        hosts.append(
            HostPlan(
                name=r.string(h, "name", p),
                ipv4=ipv4,
                mac=r.string(
                    h, "mac", p, _MAC, "a lower-case MAC address such as 00:00:0a:00:01:01"
                ),
                interface=r.string(h, "interface", p, **interface),
                switch=r.string(h, "switch", p),
                port=r.integer(h, "port", p, 0, 511),
                commands=r.commands(h, "commands", p, optional=True),
            )
        )

    nodes = {s.name for s in switches} | {h.name for h in hosts}
    if len(nodes) != len(switches) + len(hosts):
        raise r.fail(
            "hosts",
            "node names used once across switches and hosts",
            sorted(n.name for n in switches + hosts),
        )
    links = []
    for i, link in enumerate(r.array(doc, "links", "")):
        p = _join("links", i)
        ends = r.array(link, "ends", p)
        if len(ends) != 2:
            raise r.fail(_join(p, "ends"), "two ends", ends)
        parsed = []
        for j, e in enumerate(ends):
            pe = _join(_join(p, "ends"), j)
            node = r.string(e, "node", pe)
            if node not in nodes:
                raise r.fail(_join(pe, "node"), "a switch or host of the plan", node)
            parsed.append(
                LinkEnd(
                    node,
                    r.string(e, "interface", pe, **interface),
                    r.integer(e, "port", pe, 0, 511, optional=True),
                )
            )
        links.append(parsed)
    names = [e.interface for link in links for e in link]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise r.fail("links", "each interface name used once", duplicates)

    commands = r.commands(doc, "hostCommands", "")

    b = r.get(doc, "bmv2", "")
    bmv2 = Bmv2Plan(
        binary=r.string(b, "binary", "bmv2"),
        log_level=r.string(
            b,
            "logLevel",
            "bmv2",
            re.compile("^(" + "|".join(LOG_LEVELS) + ")$"),
            "one of " + ", ".join(LOG_LEVELS),
        ),
        priority_queues=r.integer(b, "priorityQueues", "bmv2", 1, 8),
        start_timeout=r.number(b, "startTimeout", "bmv2", 1),
        socket_buffer=r.integer(b, "socketBuffer", "bmv2", 4096, 2**31 - 1, optional=True),
    )
    c = r.get(doc, "controller", "")
    controller = None
    if c is not None and not isinstance(c, _Missing):
        argv = r.array(c, "argv", "controller")
        if not argv or not all(isinstance(a, str) for a in argv):
            raise r.fail("controller.argv", "a command as a non-empty list of strings", argv)
        controller = ControllerPlan(
            argv=list(argv),
            cwd=r.string(c, "cwd", "controller"),
            status_url=r.string(
                c, "statusUrl", "controller", re.compile(r"^https?://"), "an http:// URL"
            ),
            ready_timeout=r.number(c, "readyTimeout", "controller", 1),
        )
    return LaunchPlan(
        file=file,
        topology_file=r.string(doc, "topologyFile", ""),
        run_dir=r.string(doc, "runDir", ""),
        switches=switches,
        hosts=hosts,
        links=links,
        host_commands=commands,
        bmv2=bmv2,
        controller=controller,
        interfaces=names,
    )


def load_plan(path: str) -> LaunchPlan:
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as err:
        raise PlanError(f"{path}: cannot read the plan: {err.strerror}") from None
    except json.JSONDecodeError as err:
        raise PlanError(f"{path}:{err.lineno}:{err.colno}: not JSON: {err.msg}") from None
    return parse_plan(doc, path)
