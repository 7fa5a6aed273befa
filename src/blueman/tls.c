/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BlueMan's TLS certificate: a configured one, or a self-signed one made
 * at first start with GnuTLS (ECDSA P-256, a year's validity, the host's
 * name, "localhost" and 127.0.0.1 as subject alternative names).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "blueman/tls.h"
#include "common/cfg.h"

static int write_secret(const char *path, const gnutls_datum_t *d, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ssize_t n;

	if (fd < 0) {
		return -errno;
	}
	n = write(fd, d->data, d->size);
	if (close(fd) != 0 || n != (ssize_t)d->size) {
		return -EIO;
	}
	return 0;
}

static int generate(const char *cert_path, const char *key_path, const char *host, char *why,
		    size_t why_size)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t kpem = {NULL, 0}, cpem = {NULL, 0};
	unsigned char serial[16];
	const unsigned char lo[4] = {127, 0, 0, 1};
	time_t now = time(NULL);
	int g, rc = -EIO;

	gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial));
	serial[0] &= 0x7f; /* a positive serial number */
	if ((g = gnutls_x509_privkey_init(&key)) < 0 ||
	    (g = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
					      GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1),
					      0)) < 0 ||
	    (g = gnutls_x509_crt_init(&crt)) < 0 || (g = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (g = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial))) < 0 ||
	    (g = gnutls_x509_crt_set_activation_time(crt, now - 3600)) < 0 ||
	    (g = gnutls_x509_crt_set_expiration_time(crt, now + 365 * 86400)) < 0 ||
	    (g = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, host,
					       (unsigned int)strlen(host))) < 0 ||
	    (g = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, host,
						      (unsigned int)strlen(host),
						      GNUTLS_FSAN_APPEND)) < 0 ||
	    (g = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
						      GNUTLS_FSAN_APPEND)) < 0 ||
	    (g = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, lo, 4,
						      GNUTLS_FSAN_APPEND)) < 0 ||
	    (g = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
	    (g = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0 ||
	    (g = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
	    (g = gnutls_x509_crt_set_key(crt, key)) < 0 ||
	    (g = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0)) < 0 ||
	    (g = gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &kpem)) < 0 ||
	    (g = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cpem)) < 0) {
		snprintf(why, why_size, "making a certificate: %s", gnutls_strerror(g));
	} else if ((rc = write_secret(key_path, &kpem, 0600)) < 0) {
		snprintf(why, why_size, "%s: %s", key_path, strerror(-rc));
	} else if ((rc = write_secret(cert_path, &cpem, 0644)) < 0) {
		snprintf(why, why_size, "%s: %s", cert_path, strerror(-rc));
	}
	gnutls_free(kpem.data);
	gnutls_free(cpem.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	return rc;
}

int bm_tls_load(const char *cert_path, const char *key_path, bool make, struct bm_tls *tls,
		char *why, size_t why_size)
{
	struct dpu_cfg_err err;
	size_t len;
	int rc;

	memset(tls, 0, sizeof(*tls));
	if (make && access(cert_path, F_OK) != 0 && access(key_path, F_OK) != 0) {
		char host[256] = "localhost";

		gethostname(host, sizeof(host) - 1);
		rc = generate(cert_path, key_path, host, why, why_size);
		if (rc < 0) {
			return rc;
		}
		tls->generated = true;
	}
	rc = dpu_cfg_read_file(cert_path, 1 << 20, &tls->cert_pem, &len, &err);
	if (rc == 0) {
		rc = dpu_cfg_read_file(key_path, 1 << 20, &tls->key_pem, &len, &err);
	}
	if (rc < 0) {
		char msg[512];

		snprintf(why, why_size, "%s", dpu_cfg_err_str(&err, msg, sizeof(msg)));
		bm_tls_free(tls);
	}
	return rc;
}

void bm_tls_free(struct bm_tls *tls)
{
	if (tls->key_pem != NULL) {
		explicit_bzero(tls->key_pem, strlen(tls->key_pem));
	}
	free(tls->key_pem);
	free(tls->cert_pem);
	tls->key_pem = NULL;
	tls->cert_pem = NULL;
}
