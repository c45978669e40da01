"""The command lines the launcher runs, built from the plan without running anything.

Kept apart from the code that runs them so that they can be checked without Mininet,
BMv2 or root.
"""

import os
from typing import List

from .plan import Bmv2Plan, HostPlan, SwitchPlan

# Offloads off on both ends of every veth: with transmit checksum offload a veth hands
# BMv2 packets whose checksums were never filled in, and segmentation offloads would
# hand it 64 KB frames; BMv2 forwards both as they are.
OFFLOADS = ["rx", "off", "tx", "off", "sg", "off", "tso", "off", "gso", "off", "gro", "off"]


def switch_log_base(run_dir: str, switch: str) -> str:
    """What --log-file is given; BMv2 appends ".txt". Not *.log: Mininet's cleanup
    deletes those."""
    return os.path.join(run_dir, f"{switch}.bmv2-log")


def switch_log_file(run_dir: str, switch: str) -> str:
    return switch_log_base(run_dir, switch) + ".txt"


def switch_output_file(run_dir: str, switch: str) -> str:
    return os.path.join(run_dir, f"{switch}.bmv2-out.txt")


def bmv2_argv(sw: SwitchPlan, bmv2: Bmv2Plan, run_dir: str) -> List[str]:
    """simple_switch_grpc for one switch: no program until the controller pushes one."""
    argv = [
        bmv2.binary,
        "--device-id",
        str(sw.device_id),
        "--thrift-port",
        str(sw.thrift_port),
        "--no-p4",
        # Each switch its own notification socket: the default path depends on the device
        # id only and would collide with any other BMv2 on this machine.
        "--notifications-addr",
        f"ipc://{os.path.join(run_dir, sw.name + '-notifications.ipc')}",
    ]
    if bmv2.log_level != "off":
        argv += [
            "--log-file",
            switch_log_base(run_dir, sw.name),
            "--log-level",
            bmv2.log_level,
            "--log-flush",
        ]
    for p in sw.ports:
        argv += ["-i", f"{p.port}@{p.interface}"]
    argv += [
        "--",
        "--grpc-server-addr",
        sw.grpc_address,
        "--priority-queues",
        str(bmv2.priority_queues),
    ]
    if sw.cpu_port is not None:
        argv += ["--cpu-port", str(sw.cpu_port)]
    return argv


def ipv6_off_argv(interfaces: List[str]) -> List[str]:
    """sysctl that turns IPv6 off on the given interfaces (and by default in a namespace)."""
    keys = [f"net.ipv6.conf.{i}.disable_ipv6=1" for i in interfaces]
    return ["sysctl", "-q", "-w"] + keys


def offloads_off_argv(interface: str) -> List[str]:
    return ["ethtool", "-K", interface] + OFFLOADS


def host_setup_argvs(host: HostPlan, others: List[HostPlan]) -> List[List[str]]:
    """Inside a host's namespace: IPv6 off, offloads off, one /32 address, every other
    host on-link through the one interface with a permanent ARP entry (the switches route
    by IP and rewrite MAC addresses; nothing answers ARP)."""
    intf = host.interface
    cmds = [
        ipv6_off_argv(["all", "default", "lo", intf]),
        offloads_off_argv(intf),
        ["ip", "addr", "flush", "dev", intf],
        ["ip", "addr", "add", f"{host.ipv4}/32", "dev", intf],
        ["ip", "link", "set", intf, "address", host.mac],
        ["ip", "link", "set", intf, "up"],
        ["ip", "link", "set", "lo", "up"],
        ["ip", "route", "replace", "default", "dev", intf],
    ]
    for other in others:
        if other.name == host.name:
            continue
        cmds.append(
            [
                "ip",
                "neigh",
                "replace",
                other.ipv4,
                "lladdr",
                other.mac,
                "dev",
                intf,
                "nud",
                "permanent",
            ]
        )
    return cmds


def switch_interface_argvs(sw: SwitchPlan) -> List[List[str]]:
    """Root namespace, before BMv2 starts: the switch's interfaces carry no IPv6 (router
    solicitations would reach BMv2 as NOT_IPV4 drops) and no offloads."""
    cmds = [ipv6_off_argv([p.interface for p in sw.ports])] if sw.ports else []
    cmds += [offloads_off_argv(p.interface) for p in sw.ports]
    return cmds
