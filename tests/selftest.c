/*
 * selftest - the runtime checks itself: formatted output, the clock against
 * the TSC, deadlines, parameters, the host link, and (on request) the fault
 * path, which must end the run as a reported crash instead of a hang.
 *
 * Parameters: checkpoints=N (offer N checkpoints to the harness),
 * expect-migrations=N (check the go-aheads counted N migrations),
 * fault=pf|gp|ud|de (raise that exception at the end), hang=1 (spin until
 * the watchdog fires).
 */
#include "args.h"
#include "guest_test.h"
#include "hostlink.h"
#include "hw.h"
#include "libc.h"
#include "printf.h"
#include "report.h"
#include "time.h"

static bool formats(const char *want, const char *fmt, ...)
	__attribute__((format(__printf__, 2, 3)));

static bool formats(const char *want, const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (strcmp(buf, want) != 0)
		printf("  got \"%s\", want \"%s\"\n", buf, want);
	return strcmp(buf, want) == 0;
}

static void check_printf(void)
{
	char small[4];

	report_prefix_push("printf");
	report(formats("42 -7 ff 00AB", "%d %i %x %04X", 42, -7, 255, 0xab), "integers");
	report(formats("18446744073709551615", "%llu", ~0ull), "64-bit");
	report(formats("[ab   ][   ab]", "[%-5s][%5s]", "ab", "ab"), "widths");
	report(formats("0x1000 c %", "%p %c %%", (void *)0x1000, 'c'), "pointer, char");
	report(snprintf(small, sizeof(small), "%s", "truncate") == 8 &&
	       strcmp(small, "tru") == 0, "truncation keeps the terminator");
	report_prefix_pop();
}

static void check_clock(void)
{
	uint64_t t0, t1, tsc_hz, tsc0, tsc1, tsc_us;
	struct deadline d;

	report_prefix_push("time");
	if (!report(time_ready(), "ACPI PM timer found"))
		goto out;
	t0 = time_now_us();
	mdelay(20);
	t1 = time_now_us();
	report(t1 - t0 >= 20000 && t1 - t0 < 200000, "mdelay(20) took %llu us",
	       (unsigned long long)(t1 - t0));

	d = deadline_in_ms(30);
	report(!deadline_expired(d), "a fresh 30 ms deadline has not expired");
	mdelay(35);
	report(deadline_expired(d), "it has after 35 ms");

	tsc_hz = tsc_calibrate(50);
	report(tsc_hz > 0, "TSC runs: %llu kHz", (unsigned long long)(tsc_hz / 1000));
	if (tsc_hz) {
		t0 = time_now_us();
		tsc0 = rdtsc();
		mdelay(100);
		tsc1 = rdtsc();
		t1 = time_now_us();
		tsc_us = (tsc1 - tsc0) * 1000000ull / tsc_hz;
		report(tsc_us * 100 >= (t1 - t0) * 95 && tsc_us * 100 <= (t1 - t0) * 105,
		       "PM timer and TSC agree within 5%% (%llu vs %llu us)",
		       (unsigned long long)(t1 - t0), (unsigned long long)tsc_us);
	}
out:
	report_prefix_pop();
}

static void check_checkpoints(void)
{
	unsigned int n = (unsigned int)arg_u64("checkpoints", 1);
	struct hostlink_go go = { 0, false, 0, 0 };

	report_prefix_push("hostlink");
	if (!hostlink_enabled()) {
		report_skip("no host link (parameters not from the harness)");
		goto out;
	}
	for (unsigned int i = 1; i <= n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "step-%u", i);
		if (!report(hostlink_checkpoint(name, &go), "go-ahead at %s", name))
			break;
	}
	if (arg_present("expect-migrations"))
		report(go.migrations == arg_u64("expect-migrations", 0),
		       "harness counted %u migrations, %llu expected", go.migrations,
		       (unsigned long long)arg_u64("expect-migrations", 0));
out:
	report_prefix_pop();
}

static void raise_fault(const char *kind)
{
	volatile unsigned int zero = 0;

	report_info("raising %s on purpose: the run must end as a crash", kind);
	if (!strcmp(kind, "pf"))
		/* 64 TiB: canonical, and far beyond what OVMF identity-maps. */
		(void)*(volatile uint64_t *)0x400000000000ull;
	else if (!strcmp(kind, "gp"))
		/* Non-canonical address. */
		(void)*(volatile uint64_t *)0x8000000000000000ull;
	else if (!strcmp(kind, "ud"))
		__asm__ volatile("ud2");
	else if (!strcmp(kind, "de"))
		zero = 1 / zero;
	report(false, "fault=%s: no fault happened", kind);
}

GUEST_TEST(selftest_main, "selftest", "checkpoints expect-migrations fault hang",
	   "step-*",
	   "the runtime checks itself: printf, clock, deadlines, host link, faults")
{
	check_printf();
	check_clock();
	check_checkpoints();
	if (arg_bool("hang", false)) {
		report_info("spinning until the watchdog fires");
		for (;;)
			deadline_expired(deadline_in_ms(1000));
	}
	if (arg_present("fault"))
		raise_fault(arg_str("fault", ""));
}
