/*
 * report.h - the test reporting API, in the style of kvm-unit-tests.
 *
 * Each report() is one check: printed on the console as
 * "PASS: prefix: message" and sent to the harness as a result line.
 */
#ifndef LIB_REPORT_H
#define LIB_REPORT_H

#include <stdbool.h>

void report_prefix_push(const char *prefix);
void report_prefix_pushf(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
void report_prefix_pop(void);

/* Returns @pass, so a test can stop early on a failed precondition. */
bool report(bool pass, const char *fmt, ...) __attribute__((format(__printf__, 2, 3)));
/* A check that is known to fail when @xfail: FAIL becomes XFAIL, PASS XPASS. */
bool report_xfail(bool xfail, bool pass, const char *fmt, ...)
	__attribute__((format(__printf__, 3, 4)));
void report_skip(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
void report_info(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));

/*
 * A structured observation for the harness's differential mode: register
 * @reg of @location (a BDF, "00:12.0") read @value at this point of the run.
 * Goes to the host link only ("obs 00:12.0 SLTSTA 0x0040").
 */
void report_obs(const char *location, const char *reg, unsigned long long value);

/*
 * Stops at checkpoint @name for the harness (lib/runtime/hostlink.h) and reports the
 * go-ahead as a check, then where the guest runs now (source or
 * destination) and how many migrations happened. Returns whether the
 * go-ahead came; @go may be NULL.
 */
struct hostlink_go;
bool report_checkpoint(const char *name, struct hostlink_go *go);

/* Prints "SUMMARY: N tests, M unexpected failures, K skipped[, X expected failures]"
 * and returns the exit code for lib/runtime/exit.h. */
int report_summary(void);

int report_failures(void);
void report_reset(void);

#endif
