/* test_console.c - the 16550 driver: transmitter drain before the VM exits. */
#include "console.h"
#include "hw.h"
#include "sim.h"
#include "unit.h"

UNIT_TEST(uart_drain_waits_for_transmitter_empty)
{
	sim_uart_hold_tx(COM2_PORT, 500);
	CHECK(uart_drain(COM2_PORT));
	/* Every held read was used up: the drain waited, it did not just look. */
	CHECK_EQ(inb(COM2_PORT + 5) & 0x40, 0x40);
}

UNIT_TEST(uart_drain_gives_up_on_a_stuck_transmitter)
{
	sim_uart_hold_tx(COM2_PORT, ~0u);
	CHECK(!uart_drain(COM2_PORT));
	sim_uart_hold_tx(COM2_PORT, 0);
}

UNIT_TEST(uart_drain_of_an_idle_uart_returns_at_once)
{
	CHECK(uart_drain(COM1_PORT));
}
