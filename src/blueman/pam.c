/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checking a user's password through PAM (a real DPU's users), with the
 * conversation answering the password prompt from memory.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

#include "blueman/auth.h"

struct conv_data {
	const char *password;
};

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *arg)
{
	const struct conv_data *d = arg;
	struct pam_response *r;

	if (n <= 0 || n > PAM_MAX_NUM_MSG) {
		return PAM_CONV_ERR;
	}
	r = calloc((size_t)n, sizeof(*r));
	if (r == NULL) {
		return PAM_BUF_ERR;
	}
	for (int i = 0; i < n; i++) {
		/* The only question answered is the password; messages are ignored. */
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF) {
			r[i].resp = strdup(d->password);
			if (r[i].resp == NULL) {
				for (int j = 0; j < i; j++) {
					free(r[j].resp);
				}
				free(r);
				return PAM_BUF_ERR;
			}
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

/* Modules ask for a delay after a failure; BlueMan's own rate limit stands in for it. */
static void no_delay(int retval, unsigned int usec, void *arg)
{
	(void)retval;
	(void)usec;
	(void)arg;
}

bool bm_pam_check(const char *service, const char *confdir, const char *user, const char *password)
{
	struct conv_data d = {password};
	struct pam_conv pc = {conv, &d};
	pam_handle_t *h = NULL;
	int rc;

	rc = confdir != NULL ? pam_start_confdir(service, user, &pc, confdir, &h)
			     : pam_start(service, user, &pc, &h);
	if (rc != PAM_SUCCESS) {
		return false;
	}
	pam_set_item(h, PAM_FAIL_DELAY, (const void *)no_delay);
	rc = pam_authenticate(h, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	if (rc == PAM_SUCCESS) {
		rc = pam_acct_mgmt(h, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	}
	pam_end(h, rc);
	return rc == PAM_SUCCESS;
}
