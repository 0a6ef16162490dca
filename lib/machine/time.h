/*
 * time.h - monotonic time and deadlines.
 *
 * The clock is the ACPI PM timer (3.579545 MHz, port from the FADT), extended
 * to 64 bits in software; the TSC is calibrated against it for comparison.
 * Every loop that waits on hardware uses a deadline from here.
 */
#ifndef LIB_TIME_H
#define LIB_TIME_H

#include <stdbool.h>
#include <stdint.h>

#define PM_TIMER_HZ 3579545u

/* Start the clock on the PM timer at I/O port @port (24- or 32-bit counter). */
void time_init(uint16_t pm_port, bool counter_32bit);
bool time_ready(void);
uint64_t time_now_us(void);
void udelay(uint64_t us);
void mdelay(uint64_t ms);

/* TSC ticks per second measured against the PM timer over @ms; 0 if none. */
uint64_t tsc_calibrate(unsigned int ms);

struct deadline {
	uint64_t end_us;
};

struct deadline deadline_in_us(uint64_t us);
struct deadline deadline_in_ms(uint64_t ms);
bool deadline_expired(struct deadline d);

/*
 * The run's global watchdog: once armed, deadline_expired() also checks it
 * and ends the run as WATCHDOG when it has passed (see lib/runtime/exit.h).
 */
void watchdog_arm_ms(uint64_t ms);

#endif
