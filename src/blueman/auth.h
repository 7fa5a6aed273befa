/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BlueMan's authentication: a credentials file checked with crypt(3), the
 * sessions behind the cookie, and a per-address limit on failed logins.
 *
 * Credentials file: one "user:hash" per line, the hash as crypt(3) makes
 * it (SHA-512 "$6$...", yescrypt "$y$..."); '#' starts a comment. Make one
 * with `mkpasswd -m yescrypt` or `openssl passwd -6`.
 *
 * Sessions: 256-bit random tokens (hex), each ending after 'idle_ms'
 * without use or 'max_ms' after login. Tokens are compared in constant
 * time.
 */
#ifndef DPU_BLUEMAN_AUTH_H
#define DPU_BLUEMAN_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dpu_cfg_err;

#define BM_USER_MAX 64
#define BM_TOKEN_LEN 64 /* hex characters */

struct bm_creds;

/* Errors name the file and line ("creds:3: no ':' between user and hash"). */
int bm_creds_load(const char *path, struct bm_creds **credsp, struct dpu_cfg_err *err);
/* The same over text in memory; 'path' names it in errors. */
int bm_creds_parse(const char *text, const char *path, struct bm_creds **credsp,
		   struct dpu_cfg_err *err);
void bm_creds_free(struct bm_creds *creds);
/* True when 'user' is known and 'password' matches its hash. */
bool bm_creds_check(const struct bm_creds *creds, const char *user, const char *password);
size_t bm_creds_count(const struct bm_creds *creds);

/*
 * The user's password through PAM service 'service' (its file in /etc/pam.d,
 * or in 'confdir' when not NULL): authentication and account checks.
 */
bool bm_pam_check(const char *service, const char *confdir, const char *user, const char *password);

struct bm_sessions;

int bm_sessions_create(size_t max, uint64_t idle_ms, uint64_t max_ms, struct bm_sessions **sp);
void bm_sessions_free(struct bm_sessions *s);
/*
 * A new session for 'user' at 'now_ms'; its token is copied into 'token'
 * (BM_TOKEN_LEN + 1 bytes). When full, the least recently used session
 * ends. 0 or -errno (no randomness).
 */
int bm_session_new(struct bm_sessions *s, const char *user, uint64_t now_ms, char *token);
/* The user of a live session (its idle time restarts), or NULL. */
const char *bm_session_get(struct bm_sessions *s, const char *token, uint64_t now_ms);
/* End a session; true when there was one. */
bool bm_session_end(struct bm_sessions *s, const char *token);

/*
 * Failed logins per client address: after 'max_fails' within 'window_ms'
 * the address is refused until the window has passed.
 */
struct bm_ratelimit;

int bm_ratelimit_create(unsigned int max_fails, uint64_t window_ms, struct bm_ratelimit **rlp);
void bm_ratelimit_free(struct bm_ratelimit *rl);
/* Whether 'addr' may try now; if not, '*retry_ms' says when. */
bool bm_ratelimit_allow(struct bm_ratelimit *rl, const char *addr, uint64_t now_ms,
			uint64_t *retry_ms);
void bm_ratelimit_fail(struct bm_ratelimit *rl, const char *addr, uint64_t now_ms);
void bm_ratelimit_clear(struct bm_ratelimit *rl, const char *addr);

#endif /* DPU_BLUEMAN_AUTH_H */
