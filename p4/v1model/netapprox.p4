// netapprox data plane for BMv2 simple_switch_grpc (v1model).
//
// Run simple_switch_grpc with `--priority-queues 8`: set_queue's value becomes
// standard_metadata.priority, and BMv2 serves the highest priority first (0 is
// the lowest). A priority at or above the number of queues is dropped by BMv2.
#include <core.p4>
#include <v1model.p4>

#include "../include/defines.p4"
#include "../include/headers.p4"
#include "../include/parser.p4"

// The depth of every (egress port, priority queue) as the last packet dequeued
// from it left behind (deq_qdepth, packets). Egress writes, ingress reads: in
// v1model only egress sees queue depths. Internal state: the controller never
// reads or writes it (BMv2's P4Runtime server does not serve registers).
// deq_qdepth rather than enq_qdepth so that the recorded depth falls back to
// the real one once the queue drains, even when no new packet is admitted.
#define QUEUE_SLOTS 4096   // NUM_PORTS * 8 priorities: index = port * 8 + priority
register<qdepth_t>(QUEUE_SLOTS) queue_depth;

parser NetapproxParser(packet_in pkt,
                       out headers_t hdr,
                       inout local_metadata_t meta,
                       inout standard_metadata_t standard_metadata) {
    NetapproxHeaderParser() header_parser;

    state start {
        header_parser.apply(pkt, hdr, meta);
        transition accept;
    }
}

control NetapproxVerifyChecksum(inout headers_t hdr, inout local_metadata_t meta) {
    apply { }
}

control NetapproxIngress(inout headers_t hdr,
                         inout local_metadata_t meta,
                         inout standard_metadata_t standard_metadata) {
    action_selector(HashAlgorithm.crc16, ECMP_MEMBERS, 16) ecmp_selector;

    // Two-rate three-colour meter per approximate job (bytes; CIR = guaranteed
    // rate, PIR = allocated rate, both in bytes per second over P4Runtime).
    meter(NUM_JOBS, MeterType.bytes) job_meter;
    counter(JOB_COLOR_SLOTS, CounterType.packets_and_bytes) job_colors;
    counter(PORT_DROP_SLOTS, CounterType.packets_and_bytes) port_drops;

#include "../include/ingress_tables.p4"

    action set_thresholds(qdepth_t le_depth, qdepth_t ecn_depth) {
        meta.le_depth = le_depth;
        meta.ecn_depth = ecn_depth;
    }

    // Per egress port: best-effort approximate packets are admitted only while
    // that port's LE queue holds at most le_depth packets; exact ECN-capable
    // packets are marked CE above ecn_depth packets (0 turns marking off).
    // No entry: no admission limit, no marking.
    table port_thresholds {
        key = {
            meta.egress_port : exact @name("egress_port");
        }
        actions = {
            set_thresholds;
            @defaultonly NoAction;
        }
        default_action = NoAction();
        size = PORT_THRESHOLDS_SIZE;
    }

    apply {
        meta.ingress_port = standard_metadata.ingress_port;

        // Only plain IPv4 is routed: other EtherTypes (hosts use static ARP) and
        // IPv4 headers with options are dropped.
        if (!hdr.ipv4.isValid() || hdr.ipv4.version != 4 || hdr.ipv4.ihl != 5) {
            meta.drop = 1;
            meta.drop_reason = DROP_NOT_IPV4;
            meta.drop_port = meta.ingress_port;
        } else if (hdr.ipv4.ttl <= 1) {
            meta.drop = 1;
            meta.drop_reason = DROP_TTL_EXPIRED;
            meta.drop_port = meta.ingress_port;
        } else if (!routing_v4.apply().hit) {
            drop_no_route();
        }

        if (meta.drop == 0) {
            port_role.apply();
            if (meta.is_edge == 1) {
                if (!classifier.apply().hit) {
                    dscp_class.apply();
                }
            } else {
                dscp_class.apply();
            }

            // Edge conditioning. Approximate packets without a job (a host's own
            // LE or AF11 marking) get no guarantee: they are treated as YELLOW.
            if (meta.is_edge == 1 && (meta.traffic_class == TC_APPROX_GUARANTEED ||
                                      meta.traffic_class == TC_APPROX_BEST_EFFORT)) {
                if (meta.has_job == 1 && meta.job_id < NUM_JOBS) {
                    job_meter.execute_meter<color_t>((bit<32>) meta.job_id, meta.color);
                    job_colors.count((bit<32>) (meta.job_id[JOB_INDEX_BITS - 1:0] ++ meta.color));
                } else {
                    meta.color = COLOR_YELLOW;
                }
                color_action.apply();
            }
        }

        if (meta.drop == 0) {
            queue_map.apply();
            standard_metadata.egress_spec = meta.egress_port;
            standard_metadata.priority = meta.queue[2:0];

            if (port_thresholds.apply().hit) {
                qdepth_t depth;
                queue_depth.read(depth, (bit<32>) (meta.egress_port ++ meta.queue[2:0]));
                if (meta.traffic_class == TC_APPROX_BEST_EFFORT && depth > meta.le_depth) {
                    meta.drop = 1;
                    meta.drop_reason = DROP_LE_THRESHOLD;
                    meta.drop_port = meta.egress_port;
                } else if (meta.traffic_class == TC_EXACT && meta.ecn_depth != 0 &&
                           hdr.ipv4.ecn != ECN_NOT_ECT && depth > meta.ecn_depth) {
                    hdr.ipv4.ecn = ECN_CE;
                }
            }
        }

        if (meta.drop == 1) {
            port_drops.count((bit<32>) (meta.drop_port ++ meta.drop_reason));
            mark_to_drop(standard_metadata);
        }
    }
}

control NetapproxEgress(inout headers_t hdr,
                        inout local_metadata_t meta,
                        inout standard_metadata_t standard_metadata) {
    counter(PORT_CLASS_SLOTS, CounterType.packets_and_bytes) port_class_tx;

    apply {
        queue_depth.write((bit<32>) (standard_metadata.egress_port ++ standard_metadata.priority),
                          standard_metadata.deq_qdepth);
        port_class_tx.count((bit<32>) (standard_metadata.egress_port ++ meta.traffic_class));
    }
}

control NetapproxComputeChecksum(inout headers_t hdr, inout local_metadata_t meta) {
    apply {
        update_checksum(
            hdr.ipv4.isValid(),
            { hdr.ipv4.version, hdr.ipv4.ihl, hdr.ipv4.dscp, hdr.ipv4.ecn,
              hdr.ipv4.total_len, hdr.ipv4.identification, hdr.ipv4.flags,
              hdr.ipv4.frag_offset, hdr.ipv4.ttl, hdr.ipv4.protocol,
              hdr.ipv4.src_addr, hdr.ipv4.dst_addr },
            hdr.ipv4.hdr_checksum,
            HashAlgorithm.csum16);
    }
}

control NetapproxDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.ipv4);
        pkt.emit(hdr.tcp);
        pkt.emit(hdr.udp);
    }
}

V1Switch(NetapproxParser(),
         NetapproxVerifyChecksum(),
         NetapproxIngress(),
         NetapproxEgress(),
         NetapproxComputeChecksum(),
         NetapproxDeparser()) main;
