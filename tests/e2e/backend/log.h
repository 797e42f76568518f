/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Logging to stderr, each line stamped with the seconds since start. */
#ifndef VDISPL_BE_LOG_H
#define VDISPL_BE_LOG_H

#include <stdint.h>

enum be_log_level {
	BE_LOG_ERR,
	BE_LOG_WARN,
	BE_LOG_INFO,
	BE_LOG_DEBUG,
};

/* Lines above this level are dropped; the default is BE_LOG_INFO. */
extern int be_log_level;

void be_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Milliseconds on the monotonic clock. */
uint64_t be_now_ms(void);

#define be_err(...)	be_log(BE_LOG_ERR, __VA_ARGS__)
#define be_warn(...)	be_log(BE_LOG_WARN, __VA_ARGS__)
#define be_info(...)	be_log(BE_LOG_INFO, __VA_ARGS__)
#define be_dbg(...)	be_log(BE_LOG_DEBUG, __VA_ARGS__)

#endif
