// netapprox: the ingress tables and actions common to every architecture.
//
// This file is a fragment of a control body, not a standalone declaration: each
// architecture's NetapproxIngress control #includes it, so that the tables keep flat
// names (NetapproxIngress.classifier, ...) identical across targets. In scope it
// expects `hdr` (headers_t), `meta` (local_metadata_t) and an action selector
// instance named `ecmp_selector`. Actions only write headers and metadata; the
// architecture's apply block turns meta.egress_port, meta.queue and meta.drop into
// its own intrinsic metadata.

// ---- port role: edge ports condition traffic, core ports trust the DSCP ----

action mark_edge_port() {
    meta.is_edge = 1;
}

table port_role {
    key = {
        meta.ingress_port : exact @name("ingress_port");
    }
    actions = {
        mark_edge_port;
        @defaultonly NoAction;
    }
    default_action = NoAction();   // core port
    size = PORT_ROLE_SIZE;
}

// ---- classification ----

// An approximate job's packet: its meter decides the final class.
action classify_approx(job_id_t job_id) {
    meta.traffic_class = TC_APPROX_BEST_EFFORT;
    meta.has_job = 1;
    meta.job_id = job_id;
}

// Exact traffic leaves the edge with the default DSCP so core switches agree.
action classify_exact() {
    meta.traffic_class = TC_EXACT;
    hdr.ipv4.dscp = DSCP_DEFAULT;
}

action classify_control() {
    meta.traffic_class = TC_CONTROL;
    hdr.ipv4.dscp = DSCP_CS6;
}

// Edge ports only; entries need a priority. A miss falls through to dscp_class.
table classifier {
    key = {
        hdr.ipv4.src_addr : ternary @name("src_addr");
        hdr.ipv4.dst_addr : ternary @name("dst_addr");
        hdr.ipv4.protocol : ternary @name("protocol");
        meta.l4_src_port  : range   @name("l4_src_port");
        meta.l4_dst_port  : range   @name("l4_dst_port");
        hdr.ipv4.dscp     : ternary @name("dscp");
    }
    actions = {
        classify_approx;
        classify_exact;
        classify_control;
        @defaultonly NoAction;
    }
    default_action = NoAction();
    size = CLASSIFIER_SIZE;
}

action set_traffic_class(traffic_class_t traffic_class) {
    meta.traffic_class = traffic_class;
}

// The class a DSCP stands for (core ports, and edge packets the classifier missed).
// The controller installs LE -> best effort, AF11 -> guaranteed, CS6 -> control;
// every other DSCP is exact.
table dscp_class {
    key = {
        hdr.ipv4.dscp : exact @name("dscp");
    }
    actions = {
        set_traffic_class;
    }
    default_action = set_traffic_class(TC_EXACT);
    size = DSCP_TABLE_SIZE;
}

// ---- edge conditioning: what a meter colour means ----

action set_dscp_and_class(bit<6> dscp, traffic_class_t traffic_class) {
    hdr.ipv4.dscp = dscp;
    meta.traffic_class = traffic_class;
}

action drop_meter_red() {
    meta.drop = 1;
    meta.drop_reason = DROP_METER_RED;
    meta.drop_port = meta.ingress_port;
}

// The controller installs GREEN -> (AF11, guaranteed), YELLOW -> (LE, best
// effort), RED -> drop_meter_red.
table color_action {
    key = {
        meta.color : exact @name("color");
    }
    actions = {
        set_dscp_and_class;
        drop_meter_red;
        @defaultonly NoAction;
    }
    default_action = NoAction();
    size = COLOR_TABLE_SIZE;
}

// ---- routing ----

action set_next_hop(port_num_t port, mac_addr_t smac, mac_addr_t dmac) {
    meta.egress_port = port;
    hdr.ethernet.src_addr = smac;
    hdr.ethernet.dst_addr = dmac;
    hdr.ipv4.ttl = hdr.ipv4.ttl - 1;
}

action drop_no_route() {
    meta.drop = 1;
    meta.drop_reason = DROP_NO_ROUTE;
    meta.drop_port = meta.ingress_port;
}

// Entries point at action profile members (one next hop) or groups (ECMP; the
// member is picked by a hash of the 5-tuple). A miss drops with NO_ROUTE.
table routing_v4 {
    key = {
        hdr.ipv4.dst_addr : lpm @name("dst_addr");
        hdr.ipv4.src_addr : selector;
        hdr.ipv4.protocol : selector;
        meta.l4_src_port  : selector;
        meta.l4_dst_port  : selector;
    }
    actions = {
        set_next_hop;
        drop_no_route;
        @defaultonly NoAction;
    }
    implementation = ecmp_selector;
    size = ROUTING_V4_SIZE;
}

// ---- queueing ----

action set_queue(queue_id_t queue) {
    meta.queue = queue;
}

// DSCP (after re-marking) -> egress queue. The default action is the exact
// traffic's queue, set by the controller.
table queue_map {
    key = {
        hdr.ipv4.dscp : exact @name("dscp");
    }
    actions = {
        set_queue;
    }
    default_action = set_queue(0);
    size = DSCP_TABLE_SIZE;
}
