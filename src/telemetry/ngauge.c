/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpu-ngauge: the HCA's performance counters sampled by the device itself at
 * a high rate (its diagnostic counters, dpu/hal-reg.h), written out as CSV:
 * one line per counter per sample, with the rate since the previous sample.
 *
 *   dpu-ngauge [--device URI] [--period-us N] [--samples N] [--counters ID,...]
 *   dpu-ngauge --list | --stop
 *
 * It sets the device up for one pass of N samples every N µs (the period is
 * rounded up to a power of two of device clocks, no finer than the device
 * allows), waits for them, prints them and frees the counters (disabled)
 * for the hcaperf provider (--stop frees them after a run that was cut
 * short). On a BlueField the set-up needs fwctl's
 * debug-write scope (root; it taints the kernel).
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/opts.h"
#include "common/timeutil.h"
#include "dpu/hal-reg.h"
#include "dpu/hal.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dpu-ngauge [options]\n"
		"Samples the device's performance (diagnostic) counters at a high rate; CSV out.\n"
		"  -d, --device URI       the device (default sim:bf3-0)\n"
		"  -p, --period-us N      time between samples, µs (default 1000)\n"
		"  -n, --samples N        samples to take (default 100)\n"
		"  -c, --counters ID,...  counter ids (default: all the device offers)\n"
		"  -L, --list             list the counters the device offers and exit\n"
		"  -S, --stop             disable the device's sampling (free it for others) and "
		"exit\n"
		"  -h, --help\n");
	dpu_common_usage(out);
}

static unsigned int log2_ceil(uint64_t v)
{
	unsigned int l = 0;

	while (l < 63 && ((uint64_t)1 << l) < v) {
		l++;
	}
	return l;
}

static const char *name_of(uint16_t id, char *buf, size_t size)
{
	const char *n = dpu_diag_name(id);

	if (n == NULL) {
		snprintf(buf, size, "counter_0x%04x", id);
		n = buf;
	}
	return n;
}

static int parse_ids(const char *arg, struct dpu_diag_params *p)
{
	char *copy = strdup(arg), *save = NULL, *tok;
	int rc = 0;

	if (copy == NULL) {
		return -ENOMEM;
	}
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long v = strtoul(tok, &end, 0);

		if (*end != '\0' || v == 0 || v > 0xffff || p->n >= DPU_DIAG_MAX) {
			fprintf(stderr,
				"dpu-ngauge: --counters: bad id \"%s\" (1..0xffff, at most %d)\n",
				tok, DPU_DIAG_MAX);
			rc = -EINVAL;
			break;
		}
		p->ids[p->n++] = (uint16_t)v;
	}
	free(copy);
	return rc;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000),
			      .tv_nsec = (long)(ns % 1000000000)};

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		DPU_COMMON_LONGOPTS,
		{"device", required_argument, NULL, 'd'},
		{"period-us", required_argument, NULL, 'p'},
		{"samples", required_argument, NULL, 'n'},
		{"counters", required_argument, NULL, 'c'},
		{"list", no_argument, NULL, 'L'},
		{"stop", no_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct dpu_diag_sample s[4096 * 4];
	const char *uri = "sim:bf3-0", *ids = NULL;
	unsigned long period_us = 1000, samples = 100;
	struct dpu_diag_params p = {0}, off = {0};
	struct dpu_diag_caps caps;
	struct dpu_dev *dev = NULL;
	uint64_t period_clk, wait_ns, deadline;
	bool list = false, stop = false;
	char *end;
	int c, rc, n = 0;

	while ((c = getopt_long(argc, argv, DPU_COMMON_SHORTOPTS "d:p:n:c:LSh", longopts, NULL)) !=
	       -1) {
		rc = dpu_common_opt(c, optarg);
		if (rc > 0) {
			continue;
		}
		if (rc < 0) {
			return 2;
		}
		switch (c) {
		case 'd':
			uri = optarg;
			break;
		case 'p':
			period_us = strtoul(optarg, &end, 10);
			if (*end != '\0' || period_us == 0 || period_us > 10000000) {
				fprintf(stderr, "dpu-ngauge: --period-us: 1..10000000\n");
				return 2;
			}
			break;
		case 'n':
			samples = strtoul(optarg, &end, 10);
			if (*end != '\0' || samples == 0 || samples > 4096) {
				fprintf(stderr, "dpu-ngauge: --samples: 1..4096\n");
				return 2;
			}
			break;
		case 'c':
			ids = optarg;
			break;
		case 'L':
			list = true;
			break;
		case 'S':
			stop = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	dpu_common_log_open("dpu-ngauge");
	rc = dpu_dev_open(uri, &dev);
	if (rc < 0) {
		fprintf(stderr, "dpu-ngauge: %s: %s\n", uri, strerror(-rc));
		return 1;
	}
	if (stop) {
		rc = dpu_diag_set(dev, &off);
		if (rc < 0) {
			goto fail;
		}
		dpu_dev_close(dev);
		return 0;
	}
	rc = dpu_diag_caps(dev, &caps);
	if (rc < 0) {
		goto fail;
	}
	if (list) {
		char buf[32];

		printf("id,name\n");
		for (size_t i = 0; i < caps.n; i++) {
			printf("0x%04x,%s\n", caps.ids[i], name_of(caps.ids[i], buf, sizeof(buf)));
		}
		dpu_dev_close(dev);
		return 0;
	}
	if (ids != NULL) {
		if (parse_ids(ids, &p) < 0) {
			dpu_dev_close(dev);
			return 2;
		}
	} else {
		p.n = caps.n;
		memcpy(p.ids, caps.ids, caps.n * sizeof(caps.ids[0]));
	}
	/* The period in device clocks, rounded up to a power of two the device accepts. */
	period_clk = (uint64_t)period_us * caps.dev_freq_khz / 1000;
	p.log_sample_period = (uint8_t)DPU_MAX(log2_ceil(period_clk), caps.log_min_sample_period);
	if (p.log_sample_period > 40 || caps.dev_freq_khz == 0) {
		fprintf(stderr,
			"dpu-ngauge: a period of 2^%u device clocks (%u kHz): not sampled\n",
			p.log_sample_period, caps.dev_freq_khz);
		dpu_dev_close(dev);
		return 2;
	}
	p.log_num_samples = (uint8_t)log2_ceil(samples);
	if (p.log_num_samples > caps.log_max_samples) {
		fprintf(stderr, "dpu-ngauge: --samples %lu: the device keeps at most %u\n", samples,
			1u << caps.log_max_samples);
		dpu_dev_close(dev);
		return 2;
	}
	if (samples * p.n > sizeof(s) / sizeof(s[0])) {
		fprintf(stderr, "dpu-ngauge: %lu samples of %zu counters: too many\n", samples,
			p.n);
		dpu_dev_close(dev);
		return 2;
	}
	p.enable = p.single = p.sync = true;
	rc = dpu_diag_set(dev, &p);
	if (rc < 0) {
		goto fail;
	}
	/* One pass: wait for the last sample to be there (at most twice the time, + 2 s). */
	wait_ns = (uint64_t)((double)samples * (double)((uint64_t)1 << p.log_sample_period) * 1e6 /
			     caps.dev_freq_khz);
	deadline = dpu_time_mono_ns() + 2 * wait_ns + 2000000000ull;
	sleep_ns(wait_ns);
	for (;;) {
		/* A query answers a mailbox's worth: the samples come in chunks. */
		size_t chunk = DPU_MAX((size_t)1, (DPU_CMD_MAX - 16) / 16 / p.n);

		n = 0;
		for (size_t at = 0; at < samples && rc == 0; at += chunk) {
			size_t k = DPU_MIN(chunk, samples - at);
			int got = dpu_diag_query(dev, (uint16_t)k, (uint16_t)at, s + at * p.n,
						 k * p.n);

			rc = got < 0 ? got : 0;
			n += got < 0 ? 0 : got;
		}
		if (rc < 0 || s[(samples - 1) * p.n].counter_id != 0 ||
		    dpu_time_mono_ns() > deadline) {
			break;
		}
		sleep_ns(wait_ns / 10 + 1000000);
	}
	dpu_diag_set(dev, &off); /* free for others (hcaperf) */
	if (rc < 0) {
		goto fail;
	}
	printf("sample,time_us,counter,value,rate_per_s\n");
	for (int i = 0; i < n; i++) {
		const struct dpu_diag_sample *e = &s[i];
		char buf[32], rate[32] = "";
		double us;

		if (e->counter_id == 0) {
			continue; /* not taken: the device did not get to it */
		}
		us = (double)(uint32_t)(e->timestamp - s[0].timestamp) * 1000.0 /
		     (caps.dev_freq_khz ? caps.dev_freq_khz : 1);
		if ((size_t)i >= p.n) {
			const struct dpu_diag_sample *prev = &s[i - (int)p.n];
			double dt = (double)(uint32_t)(e->timestamp - prev->timestamp) /
				    ((double)caps.dev_freq_khz * 1000.0);

			if (prev->counter_id == e->counter_id && dt > 0) {
				snprintf(rate, sizeof(rate), "%.1f",
					 (double)(e->value - prev->value) / dt);
			}
		}
		printf("%u,%.1f,%s,%llu,%s\n", e->sample_id, us,
		       name_of(e->counter_id, buf, sizeof(buf)), (unsigned long long)e->value,
		       rate);
	}
	dpu_dev_close(dev);
	return 0;
fail:
	fprintf(stderr, "dpu-ngauge: %s: %s\n", uri,
		dpu_dev_last_error(dev)[0] ? dpu_dev_last_error(dev) : strerror(-rc));
	dpu_dev_close(dev);
	return 1;
}
