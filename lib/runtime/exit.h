/*
 * exit.h - how a run ends. The code goes to isa-debug-exit, and QEMU exits
 * with (code << 1) | 1 (the kvm-unit-tests convention), so the harness can
 * tell pass, fail, crash, watchdog, set-up error and skip apart.
 */
#ifndef LIB_EXIT_H
#define LIB_EXIT_H

#include "contract.h"

/* The values are the host-guest contract's (lib/runtime/contract.h). */
enum fw_exit_code {
	FW_EXIT_PASS = CONTRACT_EXIT_PASS,
	FW_EXIT_FAIL = CONTRACT_EXIT_FAIL,
	FW_EXIT_CRASH = CONTRACT_EXIT_CRASH,
	FW_EXIT_WATCHDOG = CONTRACT_EXIT_WATCHDOG,
	FW_EXIT_ERROR = CONTRACT_EXIT_ERROR,
	FW_EXIT_SKIP = CONTRACT_EXIT_SKIP,
};

/* Sends "bye" on the host link, writes the exit port, halts. */
void fw_exit(int code) __attribute__((noreturn));

/* A set-up error: one line on the console and the host link, exit ERROR. */
void fw_error(const char *fmt, ...) __attribute__((noreturn, format(__printf__, 1, 2)));

/* Called by the clock when the run's watchdog deadline has passed. */
void fw_watchdog_expired(void) __attribute__((noreturn));

#endif
