/*
 * fault.c - report a CPU exception and end the run (see fault.h).
 */
#include "exit.h"
#include "fault.h"
#include "hostlink.h"
#include "hw.h"
#include "printf.h"

uint64_t read_cr2(void);

static const char *const names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
	"#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

const char *fault_name(unsigned int vector)
{
	return vector < 32 ? names[vector] : "IRQ";
}

static int depth;

void fault_entry(struct fault_frame *f)
{
	uint64_t cr2 = read_cr2();

	/* A fault while reporting a fault: don't recurse, just leave. */
	if (depth++) {
		outl(DEBUG_EXIT_PORT, FW_EXIT_CRASH);
		cpu_halt();
	}
	printf("\nFAULT: vector %u (%s) error 0x%llx at rip 0x%llx cr2 0x%llx\n",
	       (unsigned int)f->vector, fault_name((unsigned int)f->vector),
	       (unsigned long long)f->error, (unsigned long long)f->rip,
	       (unsigned long long)cr2);
	printf("  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n"
	       "  rsi %016llx rdi %016llx rbp %016llx rsp %016llx\n"
	       "  r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n"
	       "  r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n"
	       "  cs %04llx rflags %08llx\n",
	       (unsigned long long)f->rax, (unsigned long long)f->rbx,
	       (unsigned long long)f->rcx, (unsigned long long)f->rdx,
	       (unsigned long long)f->rsi, (unsigned long long)f->rdi,
	       (unsigned long long)f->rbp, (unsigned long long)f->rsp,
	       (unsigned long long)f->r8, (unsigned long long)f->r9,
	       (unsigned long long)f->r10, (unsigned long long)f->r11,
	       (unsigned long long)f->r12, (unsigned long long)f->r13,
	       (unsigned long long)f->r14, (unsigned long long)f->r15,
	       (unsigned long long)f->cs, (unsigned long long)f->rflags);
	hostlink_send("crash", "vector=%u name=%s error=0x%llx rip=0x%llx cr2=0x%llx",
		      (unsigned int)f->vector, fault_name((unsigned int)f->vector),
		      (unsigned long long)f->error, (unsigned long long)f->rip,
		      (unsigned long long)cr2);
	fw_exit(FW_EXIT_CRASH);
}
