/* SPDX-License-Identifier: BSD-3-Clause */
/* The HAL's steering on rte_flow (steer-rte.h). */
#include <config.h>

/* rte_mtr is an experimental API in DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API 1

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_flow.h>
#include <rte_mtr.h>

#define DPU_LOG_MODULE "hal-steer"
#include "common/log.h"
#include "flow-rte.h"
#include "hal-provider.h"
#include "steer-rte.h"

#define STEER_MAX_PORTS 64
#define STEER_MAX_DOMAINS (STEER_MAX_PORTS + 1)
#define STEER_DEFAULT_ENTRIES 4096
/* Below every entry: ACL priorities end at DPU_RTE_STEER_MAX_PRIORITY,
 * LPM's at 127, exact entries are all 0. */
#define STEER_MISS_PRIORITY (DPU_RTE_STEER_MAX_PRIORITY + 1)
/* Rules one entry may take where the PMD matches whole L4 ports only. */
#define STEER_MAX_EXACT_RULES 64

struct sport {
	char name[DPU_HAL_STR];
	uint16_t ethdev, queues;
	bool probed; /* probed here for a switch rule, not opened: closed with the steering */
	char bus[16], device[64]; /* probed: the device it is a port of */
};

struct sentry {
	struct dpu_match match; /* what it was made of, to make it anew */
	struct dpu_actions act;
	uint32_t prio;
	struct spipe *next; /* the pipe it sends packets on to, or NULL */
	unsigned int n;
	struct rte_flow *flows[];
};

struct spipe {
	char name[DPU_PIPE_NAME];
	struct sdomain *dom;
	enum dpu_pipe_kind kind;
	uint32_t fields; /* exact: the template */
	uint32_t group;
	uint32_t max_entries;
	struct rte_flow *miss;
	struct spipe *miss_next; /* the pipe the miss sends packets on to, or NULL */
	struct sentry **entries; /* [max_entries]; an entry's id is its index + 1 */
};

struct sdomain {
	bool used;
	char name[DPU_HAL_STR]; /* "": the switch */
	uint16_t ethdev;	/* where its rules go: the port, or the transfer proxy */
	bool flat;		/* the PMD has no JUMP: one pipe, in group 0 */
	bool count_known, no_count;
	bool masks_known, exact_ports; /* the PMD matches whole L4 ports only */
	struct rte_flow *root_jump;
	struct spipe *root;
	uint32_t n_meters; /* meters 1..n_meters (rte_mtr ids, their profiles' too) */
	bool policy;	   /* the domain's meter policy: green and yellow on, red dropped */
};

struct steer {
	pthread_mutex_t lock;
	struct sport ports[STEER_MAX_PORTS];
	unsigned int nports;
	struct sdomain doms[STEER_MAX_DOMAINS];
	struct spipe **pipes;
	size_t npipes, cap;
	uint32_t next_group;
};

/* What a call is about, for flow-rte's callbacks. */
struct call {
	struct dpu_dev *dev;
	struct steer *st;
	struct sdomain *dom;
};

static struct steer *steer_of(struct dpu_dev *dev)
{
	return dev->steer_state;
}

static struct sport *find_port(struct steer *st, const char *name)
{
	for (unsigned int i = 0; i < st->nports; i++) {
		if (strcmp(st->ports[i].name, name) == 0) {
			return &st->ports[i];
		}
	}
	return NULL;
}

static const char *dom_label(const char *domain)
{
	return domain == NULL || domain[0] == '\0' ? "the switch" : domain;
}

static struct sdomain *find_domain(struct steer *st, const char *domain)
{
	const char *name = domain ? domain : "";

	for (unsigned int i = 0; i < STEER_MAX_DOMAINS; i++) {
		if (st->doms[i].used && strcmp(st->doms[i].name, name) == 0) {
			return &st->doms[i];
		}
	}
	return NULL;
}

/* The domain, set up on first use: its ethdev is the port's, or (the
 * switch) the transfer proxy of the ports. */
static int get_domain(struct dpu_dev *dev, struct steer *st, const char *domain,
		      struct sdomain **domp)
{
	struct sdomain *d = find_domain(st, domain);
	struct rte_flow_error err;
	uint16_t ethdev;

	if (d != NULL) {
		*domp = d;
		return 0;
	}
	if (domain != NULL) {
		struct sport *p = find_port(st, domain);

		if (p == NULL) {
			dpu_dev_set_error(dev,
					  "%s: steering on its ingress needs the port open in this "
					  "process (dpu_portio_open)",
					  domain);
			return -ENODEV;
		}
		ethdev = p->ethdev;
	} else {
		memset(&err, 0, sizeof(err));
		if (rte_flow_pick_transfer_proxy(st->ports[0].ethdev, &ethdev, &err) != 0) {
			dpu_dev_set_error(dev, "the switch: no transfer proxy for DPDK port %u: %s",
					  st->ports[0].ethdev,
					  err.message ? err.message : rte_strerror(rte_errno));
			return -EOPNOTSUPP;
		}
	}
	for (unsigned int i = 0; i < STEER_MAX_DOMAINS; i++) {
		if (!st->doms[i].used) {
			d = &st->doms[i];
			memset(d, 0, sizeof(*d));
			d->used = true;
			dpu_strscpy(d->name, domain ? domain : "", sizeof(d->name));
			d->ethdev = ethdev;
			*domp = d;
			return 0;
		}
	}
	return -ENOSPC;
}

static struct spipe *find_pipe(struct steer *st, const struct sdomain *dom, const char *name)
{
	for (size_t i = 0; i < st->npipes; i++) {
		if (st->pipes[i]->dom == dom && strcmp(st->pipes[i]->name, name) == 0) {
			return st->pipes[i];
		}
	}
	return NULL;
}

static size_t domain_pipes(const struct steer *st, const struct sdomain *dom)
{
	size_t n = 0;

	for (size_t i = 0; i < st->npipes; i++) {
		n += st->pipes[i]->dom == dom;
	}
	return n;
}

/* A port a switch rule names, not open here: probed (not started) for its ethdev. */
static struct sport *probe_port(struct dpu_dev *dev, struct steer *st, const char *port)
{
	struct dpu_hal_attach at;
	struct sport *p;
	uint16_t ethdev;
	int rc;

	memset(&at, 0, sizeof(at));
	if (dev->class->port_attach == NULL || st->nports == STEER_MAX_PORTS ||
	    dev->class->port_attach(dev, port, &at) < 0 || at.meta_header) {
		return NULL;
	}
	if (at.args[0] != '\0') {
		rc = rte_eal_hotplug_add(at.bus, at.name, at.args);
		if (rc < 0 && rc != -EEXIST) {
			log_warn("%s: cannot probe %s:%s for a switch rule: %s", port, at.bus,
				 at.name, rte_strerror(-rc));
			return NULL;
		}
	}
	if (dpu_hal_attach_ethdev(&at, &ethdev) < 0) {
		return NULL;
	}
	p = &st->ports[st->nports++];
	memset(p, 0, sizeof(*p));
	dpu_strscpy(p->name, port, sizeof(p->name));
	p->ethdev = ethdev;
	p->probed = true;
	dpu_strscpy(p->bus, at.bus, sizeof(p->bus));
	dpu_strscpy(p->device, at.name, sizeof(p->device));
	log_info("%s: DPDK port %u, probed for the switch's rules", port, ethdev);
	return p;
}

static int ctx_port_id(void *arg, const char *port, uint16_t *id)
{
	struct call *c = arg;
	struct sport *p = find_port(c->st, port);

	if (p == NULL && c->dom->name[0] == '\0') {
		p = probe_port(c->dev, c->st, port);
	}
	if (p == NULL) {
		return -ENODEV;
	}
	*id = p->ethdev;
	return 0;
}

static int ctx_group(void *arg, const char *domain, const char *pipe, uint32_t *group)
{
	struct call *c = arg;
	struct spipe *p;

	(void)domain; /* the call's domain */
	p = find_pipe(c->st, c->dom, pipe);
	if (p == NULL) {
		return -ENOENT;
	}
	*group = p->group;
	return 0;
}

static int rte_rc(int rc)
{
	return rc < 0 ? rc : rte_errno > 0 ? -rte_errno : -EINVAL;
}

/* Build and create one rule of 'dom'; a PMD that refuses the first rule's
 * COUNT gets this domain's rules without. 'what' names it in errors. */
static int create_rule(struct dpu_dev *dev, struct call *c, uint32_t group, uint32_t priority,
		       const struct dpu_match *m, const struct dpu_actions *a, const char *what,
		       struct rte_flow **flowp)
{
	struct sdomain *dom = c->dom;
	struct dpu_rte_ctx ctx = {.port_id = ctx_port_id, .group = ctx_group, .arg = c};
	const char *domain = dom->name[0] ? dom->name : NULL;
	struct rte_flow_error err;
	struct dpu_rte_flow *f;
	char why[160];
	int rc;

	f = malloc(sizeof(*f));
	if (f == NULL) {
		return -ENOMEM;
	}
	if (domain != NULL) {
		ctx.rss_queues = find_port(c->st, domain)->queues;
	}
	for (;;) {
		ctx.no_count = dom->no_count;
		rc = dpu_rte_flow_build(&ctx, domain, group, priority, m, a, f, why, sizeof(why));
		if (rc < 0) {
			dpu_dev_set_error(dev, "%s: %s", what, why);
			break;
		}
		memset(&err, 0, sizeof(err));
		*flowp = rte_flow_create(dom->ethdev, &f->attr, f->pattern, f->actions, &err);
		if (*flowp != NULL) {
			if (!dom->count_known && dom->no_count) {
				log_info("%s: DPDK port %u has no flow counters: rules without "
					 "COUNT",
					 dom_label(domain), dom->ethdev);
			}
			dom->count_known = true;
			break;
		}
		rc = rte_rc(-rte_errno);
		if (!dom->count_known && !dom->no_count) {
			/* Until a rule is in: once more without COUNT, for a
			 * PMD without flow counters. */
			dom->no_count = true;
			continue;
		}
		if (!dom->count_known) {
			dom->no_count = false; /* not COUNT's fault: ask again next time */
		}
		dpu_dev_set_error(dev, "%s: DPDK port %u refused the rule: %s", what, dom->ethdev,
				  err.message ? err.message : rte_strerror(-rc));
		break;
	}
	free(f);
	return rc;
}

static void destroy_rule(uint16_t ethdev, struct rte_flow *flow)
{
	struct rte_flow_error err;

	if (flow != NULL && rte_flow_destroy(ethdev, flow, &err) != 0) {
		log_warn("DPDK port %u: cannot destroy a rule: %s", ethdev,
			 err.message ? err.message : rte_strerror(rte_errno));
	}
}

static void free_entry(const struct spipe *p, struct sentry *e)
{
	if (e == NULL) {
		return;
	}
	for (unsigned int i = 0; i < e->n; i++) {
		destroy_rule(p->dom->ethdev, e->flows[i]);
	}
	free(e);
}

static void free_pipe(struct steer *st, struct spipe *p)
{
	struct sdomain *dom = p->dom;

	if (dom->root == p) {
		destroy_rule(dom->ethdev, dom->root_jump);
		dom->root_jump = NULL;
		dom->root = NULL;
	}
	for (uint32_t i = 0; i < p->max_entries; i++) {
		free_entry(p, p->entries[i]);
	}
	destroy_rule(dom->ethdev, p->miss);
	free(p->entries);
	for (size_t i = 0; i < st->npipes; i++) {
		if (st->pipes[i] == p) {
			st->pipes[i] = st->pipes[--st->npipes];
			break;
		}
	}
	free(p);
}

#define STEER_POLICY_ID 1

/* Every pipe of 'dom', its meters, then the domain itself. */
static void drop_domain(struct steer *st, struct sdomain *dom)
{
	struct rte_mtr_error err;

	for (size_t i = st->npipes; i-- > 0;) {
		if (st->pipes[i]->dom == dom) {
			free_pipe(st, st->pipes[i]);
		}
	}
	for (uint32_t id = 1; id <= dom->n_meters; id++) {
		if (rte_mtr_destroy(dom->ethdev, id, &err) != 0 ||
		    rte_mtr_meter_profile_delete(dom->ethdev, id, &err) != 0) {
			log_warn("DPDK port %u: cannot remove meter %u: %s", dom->ethdev, id,
				 err.message ? err.message : rte_strerror(rte_errno));
		}
	}
	if (dom->policy && rte_mtr_meter_policy_delete(dom->ethdev, STEER_POLICY_ID, &err) != 0) {
		log_warn("DPDK port %u: cannot remove the meter policy: %s", dom->ethdev,
			 err.message ? err.message : rte_strerror(rte_errno));
	}
	dom->used = false;
}

static int steer_pipe_create(struct dpu_dev *dev, const struct dpu_pipe_attr *attr)
{
	static const struct dpu_actions drop = {.fate = DPU_FATE_DROP};
	struct steer *st = steer_of(dev);
	struct dpu_match all = {.fields = 0};
	struct rte_flow *jump = NULL;
	struct sdomain *dom = NULL;
	struct spipe *p = NULL;
	struct call c;
	int rc;

	pthread_mutex_lock(&st->lock);
	rc = get_domain(dev, st, attr->domain, &dom);
	if (rc < 0) {
		goto out;
	}
	c = (struct call){.dev = dev, .st = st, .dom = dom};
	if (find_pipe(st, dom, attr->name) != NULL) {
		dpu_dev_set_error(dev, "%s: pipe %s exists", dom_label(attr->domain), attr->name);
		rc = -EEXIST;
		goto out;
	}
	if (dom->flat) {
		dpu_dev_set_error(dev, "%s: DPDK port %u has no JUMP: one pipe (%s) in this domain",
				  dom_label(attr->domain), dom->ethdev, dom->root->name);
		rc = -EOPNOTSUPP;
		goto out;
	}
	if (st->npipes == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;
		struct spipe **pipes = realloc(st->pipes, cap * sizeof(*pipes));

		if (pipes == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		st->pipes = pipes;
		st->cap = cap;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	dpu_strscpy(p->name, attr->name, sizeof(p->name));
	p->dom = dom;
	p->kind = attr->kind;
	p->fields = attr->match_fields;
	p->max_entries = attr->max_entries ? attr->max_entries : STEER_DEFAULT_ENTRIES;
	p->entries = calloc(p->max_entries, sizeof(*p->entries));
	if (p->entries == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	p->group = st->next_group + 1;
	if (attr->root) {
		struct dpu_actions to = {.fate = DPU_FATE_PIPE};
		struct dpu_rte_ctx ctx = {.port_id = ctx_port_id, .group = ctx_group, .arg = &c};
		struct dpu_rte_flow f;
		struct rte_flow_error err;
		char why[160];

		/* Does the PMD jump? Ask before anything is created. */
		dpu_strscpy(to.pipe, p->name, sizeof(to.pipe));
		st->pipes[st->npipes++] = p; /* for ctx_group */
		ctx.no_count = true;
		rc = dpu_rte_flow_build(&ctx, attr->domain, 0, 0, &all, &to, &f, why, sizeof(why));
		st->npipes--;
		if (rc == 0 &&
		    rte_flow_validate(dom->ethdev, &f.attr, f.pattern, f.actions, &err)) {
			if (domain_pipes(st, dom) > 0) {
				dpu_dev_set_error(dev, "%s: DPDK port %u cannot jump to a root: %s",
						  dom_label(attr->domain), dom->ethdev,
						  err.message ? err.message : "refused");
				rc = -EOPNOTSUPP;
				goto out;
			}
			dom->flat = true;
			p->group = 0;
			log_info("%s: DPDK port %u has no JUMP (%s): its one pipe in group 0",
				 dom_label(attr->domain), dom->ethdev,
				 err.message ? err.message : "refused");
		}
	}
	rc = create_rule(dev, &c, p->group, STEER_MISS_PRIORITY, &all,
			 attr->miss ? attr->miss : &drop, "miss", &p->miss);
	if (rc < 0) {
		dom->flat = false;
		goto out;
	}
	if (attr->miss != NULL && attr->miss->fate == DPU_FATE_PIPE) {
		p->miss_next = find_pipe(st, dom, attr->miss->pipe);
	}
	if (p->group != 0) {
		st->next_group = p->group;
	}
	st->pipes[st->npipes++] = p;
	if (attr->root && !dom->flat) {
		struct dpu_actions to = {.fate = DPU_FATE_PIPE};

		dpu_strscpy(to.pipe, p->name, sizeof(to.pipe));
		/* The new jump first: a PMD keeps the older of two equal rules
		 * in force until it goes, so frames always find a root. */
		rc = create_rule(dev, &c, 0, 0, &all, &to, "root", &jump);
		if (rc < 0) {
			st->npipes--;
			goto out;
		}
		destroy_rule(dom->ethdev, dom->root_jump);
		dom->root_jump = jump;
	}
	if (attr->root) {
		dom->root = p;
	}
	p = NULL;
out:
	if (p != NULL) {
		destroy_rule(dom->ethdev, p->miss);
		free(p->entries);
		free(p);
	}
	if (rc < 0 && dom != NULL && domain_pipes(st, dom) == 0 && dom->root == NULL) {
		dom->used = false;
	}
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static uint32_t max_len(const struct dpu_match *m)
{
	return m->ip_version == 6 ? 128 : 32;
}

/* The rule priority of an entry, or -EINVAL with the reason. */
static int entry_priority(struct dpu_dev *dev, const struct spipe *p, uint32_t priority,
			  const struct dpu_match *m, uint32_t *prio)
{
	const uint32_t acl_ok = DPU_MATCH_IN_PORT | DPU_MATCH_IP_VERSION | DPU_MATCH_IP_PROTO |
				DPU_MATCH_SRC_IP | DPU_MATCH_DST_IP | DPU_MATCH_SRC_PORT |
				DPU_MATCH_DST_PORT;

	switch (p->kind) {
	case DPU_PIPE_EXACT:
		if ((m->fields & ~p->fields) != 0 || (m->src_len % 32) != 0 ||
		    (m->dst_len % 32) != 0 ||
		    ((m->fields & DPU_MATCH_SRC_PORT) && m->sport_hi > m->sport_lo) ||
		    ((m->fields & DPU_MATCH_DST_PORT) && m->dport_hi > m->dport_lo)) {
			dpu_dev_set_error(dev,
					  "match: pipe %s matches exact values of its fields only "
					  "(no ranges or prefixes, no other fields)",
					  p->name);
			return -EINVAL;
		}
		*prio = 0;
		return 0;
	case DPU_PIPE_ACL:
		if ((m->fields & ~acl_ok) != 0) {
			dpu_dev_set_error(dev, "match: acl pipes match in_port, ip_version, "
					       "ip_proto, IPv4 prefixes and port ranges");
			return -EINVAL;
		}
		if (priority > DPU_RTE_STEER_MAX_PRIORITY) {
			dpu_dev_set_error(dev, "priority: 0..%d", DPU_RTE_STEER_MAX_PRIORITY);
			return -EINVAL;
		}
		*prio = priority;
		return 0;
	case DPU_PIPE_LPM:
		if ((m->fields & ~DPU_MATCH_IP_VERSION) != DPU_MATCH_DST_IP) {
			dpu_dev_set_error(dev, "match: lpm pipes match dst_ip (a prefix) only");
			return -EINVAL;
		}
		if (m->dst_len == 0 || m->dst_len > max_len(m)) {
			dpu_dev_set_error(dev, "match.dst_ip: prefix length 1..%u", max_len(m));
			return -EINVAL;
		}
		/* Longest first: /32 and /128 at 0. */
		*prio = max_len(m) - m->dst_len;
		return 0;
	}
	dpu_dev_set_error(dev, "pipe %s: kind %d unknown", p->name, (int)p->kind);
	return -EINVAL;
}

static struct spipe *req_pipe(struct dpu_dev *dev, struct steer *st, const char *domain,
			      const char *pipe)
{
	struct sdomain *dom = find_domain(st, domain);
	struct spipe *p = dom ? find_pipe(st, dom, pipe) : NULL;

	if (p == NULL) {
		dpu_dev_set_error(dev, "%s: no pipe %s", dom_label(domain), pipe);
	}
	return p;
}

/*
 * The (value, mask) pairs one port match takes: masked blocks, or (a PMD
 * that matches whole ports only) every port. 0 when more than 'max'.
 */
static unsigned int port_rules(bool on, uint16_t lo, uint16_t hi, bool exact, uint16_t *v,
			       uint16_t *mk, unsigned int max)
{
	unsigned int n;

	if (!on) {
		v[0] = mk[0] = 0;
		return 1;
	}
	if (!exact) {
		return dpu_rte_port_blocks(lo, hi, v, mk);
	}
	n = hi <= lo ? 1 : (unsigned int)(hi - lo) + 1;
	if (n > max) {
		return 0;
	}
	for (unsigned int i = 0; i < n; i++) {
		v[i] = (uint16_t)(lo + i);
		mk[i] = 0xffff;
	}
	return n;
}

/* An entry's rules into a new '*ep'. */
static int add_rules(struct dpu_dev *dev, struct call *c, const struct spipe *p, uint32_t prio,
		     const struct dpu_match *match, const struct dpu_actions *actions,
		     struct sentry **ep)
{
	enum { MAX = STEER_MAX_EXACT_RULES };
	uint16_t sv[MAX], sm[MAX], dv[MAX], dm[MAX];
	struct sdomain *dom = c->dom;
	bool exact = dom->exact_ports, masked = false;
	unsigned int ns, nd, k = 0;
	struct sentry *e;
	char what[64];
	int rc = 0;

	ns = port_rules(match->fields & DPU_MATCH_SRC_PORT, match->sport_lo, match->sport_hi, exact,
			sv, sm, MAX);
	nd = port_rules(match->fields & DPU_MATCH_DST_PORT, match->dport_lo, match->dport_hi, exact,
			dv, dm, MAX);
	if (ns == 0 || nd == 0 || ns * nd > MAX) {
		dpu_dev_set_error(dev,
				  "match: DPDK port %u matches whole L4 ports only, and these "
				  "ranges take more than %d rules",
				  dom->ethdev, MAX);
		return -E2BIG;
	}
	e = calloc(1, sizeof(*e) + (size_t)ns * nd * sizeof(e->flows[0]));
	if (e == NULL) {
		return -ENOMEM;
	}
	snprintf(what, sizeof(what), "pipe %s entry", p->name);
	for (unsigned int i = 0; i < ns && rc == 0; i++) {
		for (unsigned int j = 0; j < nd && rc == 0; j++) {
			struct dpu_match m = *match;

			m.sport_lo = sv[i];
			m.sport_hi = (uint16_t)(sv[i] | (uint16_t)~sm[i]);
			m.dport_lo = dv[j];
			m.dport_hi = (uint16_t)(dv[j] | (uint16_t)~dm[j]);
			masked = ((match->fields & DPU_MATCH_SRC_PORT) && sm[i] != 0xffff) ||
				 ((match->fields & DPU_MATCH_DST_PORT) && dm[j] != 0xffff);
			rc = create_rule(dev, c, p->group, prio, &m, actions, what, &e->flows[k]);
			if (rc == 0) {
				e->n = ++k;
				dom->masks_known |= masked;
			}
		}
	}
	if (rc < 0) {
		free_entry(p, e);
		if (masked && !dom->masks_known && !dom->exact_ports) {
			/* Some PMDs (net_tap: TC flower as it drives it) match
			 * whole ports only: once more, port by port. */
			dom->exact_ports = true;
			rc = add_rules(dev, c, p, prio, match, actions, ep);
			if (rc < 0) {
				dom->exact_ports = false;
			} else {
				log_info("%s: DPDK port %u matches whole L4 ports only: a port "
					 "range is a rule per port",
					 dom_label(dom->name), dom->ethdev);
			}
		}
		return rc;
	}
	*ep = e;
	return 0;
}

static int steer_entry_add(struct dpu_dev *dev, const char *domain, const char *pipe,
			   uint32_t priority, const struct dpu_match *match,
			   const struct dpu_actions *actions, uint32_t *id)
{
	struct steer *st = steer_of(dev);
	struct sentry *e = NULL;
	struct spipe *p;
	uint32_t prio, slot;
	struct call c;
	int rc;

	pthread_mutex_lock(&st->lock);
	p = req_pipe(dev, st, domain, pipe);
	if (p == NULL) {
		rc = -ENOENT;
		goto out;
	}
	rc = entry_priority(dev, p, priority, match, &prio);
	if (rc < 0) {
		goto out;
	}
	if (actions->meter > p->dom->n_meters) {
		dpu_dev_set_error(dev, "meter %u: not one of %s's", actions->meter,
				  dom_label(domain));
		rc = -ENOENT;
		goto out;
	}
	for (slot = 0; slot < p->max_entries && p->entries[slot] != NULL; slot++) {
	}
	if (slot == p->max_entries) {
		dpu_dev_set_error(dev, "pipe %s: full (%u entries)", p->name, p->max_entries);
		rc = -ENOSPC;
		goto out;
	}
	c = (struct call){.dev = dev, .st = st, .dom = p->dom};
	rc = add_rules(dev, &c, p, prio, match, actions, &e);
	if (rc == 0) {
		e->match = *match;
		e->act = *actions;
		e->prio = prio;
		e->next = actions->fate == DPU_FATE_PIPE ? find_pipe(st, p->dom, actions->pipe)
							 : NULL;
		p->entries[slot] = e;
		*id = slot + 1;
	}
out:
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static struct sentry **req_entry(struct dpu_dev *dev, struct spipe *p, uint32_t id)
{
	if (id == 0 || id > p->max_entries || p->entries[id - 1] == NULL) {
		dpu_dev_set_error(dev, "pipe %s: no entry %u", p->name, id);
		return NULL;
	}
	return &p->entries[id - 1];
}

/* An entry made of 'e''s match and priority, 'act' its actions. */
static void sentry_fill(struct steer *st, const struct spipe *p, struct sentry *to,
			const struct sentry *e, const struct dpu_actions *act)
{
	to->match = e->match;
	to->act = *act;
	to->prio = e->prio;
	to->next = act->fate == DPU_FATE_PIPE ? find_pipe(st, p->dom, act->pipe) : NULL;
}

/*
 * The entry's rules made anew with the new actions, then the old ones
 * removed; a PMD that refuses a rule's twin (net_tap: TC flower) has the
 * old ones removed first, and made again if the new ones cannot be.
 */
static int steer_entry_update(struct dpu_dev *dev, const char *domain, const char *pipe,
			      uint32_t id, const struct dpu_actions *actions,
			      unsigned int n_actions)
{
	struct steer *st = steer_of(dev);
	struct sentry **e, *ne = NULL, *old;
	struct spipe *p;
	struct call c;
	int rc = -ENOENT;

	pthread_mutex_lock(&st->lock);
	p = req_pipe(dev, st, domain, pipe);
	e = p ? req_entry(dev, p, id) : NULL;
	if (e == NULL) {
		goto out;
	}
	if (n_actions > 1) {
		dpu_dev_set_error(dev, "pipe %s: no ECMP groups on rte_flow", p->name);
		rc = -EOPNOTSUPP;
		goto out;
	}
	if (actions->meter > p->dom->n_meters) {
		dpu_dev_set_error(dev, "meter %u: not one of %s's", actions->meter,
				  dom_label(domain));
		goto out;
	}
	c = (struct call){.dev = dev, .st = st, .dom = p->dom};
	old = *e;
	rc = add_rules(dev, &c, p, old->prio, &old->match, actions, &ne);
	if (rc == -EEXIST) {
		struct sentry *back = NULL;

		for (unsigned int i = 0; i < old->n; i++) {
			destroy_rule(p->dom->ethdev, old->flows[i]);
		}
		old->n = 0;
		rc = add_rules(dev, &c, p, old->prio, &old->match, actions, &ne);
		if (rc < 0) {
			*e = NULL;
			if (add_rules(dev, &c, p, old->prio, &old->match, &old->act, &back) == 0) {
				sentry_fill(st, p, back, old, &old->act);
				*e = back;
			} else {
				log_warn("pipe %s: entry %u gone: neither its new rules nor its "
					 "old ones could be made",
					 p->name, id);
			}
			free(old);
			goto out;
		}
	}
	if (rc == 0) {
		sentry_fill(st, p, ne, old, actions);
		free_entry(p, old);
		*e = ne;
	}
out:
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static int steer_entry_del(struct dpu_dev *dev, const char *domain, const char *pipe, uint32_t id)
{
	struct steer *st = steer_of(dev);
	struct sentry **e;
	struct spipe *p;
	int rc = -ENOENT;

	pthread_mutex_lock(&st->lock);
	p = req_pipe(dev, st, domain, pipe);
	e = p ? req_entry(dev, p, id) : NULL;
	if (e != NULL) {
		free_entry(p, *e);
		*e = NULL;
		rc = 0;
	}
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static int steer_entry_stats(struct dpu_dev *dev, const char *domain, const char *pipe, uint32_t id,
			     uint64_t *packets, uint64_t *bytes)
{
	static const struct rte_flow_action count[] = {{.type = RTE_FLOW_ACTION_TYPE_COUNT},
						       {.type = RTE_FLOW_ACTION_TYPE_END}};
	struct steer *st = steer_of(dev);
	struct sentry **e;
	struct spipe *p;
	int rc = -ENOENT;

	pthread_mutex_lock(&st->lock);
	p = req_pipe(dev, st, domain, pipe);
	e = p ? req_entry(dev, p, id) : NULL;
	if (e == NULL) {
		goto out;
	}
	if (p->dom->no_count) {
		dpu_dev_set_error(dev, "DPDK port %u has no flow counters", p->dom->ethdev);
		rc = -EOPNOTSUPP;
		goto out;
	}
	*packets = *bytes = 0;
	rc = 0;
	for (unsigned int i = 0; i < (*e)->n; i++) {
		struct rte_flow_query_count q = {.reset = 0};
		struct rte_flow_error err;

		if (rte_flow_query(p->dom->ethdev, (*e)->flows[i], count, &q, &err) != 0) {
			rc = rte_rc(-rte_errno);
			dpu_dev_set_error(dev, "pipe %s entry %u: cannot read its counter: %s",
					  p->name, id,
					  err.message ? err.message : rte_strerror(-rc));
			break;
		}
		*packets += q.hits;
		*bytes += q.bytes;
	}
out:
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static int steer_pipe_destroy(struct dpu_dev *dev, const char *domain, const char *pipe)
{
	struct steer *st = steer_of(dev);
	const struct spipe *from = NULL;
	struct sdomain *dom;
	struct spipe *p;
	int rc = -ENOENT;

	pthread_mutex_lock(&st->lock);
	p = req_pipe(dev, st, domain, pipe);
	for (size_t i = 0; p != NULL && from == NULL && i < st->npipes; i++) {
		const struct spipe *q = st->pipes[i];

		if (q == p || q->dom != p->dom) {
			continue;
		}
		from = q->miss_next == p ? q : NULL;
		for (uint32_t e = 0; from == NULL && e < q->max_entries; e++) {
			from = q->entries[e] != NULL && q->entries[e]->next == p ? q : NULL;
		}
	}
	if (from != NULL) {
		dpu_dev_set_error(dev, "%s: pipe %s: pipe %s sends packets to it",
				  dom_label(domain), pipe, from->name);
		rc = -EBUSY;
	} else if (p != NULL) {
		dom = p->dom;
		free_pipe(st, p); /* the root: its jump too */
		if (domain_pipes(st, dom) == 0) {
			dom->flat = false; /* the next root asks the PMD again */
		}
		rc = 0;
	}
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static int steer_flow_flush(struct dpu_dev *dev, const char *domain)
{
	struct steer *st = steer_of(dev);
	struct sdomain *dom;

	pthread_mutex_lock(&st->lock);
	dom = find_domain(st, domain);
	if (dom != NULL) {
		drop_domain(st, dom);
	}
	pthread_mutex_unlock(&st->lock);
	return 0;
}

static int mtr_fail(struct dpu_dev *dev, const struct sdomain *dom, const char *what, int rc,
		    const struct rte_mtr_error *err)
{
	rc = rc < 0 ? rc : -EINVAL;
	dpu_dev_set_error(dev, "%s: DPDK port %u: %s: %s", dom_label(dom->name), dom->ethdev, what,
			  err->message ? err->message : rte_strerror(-rc));
	return rc;
}

/*
 * A meter: an srTCM profile (RFC 2697, bytes/s and bytes) and an rte_mtr
 * object of the same id under the domain's policy (green and yellow go on
 * with the rule's actions, red is dropped), counting every colour.
 */
static int steer_meter_create(struct dpu_dev *dev, const char *domain, uint64_t cir, uint64_t cbs,
			      uint64_t ebs, uint32_t *id)
{
	static const struct rte_flow_action go_on[] = {{.type = RTE_FLOW_ACTION_TYPE_END}};
	static const struct rte_flow_action drop[] = {{.type = RTE_FLOW_ACTION_TYPE_DROP},
						      {.type = RTE_FLOW_ACTION_TYPE_END}};
	struct steer *st = steer_of(dev);
	struct rte_mtr_meter_profile prof = {.alg = RTE_MTR_SRTCM_RFC2697};
	struct rte_mtr_params params = {.meter_enable = 1, .meter_policy_id = STEER_POLICY_ID};
	struct rte_mtr_error err;
	struct sdomain *dom;
	uint32_t n;
	int rc;

	pthread_mutex_lock(&st->lock);
	rc = get_domain(dev, st, domain, &dom);
	if (rc < 0) {
		goto out;
	}
	if (!dom->policy) {
		struct rte_mtr_meter_policy_params pol = {.actions = {[RTE_COLOR_GREEN] = go_on,
								      [RTE_COLOR_YELLOW] = go_on,
								      [RTE_COLOR_RED] = drop}};

		memset(&err, 0, sizeof(err));
		rc = rte_mtr_meter_policy_add(dom->ethdev, STEER_POLICY_ID, &pol, &err);
		if (rc != 0) {
			rc = mtr_fail(dev, dom, "meter policy", rc, &err);
			goto out;
		}
		dom->policy = true;
	}
	n = dom->n_meters + 1;
	prof.srtcm_rfc2697.cir = cir;
	prof.srtcm_rfc2697.cbs = cbs;
	prof.srtcm_rfc2697.ebs = ebs;
	memset(&err, 0, sizeof(err));
	rc = rte_mtr_meter_profile_add(dom->ethdev, n, &prof, &err);
	if (rc != 0) {
		rc = mtr_fail(dev, dom, "meter profile", rc, &err);
		goto out;
	}
	params.meter_profile_id = n;
	params.stats_mask = RTE_MTR_STATS_N_PKTS_GREEN | RTE_MTR_STATS_N_PKTS_YELLOW |
			    RTE_MTR_STATS_N_PKTS_RED | RTE_MTR_STATS_N_PKTS_DROPPED |
			    RTE_MTR_STATS_N_BYTES_GREEN | RTE_MTR_STATS_N_BYTES_YELLOW |
			    RTE_MTR_STATS_N_BYTES_RED | RTE_MTR_STATS_N_BYTES_DROPPED;
	memset(&err, 0, sizeof(err));
	rc = rte_mtr_create(dom->ethdev, n, &params, 1, &err);
	if (rc != 0) {
		rc = mtr_fail(dev, dom, "meter", rc, &err);
		rte_mtr_meter_profile_delete(dom->ethdev, n, &err);
		goto out;
	}
	dom->n_meters = n;
	*id = n;
out:
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* Green, yellow, red; a PMD that counts red only as dropped says so there. */
static int steer_meter_stats(struct dpu_dev *dev, const char *domain, uint32_t id,
			     uint64_t packets[3], uint64_t bytes[3])
{
	struct steer *st = steer_of(dev);
	struct sdomain *dom;
	struct rte_mtr_stats s;
	struct rte_mtr_error err;
	uint64_t mask = 0;
	int rc = -ENOENT;

	pthread_mutex_lock(&st->lock);
	dom = find_domain(st, domain);
	if (dom == NULL || id == 0 || id > dom->n_meters) {
		dpu_dev_set_error(dev, "meter %u: not one of %s's", id, dom_label(domain));
		goto out;
	}
	memset(&s, 0, sizeof(s));
	memset(&err, 0, sizeof(err));
	rc = rte_mtr_stats_read(dom->ethdev, id, &s, &mask, 0, &err);
	if (rc != 0) {
		rc = mtr_fail(dev, dom, "meter counters", rc, &err);
		goto out;
	}
	for (int c = 0; c < 3; c++) {
		packets[c] = s.n_pkts[c];
		bytes[c] = s.n_bytes[c];
	}
	if (!(mask & RTE_MTR_STATS_N_PKTS_RED)) {
		packets[RTE_COLOR_RED] = s.n_pkts_dropped;
		bytes[RTE_COLOR_RED] = s.n_bytes_dropped;
	}
out:
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* The steering operations the device takes while ports are open here. */
static const struct dpu_hal_class steer_class = {
	.scheme = "rte_flow",
	.api_version = DPU_HAL_API_VERSION,
	.pipe_create = steer_pipe_create,
	.entry_add = steer_entry_add,
	.entry_del = steer_entry_del,
	.entry_stats = steer_entry_stats,
	.pipe_destroy = steer_pipe_destroy,
	.entry_update = steer_entry_update,
	.flow_flush = steer_flow_flush,
	.meter_create = steer_meter_create,
	.meter_stats = steer_meter_stats,
};

int dpu_rte_steer_port_add(struct dpu_dev *dev, const char *port, uint16_t ethdev, uint16_t queues)
{
	struct steer *st = steer_of(dev);
	struct sport *p;

	if (st == NULL) {
		st = calloc(1, sizeof(*st));
		if (st == NULL) {
			return -ENOMEM;
		}
		pthread_mutex_init(&st->lock, NULL);
		dev->steer_state = st;
		dev->steer = &steer_class;
	}
	pthread_mutex_lock(&st->lock);
	p = find_port(st, port);
	if (p == NULL && st->nports == STEER_MAX_PORTS) {
		pthread_mutex_unlock(&st->lock);
		return -ENOSPC;
	}
	if (p == NULL) {
		p = &st->ports[st->nports++];
	}
	dpu_strscpy(p->name, port, sizeof(p->name));
	p->ethdev = ethdev;
	p->queues = queues;
	p->probed = false; /* opened now, whoever probed it */
	pthread_mutex_unlock(&st->lock);
	return 0;
}

bool dpu_rte_steer_probed(struct dpu_dev *dev, const char *port)
{
	struct steer *st = steer_of(dev);
	struct sport *p;
	bool probed;

	if (st == NULL) {
		return false;
	}
	pthread_mutex_lock(&st->lock);
	p = find_port(st, port);
	probed = p != NULL && p->probed;
	pthread_mutex_unlock(&st->lock);
	return probed;
}

static unsigned int opened_ports(const struct steer *st)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < st->nports; i++) {
		n += !st->ports[i].probed;
	}
	return n;
}

/* The ports probed for switch rules: closed, and their device removed with its last port. */
static void close_probed(struct steer *st)
{
	for (unsigned int i = 0; i < st->nports; i++) {
		struct sport *p = &st->ports[i];
		struct rte_eth_dev_info info;
		struct rte_device *device = NULL;
		uint16_t other;
		bool last = true;

		if (!p->probed) {
			continue;
		}
		if (rte_eth_dev_info_get(p->ethdev, &info) == 0) {
			device = info.device;
		}
		rte_eth_dev_close(p->ethdev);
		if (device != NULL) {
			RTE_ETH_FOREACH_DEV_OF(other, device)
			{
				last = false;
			}
		}
		if (last) {
			rte_eal_hotplug_remove(p->bus, p->device);
		}
	}
}

void dpu_rte_steer_port_del(struct dpu_dev *dev, const char *port)
{
	struct steer *st = steer_of(dev);
	struct sdomain *dom;
	struct sport *p;
	uint16_t gone;

	if (st == NULL) {
		return;
	}
	pthread_mutex_lock(&st->lock);
	p = find_port(st, port);
	if (p == NULL) {
		pthread_mutex_unlock(&st->lock);
		return;
	}
	dom = find_domain(st, port);
	if (dom != NULL) {
		drop_domain(st, dom);
	}
	gone = p->ethdev;
	*p = st->ports[--st->nports];
	dom = find_domain(st, NULL);
	if (dom != NULL && (dom->ethdev == gone || opened_ports(st) == 0)) {
		drop_domain(st, dom); /* its proxy, or the last open port, goes */
	}
	if (opened_ports(st) > 0) {
		pthread_mutex_unlock(&st->lock);
		return;
	}
	close_probed(st);
	pthread_mutex_unlock(&st->lock);
	pthread_mutex_destroy(&st->lock);
	free(st->pipes);
	free(st);
	dev->steer = NULL;
	dev->steer_state = NULL;
}
