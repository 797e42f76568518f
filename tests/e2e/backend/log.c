// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

int be_log_level = BE_LOG_INFO;

uint64_t be_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void be_log(int level, const char *fmt, ...)
{
	static const char *const tags[] = { "error: ", "warning: ", "", "" };
	static uint64_t start;
	uint64_t now;
	va_list ap;

	if (level > be_log_level)
		return;
	now = be_now_ms();
	if (!start)
		start = now;
	fprintf(stderr, "[%5llu.%03llu] %s",
		(unsigned long long)(now - start) / 1000,
		(unsigned long long)(now - start) % 1000, tags[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
