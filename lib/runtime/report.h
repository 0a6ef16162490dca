/*
 * report.h - the test reporting API, in the style of kvm-unit-tests.
 *
 * Each report() is one check: printed on the console as
 * "PASS: prefix: message" and sent to the harness as a result line.
 */
#ifndef LIB_REPORT_H
#define LIB_REPORT_H

#include <stdbool.h>
#include "contract.h"

void report_prefix_push(const char *prefix);
void report_prefix_pushf(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
void report_prefix_pop(void);

/* Returns @pass, so a test can stop early on a failed precondition. */
bool report(bool pass, const char *fmt, ...) __attribute__((format(__printf__, 2, 3)));
/* A check that is known to fail when @xfail: FAIL becomes XFAIL, PASS XPASS. */
bool report_xfail(bool xfail, bool pass, const char *fmt, ...)
	__attribute__((format(__printf__, 3, 4)));
void report_skip(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));

/*
 * A check's identity, which the harness matches known bugs by (tests/
 * errata.cfg `checks`): the field it checks, by its lib/pci/pci_regs.h name
 * (or a register's), and what it requires of it (a CONTRACT_COND_* word,
 * lib/runtime/contract.h). REPORT_KEY(PCI_EXP_SLTSTA_PDS, SET) uses both
 * macros, so a misspelt field or condition does not compile (REPORT_KEY_INIT
 * in a static table).
 */
struct report_key {
	const char *field;
	const char *cond;
};
/* "0 * (field)": the field's name as written, which must be a defined macro. */
#define REPORT_KEY_INIT(field, cond) { &#field[0 * (field)], CONTRACT_COND_##cond }
#define REPORT_KEY(field, cond) \
	((struct report_key){ &#field[0 * (field)], CONTRACT_COND_##cond })

/*
 * report() with the check's key. A check that does not pass sends its key
 * on the host link before its text, "result FAIL key=<test>/<field>/<cond>
 * <text>"; console and text are report()'s. A PASS carries none: nothing
 * to explain.
 */
bool report_keyed(bool pass, struct report_key key, const char *fmt, ...)
	__attribute__((format(__printf__, 3, 4)));
/* ... with one key per part of the check that failed (@n: 0 is report()). */
bool report_keys(bool pass, const struct report_key *keys, int n, const char *fmt, ...)
	__attribute__((format(__printf__, 4, 5)));
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
