/*
 * test_cfgattr.c - lib/conformance/cfgattr.c: the configuration space
 * attribute tables judged from cfgprobe's measurements, on simulated
 * functions: one that follows the spec gives no failure, one with a
 * deviation gives exactly the failure for that field.
 */
#include <string.h>
#include "cfgattr.h"
#include "cfgprobe.h"
#include "pci.h"
#include "pci_regs.h"
#include "printf.h"
#include "time.h"
#include "sim.h"
#include "unit.h"

#define EP pci_bdf(0, 0, 3, 0)

static struct pci_topology topo;
static struct cfgprobe_plan plan;
static struct cfgprobe_word words[CFGPROBE_WORDS];

/* What the judge said, for the checks. */
static struct {
	int fields, failed, not_probed;
	char first_failed[96];
	char first_key[96];		/* field/condition, as report_keys() sends it */
	uint8_t first_seen;
} got;

static void collect(const struct cfgattr_verdict *v, void *arg)
{
	got.fields++;
	got.not_probed += v->seen.kind == RS_NOT_PROBED;
	if (v->conforms)
		return;
	if (!got.failed++) {
		snprintf(got.first_failed, sizeof(got.first_failed), "%s", v->field);
		got.first_seen = v->seen.kind;
		snprintf(got.first_key, sizeof(got.first_key), "%s/%s", v->key_field,
			 v->key_cond ? v->key_cond : "");
	}
}

static void use_ecam(void)
{
	struct ecam_window w;

	time_init(SIM_PM_TIMER_PORT, false);
	sim_ecam_window(&w);
	pci_cfg_use_ecam(&w, 1);
}

/* Probes and judges function @d; returns the number of failed fields. */
static int judge(struct pci_bdf d)
{
	const struct pci_func *f;

	memset(&got, 0, sizeof(got));
	pci_enumerate(&topo);
	f = pci_topology_find(&topo, d);
	CHECK(f != NULL);
	if (!f)
		return -1;
	cfgprobe_plan_func(f, false, &plan);
	CHECK_EQ(cfgattr_probe_func(f, &plan, NULL, words), 0);
	return cfgattr_judge_func(f, &plan, words, collect, NULL);
}

/*
 * A PCI Express endpoint as PCIe r5.0 describes one: header (§7.5.1), PCI
 * Express capability v2, PM with PME support, 64-bit MSI, AER.
 */
static struct sim_func *conforming_endpoint(void)
{
	struct sim_func *f = sim_add_func(EP, 0x1af4, 0x1042, 0x010000);
	uint8_t exp = sim_add_cap(f, PCI_CAP_ID_EXP, 0x3c);
	uint8_t pm = sim_add_cap(f, PCI_CAP_ID_PM, 8);
	uint8_t msi = sim_add_cap(f, PCI_CAP_ID_MSI, 14);
	uint16_t aer = sim_add_ext_cap(f, PCI_EXT_CAP_ID_ERR, 2, 0x2c);

	sim_set_wmask16(f, PCI_COMMAND, 0x0547);	/* enables, parity, SERR#, INTx */
	sim_set_w1cmask16(f, PCI_STATUS, 0xf900);
	sim_set16(f, PCI_STATUS, sim_get16(f, PCI_STATUS) | 0x2000);	/* an abort seen */
	sim_set_wmask16(f, PCI_CACHE_LINE_SIZE, 0x00ff);		/* not the latency timer */
	sim_set_wmask16(f, PCI_INTERRUPT_LINE, 0x00ff);
	sim_set16(f, exp + PCI_EXP_FLAGS, 0x0002);			/* v2 endpoint */
	sim_set_wmask16(f, exp + PCI_EXP_DEVCTL, 0x000f);
	sim_set_w1cmask16(f, exp + PCI_EXP_DEVSTA, 0x000f);
	sim_set16(f, pm + PCI_PM_PMC, 0xc803);				/* PME from D0, D3 */
	sim_set_wmask16(f, pm + PCI_PM_CTRL, 0x0103);
	sim_set_w1cmask16(f, pm + PCI_PM_CTRL, 0x8000);
	sim_set16(f, pm + PCI_PM_CTRL, 0x8000);				/* PME_Status set */
	sim_set16(f, msi + PCI_MSI_FLAGS, PCI_MSI_FLAGS_64BIT);
	sim_set_wmask16(f, msi + PCI_MSI_FLAGS, 0x0071);
	sim_set_wmask16(f, msi + PCI_MSI_ADDRESS_LO, 0xfffc);
	sim_set_wmask16(f, msi + PCI_MSI_ADDRESS_LO + 2, 0xffff);
	sim_set_wmask16(f, msi + PCI_MSI_ADDRESS_HI, 0xffff);
	sim_set_wmask16(f, msi + PCI_MSI_ADDRESS_HI + 2, 0xffff);
	sim_set_wmask16(f, msi + PCI_MSI_DATA_64, 0xffff);
	for (int w = 0; w < 4; w += 2) {
		sim_set_w1cmask16(f, aer + PCI_ERR_UNCOR_STATUS + w, w ? 0x07ff : 0xf030);
		sim_set_wmask16(f, aer + PCI_ERR_UNCOR_MASK + w, w ? 0x0015 : 0x5010);
		sim_set_wmask16(f, aer + PCI_ERR_UNCOR_SEVER + w, w ? 0x0015 : 0x5010);
	}
	sim_set_w1cmask16(f, aer + PCI_ERR_COR_STATUS, 0xf1c1);
	sim_set_wmask16(f, aer + PCI_ERR_COR_MASK, 0x31c1);
	return f;
}

UNIT_TEST(cfgattr_conforming_endpoint_gives_no_failure)
{
	use_ecam();
	conforming_endpoint();
	CHECK_EQ(judge(EP), 0);
	CHECK_STR(got.first_failed, "");
	CHECK(got.fields > 100);		/* header, PCIe, PM, MSI, AER all judged */
	CHECK(got.not_probed > 0);		/* the decode enables, FLR, MSI Enable, unset RW1C */
}

UNIT_TEST(cfgattr_writable_hardwired_zero_field_is_caught)
{
	struct sim_func *f;

	use_ecam();
	f = conforming_endpoint();
	sim_set_wmask16(f, PCI_CACHE_LINE_SIZE, 0xffff);	/* Latency Timer writable */
	CHECK_EQ(judge(EP), 1);
	CHECK_STR(got.first_failed, "PCI_LATENCY_TIMER");
	CHECK_STR(got.first_key, "PCI_LATENCY_TIMER/hardwired-0");
	CHECK_EQ(got.first_seen, RS_RW);
	/* the same on a conventional PCI function: PCI 3.0 allows it */
	sim_reset();
	use_ecam();
	f = sim_add_func(EP, 0x8086, 0x2918, 0x060100);
	sim_set_wmask16(f, PCI_COMMAND, 0x0007);
	sim_set_wmask16(f, PCI_CACHE_LINE_SIZE, 0xffff);
	sim_set_wmask16(f, PCI_INTERRUPT_LINE, 0x00ff);
	CHECK_EQ(judge(EP), 0);
	CHECK_STR(got.first_failed, "");
}

UNIT_TEST(cfgattr_rw1c_bit_not_cleared_and_readonly_enable_are_caught)
{
	struct sim_func *f;
	uint8_t pm;

	use_ecam();
	f = conforming_endpoint();
	pm = pci_find_cap(EP, PCI_CAP_ID_PM);
	sim_set_w1cmask16(f, pm + PCI_PM_CTRL, 0);		/* PME_Status set, stuck */
	CHECK_EQ(judge(EP), 1);
	CHECK_STR(got.first_failed, "PCI_PM_CTRL bit 15 (PME_Status)");
	CHECK_EQ(got.first_seen, RS_RO);
	sim_set_w1cmask16(f, pm + PCI_PM_CTRL, 0x8000);
	sim_set16(f, pm + PCI_PM_CTRL, 0x8000);
	sim_set_wmask16(f, PCI_COMMAND, 0x0507);		/* Parity Error Response RO */
	CHECK_EQ(judge(EP), 1);
	CHECK_STR(got.first_failed, "PCI_COMMAND bit 6 (Parity Error Response)");
	CHECK_STR(got.first_key, "PCI_COMMAND[6]/writable");
}

/* A root port's bridge header with a writable Secondary Latency Timer (QEMU 7.2 does that). */
UNIT_TEST(cfgattr_root_port_secondary_latency_timer_must_be_hardwired)
{
	struct sim_func *f;
	uint8_t exp;

	use_ecam();
	f = sim_add_bridge(pci_bdf(0, 0, 4, 0), 0x1b36, 0x000c, 1, 1);
	exp = sim_add_cap(f, PCI_CAP_ID_EXP, 0x3c);
	sim_set16(f, exp + PCI_EXP_FLAGS, 0x0042);		/* v2 Root Port, no slot */
	sim_set_wmask16(f, PCI_COMMAND, 0x0547);
	sim_set_wmask16(f, PCI_CACHE_LINE_SIZE, 0x00ff);
	sim_set_wmask16(f, PCI_INTERRUPT_LINE, 0x00ff);
	sim_set_wmask16(f, PCI_BRIDGE_CONTROL, 0x0043);
	sim_set_wmask16(f, PCI_SUBORDINATE_BUS, 0x00ff);	/* the latency timer hardwired */
	sim_set_wmask16(f, exp + PCI_EXP_DEVCTL, 0x000f);
	sim_set_wmask16(f, exp + PCI_EXP_RTCTL, 0x000f);
	sim_set_w1cmask16(f, exp + PCI_EXP_RTSTA + 2, 0x0001);
	CHECK_EQ(judge(pci_bdf(0, 0, 4, 0)), 0);
	CHECK_STR(got.first_failed, "");
	sim_set_wmask16(f, PCI_SUBORDINATE_BUS, 0xff00);	/* byte 0x1b */
	CHECK_EQ(judge(pci_bdf(0, 0, 4, 0)), 1);
	CHECK_STR(got.first_failed, "PCI_SEC_LATENCY_TIMER");
	CHECK_EQ(got.first_seen, RS_RW);
}

UNIT_TEST(cfgattr_locates_registers_by_capability_and_layout)
{
	const struct pci_func *f;
	int found = 0;

	use_ecam();
	conforming_endpoint();
	pci_enumerate(&topo);
	f = pci_topology_find(&topo, EP);
	for (int i = 0; i < cfgattr_nregs; i++) {
		const struct cfgattr_reg *r = &cfgattr_regs[i];
		int at = cfgattr_locate(f, r);

		if (!strcmp(r->name, "PCI_MSI_DATA_64"))
			CHECK_EQ(at, pci_find_cap(EP, PCI_CAP_ID_MSI) + 12);
		if (!strcmp(r->name, "PCI_MSI_DATA_32") || !strcmp(r->name, "PCI_EXP_RTCTL") ||
		    !strcmp(r->name, "PCI_SEC_LATENCY_TIMER") || !strcmp(r->name, "PCI_MSIX_FLAGS"))
			CHECK_EQ(at, -1);
		if (!strcmp(r->name, "PCI_ERR_COR_MASK"))
			CHECK_EQ(at, pci_find_ext_cap(EP, PCI_EXT_CAP_ID_ERR) + PCI_ERR_COR_MASK);
		found += at >= 0;
	}
	CHECK(found > 20);
}
