/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BlueMan's TLS certificate and key (PEM), loaded for libmicrohttpd; made
 * self-signed at first start when none exists.
 */
#ifndef DPU_BLUEMAN_TLS_H
#define DPU_BLUEMAN_TLS_H

#include <stdbool.h>
#include <stddef.h>

struct bm_tls {
	char *cert_pem;
	char *key_pem;
	bool generated; /* made now (self-signed) */
};

/*
 * Load 'cert_path' and 'key_path'; with 'make', first create a self-signed
 * pair when neither file exists (the key readable by its owner only).
 * 0 or -errno with the reason in 'why'.
 */
int bm_tls_load(const char *cert_path, const char *key_path, bool make, struct bm_tls *tls,
		char *why, size_t why_size);
void bm_tls_free(struct bm_tls *tls);

#endif /* DPU_BLUEMAN_TLS_H */
