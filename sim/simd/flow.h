/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Steering requests on dpu-simd's control socket: pipes and entries in the
 * switch domain or in a service port's ingress domain, applied to the
 * emulated eSwitch on the data-plane thread, but for the compiling of an
 * ACL pipe's rules, done on the control thread beside the data path and
 * swapped in between two bursts, and the reading of a batch's entries, done
 * on the control thread too (docs/simulator.md, "Steering").
 *
 *   pipe-create  {domain?, name, kind: exact|acl|lpm, match?: [field...],
 *                 max_entries?, root?, miss?: ACTIONS}
 *   entry-add    {domain?, pipe, priority?, match: MATCH, actions: ACTIONS,
 *                 commit?}                              <- {entry: id}
 *   entry-update {domain?, pipe, entry, actions: ACTIONS}  new actions, the
 *                                        match, id and counters kept; in
 *                                        force at once (acl: no compile)
 *   entry-del    {domain?, pipe, entry, commit?}
 *   pipe-destroy {domain?, pipe}        the pipe and its entries (not while
 *                                        another pipe's entry or miss sends
 *                                        packets to it; a root's domain then
 *                                        forwards as before any pipe; never
 *                                        the switch's "default")
 *   pipe-commit  {domain?, pipe}        (acl: rules added or deleted with
 *                                        commit false; a deleted rule matches
 *                                        until then, and keeps its id)
 *   entries-add  {domain?, pipe, entries: [{priority?, match, actions}...],
 *                 commit?}              <- {results: [id or {errno, error},
 *                                          ...]}  (one each, in order; acl:
 *                                          one compile for them all)
 *   entries-del  {domain?, pipe, entries: [id...], commit?}
 *                                       <- {results: [0 or {errno, error}, ...]}
 *   entries      {domain?, pipe, entry?, from?, max?}
 *                                       <- {entries: [{entry, priority, match,
 *                                          actions, packets, bytes}]}
 *                                          (entry: just that one; from/max: up
 *                                          to max of those with ids >= from, in
 *                                          id order)
 *   pipes        {domain?}              <- {pipes: [...]}
 *   flush        {domain}               every pipe (and meter) of a port's ingress
 *   meter-create {domain?, cir, cbs?, ebs?}  <- {meter: id}   (RFC 2697; bytes/s, bytes)
 *   meters       {domain?}              <- {meters: [{meter, cir, cbs, ebs,
 *                                          green|yellow|red_packets|_bytes}]}
 *
 * MATCH: in_port (port name), eth_type, vlan, src_mac, dst_mac, ip_version,
 *   ip_proto (number or tcp/udp/icmp/icmpv6), src_ip, dst_ip ("a.b.c.d[/len]"
 *   or IPv6), src_port, dst_port (number or "lo-hi"), vni; a VXLAN packet's
 *   inner frame: inner_eth_type, inner_src_mac, inner_dst_mac,
 *   inner_ip_proto, inner_src_ip, inner_dst_ip, inner_src_port,
 *   inner_dst_port (exact pipes).
 * ACTIONS: fate (drop | port | pipe | deliver), port, pipe, mark, mirror
 *   (a port name), meter (an id; red frames are dropped), queue (the
 *   receive queue at a service port), decap (true: strip VXLAN), set
 *   ({src_mac, dst_mac, src_ip, dst_ip, src_port, dst_port}), dec_ttl
 *   (true), encap ({src_mac, dst_mac, src_ip, dst_ip, vni, ttl?,
 *   udp_dport?}: VXLAN). In a port's ingress domain "deliver" hands the
 *   frame to the service; an lpm entry may take an array of ACTIONS (ECMP).
 */
#ifndef DPU_SIM_SIMD_FLOW_H
#define DPU_SIM_SIMD_FLOW_H

#include <stdbool.h>

struct json_object;
struct simd;
struct simd_flows;

int simd_flows_create(struct simd *s, struct simd_flows **flowsp);
void simd_flows_destroy(struct simd_flows *flows);

/* Whether 'cmd' is a steering request; if so '*reply' gets the answer (new reference). */
bool simd_flow_handle(struct simd *s, const char *cmd, struct json_object *req,
		      struct json_object **reply);

#endif /* DPU_SIM_SIMD_FLOW_H */
