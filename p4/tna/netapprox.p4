// netapprox data plane for Tofino (TNA).
//
// Differences from the v1model program, forced by the hardware:
// - A Tofino register lives in one stage of one gress, so ingress cannot read a
//   depth that egress recorded. port_thresholds is applied in egress instead, on
//   the packet's own enq_qdepth (in 80-byte cells on Tofino 1, not packets), and
//   best-effort packets carry packet_color YELLOW so that the traffic manager's
//   colour-drop limits on their queue (a deployment setting) also apply.
// - A counter lives in one gress too: drops decided in ingress are counted in
//   NetapproxIngress.port_drops, LE_THRESHOLD drops in NetapproxEgress.port_drops
//   (same size and index layout; the controller sums both).
// - The traffic class travels from ingress to egress in a bridged header.
// - The meter is constructed to return the normalised colours (RED = 2, not 3).
// Queue priorities, weights, shaping and buffer limits are traffic-manager
// configuration of the deployment, not part of this program.
#include <core.p4>
#include <tna.p4>

#include "../include/defines.p4"
#include "../include/headers.p4"
#include "../include/parser.p4"

struct egress_metadata_t {
    qdepth_t le_depth;
    qdepth_t ecn_depth;
    qdepth_t le_excess;    // enq_qdepth above le_depth (0: at or below)
    qdepth_t ecn_excess;   // enq_qdepth above ecn_depth
    bit<1>   drop;
}

// ---------------------------------------------------------------- ingress ----

parser NetapproxIngressParser(packet_in pkt,
                              out headers_t hdr,
                              out local_metadata_t meta,
                              out ingress_intrinsic_metadata_t ig_intr_md) {
    NetapproxHeaderParser() header_parser;

    state start {
        pkt.extract(ig_intr_md);
        pkt.advance(PORT_METADATA_SIZE);
        // Tofino does not zero metadata: start from a known state.
        meta.ingress_port = ig_intr_md.ingress_port;
        meta.l4_src_port = 0;
        meta.l4_dst_port = 0;
        meta.is_edge = 0;
        meta.has_job = 0;
        meta.job_id = 0;
        meta.traffic_class = TC_EXACT;
        meta.color = COLOR_GREEN;
        meta.egress_port = 0;
        meta.queue = 0;
        meta.drop = 0;
        meta.drop_reason = 0;
        meta.drop_port = 0;
        meta.le_depth = 0;
        meta.ecn_depth = 0;
        transition parse_headers;
    }

    state parse_headers {
        header_parser.apply(pkt, hdr, meta);
        transition accept;
    }
}

control NetapproxIngress(inout headers_t hdr,
                         inout local_metadata_t meta,
                         in ingress_intrinsic_metadata_t ig_intr_md,
                         in ingress_intrinsic_metadata_from_parser_t ig_prsr_md,
                         inout ingress_intrinsic_metadata_for_deparser_t ig_dprsr_md,
                         inout ingress_intrinsic_metadata_for_tm_t ig_tm_md) {
    Hash<bit<16>>(HashAlgorithm_t.CRC16) ecmp_hash;
    ActionProfile(ECMP_MEMBERS) ecmp_profile;
    ActionSelector(ecmp_profile, ecmp_hash, SelectorMode_t.FAIR,
                   ECMP_MAX_GROUP_SIZE, ECMP_GROUPS) ecmp_selector;

    // Colour encodings (red, yellow, green) chosen to match COLOR_*.
    Meter<bit<JOB_INDEX_BITS>>(NUM_JOBS, MeterType_t.BYTES,
                               (bit<8>) COLOR_RED, (bit<8>) COLOR_YELLOW,
                               (bit<8>) COLOR_GREEN) job_meter;
    Counter<bit<64>, bit<12>>(JOB_COLOR_SLOTS, CounterType_t.PACKETS_AND_BYTES) job_colors;
    Counter<bit<64>, bit<12>>(PORT_DROP_SLOTS, CounterType_t.PACKETS_AND_BYTES) port_drops;

#include "../include/ingress_tables.p4"

    apply {
        // Only plain IPv4 is routed: other EtherTypes and IPv4 with options drop.
        if (!hdr.ipv4.isValid() || hdr.ipv4.version != 4 || hdr.ipv4.ihl != 5) {
            meta.drop = 1;
            meta.drop_reason = DROP_NOT_IPV4;
            meta.drop_port = meta.ingress_port;
        } else if (hdr.ipv4.ttl == 0 || hdr.ipv4.ttl == 1) {
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

            // Approximate packets without a job get no guarantee: YELLOW.
            if (meta.is_edge == 1 && (meta.traffic_class == TC_APPROX_GUARANTEED ||
                                      meta.traffic_class == TC_APPROX_BEST_EFFORT)) {
                if (meta.has_job == 1 && meta.job_id[15:JOB_INDEX_BITS] == 0) {
                    meta.color = (color_t) job_meter.execute(meta.job_id[JOB_INDEX_BITS - 1:0]);
                    job_colors.count(meta.job_id[JOB_INDEX_BITS - 1:0] ++ meta.color);
                } else {
                    meta.color = COLOR_YELLOW;
                }
                color_action.apply();
            }
        }

        if (meta.drop == 0) {
            queue_map.apply();
            ig_tm_md.ucast_egress_port = meta.egress_port;
            ig_tm_md.qid = meta.queue;
            if (meta.traffic_class == TC_APPROX_BEST_EFFORT) {
                ig_tm_md.packet_color = (bit<2>) COLOR_YELLOW;
            }
            hdr.bridged.setValid();
            hdr.bridged.pad = 0;
            hdr.bridged.traffic_class = meta.traffic_class;
        } else {
            port_drops.count(meta.drop_port ++ meta.drop_reason);
            ig_dprsr_md.drop_ctl = 1;
        }
    }
}

control NetapproxIngressDeparser(packet_out pkt,
                                 inout headers_t hdr,
                                 in local_metadata_t meta,
                                 in ingress_intrinsic_metadata_for_deparser_t ig_dprsr_md) {
    Checksum() ipv4_checksum;

    apply {
        hdr.ipv4.hdr_checksum = ipv4_checksum.update({
            hdr.ipv4.version, hdr.ipv4.ihl, hdr.ipv4.dscp, hdr.ipv4.ecn,
            hdr.ipv4.total_len, hdr.ipv4.identification, hdr.ipv4.flags,
            hdr.ipv4.frag_offset, hdr.ipv4.ttl, hdr.ipv4.protocol,
            hdr.ipv4.src_addr, hdr.ipv4.dst_addr });
        pkt.emit(hdr.bridged);
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.ipv4);
        pkt.emit(hdr.tcp);
        pkt.emit(hdr.udp);
    }
}

// ----------------------------------------------------------------- egress ----

parser NetapproxEgressParser(packet_in pkt,
                             out headers_t hdr,
                             out egress_metadata_t eg_md,
                             out egress_intrinsic_metadata_t eg_intr_md) {
    state start {
        pkt.extract(eg_intr_md);
        eg_md.le_depth = 0;
        eg_md.ecn_depth = 0;
        eg_md.le_excess = 0;
        eg_md.ecn_excess = 0;
        eg_md.drop = 0;
        pkt.extract(hdr.bridged);
        pkt.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            ETHERTYPE_IPV4: parse_ipv4;
            default: accept;
        }
    }

    state parse_ipv4 {
        pkt.extract(hdr.ipv4);
        transition accept;
    }
}

control NetapproxEgress(inout headers_t hdr,
                        inout egress_metadata_t eg_md,
                        in egress_intrinsic_metadata_t eg_intr_md,
                        in egress_intrinsic_metadata_from_parser_t eg_prsr_md,
                        inout egress_intrinsic_metadata_for_deparser_t eg_dprsr_md,
                        inout egress_intrinsic_metadata_for_output_port_t eg_oport_md) {
    Counter<bit<64>, bit<11>>(PORT_CLASS_SLOTS, CounterType_t.PACKETS_AND_BYTES) port_class_tx;
    Counter<bit<64>, bit<12>>(PORT_DROP_SLOTS, CounterType_t.PACKETS_AND_BYTES) port_drops;

    action set_thresholds(qdepth_t le_depth, qdepth_t ecn_depth) {
        eg_md.le_depth = le_depth;
        eg_md.ecn_depth = ecn_depth;
    }


    // Per egress port: best-effort approximate packets that found more than
    // le_depth cells in their queue are dropped; exact ECN-capable packets are
    // marked CE above ecn_depth cells (0 turns marking off). No entry: neither.
    table port_thresholds {
        key = {
            eg_intr_md.egress_port : exact @name("egress_port");
        }
        actions = {
            set_thresholds;
            @defaultonly NoAction;
        }
        default_action = NoAction();
        size = PORT_THRESHOLDS_SIZE;
    }

    // Tofino gateways compare a field with a constant, not two fields: saturating
    // differences, non-zero exactly when the depth is above the threshold. An
    // action of its own, or the compiler folds the subtraction back into the
    // condition. Internal: hidden from the control plane.
    @hidden action compute_excess() {
        eg_md.le_excess = eg_intr_md.enq_qdepth |-| eg_md.le_depth;
        eg_md.ecn_excess = eg_intr_md.enq_qdepth |-| eg_md.ecn_depth;
    }

    apply {
        traffic_class_t traffic_class = hdr.bridged.traffic_class;
        hdr.bridged.setInvalid();

        if (port_thresholds.apply().hit) {
            compute_excess();
            if (traffic_class == TC_APPROX_BEST_EFFORT) {
                if (eg_md.le_excess != 0) {
                    eg_md.drop = 1;
                }
            } else if (traffic_class == TC_EXACT && eg_md.ecn_depth != 0 &&
                       hdr.ipv4.ecn != ECN_NOT_ECT) {
                if (eg_md.ecn_excess != 0) {
                    hdr.ipv4.ecn = ECN_CE;
                }
            }
        }

        if (eg_md.drop == 1) {
            port_drops.count(eg_intr_md.egress_port ++ DROP_LE_THRESHOLD);
            eg_dprsr_md.drop_ctl = 1;
        } else {
            port_class_tx.count(eg_intr_md.egress_port ++ traffic_class);
        }
    }
}

control NetapproxEgressDeparser(packet_out pkt,
                                inout headers_t hdr,
                                in egress_metadata_t eg_md,
                                in egress_intrinsic_metadata_for_deparser_t eg_dprsr_md) {
    Checksum() ipv4_checksum;

    apply {
        hdr.ipv4.hdr_checksum = ipv4_checksum.update({
            hdr.ipv4.version, hdr.ipv4.ihl, hdr.ipv4.dscp, hdr.ipv4.ecn,
            hdr.ipv4.total_len, hdr.ipv4.identification, hdr.ipv4.flags,
            hdr.ipv4.frag_offset, hdr.ipv4.ttl, hdr.ipv4.protocol,
            hdr.ipv4.src_addr, hdr.ipv4.dst_addr });
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.ipv4);
    }
}

Pipeline(NetapproxIngressParser(),
         NetapproxIngress(),
         NetapproxIngressDeparser(),
         NetapproxEgressParser(),
         NetapproxEgress(),
         NetapproxEgressDeparser()) pipe;

Switch(pipe) main;
