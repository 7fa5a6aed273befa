/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The emulated eSwitch: a chain of steering pipes executed in software on
 * DPDK's own lookup structures, as the NIC executes them in hardware.
 *
 * A packet is parsed once into a struct esw_key (port metadata, L2, L3, L4,
 * VXLAN VNI and the inner frame's headers). It enters the root pipe; each
 * pipe looks the key up and applies the matching entry's actions (mark,
 * meter, queue, packet edits: header rewrites and VXLAN decap/encap; forward
 * to a port or to another pipe; drop), or its miss actions. Pipe kinds:
 *
 *   exact  a match mask over struct esw_key; entries are masked keys in an
 *          rte_hash (bulk lookups)
 *   acl    rules with protocol, IPv4 prefixes, port ranges, in-port range and
 *          priorities, compiled into an rte_acl context by esw_acl_commit()
 *   lpm    a routing table: longest prefix match on the destination address,
 *          IPv4 (rte_fib, DIR-24-8) and IPv6 (rte_fib6, trie), both kept in
 *          a RIB so updates are O(log n); a route's actions may be an
 *          ECMP group, one member chosen per flow by a hash of the 5-tuple.
 *          A VRF is one lpm pipe; an exact pipe on the in-port picks it.
 *
 * Packet edits change the key the next pipes see (after a decap they match
 * the inner frame, as hardware does); the frame itself is rewritten once, by
 * esw_rewrite(), when it leaves the switch.
 *
 * Every entry counts packets and bytes; so does every pipe's miss path.
 * Hit counters are logged on the data path and folded into the entries a
 * log at a time; esw_entry_stats() and esw_pipes() flush the log first.
 *
 * Priorities follow rte_flow: 0 is the highest; among equal priorities the
 * entry added first wins.
 *
 * Threads: a switch made by esw_create() is called from one thread at a
 * time, the data path (esw_classify_burst) and updates alike. One made by
 * esw_create_concurrent() takes its updates from one thread (the writer:
 * every call but those below) while other threads, its readers (as many
 * as it was made for, each with its own number), classify
 * (esw_reader_online, esw_reader_classify, esw_quiescent,
 * esw_reader_offline). Readers never wait: what the writer takes away (an
 * entry, its id, old actions, a pipe, an ACL context) is freed or reused
 * only after every reader has reported a quiescent state (rte_rcu_qsbr);
 * entries read their counters the same way. Each reader counts hits and
 * misses in counters of its own (an entry's count is their sum); meters
 * are shared, under a lock per meter. The writer is not a reader's
 * thread: some of its calls wait for the readers.
 *
 * All functions return 0 or a negative errno. The switch owns its pipes;
 * esw_destroy() frees everything. DPDK's EAL must be initialised.
 */
#ifndef DPU_SIM_ESW_H
#define DPU_SIM_ESW_H

#include <stdbool.h>
#include <stdint.h>

/* The inner frame of a VXLAN packet (ESW_KEY_VXLAN), as parsed. */
struct esw_inner {
	uint16_t ethertype;
	uint8_t ip_ver, ip_proto;
	uint16_t sport, dport;
	uint8_t flags; /* ESW_KEY_L3/L4/TRUNC/FRAG of the inner frame */
	uint8_t tcp_flags;
	uint8_t src_mac[6], dst_mac[6];
	uint8_t src_ip[16], dst_ip[16];
};

/* Parsed packet, the unit every pipe matches on. Zero in absent fields. */
struct esw_key {
	uint16_t in_port;   /* switch port the packet came from */
	uint16_t ethertype; /* after VLAN tags */
	uint16_t vlan_id;   /* outer VLAN VID, 0 if untagged */
	uint8_t ip_ver;	    /* 0, 4 or 6 */
	uint8_t ip_proto;   /* IANA protocol; IPv6: the first non-extension header */
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint16_t sport; /* L4 ports, host order; ICMP: type and code */
	uint16_t dport;
	uint8_t tcp_flags;
	uint8_t flags;	    /* ESW_KEY_* */
	uint32_t vni;	    /* VXLAN VNI (UDP port 4789), 0 otherwise */
	uint8_t src_ip[16]; /* IPv4 in the first 4 bytes, network order */
	uint8_t dst_ip[16];
	struct esw_inner inner; /* zero unless ESW_KEY_VXLAN */
} __attribute__((aligned(16)));

#define ESW_KEY_L3 0x01	   /* an IPv4/IPv6 header was parsed */
#define ESW_KEY_L4 0x02	   /* a whole TCP/UDP/ICMP header was parsed */
#define ESW_KEY_TRUNC 0x04 /* the packet ended inside a header */
#define ESW_KEY_FRAG 0x08  /* a non-first IP fragment: no L4 header */
#define ESW_KEY_VXLAN 0x10 /* UDP/4789 with a VXLAN header; 'inner' parsed */

/*
 * Parse 'len' bytes of an Ethernet frame (VLAN/QinQ, IPv4 with options,
 * IPv6 with extension headers, TCP, UDP, ICMP, VXLAN and the frame inside
 * it). Never reads beyond 'len'. Returns 0, or -EINVAL when not even an
 * Ethernet header fits.
 */
int esw_parse(const uint8_t *pkt, uint32_t len, uint16_t in_port, struct esw_key *key);

/* Where the headers of a parsed frame start (bytes from the frame's start). */
struct esw_offsets {
	uint32_t l3, l4; /* 0: absent */
	uint32_t inner;	 /* the inner Ethernet header of a VXLAN packet; 0: none */
};

/* esw_parse(), and the header offsets ('off' may be NULL). */
int esw_parse_offsets(const uint8_t *pkt, uint32_t len, uint16_t in_port, struct esw_key *key,
		      struct esw_offsets *off);

struct esw;
struct esw_pipe;

enum esw_fate {
	ESW_FATE_DROP,
	ESW_FATE_PORT, /* out of a switch port */
	ESW_FATE_PIPE, /* on to another pipe */
};

/*
 * Packet edits of an entry, done in this order: VXLAN decap (strip the
 * outer Ethernet/IP/UDP/VXLAN headers; a frame without VXLAN is left as it
 * is), the header rewrites (on the frame as it is after the decap; IP and
 * port rewrites need the frame's IP version to be 'ip_ver'), TTL/hop-limit
 * decrement (a frame whose TTL would reach 0 is dropped), VXLAN encap.
 * Checksums are updated (IPv4 header, TCP, UDP unless zero).
 */
enum {
	ESW_EDIT_SRC_MAC = 1u << 0,
	ESW_EDIT_DST_MAC = 1u << 1,
	ESW_EDIT_SRC_IP = 1u << 2,
	ESW_EDIT_DST_IP = 1u << 3,
	ESW_EDIT_SRC_PORT = 1u << 4,
	ESW_EDIT_DST_PORT = 1u << 5,
	ESW_EDIT_DEC_TTL = 1u << 6,
	ESW_EDIT_DECAP = 1u << 7,
	ESW_EDIT_ENCAP = 1u << 8,
};

/* The VXLAN header an encap puts in front (RFC 7348). */
struct esw_vxlan {
	uint8_t src_mac[6], dst_mac[6];
	uint8_t ip_ver;			/* 4 or 6 */
	uint8_t ttl;			/* 0: 64 */
	uint8_t src_ip[16], dst_ip[16]; /* network order; IPv4 in the first 4 bytes */
	uint32_t vni;			/* 24 bits */
	uint16_t udp_dport;		/* 0: 4789 */
};

struct esw_edit {
	uint32_t ops; /* ESW_EDIT_* */
	uint8_t src_mac[6], dst_mac[6];
	uint8_t ip_ver; /* of src_ip/dst_ip */
	uint8_t src_ip[16], dst_ip[16];
	uint16_t sport, dport;
	struct esw_vxlan encap;
};

/*
 * An entry's (or a miss's) actions. 'edit' is the caller's: the switch keeps
 * a copy of its own.
 */
struct esw_actions {
	enum esw_fate fate;
	uint32_t mark;		     /* delivered with the packet, as the NIC's flow mark */
	struct esw_pipe *pipe;	     /* ESW_FATE_PIPE */
	const struct esw_edit *edit; /* NULL: none */
	uint32_t meter;		     /* 0: none; else an esw_meter_create() id */
	uint16_t port;		     /* ESW_FATE_PORT */
	uint16_t mirror_port;	     /* a copy also goes out of this port */
	uint16_t queue;		     /* with set_queue: the receive queue at the port */
	bool set_mark, mirror, set_queue;
};

/* Edits one packet can collect on its way through the pipes. */
#define ESW_EDITS_MAX 4

enum esw_color { ESW_GREEN, ESW_YELLOW, ESW_RED };

/* What happened to one packet. port, mark, mirror_port, queue: valid with their flag / fate. */
struct esw_result {
	enum esw_fate fate; /* DROP or PORT */
	uint16_t port;
	bool marked;
	uint32_t mark;
	bool mirrored; /* the last mirror action on the way wins */
	uint16_t mirror_port;
	bool queued; /* the last queue action wins */
	uint16_t queue;
	uint8_t color;	 /* enum esw_color: the last meter's verdict (GREEN without) */
	uint8_t n_edits; /* edits[] to apply, in order, with esw_rewrite() */
	struct {
		/* the switch's; valid until the entry changes (concurrent: until
		 * the reader's next esw_quiescent()) */
		const struct esw_edit *edit;
		uint16_t encap_sport; /* the UDP source port an encap uses */
	} edits[ESW_EDITS_MAX];
};

/*
 * Rewrite the frame of 'len' bytes at 'pkt' as res->edits say. The frame
 * may grow by an encap: 'pkt' must have 'room' bytes in front it may take
 * (the frame then starts earlier); a decap makes it start later. On return
 * '*start' is the frame's new offset from 'pkt' (negative: into the room)
 * and '*new_len' its length. -ETIMEDOUT: a TTL ran out; -ENOSPC: no room
 * for an encap; the frame is to be dropped in both cases.
 */
int esw_rewrite(uint8_t *pkt, uint32_t len, uint32_t room, const struct esw_result *res,
		int32_t *start, uint32_t *new_len);

/*
 * Meters: single-rate three-colour markers (RFC 2697) on rte_meter. 'cir'
 * bytes/s; 'cbs' and 'ebs' bucket sizes in bytes. Red frames are dropped;
 * yellow and green go on (the result's colour says which).
 */
#define ESW_METERS_MAX 4096
int esw_meter_create(struct esw *esw, uint64_t cir, uint64_t cbs, uint64_t ebs, uint32_t *id);
/* Packets and bytes per colour (arrays indexed by enum esw_color). */
int esw_meter_stats(const struct esw *esw, uint32_t id, uint64_t pkts[3], uint64_t bytes[3]);

int esw_create(struct esw **eswp);

/* Readers one concurrent switch may have. */
#define ESW_READERS_MAX 64

/*
 * A switch that one thread updates while 'readers' others (1 ..
 * ESW_READERS_MAX, numbered from 0) classify (see Threads above). Its exact
 * pipes' hashes are lock-free for readers
 * (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF). Every pipe keeps counters for
 * each reader: 20 bytes an entry a reader.
 */
int esw_create_concurrent(struct esw **eswp, unsigned int readers);
/* The readers are stopped (offline) before the switch is destroyed. */
void esw_destroy(struct esw *esw);

/*
 * A reader's calls on a concurrent switch, 'reader' its number; each reader
 * is one thread at a time (on a switch made by esw_create() they do
 * nothing). esw_reader_online() on the reader's thread before its first
 * burst; esw_quiescent() between bursts, once it is done with the results
 * (their edits point into the switch), and often: the writer's deletes,
 * updates and counter reads may wait for it; esw_reader_offline() when it
 * stops classifying, or idles for long.
 */
int esw_reader_online(struct esw *esw, unsigned int reader);
void esw_quiescent(struct esw *esw, unsigned int reader);
void esw_reader_offline(struct esw *esw, unsigned int reader);

/* An exact-match pipe on the fields set in 'mask' (bytes ANDed with the key). */
int esw_pipe_create_exact(struct esw *esw, const char *name, const struct esw_key *mask,
			  uint32_t max_entries, const struct esw_actions *miss,
			  struct esw_pipe **pipep);
int esw_pipe_create_acl(struct esw *esw, const char *name, uint32_t max_rules,
			const struct esw_actions *miss, struct esw_pipe **pipep);
/* Where packets enter (NULL: no root yet). */
int esw_set_root(struct esw *esw, struct esw_pipe *pipe);
struct esw_pipe *esw_root(const struct esw *esw);
/*
 * Remove a pipe, its entries and their counters. -EBUSY while another
 * pipe's entry (an ACL rule deleted but not yet swapped out included) or
 * miss sends packets to it; the root pipe may go (the switch then has no
 * root until one is set). Its slot goes to the next pipe made.
 */
int esw_pipe_destroy(struct esw *esw, struct esw_pipe *pipe);

/* Exact entries: 'match' is masked with the pipe's mask. -EEXIST for a duplicate. */
int esw_exact_add(struct esw_pipe *pipe, const struct esw_key *match, const struct esw_actions *act,
		  uint32_t *entry);
/*
 * New actions for an exact entry: the same key, id and counters (as
 * esw_lpm_add() replaces a route). -ENOENT: no such entry.
 */
int esw_exact_update(struct esw_pipe *pipe, uint32_t entry, const struct esw_actions *act);
int esw_exact_del(struct esw_pipe *pipe, uint32_t entry);
/*
 * New actions for an entry of any pipe, its match, id and counters kept:
 * esw_exact_update(), a route replaced (an ECMP group: 'n_acts' > 1), an
 * ACL rule's actions (in force at once: no compile). -ENOENT: no such
 * entry.
 */
int esw_entry_update(struct esw_pipe *pipe, uint32_t entry, const struct esw_actions *acts,
		     unsigned int n_acts);

struct esw_acl_rule {
	uint32_t priority;	     /* 0 highest, at most ESW_ACL_MAX_PRIORITY */
	uint8_t proto, proto_mask;   /* proto_mask 0: any protocol */
	uint8_t ip_ver;		     /* 0 any, 4, 6; IPv4 prefixes imply 4 */
	uint32_t src4, dst4;	     /* host order */
	uint8_t src4_len, dst4_len;  /* prefix lengths, 0 = any */
	uint16_t sport_lo, sport_hi; /* inclusive; 0..65535 = any */
	uint16_t dport_lo, dport_hi;
	uint16_t in_port_lo, in_port_hi;
};

#define ESW_ACL_MAX_PRIORITY 1023
/* Rules one ACL pipe can hold. */
#define ESW_ACL_MAX_RULES (1u << 18)

/*
 * ACL rules take effect at the next esw_acl_commit(), which is
 * esw_acl_build() then esw_acl_swap(). The build compiles the rules into
 * the pipe's spare rte_acl context (the slow part: about a second for
 * 10,000 rules); it may run on another thread while the data path
 * classifies with the context in force, as long as nothing else is called
 * on the pipe meanwhile. The swap puts what was built in force (quick;
 * -ENODATA when nothing was built) and belongs to the data path's thread
 * (on a concurrent switch both are the writer's, and the swap waits for a
 * grace period before the context it took out may be built again).
 * A deleted rule is gone from the API at once, but the context in force
 * keeps matching it, with its actions, until a swap puts in force one built
 * after the deletion; its id is reused only then.
 */
int esw_acl_add(struct esw_pipe *pipe, const struct esw_acl_rule *rule,
		const struct esw_actions *act, uint32_t *entry);
int esw_acl_del(struct esw_pipe *pipe, uint32_t entry);
int esw_acl_build(struct esw_pipe *pipe);
int esw_acl_swap(struct esw_pipe *pipe);
int esw_acl_commit(struct esw_pipe *pipe);
/* The rte_acl context in use (NULL before the first commit); for benchmarks. */
struct rte_acl_ctx;
const struct rte_acl_ctx *esw_acl_context(const struct esw_pipe *pipe);
/* An LPM pipe's IPv4 rte_fib (NULL before its first IPv4 route); for benchmarks. */
struct rte_fib;
struct rte_fib *esw_lpm_fib4(const struct esw_pipe *pipe);

/* Members of an ECMP group at most. */
#define ESW_ECMP_MAX 64

int esw_pipe_create_lpm(struct esw *esw, const char *name, uint32_t max_routes,
			const struct esw_actions *miss, struct esw_pipe **pipep);
/*
 * Add or replace the route 'addr'/'depth' ('family' 4 or 6; 'addr' in
 * network order, 4 or 16 bytes; depth 1..32 or 1..128). 'n_acts' actions,
 * 1..ESW_ECMP_MAX: more than one makes an ECMP group. A replaced route keeps
 * its entry id and counters. Host bits of 'addr' beyond 'depth' are ignored.
 */
int esw_lpm_add(struct esw_pipe *pipe, int family, const uint8_t *addr, uint8_t depth,
		const struct esw_actions *acts, unsigned int n_acts, uint32_t *entry);
int esw_lpm_del(struct esw_pipe *pipe, uint32_t entry);

/* Packets and bytes that hit an entry / went the miss way. */
int esw_entry_stats(struct esw_pipe *pipe, uint32_t entry, uint64_t *pkts, uint64_t *bytes);
int esw_miss_stats(const struct esw_pipe *pipe, uint64_t *pkts, uint64_t *bytes);
/* The most entries the pipe holds; entry ids are below it. */
uint32_t esw_pipe_capacity(const struct esw_pipe *pipe);

/* What a pipe is, for inspection (dpu-simctl pipes). */
struct esw_pipe_info {
	char name[32];
	const char *kind; /* "exact", "acl", "lpm" */
	uint32_t entries, max_entries;
	uint64_t miss_pkts, miss_bytes;
	uint64_t hit_pkts, hit_bytes; /* summed over the entries */
	bool root;
};

/* The switch's pipes (slot order): fills up to 'max', returns how many there are. */
int esw_pipes(const struct esw *esw, struct esw_pipe_info *info, unsigned int max);

/* At most this many packets per esw_classify_burst() call. */
#define ESW_BURST_MAX 64

/*
 * Classify 'n' parsed packets ('lens' their lengths, for byte counters)
 * through the pipes from the root, as reader 'reader' (0 on a switch made by
 * esw_create()). -EINVAL when n > ESW_BURST_MAX, there is no root or no
 * such reader; a chain longer than 16 pipes drops the packet.
 */
int esw_reader_classify(struct esw *esw, unsigned int reader, const struct esw_key *keys,
			const uint32_t *lens, unsigned int n, struct esw_result *res);
/* esw_reader_classify() as reader 0. */
int esw_classify_burst(struct esw *esw, const struct esw_key *keys, const uint32_t *lens,
		       unsigned int n, struct esw_result *res);

#endif /* DPU_SIM_ESW_H */
