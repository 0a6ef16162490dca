/*
 * unit.h - a very small host unit-test framework for lib/.
 *
 * UNIT_TEST(name) { ... } registers a test case; CHECK* record failures
 * without stopping the case. Every case starts on a fresh simulated machine
 * (sim_reset()). The runner prints one line per failed check and ends with
 * "N passed, N failed" counting test cases.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdbool.h>
#include <stdint.h>

void unit_register(const char *name, void (*fn)(void), const char *file);
bool unit_check(bool ok, const char *file, int line, const char *what);
bool unit_check_eq(uint64_t got, uint64_t want, const char *file, int line,
		   const char *expr);
bool unit_check_str(const char *got, const char *want, const char *file, int line,
		    const char *expr);

#define UNIT_TEST(name)							\
	static void name(void);						\
	__attribute__((constructor)) static void unit_reg_##name(void)	\
	{ unit_register(#name, name, __FILE__); }			\
	static void name(void)

#define CHECK(cond) unit_check(!!(cond), __FILE__, __LINE__, #cond)
#define CHECK_EQ(got, want) \
	unit_check_eq((uint64_t)(got), (uint64_t)(want), __FILE__, __LINE__, #got)
#define CHECK_STR(got, want) unit_check_str((got), (want), __FILE__, __LINE__, #got)

#endif
