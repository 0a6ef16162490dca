/*
 * exit.h - how a run ends. The code goes to isa-debug-exit, and QEMU exits
 * with (code << 1) | 1 (the kvm-unit-tests convention), so the harness can
 * tell pass, fail, crash, watchdog, set-up error and skip apart.
 */
#ifndef LIB_EXIT_H
#define LIB_EXIT_H

enum fw_exit_code {
	FW_EXIT_PASS = 0,
	FW_EXIT_FAIL = 1,
	FW_EXIT_CRASH = 2,
	FW_EXIT_WATCHDOG = 3,
	FW_EXIT_ERROR = 4,
	FW_EXIT_SKIP = 77,
};

/* Sends "bye" on the host link, writes the exit port, halts. */
void fw_exit(int code) __attribute__((noreturn));

/* A set-up error: one line on the console and the host link, exit ERROR. */
void fw_error(const char *fmt, ...) __attribute__((noreturn, format(__printf__, 1, 2)));

/* Called by the clock when the run's watchdog deadline has passed. */
void fw_watchdog_expired(void) __attribute__((noreturn));

#endif
