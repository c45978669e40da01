// netapprox: constants and types shared by every architecture.
// The controller's pipeline contract (controller/src/pipeline/contract.ts) mirrors
// these values; test/pipeline/contract.test.ts checks the widths against the P4Info.
#ifndef NETAPPROX_DEFINES_P4
#define NETAPPROX_DEFINES_P4

typedef bit<48> mac_addr_t;
typedef bit<32> ipv4_addr_t;
typedef bit<9>  port_num_t;        // v1model PortId_t and Tofino PortId_t are both 9 bits
typedef bit<2>  traffic_class_t;
typedef bit<16> job_id_t;
typedef bit<2>  color_t;           // normalised meter colour (see COLOR_*)
typedef bit<3>  drop_reason_t;
typedef bit<5>  queue_id_t;        // Tofino QueueId_t width; v1model uses the low 3 bits
typedef bit<19> qdepth_t;          // enq_qdepth / deq_qdepth width on both targets

const bit<16> ETHERTYPE_IPV4 = 0x0800;
const bit<8>  IP_PROTO_TCP = 6;
const bit<8>  IP_PROTO_UDP = 17;

// Traffic classes.
const traffic_class_t TC_EXACT              = 0;
const traffic_class_t TC_APPROX_GUARANTEED  = 1;  // meter GREEN, re-marked AF11
const traffic_class_t TC_APPROX_BEST_EFFORT = 2;  // meter YELLOW, re-marked LE
const traffic_class_t TC_CONTROL            = 3;

// Meter colours as the pipeline sees them after normalisation: v1model returns
// these values natively; on TNA the meter is constructed to return them (so only
// the TNA program names GREEN and RED).
@noWarn("unused") const color_t COLOR_GREEN  = 0;
const color_t COLOR_YELLOW = 1;
@noWarn("unused") const color_t COLOR_RED    = 2;

// Drop reasons: the low bits of a port_drops counter index.
const drop_reason_t DROP_METER_RED    = 0;  // counted on the ingress port
const drop_reason_t DROP_LE_THRESHOLD = 1;  // counted on the egress port
const drop_reason_t DROP_NO_ROUTE     = 2;  // counted on the ingress port
const drop_reason_t DROP_TTL_EXPIRED  = 3;  // counted on the ingress port
const drop_reason_t DROP_NOT_IPV4     = 4;  // counted on the ingress port

// Counter layouts. Every counter index is a concatenation (port ++ class,
// port ++ reason, job ++ colour), so the strides are powers of two: Tofino's
// action units cannot multiply, and BMv2 uses the same layout so that one
// formula serves both targets.
//   port_class_tx index = egress_port * 4 + traffic_class
//   port_drops    index = port * 8 + drop_reason     (reasons 5..7 unused)
//   job_colors    index = job_id * 4 + colour        (colour 3 unused)
#define NUM_PORTS          512
#define NUM_JOBS           1024
#define JOB_INDEX_BITS     10
#define PORT_CLASS_SLOTS   2048
#define PORT_DROP_SLOTS    4096
#define JOB_COLOR_SLOTS    4096

// DSCP values the data plane writes by itself (classifier actions). The values the
// meter colours re-mark to come from color_action entries instead.
const bit<6> DSCP_DEFAULT = 0;    // default PHB: exact traffic (RFC 2474)
const bit<6> DSCP_CS6     = 48;   // control traffic

const bit<2> ECN_NOT_ECT = 0;
const bit<2> ECN_CE      = 3;

// Table and action profile sizes.
#define PORT_ROLE_SIZE        NUM_PORTS
#define CLASSIFIER_SIZE       1024
#define DSCP_TABLE_SIZE       64
#define COLOR_TABLE_SIZE      4
#define ROUTING_V4_SIZE       4096
#define ECMP_MEMBERS          1024
#define ECMP_GROUPS           256
#define ECMP_MAX_GROUP_SIZE   16
#define PORT_THRESHOLDS_SIZE  NUM_PORTS

#endif
