"""Unit tests of the command lines the launcher runs (no Mininet, BMv2 or root needed)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "mininet"))

import tempfile  # noqa: E402

from netapprox_mn import commands  # noqa: E402
from netapprox_mn.events import Events  # noqa: E402
from netapprox_mn.sysctl import SysctlError, raise_socket_buffer, read_sysctl  # noqa: E402
from netapprox_mn.plan import Bmv2Plan, HostPlan, SwitchPlan, SwitchPort  # noqa: E402

SWITCH = SwitchPlan(
    name="s1",
    device_id=3,
    grpc_address="127.0.0.1:50003",
    thrift_port=9092,
    cpu_port=None,
    ports=[SwitchPort(1, "s1-eth1"), SwitchPort(5, "s1-eth5")],
)
BMV2 = Bmv2Plan(
    binary="/opt/bin/simple_switch_grpc", log_level="warn", priority_queues=8, start_timeout=30
)
H1 = HostPlan("h1", "10.0.1.1", "00:00:0a:00:01:01", "h1-eth0", "s1", 1)
H2 = HostPlan("h2", "10.0.2.1", "00:00:0a:00:02:01", "h2-eth0", "s2", 1)


class Bmv2CommandTest(unittest.TestCase):
    def test_switch_options_from_the_plan(self):
        argv = commands.bmv2_argv(SWITCH, BMV2, "/run")
        self.assertEqual(argv[0], "/opt/bin/simple_switch_grpc")
        self.assertEqual(argv[argv.index("--device-id") + 1], "3")
        self.assertEqual(argv[argv.index("--thrift-port") + 1], "9092")
        self.assertIn("--no-p4", argv)
        self.assertEqual(
            [argv[i + 1] for i, a in enumerate(argv) if a == "-i"], ["1@s1-eth1", "5@s1-eth5"]
        )
        # Target options come after the separator.
        sep = argv.index("--")
        self.assertEqual(
            argv[sep + 1 :], ["--grpc-server-addr", "127.0.0.1:50003", "--priority-queues", "8"]
        )
        self.assertEqual(
            argv[argv.index("--notifications-addr") + 1], "ipc:///run/s1-notifications.ipc"
        )

    def test_log_files_are_per_switch_and_not_named_log(self):
        argv = commands.bmv2_argv(SWITCH, BMV2, "/run")
        base = argv[argv.index("--log-file") + 1]
        self.assertEqual(base, "/run/s1.bmv2-log")
        self.assertEqual(commands.switch_log_file("/run", "s1"), "/run/s1.bmv2-log.txt")
        self.assertFalse(commands.switch_log_file("/run", "s1").endswith(".log"))
        self.assertFalse(commands.switch_output_file("/run", "s1").endswith(".log"))
        self.assertEqual(argv[argv.index("--log-level") + 1], "warn")
        quiet = commands.bmv2_argv(SWITCH, Bmv2Plan("b", "off", 8, 30), "/run")
        self.assertNotIn("--log-file", quiet)

    def test_cpu_port_when_given(self):
        sw = SwitchPlan("s2", 2, "127.0.0.1:50002", 9091, 255, [])
        argv = commands.bmv2_argv(sw, BMV2, "/run")
        self.assertEqual(argv[-2:], ["--cpu-port", "255"])


class HostCommandTest(unittest.TestCase):
    def test_host_setup(self):
        cmds = commands.host_setup_argvs(H1, [H1, H2])
        joined = [" ".join(c) for c in cmds]
        self.assertIn(
            "sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 "
            "net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.lo.disable_ipv6=1 "
            "net.ipv6.conf.h1-eth0.disable_ipv6=1",
            joined,
        )
        self.assertIn("ethtool -K h1-eth0 rx off tx off sg off tso off gso off gro off", joined)
        self.assertIn("ip addr add 10.0.1.1/32 dev h1-eth0", joined)
        self.assertIn("ip route replace default dev h1-eth0", joined)
        # A permanent ARP entry for every other host, none for itself.
        self.assertIn(
            "ip neigh replace 10.0.2.1 lladdr 00:00:0a:00:02:01 dev h1-eth0 nud " "permanent",
            joined,
        )
        self.assertFalse(any("neigh replace 10.0.1.1 " in j for j in joined))

    def test_switch_interfaces(self):
        cmds = commands.switch_interface_argvs(SWITCH)
        self.assertEqual(
            cmds[0],
            [
                "sysctl",
                "-q",
                "-w",
                "net.ipv6.conf.s1-eth1.disable_ipv6=1",
                "net.ipv6.conf.s1-eth5.disable_ipv6=1",
            ],
        )
        self.assertEqual(cmds[1][:3], ["ethtool", "-K", "s1-eth1"])
        self.assertEqual(len(cmds), 3)


class EventsTest(unittest.TestCase):
    def test_a_reader_that_went_away_does_not_stop_the_launcher(self):
        class Broken:
            def write(self, _text):
                raise BrokenPipeError(32, "Broken pipe")

            def flush(self):
                pass

        emit = Events(Broken())
        emit({"event": "stopping", "reason": "stdin closed"})  # no exception
        emit({"event": "down", "leftovers": []})


class SocketBufferTest(unittest.TestCase):
    def test_raised_only_when_lower_and_restorable(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "wmem_default")
            with open(path, "w") as f:
                f.write("212992\n")
            self.assertIsNone(raise_socket_buffer(None, path))
            self.assertIsNone(raise_socket_buffer(100_000, path))
            self.assertEqual(read_sysctl(path), 212992)
            self.assertEqual(raise_socket_buffer(786_432, path), 212992)
            self.assertEqual(read_sysctl(path), 786432)
            self.assertIsNone(raise_socket_buffer(1, os.path.join(tmp, "none")))
            os.chmod(path, 0o444)
            if os.geteuid() != 0:  # root writes read-only files all the same
                with self.assertRaises(SysctlError):
                    raise_socket_buffer(10**7, path)


if __name__ == "__main__":
    unittest.main()
