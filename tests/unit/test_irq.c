/*
 * test_irq.c - lib/machine/irq.c and lib/machine/apic.c on the simulated
 * CPU (sim_cpu.c): APIC set-up from IA32_APIC_BASE, MSI address, IRR/ISR reporting, and the
 * interrupt bookkeeping: counts, unexpected vectors, EOI (none for the
 * spurious vector), delivery of a pending interrupt at sti, deadlines.
 */
#include "apic.h"
#include "irq.h"
#include "time.h"
#include "sim.h"
#include "sim_cpu.h"
#include "unit.h"

static char err[120];
static unsigned int handler_calls, handler_vector;
static void *handler_ctx;

static void machine(void)
{
	time_init(SIM_PM_TIMER_PORT, false);
	irq_reset_counts();
	for (unsigned int v = IRQ_VECTOR_FIRST; v < 256; v++)
		irq_unregister(v);
	handler_calls = 0;
}

static void handler(unsigned int vector, void *ctx)
{
	handler_calls++;
	handler_vector = vector;
	handler_ctx = ctx;
}

UNIT_TEST(apic_init_enables_software_and_masks_timer)
{
	machine();
	sim_lapic_set(APIC_LVTT, 0x30);
	sim_lapic_set(APIC_TASKPRI, 0x20);
	CHECK_EQ(apic_init(err, sizeof(err)), 0);
	CHECK_EQ(apic_base(), SIM_LAPIC_BASE);
	CHECK_EQ(sim_lapic_get(APIC_SPIV), APIC_SPIV_APIC_ENABLED | APIC_SPURIOUS_VECTOR);
	CHECK_EQ(sim_lapic_get(APIC_TASKPRI), 0);
	CHECK_EQ(sim_lapic_get(APIC_LVTT), 0x30 | APIC_LVT_MASKED);
	CHECK_EQ(apic_msi_address(), 0xfee00000 | SIM_LAPIC_ID << 12);
	CHECK_EQ(apic_msi_data(0x40), 0x40);
}

UNIT_TEST(apic_init_globally_disabled_and_x2apic)
{
	machine();
	sim_set_msr(MSR_IA32_APICBASE, SIM_LAPIC_BASE | MSR_IA32_APICBASE_BSP);
	CHECK_EQ(apic_init(err, sizeof(err)), 0);
	CHECK(sim_get_msr(MSR_IA32_APICBASE) & MSR_IA32_APICBASE_ENABLE);

	sim_set_msr(MSR_IA32_APICBASE, SIM_LAPIC_BASE | MSR_IA32_APICBASE_ENABLE |
		    MSR_IA32_APICBASE_EXTD);
	CHECK_EQ(apic_init(err, sizeof(err)), -1);
	CHECK_STR(err, "IA32_APIC_BASE 0xfee00c00: x2APIC mode, not supported");
}

UNIT_TEST(apic_id_in_msi_address)
{
	machine();
	apic_init(err, sizeof(err));
	sim_lapic_set(APIC_ID, 3u << 24);
	CHECK_EQ(apic_id(), 3);
	CHECK_EQ(apic_msi_address(), 0xfee03000);
}

UNIT_TEST(irq_pending_in_irr_until_sti_then_once)
{
	char buf[64];

	machine();
	apic_init(err, sizeof(err));
	irq_register(0x40, handler, &handler_calls);
	CHECK(sim_msi_write(0xfee00000, 0x40));
	CHECK(apic_irr_test(0x40));
	CHECK(!apic_isr_test(0x40));
	CHECK_STR(apic_pending_str(buf, sizeof(buf)), "IRR 40 ISR -");
	CHECK_EQ(irq_count(0x40), 0);		/* interrupts are off */

	irq_window_open();
	CHECK(irq_window_is_open());
	CHECK_EQ(irq_count(0x40), 1);
	CHECK_EQ(handler_calls, 1);
	CHECK_EQ(handler_vector, 0x40);
	CHECK(handler_ctx == &handler_calls);
	CHECK_EQ(sim_lapic_eois(), 1);
	CHECK_STR(apic_pending_str(buf, sizeof(buf)), "IRR - ISR -");
	irq_window_close();
	CHECK(!sim_cpu_if());
	CHECK_EQ(irq_total(), 1);
	CHECK_EQ(irq_unexpected(), 0);
}

UNIT_TEST(irq_two_messages_before_sti_are_one_irr_bit)
{
	machine();
	apic_init(err, sizeof(err));
	irq_register(0x40, NULL, NULL);
	sim_msi_write(0xfee00000, 0x40);
	sim_msi_write(0xfee00000, 0x40);	/* the IRR is one bit per vector */
	irq_window_open();
	irq_window_close();
	CHECK_EQ(irq_count(0x40), 1);
}

UNIT_TEST(irq_unexpected_and_spurious)
{
	char buf[64];

	machine();
	apic_init(err, sizeof(err));
	irq_register(APIC_SPURIOUS_VECTOR, NULL, NULL);
	irq_window_open();
	sim_lapic_raise(0x51);			/* nobody registered it */
	CHECK_EQ(irq_unexpected(), 1);
	CHECK_EQ(irq_last_unexpected_vector(), 0x51);
	CHECK_EQ(sim_lapic_eois(), 1);		/* still acknowledged */
	irq_entry(APIC_SPURIOUS_VECTOR);	/* the APIC sends it without ISR */
	CHECK_EQ(irq_count(APIC_SPURIOUS_VECTOR), 1);
	CHECK_EQ(sim_lapic_eois(), 1);		/* no EOI for it */
	irq_window_close();
	CHECK_EQ(irq_unexpected(), 1);
	CHECK_EQ(irq_total(), 2);
	CHECK_STR(apic_pending_str(buf, sizeof(buf)), "IRR - ISR -");
	irq_reset_counts();
	CHECK_EQ(irq_total() + irq_unexpected() + irq_count(0x51), 0);
}

UNIT_TEST(irq_register_range)
{
	machine();
	irq_register(0x10, handler, NULL);	/* an exception vector: refused */
	irq_entry(0x10);
	CHECK_EQ(handler_calls, 0);
	CHECK_EQ(irq_unexpected(), 1);
}

UNIT_TEST(irq_wait_has_a_deadline)
{
	uint64_t t0;

	machine();
	apic_init(err, sizeof(err));
	irq_register(0x40, NULL, NULL);
	irq_window_open();
	t0 = sim_now_us();
	CHECK_EQ(irq_wait(0x40, 1, 5), 0);
	CHECK(sim_now_us() - t0 >= 5000);
	sim_lapic_raise(0x40);
	CHECK_EQ(irq_wait(0x40, 1, 5), 1);
	irq_window_close();
}
