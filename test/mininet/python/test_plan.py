"""Unit tests of the launcher's plan checks (no Mininet, BMv2 or root needed)."""

import copy
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "mininet"))

from netapprox_mn.plan import PlanError, load_plan, parse_plan  # noqa: E402

PLAN = {
    "format": "netapprox-mininet-plan/1",
    "topologyFile": "topologies/dumbbell.yaml",
    "runDir": "/tmp/run",
    "switches": [
        {
            "name": "s1",
            "deviceId": 1,
            "grpcAddress": "127.0.0.1:50001",
            "thriftPort": 9090,
            "cpuPort": None,
            "ports": [{"port": 1, "interface": "s1-eth1"}, {"port": 2, "interface": "s1-eth2"}],
        },
    ],
    "hosts": [
        {
            "name": "h1",
            "ipv4": "10.0.1.1",
            "mac": "00:00:0a:00:01:01",
            "interface": "h1-eth0",
            "switch": "s1",
            "port": 1,
        },
        {
            "name": "h2",
            "ipv4": "10.0.1.2",
            "mac": "00:00:0a:00:01:02",
            "interface": "h2-eth0",
            "switch": "s1",
            "port": 2,
        },
    ],
    "links": [
        {
            "ends": [
                {"node": "h1", "interface": "h1-eth0", "port": None},
                {"node": "s1", "interface": "s1-eth1", "port": 1},
            ]
        },
        {
            "ends": [
                {"node": "h2", "interface": "h2-eth0", "port": None},
                {"node": "s1", "interface": "s1-eth2", "port": 2},
            ]
        },
    ],
    "hostCommands": [["iptables", "-t", "mangle", "-L"]],
    "bmv2": {
        "binary": "simple_switch_grpc",
        "logLevel": "warn",
        "priorityQueues": 8,
        "startTimeout": 30,
    },
    "controller": {
        "argv": ["node", "bin/netapprox.js", "controller"],
        "cwd": "/tmp/run",
        "statusUrl": "http://127.0.0.1:9464/status",
        "readyTimeout": 90,
    },
}


def broken(change):
    doc = copy.deepcopy(PLAN)
    change(doc)
    return doc


class PlanTest(unittest.TestCase):
    def test_a_good_plan_is_read_typed(self):
        plan = parse_plan(PLAN, "plan.json")
        self.assertEqual(plan.switches[0].grpc_port, 50001)
        self.assertEqual(plan.switches[0].grpc_host, "127.0.0.1")
        self.assertEqual([p.interface for p in plan.switches[0].ports], ["s1-eth1", "s1-eth2"])
        self.assertEqual(plan.hosts[1].ipv4, "10.0.1.2")
        self.assertEqual(plan.interfaces, ["h1-eth0", "s1-eth1", "h2-eth0", "s1-eth2"])
        self.assertEqual(plan.controller.ready_timeout, 90.0)
        self.assertEqual(plan.bmv2.priority_queues, 8)

    def test_a_host_may_carry_its_own_commands(self):
        doc = broken(lambda d: d["hosts"][0].update(commands=[["tc", "qdisc", "show"]]))
        plan = parse_plan(doc, "plan.json")
        self.assertEqual(plan.hosts[0].commands, [["tc", "qdisc", "show"]])
        self.assertEqual(plan.hosts[1].commands, [])
        self.assertRejected(
            broken(lambda d: d["hosts"][1].update(commands=[["tc"], [1]])),
            "hosts[1].commands[1]: expected a command",
        )
        self.assertRejected(
            broken(lambda d: d["hosts"][1].update(commands="tc")),
            "hosts[1].commands: expected a list",
        )

    def test_no_controller_is_allowed(self):
        self.assertIsNone(parse_plan(broken(lambda d: d.update(controller=None)), "p").controller)

    def assertRejected(self, doc, *fragments):
        with self.assertRaises(PlanError) as caught:
            parse_plan(doc, "plan.json")
        for fragment in fragments:
            self.assertIn(fragment, str(caught.exception))

    def test_errors_name_the_file_the_path_and_what_was_expected(self):
        self.assertRejected(broken(lambda d: d.update(format="v0")), "plan.json: format: expected")
        self.assertRejected(
            broken(lambda d: d["switches"][0].update(deviceId=0)),
            "switches[0].deviceId: expected an integer from 1",
            "got 0",
        )
        self.assertRejected(
            broken(lambda d: d["hosts"][1].update(ipv4="10.0.1.300")),
            "hosts[1].ipv4: expected an IPv4 address",
        )
        self.assertRejected(
            broken(lambda d: d["hosts"][0].update(mac="00:00:0A:00:01:01")),
            "hosts[0].mac: expected a lower-case MAC",
        )
        self.assertRejected(
            broken(lambda d: d["switches"][0]["ports"][0].update(interface="a-much-too-long-name")),
            "switches[0].ports[0].interface",
            "at most 15 characters",
        )
        self.assertRejected(
            broken(lambda d: d["links"][0]["ends"][1].update(node="s9")),
            "links[0].ends[1].node: expected a switch or host of the plan",
        )
        self.assertRejected(
            broken(lambda d: d["bmv2"].update(logLevel="loud")),
            "bmv2.logLevel: expected one of trace",
        )
        self.assertRejected(
            broken(lambda d: d["bmv2"].update(priorityQueues=9)), "bmv2.priorityQueues"
        )
        self.assertRejected(
            broken(lambda d: d.update(hostCommands=[["ok"], []])),
            "hostCommands[1]: expected a command",
        )
        self.assertRejected(
            broken(lambda d: d["controller"].update(statusUrl="ftp://x")),
            "controller.statusUrl: expected an http:// URL",
        )
        self.assertRejected(
            broken(lambda d: d["switches"][0].update(grpcAddress="50001")),
            "switches[0].grpcAddress: expected an address host:port",
        )
        self.assertRejected(broken(lambda d: d.pop("switches")), "switches: expected a list")

    def test_an_interface_used_twice_is_refused(self):
        def twice(d):
            d["links"][1]["ends"][1]["interface"] = "s1-eth1"

        self.assertRejected(
            broken(twice), "links: expected each interface name used once", "s1-eth1"
        )

    def test_a_node_name_used_twice_is_refused(self):
        self.assertRejected(
            broken(lambda d: d["hosts"][1].update(name="s1")), "node names used once"
        )

    def test_files_that_cannot_be_read_or_parsed(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "plan.json")
            with open(path, "w") as f:
                f.write('{"format": ')
            with self.assertRaises(PlanError) as caught:
                load_plan(path)
            self.assertIn(f"{path}:1:", str(caught.exception))
            with open(path, "w") as f:
                json.dump(PLAN, f)
            self.assertEqual(load_plan(path).file, path)
            with self.assertRaises(PlanError) as missing:
                load_plan(os.path.join(tmp, "none.json"))
            self.assertIn("cannot read the plan", str(missing.exception))


if __name__ == "__main__":
    unittest.main()
