// netapprox: the header parser shared by the ingress parsers of every architecture
// (instantiated as a sub-parser after the target's own intrinsic metadata).
//
// L4 ports are read only from an unfragmented (or first-fragment) IPv4 packet
// without options: anything else leaves l4_src_port/l4_dst_port at 0.
#ifndef NETAPPROX_PARSER_P4
#define NETAPPROX_PARSER_P4

#include "headers.p4"

parser NetapproxHeaderParser(packet_in pkt,
                             out headers_t hdr,
                             inout local_metadata_t meta) {
    state start {
        pkt.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            ETHERTYPE_IPV4: parse_ipv4;
            default: accept;
        }
    }

    state parse_ipv4 {
        pkt.extract(hdr.ipv4);
        transition select(hdr.ipv4.version, hdr.ipv4.ihl, hdr.ipv4.frag_offset,
                          hdr.ipv4.protocol) {
            (4, 5, 0, IP_PROTO_TCP): parse_tcp;
            (4, 5, 0, IP_PROTO_UDP): parse_udp;
            default: accept;
        }
    }

    state parse_tcp {
        pkt.extract(hdr.tcp);
        meta.l4_src_port = hdr.tcp.src_port;
        meta.l4_dst_port = hdr.tcp.dst_port;
        transition accept;
    }

    state parse_udp {
        pkt.extract(hdr.udp);
        meta.l4_src_port = hdr.udp.src_port;
        meta.l4_dst_port = hdr.udp.dst_port;
        transition accept;
    }
}

#endif
