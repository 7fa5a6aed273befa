/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * INI loading on inih. inih's handler does not get line numbers in Debian's
 * build, so we feed it through our own line reader, which counts lines and
 * catches lines longer than inih's buffer (which inih would otherwise split
 * into two bogus lines).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <ini.h>

#include "common/cfg.h"

struct ini_ctx {
	/* input: exactly one of these */
	FILE *fp;
	const char *text;
	size_t pos;

	const char *name;
	int line;
	int too_long_line; /* first over-long line, 0 if none */

	dpu_ini_handler *handler;
	void *arg;
	struct dpu_cfg_err *err;
	int rc; /* first handler error */
};

/* fgets() semantics over either input. */
static char *ini_read(char *str, int num, void *stream)
{
	struct ini_ctx *ctx = stream;
	size_t n = 0;
	char *got;

	if (ctx->rc != 0 || ctx->too_long_line != 0 || num < 2) {
		return NULL;
	}
	if (ctx->fp != NULL) {
		got = fgets(str, num, ctx->fp);
		if (got == NULL) {
			return NULL;
		}
		n = strlen(str);
		if (n + 1 == (size_t)num && str[n - 1] != '\n') {
			/* The buffer filled: the line fits only if its newline or EOF is next. */
			int c = getc(ctx->fp);

			if (c != EOF && c != '\n') {
				ctx->too_long_line = ctx->line + 1;
				return NULL;
			}
		}
	} else {
		if (ctx->text[ctx->pos] == '\0') {
			return NULL;
		}
		while (n + 1 < (size_t)num && ctx->text[ctx->pos] != '\0') {
			char ch = ctx->text[ctx->pos++];

			str[n++] = ch;
			if (ch == '\n') {
				break;
			}
		}
		str[n] = '\0';
		if (str[n - 1] != '\n' && ctx->text[ctx->pos] != '\0') {
			if (ctx->text[ctx->pos] != '\n') {
				ctx->too_long_line = ctx->line + 1;
				return NULL;
			}
			ctx->pos++;
		}
	}
	ctx->line++;
	return str;
}

static int ini_on_pair(void *user, const char *section, const char *name, const char *value)
{
	struct ini_ctx *ctx = user;
	int rc;

	if (ctx->rc != 0) {
		return 1; /* already failed; the reader ends the parse */
	}
	rc = ctx->handler(ctx->arg, section, name, value, ctx->line, ctx->err);
	if (rc < 0) {
		ctx->rc = rc;
		if (ctx->err != NULL) {
			dpu_strscpy(ctx->err->file, ctx->name, sizeof(ctx->err->file));
			if (ctx->err->line == 0) {
				ctx->err->line = ctx->line;
			}
			if (ctx->err->msg[0] == '\0') {
				snprintf(ctx->err->msg, sizeof(ctx->err->msg), "rejected");
			}
		}
	}
	return 1;
}

static int ini_run(struct ini_ctx *ctx)
{
	int r;

	dpu_cfg_err_clear(ctx->err);
	r = ini_parse_stream(ini_read, ctx, ini_on_pair, ctx);
	if (ctx->rc != 0) {
		return ctx->rc;
	}
	if (ctx->too_long_line != 0) {
		return dpu_cfg_err_set(ctx->err, ctx->name, ctx->too_long_line, NULL,
				       "line longer than %d characters", INI_MAX_LINE - 2);
	}
	if (r == -2) {
		return -ENOMEM;
	}
	if (r > 0) {
		return dpu_cfg_err_set(ctx->err, ctx->name, r, NULL,
				       "syntax error: expected 'key = value', '[section]' or a "
				       "comment");
	}
	return 0;
}

int dpu_ini_load(const char *path, dpu_ini_handler *handler, void *arg, struct dpu_cfg_err *err)
{
	struct ini_ctx ctx = {.name = path, .handler = handler, .arg = arg, .err = err};
	int rc;

	ctx.fp = fopen(path, "re");
	if (ctx.fp == NULL) {
		rc = -errno;
		dpu_cfg_err_set(err, path, 0, NULL, "cannot open: %s", strerror(-rc));
		return rc;
	}
	rc = ini_run(&ctx);
	fclose(ctx.fp);
	return rc;
}

int dpu_ini_load_string(const char *text, const char *name, dpu_ini_handler *handler, void *arg,
			struct dpu_cfg_err *err)
{
	struct ini_ctx ctx = {
		.text = text, .name = name ? name : "", .handler = handler, .arg = arg, .err = err};

	return ini_run(&ctx);
}
