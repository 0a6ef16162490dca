/*
 * time.c - monotonic clock on the ACPI PM timer (see time.h).
 *
 * The PM timer is a free-running 24- or 32-bit counter at 3.579545 MHz
 * (ACPI 6.4 §4.8.3.3). We extend it to 64 bits on every read, which is
 * correct as long as reads come at least once per wrap (4.69 s for 24 bits):
 * every wait in the firmware polls far more often than that.
 * Under QEMU the counter follows the virtual clock, which stops while the VM
 * is paused, e.g. during the last phase of a migration.
 */
#include "exit.h"
#include "hw.h"
#include "time.h"

static uint16_t pm_port;
static uint32_t pm_mask;
static uint32_t pm_last;
static uint64_t pm_ticks;
static bool ready;
static struct deadline watchdog;
static bool watchdog_armed;

void time_init(uint16_t port, bool counter_32bit)
{
	pm_port = port;
	pm_mask = counter_32bit ? 0xffffffffu : 0x00ffffffu;
	pm_last = inl(pm_port) & pm_mask;
	pm_ticks = 0;
	ready = port != 0;
}

bool time_ready(void)
{
	return ready;
}

static uint64_t pm_ticks_now(void)
{
	uint32_t now;

	if (!ready)
		return 0;
	now = inl(pm_port) & pm_mask;
	pm_ticks += (now - pm_last) & pm_mask;
	pm_last = now;
	return pm_ticks;
}

uint64_t time_now_us(void)
{
	uint64_t t = pm_ticks_now();

	/* Split to avoid overflow: ticks * 1e6 overflows after ~58 days. */
	return (t / PM_TIMER_HZ) * 1000000ull +
	       (t % PM_TIMER_HZ) * 1000000ull / PM_TIMER_HZ;
}

void udelay(uint64_t us)
{
	struct deadline d = deadline_in_us(us);

	while (!deadline_expired(d))
		cpu_relax();
}

void mdelay(uint64_t ms)
{
	udelay(ms * 1000);
}

uint64_t tsc_calibrate(unsigned int ms)
{
	uint64_t t0, t1, us0, us1;

	if (!ready || !rdtsc())
		return 0;
	us0 = time_now_us();
	t0 = rdtsc();
	mdelay(ms);
	t1 = rdtsc();
	us1 = time_now_us();
	if (us1 <= us0)
		return 0;
	return (t1 - t0) * 1000000ull / (us1 - us0);
}

struct deadline deadline_in_us(uint64_t us)
{
	struct deadline d = { time_now_us() + us };

	return d;
}

struct deadline deadline_in_ms(uint64_t ms)
{
	return deadline_in_us(ms * 1000);
}

/*
 * Without a clock nothing could ever expire and every wait would hang:
 * count calls instead, as a last resort (about 1 µs each).
 */
static uint64_t clockless_calls;

bool deadline_expired(struct deadline d)
{
	uint64_t now;

	if (!ready)
		now = ++clockless_calls;
	else
		now = time_now_us();
	if (watchdog_armed && now >= watchdog.end_us) {
		watchdog_armed = false;
		fw_watchdog_expired();
	}
	return now >= d.end_us;
}

void watchdog_arm_ms(uint64_t ms)
{
	watchdog = deadline_in_ms(ms);
	watchdog_armed = true;
}
