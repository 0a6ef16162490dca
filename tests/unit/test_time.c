/* Host unit tests of lib/machine/time.c against the simulated PM timer. */
#include "time.h"
#include "sim.h"
#include "unit.h"

UNIT_TEST(time_follows_the_pm_timer)
{
	uint64_t t0, t1;

	time_init(SIM_PM_TIMER_PORT, false);
	CHECK(time_ready());
	t0 = time_now_us();
	sim_advance_us(1000000);
	t1 = time_now_us();
	/* 1 s plus the simulated cost of the reads, within a tick's rounding. */
	CHECK(t1 - t0 >= 1000000 && t1 - t0 <= 1000000 + 3 * SIM_US_PER_PM_READ);
}

UNIT_TEST(time_survives_24bit_wraps)
{
	uint64_t t0, t1;

	time_init(SIM_PM_TIMER_PORT, false);
	t0 = time_now_us();
	/* 24 bits at 3.58 MHz wrap every 4.69 s: step 3 s at a time for 30 s. */
	for (int i = 0; i < 10; i++) {
		sim_advance_us(3000000);
		time_now_us();
	}
	t1 = time_now_us();
	CHECK(t1 - t0 >= 30000000 && t1 - t0 < 30001000);
}

UNIT_TEST(deadlines_expire)
{
	struct deadline d;

	time_init(SIM_PM_TIMER_PORT, false);
	d = deadline_in_ms(5);
	CHECK(!deadline_expired(d));
	sim_advance_us(5000);
	CHECK(deadline_expired(d));
}

UNIT_TEST(mdelay_waits_long_enough)
{
	uint64_t t0;

	time_init(SIM_PM_TIMER_PORT, false);
	t0 = sim_now_us();
	mdelay(3);
	CHECK(sim_now_us() - t0 >= 3000);
	CHECK(sim_now_us() - t0 < 3100);
}

UNIT_TEST(tsc_calibrates_against_pm_timer)
{
	uint64_t hz;

	time_init(SIM_PM_TIMER_PORT, false);
	hz = tsc_calibrate(10);
	/* The simulator's TSC runs at 1 GHz. */
	CHECK(hz > 990000000ull && hz < 1010000000ull);
}
