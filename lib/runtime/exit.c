/*
 * exit.c - ending the run (see exit.h).
 */
#include <stdarg.h>

#include "console.h"
#include "exit.h"
#include "hostlink.h"
#include "hw.h"
#include "printf.h"

void fw_exit(int code)
{
	hostlink_send("bye", "status=%d", code);
	printf("slotprobe: exit %d\n", code);
	/* isa-debug-exit ends QEMU at once: the bye line must be out first. */
	uart_drain(COM2_PORT);
	uart_drain(COM1_PORT);
	outl(DEBUG_EXIT_PORT, (uint32_t)code);
	/* Only reached without isa-debug-exit (real hardware): stop here. */
	printf("slotprobe: no isa-debug-exit device; halting\n");
	cpu_halt();
}

void fw_error(const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("ERROR: %s\n", msg);
	hostlink_send("error", "%s", msg);
	fw_exit(FW_EXIT_ERROR);
}

void fw_watchdog_expired(void)
{
	printf("WATCHDOG: the run's deadline passed\n");
	hostlink_send("log", "watchdog: the run's deadline passed");
	fw_exit(FW_EXIT_WATCHDOG);
}
