/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>

#include <errno.h>
#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "common/util.h"
#include "telemetry/tc.h"

/* Interfaces with qdiscs, whose classes are dumped next. */
#define MAX_IFS 256
/* Bigger than a dump message (the kernel fills at most 32 KiB of one). */
#define NL_BUF 32768

struct tc_entry {
	bool is_class, has_stats;
	char dev[IF_NAMESIZE];
	char kind[32];
	char handle[16], parent[16];
	uint64_t bytes, packets;
	uint32_t drops, overlimits, requeues, qlen, backlog;
};

struct dump_ctx {
	bool is_class;
	struct dts_snapshot *snap;
	int rc;
	int ifindex[MAX_IFS];
	size_t n_ifs;
};

/* A handle as tc prints it: "1:" for a qdisc's (minor 0), "1:10" otherwise. */
static void fmt_handle(char *buf, size_t size, uint32_t h)
{
	if (TC_H_MIN(h) == 0) {
		snprintf(buf, size, "%x:", TC_H_MAJ(h) >> 16);
	} else {
		snprintf(buf, size, "%x:%x", TC_H_MAJ(h) >> 16, TC_H_MIN(h));
	}
}

static void fmt_parent(char *buf, size_t size, uint32_t p)
{
	if (p == TC_H_ROOT) {
		snprintf(buf, size, "root");
	} else if (p == TC_H_UNSPEC) {
		snprintf(buf, size, "none");
	} else {
		fmt_handle(buf, size, p);
	}
}

static int add(struct dts_snapshot *snap, const struct tc_entry *e, const char *stat,
	       enum dts_kind kind, uint64_t v)
{
	const char *what = e->is_class ? "class" : "qdisc";
	char family[64], dname[128], help[96];
	struct dts_series *s;

	snprintf(family, sizeof(family), "dts_tc_%s_%s", what, stat);
	snprintf(dname, sizeof(dname), "%s:%s%s:%s", e->dev, e->is_class ? "class " : "", e->handle,
		 stat);
	snprintf(help, sizeof(help), "tc %s statistics: %s", what, stat);
	s = dts_snapshot_add(snap, family, help, kind, dname, "tc", 4, "device", e->dev, "kind",
			     e->kind, "handle", e->handle, "parent", e->parent);
	if (s == NULL) {
		return -ENOMEM;
	}
	if (kind == DTS_COUNTER) {
		s->u = v;
	} else {
		s->d = (double)v;
	}
	return 0;
}

static int add_entry(struct dts_snapshot *snap, const struct tc_entry *e)
{
	int rc = add(snap, e, "bytes", DTS_COUNTER, e->bytes);

	if (rc == 0) {
		rc = add(snap, e, "packets", DTS_COUNTER, e->packets);
	}
	if (rc == 0) {
		rc = add(snap, e, "drops", DTS_COUNTER, e->drops);
	}
	if (rc == 0) {
		rc = add(snap, e, "overlimits", DTS_COUNTER, e->overlimits);
	}
	if (rc == 0) {
		rc = add(snap, e, "requeues", DTS_COUNTER, e->requeues);
	}
	if (rc == 0) {
		rc = add(snap, e, "qlen", DTS_GAUGE, e->qlen);
	}
	if (rc == 0) {
		rc = add(snap, e, "backlog", DTS_GAUGE, e->backlog);
	}
	return rc;
}

/* TCA_STATS2's nested attributes. */
static int stats2_attr(const struct nlattr *a, void *data)
{
	struct tc_entry *e = data;
	struct gnet_stats_basic b;
	struct gnet_stats_queue q;

	switch (mnl_attr_get_type(a)) {
	case TCA_STATS_BASIC:
		if (mnl_attr_get_payload_len(a) >= sizeof(b)) {
			memcpy(&b, mnl_attr_get_payload(a), sizeof(b));
			e->has_stats = true;
			e->bytes = b.bytes;
			if (e->packets == 0) {
				e->packets = b.packets;
			}
		}
		break;
	case TCA_STATS_PKT64:
		if (mnl_attr_validate(a, MNL_TYPE_U64) == 0) {
			e->packets = mnl_attr_get_u64(a); /* the 64-bit count, when given */
		}
		break;
	case TCA_STATS_QUEUE:
		if (mnl_attr_get_payload_len(a) >= sizeof(q)) {
			memcpy(&q, mnl_attr_get_payload(a), sizeof(q));
			e->qlen = q.qlen;
			e->backlog = q.backlog;
			e->drops = q.drops;
			e->requeues = q.requeues;
			e->overlimits = q.overlimits;
		}
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

static int tc_attr(const struct nlattr *a, void *data)
{
	struct tc_entry *e = data;

	switch (mnl_attr_get_type(a)) {
	case TCA_KIND:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0) {
			dpu_strscpy(e->kind, mnl_attr_get_str(a), sizeof(e->kind));
		}
		break;
	case TCA_STATS2:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) == 0) {
			mnl_attr_parse_nested(a, stats2_attr, e);
		}
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *ctx = data;
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	struct tc_entry e;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*tcm)) {
		return MNL_CB_OK;
	}
	memset(&e, 0, sizeof(e));
	e.is_class = ctx->is_class;
	if (if_indextoname((unsigned int)tcm->tcm_ifindex, e.dev) == NULL) {
		return MNL_CB_OK; /* gone meanwhile */
	}
	fmt_handle(e.handle, sizeof(e.handle), tcm->tcm_handle);
	fmt_parent(e.parent, sizeof(e.parent), tcm->tcm_parent);
	mnl_attr_parse(nlh, sizeof(*tcm), tc_attr, &e);
	if (!ctx->is_class && ctx->n_ifs < MAX_IFS) {
		bool seen = false;

		for (size_t i = 0; i < ctx->n_ifs && !seen; i++) {
			seen = ctx->ifindex[i] == tcm->tcm_ifindex;
		}
		if (!seen) {
			ctx->ifindex[ctx->n_ifs++] = tcm->tcm_ifindex;
		}
	}
	/* Some classes have no basic statistics (tbf's inner one): tc shows none either. */
	if (ctx->rc == 0 && e.has_stats) {
		ctx->rc = add_entry(ctx->snap, &e);
	}
	return MNL_CB_OK;
}

/* One dump request and its answer; -errno when the dump itself failed. */
static int dump(struct mnl_socket *nl, uint16_t type, int ifindex, struct dump_ctx *ctx)
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tcmsg *tcm;
	uint32_t seq = (uint32_t)time(NULL), portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int rc;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		return -errno;
	}
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		rc = mnl_cb_run(buf, (size_t)n, seq, portid, on_msg, ctx);
		if (rc == MNL_CB_STOP) {
			return 0;
		}
		if (rc < 0) {
			return -errno;
		}
	}
	return n < 0 ? -errno : 0;
}

int dts_tc_collect(const struct dts_config *cfg, struct dts_snapshot *snap, struct dts_tc_stats *st)
{
	struct dump_ctx ctx = {.snap = snap};
	struct mnl_socket *nl;

	if (!dts_config_provider_enabled(cfg, "tc")) {
		return 0;
	}
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		st->dumps_failed++;
		if (nl != NULL) {
			mnl_socket_close(nl);
		}
		return 0;
	}
	st->dumps++;
	if (dump(nl, RTM_GETQDISC, 0, &ctx) < 0) {
		st->dumps_failed++;
	}
	/* Classes are dumped per interface: those that have qdiscs. */
	ctx.is_class = true;
	for (size_t i = 0; ctx.rc == 0 && i < ctx.n_ifs; i++) {
		st->dumps++;
		if (dump(nl, RTM_GETTCLASS, ctx.ifindex[i], &ctx) < 0) {
			st->dumps_failed++;
		}
	}
	mnl_socket_close(nl);
	return ctx.rc;
}
