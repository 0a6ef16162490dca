/*
 * regattr.c - PCI Express Link and Slot register attributes (see regattr.h).
 *
 * The tables follow the PCI Express Base Specification r5.0, register by
 * register, for a Downstream Port (Root Port or Switch Downstream Port) with
 * Slot Implemented; each table cites its section. "permitted to be
 * hardwired to 0" becomes RA_RW_OR_ZERO (or attr_else when the spec ties it
 * to a capability bit); "must be hardwired to 0" becomes RA_ZERO.
 */
#include "contract.h"
#include "libc.h"
#include "pci_regs.h"
#include "printf.h"
#include "regattr.h"

#define F(m, attr, cond, els, flags) { #m, m, attr, cond, els, flags, 0 }
#define ALWAYS(m, attr) { #m, m, attr, RC_ALWAYS, attr, 0, 0 }
#define BITS(name, m, attr) { name, m, attr, RC_ALWAYS, attr, 0, 0 }
/* ... and hardwired to 0 whenever condition @zero holds. */
#define FZ(m, attr, cond, els, zero) { #m, m, attr, cond, els, 0, zero }

/*
 * §7.5.3.6 Link Capabilities (0Ch): RO / HwInit throughout. Data Link Layer
 * Link Active Reporting Capable must be 1 on a Downstream Port that is
 * hot-plug capable or supports speeds above 5.0 GT/s (QEMU's hw/pci/pcie.c
 * quotes the same rule, and leaves 2.5 GT/s hot-plug ports without it).
 */
static const struct regattr_field lnkcap[] = {
	ALWAYS(PCI_EXP_LNKCAP_SLS, RA_RO),
	ALWAYS(PCI_EXP_LNKCAP_MLW, RA_RO),
	ALWAYS(PCI_EXP_LNKCAP_ASPMS, RA_RO),
	ALWAYS(PCI_EXP_LNKCAP_L0SEL, RA_RO),
	ALWAYS(PCI_EXP_LNKCAP_L1EL, RA_RO),
	ALWAYS(PCI_EXP_LNKCAP_CLKPM, RA_RO),
	ALWAYS(PCI_EXP_LNKCAP_SDERC, RA_RO),
	F(PCI_EXP_LNKCAP_DLLLARC, RA_ONE, RC_DLLLARC_REQUIRED, RA_RO, 0),
	ALWAYS(PCI_EXP_LNKCAP_LBNC, RA_RO),
	ALWAYS(SLOTPROBE_EXP_LNKCAP_AOC, RA_RO),
	BITS("PCI_EXP_LNKCAP bit 23", 0x00800000, RA_RSVDP),
	ALWAYS(PCI_EXP_LNKCAP_PN, RA_RO),
};

/*
 * §7.5.3.7 Link Control (10h), Downstream Port view: Link Disable and
 * Retrain Link apply (they are reserved on Upstream Ports and Endpoints);
 * Read Completion Boundary is RO in a Root Port and hardwired 0 in a
 * Switch Port (it does not apply there); Link Bandwidth Management / Autonomous
 * Bandwidth Interrupt Enable must be hardwired 0 without LBNC; Enable
 * Clock PM must be hardwired 0 without Clock PM; DRS Signaling Control is
 * reserved without DRS Supported. PCIe r6.0 §7.5.3.7 adds bit 13 Flit Mode
 * Disable, RW on a port with Flit Mode Supported (PCI Express Capabilities
 * bit 15); on an r5.0 port it is reserved as before.
 */
static const struct regattr_field lnkctl[] = {
	ALWAYS(PCI_EXP_LNKCTL_ASPMC, RA_RW),
	BITS("PCI_EXP_LNKCTL bit 2", 0x0004, RA_RSVDP),
	F(PCI_EXP_LNKCTL_RCB, RA_RO, RC_ROOT_PORT, RA_ZERO, 0),
	F(PCI_EXP_LNKCTL_LD, RA_RW, RC_ALWAYS, RA_RW, RA_F_DESTRUCTIVE),
	ALWAYS(PCI_EXP_LNKCTL_RL, RA_RW_READS_ZERO),
	ALWAYS(PCI_EXP_LNKCTL_CCC, RA_RW),
	ALWAYS(PCI_EXP_LNKCTL_ES, RA_RW),
	F(PCI_EXP_LNKCTL_CLKREQ_EN, RA_RW_OR_ZERO, RC_CLKPM, RA_ZERO, 0),
	ALWAYS(PCI_EXP_LNKCTL_HAWD, RA_RW_OR_ZERO),
	F(PCI_EXP_LNKCTL_LBMIE, RA_RW, RC_LBNC, RA_ZERO, 0),
	F(PCI_EXP_LNKCTL_LABIE, RA_RW, RC_LBNC, RA_ZERO, 0),
	BITS("PCI_EXP_LNKCTL bit 12", 0x1000, RA_RSVDP),
	F(SLOTPROBE_EXP_LNKCTL_FLIT_DIS, RA_RW, RC_FLIT, RA_RSVDP, 0),
	{ "PCI_EXP_LNKCTL bits 15:14 (DRS Signaling Control)", 0xc000, RA_RW, RC_DRS,
	  RA_RSVDP, 0, 0 },
};

/* §7.5.3.8 Link Status (12h). */
static const struct regattr_field lnksta[] = {
	ALWAYS(PCI_EXP_LNKSTA_CLS, RA_RO),
	ALWAYS(PCI_EXP_LNKSTA_NLW, RA_RO),
	ALWAYS(SLOTPROBE_EXP_LNKSTA_TRERR, RA_UNDEFINED),	/* undefined since r2.0 */
	ALWAYS(PCI_EXP_LNKSTA_LT, RA_RO),
	ALWAYS(PCI_EXP_LNKSTA_SLC, RA_RO),
	/* "must be hardwired to 0b" when DLLLARC is 0. */
	F(PCI_EXP_LNKSTA_DLLLA, RA_RO, RC_DLLLARC, RA_ZERO, 0),
	F(PCI_EXP_LNKSTA_LBMS, RA_RW1C, RC_LBNC, RA_ZERO, 0),
	F(PCI_EXP_LNKSTA_LABS, RA_RW1C, RC_LBNC, RA_ZERO, 0),
};

/* §7.5.3.9 Slot Capabilities (14h): HwInit / RO throughout. */
static const struct regattr_field sltcap[] = {
	ALWAYS(PCI_EXP_SLTCAP_ABP, RA_RO),
	ALWAYS(PCI_EXP_SLTCAP_PCP, RA_RO),
	ALWAYS(PCI_EXP_SLTCAP_MRLSP, RA_RO),
	ALWAYS(PCI_EXP_SLTCAP_AIP, RA_RO),
	ALWAYS(PCI_EXP_SLTCAP_PIP, RA_RO),
	ALWAYS(PCI_EXP_SLTCAP_HPS, RA_RO),
	ALWAYS(PCI_EXP_SLTCAP_HPC, RA_RO),
	ALWAYS(PCI_EXP_SLTCAP_SPLV, RA_RO),
	ALWAYS(PCI_EXP_SLTCAP_SPLS, RA_RO),
	ALWAYS(PCI_EXP_SLTCAP_EIP, RA_RO),
	ALWAYS(PCI_EXP_SLTCAP_NCCS, RA_RO),
	ALWAYS(PCI_EXP_SLTCAP_PSN, RA_RO),
};

/*
 * §7.5.3.10 Slot Control (18h). Each enable "is permitted to be read-only
 * with a value of 0b" when the element it serves is absent (button, MRL
 * sensor, hot-plug capability, DLL Link Active reporting); indicator
 * controls likewise "read-only with a value of 00b"; Power Controller
 * Control without a power controller: writes have no effect and the read
 * value is undefined. Electromechanical Interlock Control reads 0 and a
 * write of 1 toggles the interlock (its own check). Power Fault Detected
 * Enable: power fault detection has no capability bit, so optional.
 * Command Completed Interrupt Enable is hardwired 0 on a port with No
 * Command Completed Support (it has no completion to interrupt for).
 */
static const struct regattr_field sltctl[] = {
	F(PCI_EXP_SLTCTL_ABPE, RA_RW, RC_ABP, RA_RW_OR_ZERO, 0),
	ALWAYS(PCI_EXP_SLTCTL_PFDE, RA_RW_OR_ZERO),
	F(PCI_EXP_SLTCTL_MRLSCE, RA_RW, RC_MRLSP, RA_RW_OR_ZERO, 0),
	F(PCI_EXP_SLTCTL_PDCE, RA_RW, RC_HPC, RA_RW_OR_ZERO, 0),
	FZ(PCI_EXP_SLTCTL_CCIE, RA_RW, RC_HPC, RA_RW_OR_ZERO, RC_NCCS),
	F(PCI_EXP_SLTCTL_HPIE, RA_RW, RC_HPC, RA_RW_OR_ZERO, 0),
	F(PCI_EXP_SLTCTL_AIC, RA_RW, RC_AIP, RA_RW_OR_ZERO, RA_F_INDICATOR),
	F(PCI_EXP_SLTCTL_PIC, RA_RW, RC_PIP, RA_RW_OR_ZERO, RA_F_INDICATOR),
	F(PCI_EXP_SLTCTL_PCC, RA_RW, RC_PCP, RA_UNDEFINED, RA_F_DESTRUCTIVE),
	F(PCI_EXP_SLTCTL_EIC, RA_RW_READS_ZERO, RC_EIP, RA_ZERO, RA_F_OWN_CHECK),
	F(PCI_EXP_SLTCTL_DLLSCE, RA_RW, RC_DLLLARC, RA_RW_OR_ZERO, 0),
	ALWAYS(PCI_EXP_SLTCTL_ASPL_DISABLE, RA_RW_OR_ZERO),
	F(PCI_EXP_SLTCTL_IBPD_DISABLE, RA_RW, RC_IBPD, RA_RW_OR_ZERO, 0),
	BITS("PCI_EXP_SLTCTL bit 15", 0x8000, RA_RSVDP),
};

/* §7.5.3.11 Slot Status (1Ah); Command Completed hardwired 0 with No Command Completed Support. */
static const struct regattr_field sltsta[] = {
	ALWAYS(PCI_EXP_SLTSTA_ABP, RA_RW1C),
	ALWAYS(PCI_EXP_SLTSTA_PFD, RA_RW1C),
	ALWAYS(PCI_EXP_SLTSTA_MRLSC, RA_RW1C),
	ALWAYS(PCI_EXP_SLTSTA_PDC, RA_RW1C),
	FZ(PCI_EXP_SLTSTA_CC, RA_RW1C, RC_ALWAYS, RA_RW1C, RC_NCCS),
	ALWAYS(PCI_EXP_SLTSTA_MRLSS, RA_RO),
	ALWAYS(PCI_EXP_SLTSTA_PDS, RA_RO),
	ALWAYS(PCI_EXP_SLTSTA_EIS, RA_RO),
	ALWAYS(PCI_EXP_SLTSTA_DLLSC, RA_RW1C),
	BITS("PCI_EXP_SLTSTA bits 15:9", 0xfe00, RA_RSVDZ),
};

/* §7.5.3.18 Link Capabilities 2 (2Ch): HwInit / RO. */
static const struct regattr_field lnkcap2[] = {
	BITS("PCI_EXP_LNKCAP2 bit 0", 0x00000001, RA_RSVDP),
	ALWAYS(PCI_EXP_LNKCAP2_SLS, RA_RO),
	ALWAYS(PCI_EXP_LNKCAP2_CROSSLINK, RA_RO),
	BITS("PCI_EXP_LNKCAP2 bits 15:9 (Lower SKP OS Generation)", 0x0000fe00, RA_RO),
	BITS("PCI_EXP_LNKCAP2 bits 22:16 (Lower SKP OS Reception)", 0x007f0000, RA_RO),
	BITS("PCI_EXP_LNKCAP2 bits 24:23 (Retimer Presence Detect)", 0x01800000, RA_RO),
	BITS("PCI_EXP_LNKCAP2 bits 30:25", 0x7e000000, RA_RSVDP),
	ALWAYS(SLOTPROBE_EXP_LNKCAP2_DRS, RA_RO),
};

/*
 * §7.5.3.19 Link Control 2 (30h): RWS fields that "components that support
 * only the 2.5 GT/s speed are permitted to hardwire" to 0; Selectable
 * De-emphasis is HwInit. Enter (Modified) Compliance would send the link
 * into Polling.Compliance at the next retrain: empty slot only.
 */
static const struct regattr_field lnkctl2[] = {
	F(PCI_EXP_LNKCTL2_TLS, RA_RW, RC_FAST, RA_RW_OR_ZERO, RA_F_SPEED),
	F(PCI_EXP_LNKCTL2_ENTER_COMP, RA_RW, RC_FAST, RA_RW_OR_ZERO, RA_F_DESTRUCTIVE),
	ALWAYS(PCI_EXP_LNKCTL2_HASD, RA_RW_OR_ZERO),
	BITS("PCI_EXP_LNKCTL2 bit 6 (Selectable De-emphasis)", 0x0040, RA_RO),
	F(PCI_EXP_LNKCTL2_TX_MARGIN, RA_RW, RC_FAST, RA_RW_OR_ZERO, 0),
	{ "PCI_EXP_LNKCTL2 bit 10 (Enter Modified Compliance)", 0x0400, RA_RW, RC_FAST,
	  RA_RW_OR_ZERO, RA_F_DESTRUCTIVE, 0 },
	{ "PCI_EXP_LNKCTL2 bit 11 (Compliance SOS)", 0x0800, RA_RW, RC_FAST,
	  RA_RW_OR_ZERO, 0, 0 },
	{ "PCI_EXP_LNKCTL2 bits 15:12 (Compliance Preset/De-emphasis)", 0xf000, RA_RW,
	  RC_FAST, RA_RW_OR_ZERO, 0, 0 },
};

/* §7.5.3.20 Link Status 2 (32h); r6.0 adds bit 10 Flit Mode Status (RO). */
static const struct regattr_field lnksta2[] = {
	BITS("PCI_EXP_LNKSTA2 bit 0 (Current De-emphasis Level)", 0x0001, RA_RO),
	ALWAYS(SLOTPROBE_EXP_LNKSTA2_EQC, RA_RO),
	ALWAYS(SLOTPROBE_EXP_LNKSTA2_EQC1, RA_RO),
	ALWAYS(SLOTPROBE_EXP_LNKSTA2_EQC2, RA_RO),
	ALWAYS(SLOTPROBE_EXP_LNKSTA2_EQC3, RA_RO),
	ALWAYS(SLOTPROBE_EXP_LNKSTA2_LER, RA_RW1C),
	BITS("PCI_EXP_LNKSTA2 bits 7:6 (Retimer Presence Detected)", 0x00c0, RA_RO),
	BITS("PCI_EXP_LNKSTA2 bits 9:8 (Crosslink Resolution)", 0x0300, RA_RO),
	F(PCI_EXP_LNKSTA2_FLIT, RA_RO, RC_FLIT, RA_RSVDZ, 0),
	BITS("PCI_EXP_LNKSTA2 bit 11", 0x0800, RA_RSVDZ),
	BITS("PCI_EXP_LNKSTA2 bits 14:12 (Downstream Component Presence)", 0x7000, RA_RO),
	BITS("PCI_EXP_LNKSTA2 bit 15 (DRS Message Received)", 0x8000, RA_RW1C),
};

/* §7.5.3.21 Slot Capabilities 2 (34h). */
static const struct regattr_field sltcap2[] = {
	ALWAYS(PCI_EXP_SLTCAP2_IBPD, RA_RO),
	BITS("PCI_EXP_SLTCAP2 bits 31:1", 0xfffffffe, RA_RSVDP),
};

/* §7.5.3.22 Slot Control 2 (38h) and §7.5.3.23 Slot Status 2 (3Ah): no fields in r5.0. */
static const struct regattr_field sltctl2[] = {
	BITS("PCI_EXP_SLTCTL2 bits 15:0", 0xffff, RA_RSVDP),
};
static const struct regattr_field sltsta2[] = {
	BITS("PCI_EXP_SLTSTA2 bits 15:0", 0xffff, RA_RSVDZ),
};

#define REG(n, o, w, v, k, f, s) { #n, #o, s, n, w, v, k, f, (int)ARRAY_SIZE(f) }

const struct regattr_reg regattr_regs[] = {
	REG(PCI_EXP_LNKCAP, LNKCAP, 4, 1, RK_CAPABILITY, lnkcap, "PCIe r5.0 7.5.3.6"),
	REG(PCI_EXP_SLTCAP, SLTCAP, 4, 1, RK_CAPABILITY, sltcap, "PCIe r5.0 7.5.3.9"),
	REG(PCI_EXP_LNKCTL, LNKCTL, 2, 1, RK_CONTROL, lnkctl, "PCIe r5.0 7.5.3.7"),
	REG(PCI_EXP_LNKSTA, LNKSTA, 2, 1, RK_STATUS, lnksta, "PCIe r5.0 7.5.3.8"),
	REG(PCI_EXP_SLTCTL, SLTCTL, 2, 1, RK_COMMAND, sltctl, "PCIe r5.0 7.5.3.10"),
	REG(PCI_EXP_SLTSTA, SLTSTA, 2, 1, RK_STATUS, sltsta, "PCIe r5.0 7.5.3.11"),
	REG(PCI_EXP_LNKCAP2, LNKCAP2, 4, 2, RK_CAPABILITY, lnkcap2, "PCIe r5.0 7.5.3.18"),
	REG(PCI_EXP_LNKCTL2, LNKCTL2, 2, 2, RK_CONTROL, lnkctl2, "PCIe r5.0 7.5.3.19"),
	REG(PCI_EXP_LNKSTA2, LNKSTA2, 2, 2, RK_STATUS, lnksta2, "PCIe r5.0 7.5.3.20"),
	REG(PCI_EXP_SLTCAP2, SLTCAP2, 4, 2, RK_CAPABILITY, sltcap2, "PCIe r5.0 7.5.3.21"),
	REG(PCI_EXP_SLTCTL2, SLTCTL2, 2, 2, RK_CONTROL, sltctl2, "PCIe r5.0 7.5.3.22"),
	REG(PCI_EXP_SLTSTA2, SLTSTA2, 2, 2, RK_STATUS, sltsta2, "PCIe r5.0 7.5.3.23"),
};
const int regattr_nregs = (int)ARRAY_SIZE(regattr_regs);

const struct regattr_reg *regattr_find(const char *name)
{
	for (int i = 0; i < regattr_nregs; i++)
		if (!strcmp(regattr_regs[i].name, name))
			return &regattr_regs[i];
	return NULL;
}

/* ---- conditions ---- */

static const struct {
	const char *name;
	uint8_t reg;		/* an index into regattr_cond_holds()'s regs[] */
	uint32_t mask;
} conds[] = {
	[RC_ALWAYS] = { "", 0, 0 },
	[RC_ABP] = { "AttnBtn", 0, PCI_EXP_SLTCAP_ABP },
	[RC_PCP] = { "PwrCtrl", 0, PCI_EXP_SLTCAP_PCP },
	[RC_MRLSP] = { "MRL", 0, PCI_EXP_SLTCAP_MRLSP },
	[RC_AIP] = { "AttnInd", 0, PCI_EXP_SLTCAP_AIP },
	[RC_PIP] = { "PwrInd", 0, PCI_EXP_SLTCAP_PIP },
	[RC_HPC] = { "HotPlug", 0, PCI_EXP_SLTCAP_HPC },
	[RC_EIP] = { "Interlock", 0, PCI_EXP_SLTCAP_EIP },
	[RC_CLKPM] = { "ClockPM", 1, PCI_EXP_LNKCAP_CLKPM },
	[RC_DLLLARC] = { "LLActRep", 1, PCI_EXP_LNKCAP_DLLLARC },
	[RC_LBNC] = { "BwNot", 1, PCI_EXP_LNKCAP_LBNC },
	[RC_FAST] = { "Speed>2.5GT/s", 1, PCI_EXP_LNKCAP_SLS },
	[RC_DRS] = { "DRS", 2, SLOTPROBE_EXP_LNKCAP2_DRS },
	[RC_IBPD] = { "IbPresDis", 3, PCI_EXP_SLTCAP2_IBPD },
	[RC_NCCS] = { "NoCompl", 0, PCI_EXP_SLTCAP_NCCS },
	[RC_FLIT] = { "FlitMode", 4, PCI_EXP_FLAGS_FLIT },
	[RC_ROOT_PORT] = { "RootPort", 0, 0 },
	[RC_DLLLARC_REQUIRED] = { "HotPlug or >5GT/s", 0, 0 },
	[RC_PCIE] = { "PCIe", 0, 0 },
	[RC_BIST] = { "BIST", 9, 0x80 },
	[RC_PME] = { "PME", 5, 0xf800 },	/* PCI PM 1.2 §3.2.3 PME_Support */
	[RC_ARI_FWD] = { "ARIFwd", 6, 0x20 },	/* PCIe r5.0 §7.5.3.15 */
	[RC_CRSSV] = { "CRSVisible", 7, 0x1 },	/* §7.5.3.13 */
	[RC_ECRC_GEN] = { "ECRCGenCap", 8, 0x20 },	/* §7.8.4.7 */
	[RC_ECRC_CHK] = { "ECRCChkCap", 8, 0x80 },
};

bool regattr_cond_holds(uint8_t cond, const struct regattr_ctx *c)
{
	uint32_t regs[10] = { c->sltcap, c->lnkcap, c->lnkcap2, c->sltcap2, c->flags,
			      c->pmc, c->devcap2, c->rtcap, c->aercap, c->bist };

	if (cond == RC_ALWAYS || cond >= ARRAY_SIZE(conds))
		return true;
	if (cond == RC_FAST)	/* SLS encodes the highest speed: 1 is 2.5 GT/s */
		return (c->lnkcap & PCI_EXP_LNKCAP_SLS) > 1;
	if (cond == RC_ROOT_PORT)
		return c->port_type == PCI_EXP_TYPE_ROOT_PORT;
	if (cond == RC_PCIE)
		return c->pcie;
	if (cond == RC_DLLLARC_REQUIRED)	/* 2 is 5.0 GT/s */
		return (c->sltcap & PCI_EXP_SLTCAP_HPC) || (c->lnkcap & PCI_EXP_LNKCAP_SLS) > 2;
	return regs[conds[cond].reg] & conds[cond].mask;
}

uint8_t regattr_expected(const struct regattr_field *f, const struct regattr_ctx *c)
{
	if (f->zero_if && regattr_cond_holds(f->zero_if, c))
		return RA_ZERO;
	return regattr_cond_holds(f->cond, c) ? f->attr : f->attr_else;
}

const char *regattr_cond_str(char *buf, size_t len, uint8_t cond, const struct regattr_ctx *c)
{
	if (cond == RC_ALWAYS || cond >= ARRAY_SIZE(conds))
		snprintf(buf, len, "%s", "");
	else
		snprintf(buf, len, "%s%c", conds[cond].name,
			 regattr_cond_holds(cond, c) ? '+' : '-');
	return buf;
}

const char *regattr_attr_str(uint8_t attr)
{
	static const char *const names[] = {
		[RA_RO] = "RO", [RA_RW] = "RW", [RA_RW_OR_ZERO] = "RW or hardwired 0",
		[RA_RW_READS_ZERO] = "RW reading 0", [RA_RW1C] = "RW1C",
		[RA_ZERO] = "hardwired 0", [RA_RSVDP] = "RsvdP", [RA_RSVDZ] = "RsvdZ",
		[RA_UNDEFINED] = "undefined", [RA_ONE] = "hardwired 1",
	};

	return attr < ARRAY_SIZE(names) ? names[attr] : "?";
}

/* ---- keys ---- */

const char *regattr_key_field(char *buf, size_t len, const struct regattr_reg *r,
			      const struct regattr_field *f)
{
	return regattr_key_name(buf, len, r->name, f);
}

const char *regattr_key_name(char *buf, size_t len, const char *reg,
			     const struct regattr_field *f)
{
	int high = 31 - __builtin_clz(f->mask), low = __builtin_ctz(f->mask);

	if (!strchr(f->name, ' '))
		snprintf(buf, len, "%s", f->name);
	else if (high == low)
		snprintf(buf, len, "%s[%d]", reg, low);
	else
		snprintf(buf, len, "%s[%d:%d]", reg, high, low);
	return buf;
}

const char *regattr_attr_cond(uint8_t attr)
{
	static const char *const conds[] = {
		[RA_RO] = CONTRACT_COND_READ_ONLY, [RA_RW] = CONTRACT_COND_WRITABLE,
		[RA_RW_OR_ZERO] = CONTRACT_COND_WRITABLE_OR_0,
		[RA_RW_READS_ZERO] = CONTRACT_COND_WRITABLE_READS_0,
		[RA_RW1C] = CONTRACT_COND_WRITE_1_CLEARS, [RA_ZERO] = CONTRACT_COND_HARDWIRED_0,
		[RA_ONE] = CONTRACT_COND_HARDWIRED_1,
		[RA_RSVDP] = CONTRACT_COND_RESERVED_0, [RA_RSVDZ] = CONTRACT_COND_RESERVED_0,
	};

	/* RA_UNDEFINED is never checked, so it never needs a key. */
	return attr < ARRAY_SIZE(conds) && conds[attr] ? conds[attr] : NULL;
}

/* ---- probes ---- */

void regattr_patterns(const struct regattr_field *f, uint32_t *a, uint32_t *b)
{
	uint32_t low = f->mask & -f->mask;	/* the field's lowest bit */

	if (f->flags & RA_F_INDICATOR) {	/* On 01b, Blink 10b (§7.5.3.10) */
		*a = low;
		*b = low << 1;
	} else if (f->flags & RA_F_SPEED) {	/* 2.5 GT/s, 5 GT/s (§7.5.3.19) */
		*a = low;
		*b = low << 1;
	} else {
		*a = f->mask;
		*b = 0;
	}
}

uint8_t regattr_classify(const struct regattr_probe *p)
{
	uint32_t m = p->mask, was = p->before & m;
	uint32_t a = p->after_a & m, b = p->after_b & m;

	if (a == (p->pat_a & m) && b == (p->pat_b & m))
		return RS_RW;
	if (a == was && b == was)
		return RS_RO;
	if (a == 0 && b == 0)
		return RS_READS_ZERO;
	return RS_PARTIAL;
}

bool regattr_conforms(uint8_t attr, const struct regattr_seen *s)
{
	bool zero = s->value == 0;

	if (s->kind == RS_NOT_PROBED || attr == RA_UNDEFINED)
		return true;
	switch (attr) {
	case RA_RO:
		return s->kind == RS_RO || s->kind == RS_READ_ONLY;
	case RA_RW:
		return s->kind == RS_RW;
	case RA_RW_OR_ZERO:
		return s->kind == RS_RW || (s->kind == RS_RO && zero);
	case RA_RW_READS_ZERO:
		return (s->kind == RS_RO && zero) || s->kind == RS_READS_ZERO;
	case RA_RW1C:
		return s->kind == RS_CLEARED;
	case RA_ONE:
		return !zero && (s->kind == RS_RO || s->kind == RS_READ_ONLY);
	case RA_ZERO:
	case RA_RSVDP:
	case RA_RSVDZ:
		return zero && (s->kind == RS_RO || s->kind == RS_READ_ONLY);
	}
	return false;
}

const char *regattr_seen_str(char *buf, size_t len, const struct regattr_seen *s,
			     uint32_t mask)
{
	static const char *const names[] = {
		[RS_NOT_PROBED] = "not probed", [RS_READ_ONLY] = "read only",
		[RS_RW] = "RW", [RS_RO] = "RO", [RS_READS_ZERO] = "reads 0 after writes",
		[RS_PARTIAL] = "partly writable", [RS_CLEARED] = "RW1C (cleared)",
		[RS_NOT_CLEARED] = "not cleared by writing 1",
		[RS_CLEARED_BY_0] = "cleared by writing 0",
	};
	const char *name = s->kind < ARRAY_SIZE(names) ? names[s->kind] : "?";
	uint32_t low = mask & -mask;

	snprintf(buf, len, "%s, reads 0x%x", name, low ? (unsigned int)(s->value / low) : 0u);
	return buf;
}
