/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Credentials, sessions, login rate limiting.
 */
#include <config.h>

#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "blueman/auth.h"
#include "common/cfg.h"

struct cred {
	char user[BM_USER_MAX];
	char *hash;
};

struct bm_creds {
	struct cred *c;
	size_t n;
};

static bool hash_known(const char *h)
{
	/* crypt(3) prefixes of the strong methods: yescrypt, SHA-512, SHA-256, bcrypt. */
	return strncmp(h, "$y$", 3) == 0 || strncmp(h, "$6$", 3) == 0 ||
	       strncmp(h, "$5$", 3) == 0 || strncmp(h, "$2b$", 4) == 0 ||
	       strncmp(h, "$gy$", 4) == 0;
}

int bm_creds_load(const char *path, struct bm_creds **credsp, struct dpu_cfg_err *err)
{
	char *text = NULL;
	size_t len;
	int rc = dpu_cfg_read_file(path, 1 << 20, &text, &len, err);

	if (rc == 0) {
		rc = bm_creds_parse(text, path, credsp, err);
	}
	free(text);
	return rc;
}

int bm_creds_parse(const char *input, const char *path, struct bm_creds **credsp,
		   struct dpu_cfg_err *err)
{
	struct bm_creds *creds = calloc(1, sizeof(*creds));
	char *text = strdup(input), *next = NULL;
	int rc = 0, line = 0;

	if (creds == NULL || text == NULL) {
		free(creds);
		free(text);
		return -ENOMEM;
	}
	for (char *l = text; l != NULL; l = next) {
		char *colon, *hash;
		struct cred *grown;

		next = strchr(l, '\n');
		if (next != NULL) {
			*next++ = '\0';
		}
		line++;
		l[strcspn(l, "\r")] = '\0';
		if (l[0] == '#' || l[0] == '\0') {
			continue;
		}
		colon = strchr(l, ':');
		if (colon == NULL || colon == l) {
			rc = dpu_cfg_err_set(err, path, line, NULL,
					     "expected user:hash (no ':' after a user name)");
			break;
		}
		*colon = '\0';
		hash = colon + 1;
		if (strlen(l) >= BM_USER_MAX) {
			rc = dpu_cfg_err_set(err, path, line, NULL,
					     "user name longer than %d bytes", BM_USER_MAX - 1);
			break;
		}
		if (!hash_known(hash)) {
			rc = dpu_cfg_err_set(err, path, line, l,
					     "not a crypt(3) yescrypt/SHA-512/SHA-256/bcrypt hash");
			break;
		}
		grown = realloc(creds->c, (creds->n + 1) * sizeof(*grown));
		if (grown == NULL) {
			rc = -ENOMEM;
			break;
		}
		creds->c = grown;
		dpu_strscpy(creds->c[creds->n].user, l, BM_USER_MAX);
		creds->c[creds->n].hash = strdup(hash);
		if (creds->c[creds->n].hash == NULL) {
			rc = -ENOMEM;
			break;
		}
		creds->n++;
	}
	free(text);
	if (rc == 0 && creds->n == 0) {
		rc = dpu_cfg_err_set(err, path, 0, NULL, "no user in the file");
	}
	if (rc < 0) {
		bm_creds_free(creds);
		return rc;
	}
	*credsp = creds;
	return 0;
}

void bm_creds_free(struct bm_creds *creds)
{
	if (creds == NULL) {
		return;
	}
	for (size_t i = 0; i < creds->n; i++) {
		free(creds->c[i].hash);
	}
	free(creds->c);
	free(creds);
}

size_t bm_creds_count(const struct bm_creds *creds)
{
	return creds->n;
}

bool bm_creds_check(const struct bm_creds *creds, const char *user, const char *password)
{
	struct crypt_data *cd;
	bool ok = false;

	for (size_t i = 0; i < creds->n; i++) {
		if (strcmp(creds->c[i].user, user) != 0) {
			continue;
		}
		cd = calloc(1, sizeof(*cd));
		if (cd != NULL) {
			const char *h = crypt_r(password, creds->c[i].hash, cd);

			ok = h != NULL && h[0] != '*' && strcmp(h, creds->c[i].hash) == 0;
			explicit_bzero(cd, sizeof(*cd));
			free(cd);
		}
		return ok;
	}
	/* An unknown user costs the same work as a known one. */
	cd = calloc(1, sizeof(*cd));
	if (cd != NULL) {
		(void)crypt_r(password, "$6$rounds=5000$aaaaaaaaaaaaaaaa$", cd);
		free(cd);
	}
	return false;
}

/* ---------------------------------------------------------------- sessions */

struct session {
	char token[BM_TOKEN_LEN + 1];
	char user[BM_USER_MAX];
	uint64_t created_ms, used_ms;
	bool live;
};

struct bm_sessions {
	struct session *s;
	size_t max;
	uint64_t idle_ms, max_ms;
};

int bm_sessions_create(size_t max, uint64_t idle_ms, uint64_t max_ms, struct bm_sessions **sp)
{
	struct bm_sessions *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->s = calloc(max, sizeof(*s->s))) == NULL) {
		free(s);
		return -ENOMEM;
	}
	s->max = max;
	s->idle_ms = idle_ms;
	s->max_ms = max_ms;
	*sp = s;
	return 0;
}

void bm_sessions_free(struct bm_sessions *s)
{
	if (s != NULL) {
		explicit_bzero(s->s, s->max * sizeof(*s->s));
		free(s->s);
		free(s);
	}
}

static bool expired(const struct bm_sessions *s, const struct session *x, uint64_t now)
{
	return !x->live || now - x->used_ms > s->idle_ms || now - x->created_ms > s->max_ms;
}

int bm_session_new(struct bm_sessions *s, const char *user, uint64_t now_ms, char *token)
{
	struct session *slot = NULL;
	uint8_t rnd[BM_TOKEN_LEN / 2];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		return -EIO;
	}
	for (size_t i = 0; i < s->max; i++) {
		if (expired(s, &s->s[i], now_ms)) {
			slot = &s->s[i];
			break;
		}
		if (slot == NULL || s->s[i].used_ms < slot->used_ms) {
			slot = &s->s[i];
		}
	}
	for (size_t i = 0; i < sizeof(rnd); i++) {
		snprintf(slot->token + 2 * i, 3, "%02x", rnd[i]);
	}
	dpu_strscpy(slot->user, user, sizeof(slot->user));
	slot->created_ms = slot->used_ms = now_ms;
	slot->live = true;
	memcpy(token, slot->token, BM_TOKEN_LEN + 1);
	explicit_bzero(rnd, sizeof(rnd));
	return 0;
}

/* Constant-time comparison of two tokens of BM_TOKEN_LEN characters. */
static bool token_eq(const char *a, const char *b)
{
	unsigned char d = 0;

	for (size_t i = 0; i < BM_TOKEN_LEN; i++) {
		d |= (unsigned char)(a[i] ^ b[i]);
	}
	return d == 0;
}

static struct session *find(struct bm_sessions *s, const char *token)
{
	if (token == NULL || strlen(token) != BM_TOKEN_LEN) {
		return NULL;
	}
	for (size_t i = 0; i < s->max; i++) {
		if (s->s[i].live && token_eq(s->s[i].token, token)) {
			return &s->s[i];
		}
	}
	return NULL;
}

const char *bm_session_get(struct bm_sessions *s, const char *token, uint64_t now_ms)
{
	struct session *x = find(s, token);

	if (x == NULL) {
		return NULL;
	}
	if (expired(s, x, now_ms)) {
		x->live = false;
		return NULL;
	}
	x->used_ms = now_ms;
	return x->user;
}

bool bm_session_end(struct bm_sessions *s, const char *token)
{
	struct session *x = find(s, token);

	if (x == NULL) {
		return false;
	}
	explicit_bzero(x, sizeof(*x));
	return true;
}

/* ---------------------------------------------------------------- rate limit */

#define RL_SLOTS 256

struct rl_entry {
	char addr[64];
	unsigned int fails;
	uint64_t first_ms;
};

struct bm_ratelimit {
	struct rl_entry e[RL_SLOTS];
	unsigned int max_fails;
	uint64_t window_ms;
};

int bm_ratelimit_create(unsigned int max_fails, uint64_t window_ms, struct bm_ratelimit **rlp)
{
	struct bm_ratelimit *rl = calloc(1, sizeof(*rl));

	if (rl == NULL) {
		return -ENOMEM;
	}
	rl->max_fails = max_fails;
	rl->window_ms = window_ms;
	*rlp = rl;
	return 0;
}

void bm_ratelimit_free(struct bm_ratelimit *rl)
{
	free(rl);
}

static struct rl_entry *rl_find(struct bm_ratelimit *rl, const char *addr, uint64_t now,
				bool create)
{
	struct rl_entry *free_slot = NULL, *oldest = NULL;

	for (size_t i = 0; i < RL_SLOTS; i++) {
		struct rl_entry *e = &rl->e[i];

		if (e->addr[0] != '\0' && now - e->first_ms > rl->window_ms) {
			e->addr[0] = '\0'; /* the window passed: forget it */
		}
		if (e->addr[0] != '\0' && strcmp(e->addr, addr) == 0) {
			return e;
		}
		if (e->addr[0] == '\0' && free_slot == NULL) {
			free_slot = e;
		}
		if (oldest == NULL || e->first_ms < oldest->first_ms) {
			oldest = e;
		}
	}
	if (!create) {
		return NULL;
	}
	free_slot = free_slot != NULL ? free_slot : oldest;
	dpu_strscpy(free_slot->addr, addr, sizeof(free_slot->addr));
	free_slot->fails = 0;
	free_slot->first_ms = now;
	return free_slot;
}

bool bm_ratelimit_allow(struct bm_ratelimit *rl, const char *addr, uint64_t now_ms,
			uint64_t *retry_ms)
{
	struct rl_entry *e = rl_find(rl, addr, now_ms, false);

	if (e == NULL || e->fails < rl->max_fails) {
		return true;
	}
	if (retry_ms != NULL) {
		*retry_ms = e->first_ms + rl->window_ms - now_ms;
	}
	return false;
}

void bm_ratelimit_fail(struct bm_ratelimit *rl, const char *addr, uint64_t now_ms)
{
	struct rl_entry *e = rl_find(rl, addr, now_ms, true);

	e->fails++;
}

void bm_ratelimit_clear(struct bm_ratelimit *rl, const char *addr)
{
	for (size_t i = 0; i < RL_SLOTS; i++) {
		if (strcmp(rl->e[i].addr, addr) == 0) {
			rl->e[i].addr[0] = '\0';
		}
	}
}
