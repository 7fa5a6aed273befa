/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runs a fuzz target over files without libFuzzer, so every build (gcc,
 * sanitizers) replays the corpus in 'make check'. Prints TAP: one test per
 * input file.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *fp = fopen(argv[i], "rb");
		uint8_t *buf;
		long len;

		if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (len = ftell(fp)) < 0) {
			printf("not ok %d - %s: cannot read\n", i, argv[i]);
			if (fp != NULL) {
				fclose(fp);
			}
			continue;
		}
		rewind(fp);
		buf = malloc((size_t)len + 1);
		if (buf == NULL || fread(buf, 1, (size_t)len, fp) != (size_t)len) {
			printf("not ok %d - %s: cannot read\n", i, argv[i]);
			free(buf);
			fclose(fp);
			continue;
		}
		fclose(fp);
		/* A crash or sanitizer report ends the run; the harness sees it. */
		LLVMFuzzerTestOneInput(buf, (size_t)len);
		free(buf);
		printf("ok %d - %s\n", i, argv[i]);
		fflush(stdout);
	}
	printf("1..%d\n", argc - 1);
	return 0;
}
