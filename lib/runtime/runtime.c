/*
 * runtime.c - the run after ExitBootServices (see runtime.h): set up the
 * machine, pick the test and its parameters, run it, report, exit.
 * EFI-only (the host unit tests drive the pieces directly).
 */
#include "acpi.h"
#include "args.h"
#include "console.h"
#include "contract.h"
#include "exit.h"
#include "fault.h"
#include "fwcfg.h"
#include "guest_test.h"
#include "hostlink.h"
#include "libc.h"
#include "pci.h"
#include "pci_layout.h"
#include "printf.h"
#include "report.h"
#include "runtime.h"
#include "slot_select.h"
#include "time.h"

#define DEFAULT_ARGS "enumerate hostlink=off"
#define DEFAULT_GO_TIMEOUT_S 60
#define DEFAULT_WATCHDOG_S 120
/* Harness-driven: the harness stops the VM as soon as it sees the line. */
#define WARM_READY_TIMEOUT_S 60

extern const char slotprobe_build_id[];
extern const struct guest_test __start_guest_tests[], __stop_guest_tests[];

static struct acpi_info acpi;

const struct guest_test *guest_test_at(int i)
{
	if (i < 0 || i >= __stop_guest_tests - __start_guest_tests)
		return NULL;
	return &__start_guest_tests[i];
}

const struct guest_test *guest_test_find(const char *name)
{
	for (const struct guest_test *t = __start_guest_tests; t < __stop_guest_tests; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

static void list_tests(char *buf, int size)
{
	int len = 0;

	buf[0] = 0;
	for (const struct guest_test *t = __start_guest_tests;
	     t < __stop_guest_tests && len < size; t++)
		len += snprintf(buf + len, size - len, "%s%s", len ? " " : "", t->name);
}

/*
 * fw_cfg first (the harness), then the load options (-append, a boot entry),
 * then the default. Load options that do not start with a test name are
 * ignored: boot managers put binary data there.
 */
static const char *choose_args(const struct boot_info *bi, bool *from_fwcfg)
{
	static char buf[512];
	char first[64];
	int i = 0;

	*from_fwcfg = false;
	if (fwcfg_read_file(CONTRACT_FWCFG_ARGS, buf, sizeof(buf)) >= 0) {
		*from_fwcfg = true;
		return buf;
	}
	while (bi->load_options[i] && bi->load_options[i] != ' ' && i < 63) {
		first[i] = bi->load_options[i];
		i++;
	}
	first[i] = 0;
	if (i && guest_test_find(first))
		return bi->load_options;
	if (bi->load_options[0])
		printf("INFO: ignoring load options '%s' (no test of that name)\n",
		       bi->load_options);
	return DEFAULT_ARGS;
}

static void setup_args(const struct boot_info *bi)
{
	char err[160];
	bool from_fwcfg;
	const char *line = choose_args(bi, &from_fwcfg);

	/* The link is up before any check of the values, so errors reach the harness. */
	hostlink_init(from_fwcfg, DEFAULT_GO_TIMEOUT_S * 1000);
	if (args_parse(line, err, sizeof(err)) < 0)
		fw_error("parameters: %s", err);
	watchdog_arm_ms(arg_u64("watchdog", DEFAULT_WATCHDOG_S) * 1000);
	if (!arg_bool("hostlink", true))
		hostlink_init(false, 0);
	hostlink_set_go_timeout_ms(arg_u64("go-timeout", DEFAULT_GO_TIMEOUT_S) * 1000);
	hostlink_send("hello", "proto=%d test=%s build=%s", HOSTLINK_PROTO,
		      args_test(), slotprobe_build_id);
	printf("parameters: %s (from %s)\n", args_line(),
	       from_fwcfg ? "fw_cfg" : "load options/default");
}

static void setup_acpi_and_clock(const struct boot_info *bi)
{
	char err[160];

	if (!bi->rsdp)
		fw_error("ACPI: UEFI provided no RSDP");
	if (acpi_parse(bi->rsdp, &acpi, err, sizeof(err)) < 0)
		fw_error("ACPI: %s", err);
	if (acpi.pm_timer_port)
		time_init(acpi.pm_timer_port, acpi.pm_timer_32bit);
	else
		printf("INFO: no ACPI PM timer: deadlines count polling rounds\n");
}

static void setup_pci(void)
{
	if (acpi.have_mcfg) {
		pci_cfg_use_ecam(acpi.mcfg, acpi.mcfg_count);
		for (int i = 0; i < acpi.mcfg_count; i++)
			printf("MCFG: segment %u buses %02x-%02x at 0x%llx\n",
			       acpi.mcfg[i].seg, acpi.mcfg[i].bus_start,
			       acpi.mcfg[i].bus_end,
			       (unsigned long long)acpi.mcfg[i].base);
	} else {
		report_info("%s: legacy port I/O config access, extended config "
			    "space checks skipped", acpi.mcfg_found ?
			    "MCFG has no allocations" : "no MCFG table");
		pci_cfg_use_portio();
	}
}

static const struct guest_test *select_test(void)
{
	char names[400];
	const struct guest_test *t = guest_test_find(args_test());
	const char *bad;

	if (!t) {
		list_tests(names, sizeof(names));
		fw_error("unknown test '%s'; available: %s", args_test(), names);
	}
	bad = args_unknown_key(t->params);
	if (bad)
		fw_error("test %s: unknown parameter '%s' (accepted: %s%s"
			 "hostlink go-timeout watchdog)", t->name, bad, t->params,
			 t->params[0] ? " " : "");
	return t;
}

static bool fwcfg_has(const char *name)
{
	uint16_t select;
	uint32_t size;

	return fwcfg_find_file(name, &select, &size);
}

/*
 * Warm start (scripts/slotprobelib/warmstart.py): a QEMU started with the
 * fw_cfg file FWCFG_WARM_FILE is one the harness saves. The image stops here,
 * the machine set up but its test selection not read yet, and the harness
 * saves the VM's state at this wait. Every copy restored from that state
 * resumes in this wait, gets the go-ahead and reads the selection of the
 * QEMU it now runs on (fw_cfg contents are not migrated). Real hardware and
 * cold boots have no such file and go straight on.
 */
static void warm_start_checkpoint(void)
{
	struct hostlink_go go;

	if (!fwcfg_has(FWCFG_WARM_FILE))
		return;
	hostlink_init(true, WARM_READY_TIMEOUT_S * 1000);
	if (!hostlink_checkpoint(HOSTLINK_WARM_CHECKPOINT, &go))
		fw_error("checkpoint %s: no go-ahead from the harness within %d s",
			 HOSTLINK_WARM_CHECKPOINT, WARM_READY_TIMEOUT_S);
}

void runtime_main(const struct boot_info *bi)
{
	const struct guest_test *t;

	console_init();
	idt_init();
	printf("\nslotprobe %s on %s (ExitBootServices: %s)\n", slotprobe_build_id,
	       bi->firmware_vendor[0] ? bi->firmware_vendor : "unknown firmware",
	       bi->exit_boot_services_tries > 0 ? "done" : "FAILED");
	/* Errors before the selection is read reach the harness too. */
	hostlink_init(fwcfg_has(CONTRACT_FWCFG_ARGS), DEFAULT_GO_TIMEOUT_S * 1000);
	setup_acpi_and_clock(bi);
	setup_pci();
	warm_start_checkpoint();
	setup_args(bi);
	t = select_test();
	/* Before any checkpoint: the harness names refused offsets from it. */
	pci_layout_send(slots_topology());
	printf("running test %s: %s\n", t->name, t->summary);
	report_prefix_push(t->name);
	t->run();
	report_prefix_pop();
	fw_exit(report_summary());
}
