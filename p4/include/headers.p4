// netapprox: packet headers and the ingress metadata shared by every architecture.
#ifndef NETAPPROX_HEADERS_P4
#define NETAPPROX_HEADERS_P4

#include "defines.p4"

header ethernet_t {
    mac_addr_t dst_addr;
    mac_addr_t src_addr;
    bit<16>    ether_type;
}

header ipv4_t {
    bit<4>      version;
    bit<4>      ihl;
    bit<6>      dscp;
    bit<2>      ecn;
    bit<16>     total_len;
    bit<16>     identification;
    bit<3>      flags;
    bit<13>     frag_offset;
    bit<8>      ttl;
    bit<8>      protocol;
    bit<16>     hdr_checksum;
    ipv4_addr_t src_addr;
    ipv4_addr_t dst_addr;
}

header tcp_t {
    bit<16> src_port;
    bit<16> dst_port;
    bit<32> seq_no;
    bit<32> ack_no;
    bit<4>  data_offset;
    bit<4>  reserved;
    bit<8>  flags;
    bit<16> window;
    bit<16> checksum;
    bit<16> urgent_ptr;
}

header udp_t {
    bit<16> src_port;
    bit<16> dst_port;
    bit<16> length;
    bit<16> checksum;
}

// Carries the traffic class from ingress to egress on Tofino, where ingress
// metadata does not survive the traffic manager. Never valid on v1model.
header bridged_md_t {
    bit<6>          pad;
    traffic_class_t traffic_class;
}

struct headers_t {
    bridged_md_t bridged;
    ethernet_t   ethernet;
    ipv4_t       ipv4;
    tcp_t        tcp;
    udp_t        udp;
}

struct local_metadata_t {
    port_num_t      ingress_port;
    bit<16>         l4_src_port;     // 0 when the packet has no TCP/UDP header
    bit<16>         l4_dst_port;
    bit<1>          is_edge;         // set by port_role
    bit<1>          has_job;         // set by classify_approx
    job_id_t        job_id;
    traffic_class_t traffic_class;
    color_t         color;
    port_num_t      egress_port;     // set by set_next_hop
    queue_id_t      queue;           // set by set_queue
    bit<1>          drop;
    drop_reason_t   drop_reason;
    port_num_t      drop_port;       // the port port_drops counts the drop on
    qdepth_t        le_depth;        // set_thresholds (v1model: ingress)
    qdepth_t        ecn_depth;
}

#endif
