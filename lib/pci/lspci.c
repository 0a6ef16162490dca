/*
 * lspci.c - PCI Express Link and Slot registers in `lspci -vv` words (see lspci.h).
 *
 * Field layouts: PCIe r5.0 §7.5.3.6 (Link Capabilities), §7.5.3.7 (Link
 * Control), §7.5.3.8 (Link Status), §7.5.3.9 (Slot Capabilities), §7.5.3.10
 * (Slot Control), §7.5.3.11 (Slot Status). Words: pciutils 3.9.0 ls-caps.c.
 */
#include "bitfield.h"
#include "libc.h"
#include "lspci.h"
#include "pci_regs.h"
#include "printf.h"

#define FLAG(reg, bit) (((reg) & (bit)) ? '+' : '-')

static const char *const latency_l0s[8] = {
	"<64ns", "<128ns", "<256ns", "<512ns", "<1us", "<2us", "<4us", "unlimited"
};
static const char *const latency_l1[8] = {
	"<1us", "<2us", "<4us", "<8us", "<16us", "<32us", "<64us", "unlimited"
};

const char *lspci_link_speed(unsigned int code)
{
	static const char *const speeds[] = {
		"unknown", "2.5GT/s", "5GT/s", "8GT/s", "16GT/s", "32GT/s", "64GT/s"
	};

	return code < ARRAY_SIZE(speeds) ? speeds[code] : "unknown";
}

const char *lspci_indicator(unsigned int code)
{
	static const char *const names[4] = { "Unknown", "On", "Blink", "Off" };

	return names[code & 3];
}

const char *lspci_power_limit(char *buf, size_t size, unsigned int value, unsigned int scale)
{
	/* PCIe r5.0 §7.5.3.9: scale 00b = 1.0x, 01b = 0.1x, 10b = 0.01x, 11b = 0.001x. */
	static const unsigned int div[4] = { 1, 10, 100, 1000 };
	unsigned int whole, frac, digits;

	scale &= 3;
	value &= 0xff;
	if (scale == 0 && value == 0xff) {
		snprintf(buf, size, ">600W");
		return buf;
	}
	/* Values F0h-FEh at scale 1.0x mean 250 W + 25 W steps (r5.0 §7.5.3.9). */
	if (scale == 0 && value >= 0xf0)
		value = 250 + 25 * (value - 0xf0);

	/* printf("%g") of value * 10^-scale: at most 6 digits, so exact. */
	whole = value / div[scale];
	frac = value % div[scale];
	digits = scale;
	while (digits && frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	if (!digits)
		snprintf(buf, size, "%uW", whole);
	else if (digits == 1)
		snprintf(buf, size, "%u.%uW", whole, frac);
	else if (digits == 2)
		snprintf(buf, size, "%u.%02uW", whole, frac);
	else
		snprintf(buf, size, "%u.%03uW", whole, frac);
	return buf;
}

static const char *aspm_support(unsigned int code)
{
	static const char *const names[4] = { "not supported", "L0s", "L1", "L0s L1" };

	return names[code & 3];
}

static const char *aspm_enabled(unsigned int code)
{
	static const char *const names[4] = {
		"Disabled", "L0s Enabled", "L1 Enabled", "L0s L1 Enabled"
	};

	return names[code & 3];
}

/* Ports facing a slot are not "downgraded" by what is plugged into them. */
static bool downstream_port(unsigned int type)
{
	return type == PCI_EXP_TYPE_ROOT_PORT || type == PCI_EXP_TYPE_DOWNSTREAM ||
	       type == PCI_EXP_TYPE_PCIE_BRIDGE;
}

static const char *link_compare(unsigned int type, unsigned int sta, unsigned int cap)
{
	if (sta > cap)
		return " (overdriven)";
	if (sta == cap || downstream_port(type))
		return "";
	return " (downgraded)";
}

const char *lspci_lnkcap(char *buf, size_t size, uint32_t t)
{
	unsigned int aspm = FIELD_GET(PCI_EXP_LNKCAP_ASPMS, t);
	char exit_lat[48] = "";

	if (aspm == 1)
		snprintf(exit_lat, sizeof(exit_lat), ", Exit Latency L0s %s",
			 latency_l0s[FIELD_GET(PCI_EXP_LNKCAP_L0SEL, t)]);
	else if (aspm == 2)
		snprintf(exit_lat, sizeof(exit_lat), ", Exit Latency L1 %s",
			 latency_l1[FIELD_GET(PCI_EXP_LNKCAP_L1EL, t)]);
	else if (aspm == 3)
		snprintf(exit_lat, sizeof(exit_lat), ", Exit Latency L0s %s, L1 %s",
			 latency_l0s[FIELD_GET(PCI_EXP_LNKCAP_L0SEL, t)],
			 latency_l1[FIELD_GET(PCI_EXP_LNKCAP_L1EL, t)]);

	snprintf(buf, size,
		 "LnkCap:\tPort #%u, Speed %s, Width x%u, ASPM %s%s\n"
		 "\tClockPM%c Surprise%c LLActRep%c BwNot%c ASPMOptComp%c",
		 (unsigned int)FIELD_GET(PCI_EXP_LNKCAP_PN, t), lspci_link_speed(t & PCI_EXP_LNKCAP_SLS),
		 (unsigned int)FIELD_GET(PCI_EXP_LNKCAP_MLW, t), aspm_support(aspm), exit_lat,
		 FLAG(t, PCI_EXP_LNKCAP_CLKPM), FLAG(t, PCI_EXP_LNKCAP_SDERC),
		 FLAG(t, PCI_EXP_LNKCAP_DLLLARC), FLAG(t, PCI_EXP_LNKCAP_LBNC),
		 FLAG(t, SLOTPROBE_EXP_LNKCAP_AOC));
	return buf;
}

const char *lspci_lnkctl(char *buf, size_t size, uint16_t w, unsigned int type)
{
	char rcb[24] = "";

	/* lspci shows the Read Completion Boundary only where r5.0 §7.5.3.7 defines it. */
	if (type == PCI_EXP_TYPE_ROOT_PORT || type == PCI_EXP_TYPE_ENDPOINT ||
	    type == PCI_EXP_TYPE_LEG_END || type == PCI_EXP_TYPE_PCI_BRIDGE)
		snprintf(rcb, sizeof(rcb), " RCB %d bytes,", (w & PCI_EXP_LNKCTL_RCB) ? 128 : 64);

	snprintf(buf, size,
		 "LnkCtl:\tASPM %s;%s Disabled%c CommClk%c\n"
		 "\tExtSynch%c ClockPM%c AutWidDis%c BWInt%c AutBWInt%c",
		 aspm_enabled(w & PCI_EXP_LNKCTL_ASPMC), rcb,
		 FLAG(w, PCI_EXP_LNKCTL_LD), FLAG(w, PCI_EXP_LNKCTL_CCC),
		 FLAG(w, PCI_EXP_LNKCTL_ES), FLAG(w, PCI_EXP_LNKCTL_CLKREQ_EN),
		 FLAG(w, PCI_EXP_LNKCTL_HAWD), FLAG(w, PCI_EXP_LNKCTL_LBMIE),
		 FLAG(w, PCI_EXP_LNKCTL_LABIE));
	return buf;
}

const char *lspci_lnksta(char *buf, size_t size, uint16_t w, uint32_t lnkcap,
			 unsigned int type)
{
	unsigned int sta_speed = w & PCI_EXP_LNKSTA_CLS;
	unsigned int sta_width = FIELD_GET(PCI_EXP_LNKSTA_NLW, w);
	unsigned int cap_speed = lnkcap & PCI_EXP_LNKCAP_SLS;
	unsigned int cap_width = FIELD_GET(PCI_EXP_LNKCAP_MLW, lnkcap);

	snprintf(buf, size,
		 "LnkSta:\tSpeed %s%s, Width x%u%s\n"
		 "\tTrErr%c Train%c SlotClk%c DLActive%c BWMgmt%c ABWMgmt%c",
		 lspci_link_speed(sta_speed), link_compare(type, sta_speed, cap_speed),
		 sta_width, link_compare(type, sta_width, cap_width),
		 FLAG(w, SLOTPROBE_EXP_LNKSTA_TRERR), FLAG(w, PCI_EXP_LNKSTA_LT),
		 FLAG(w, PCI_EXP_LNKSTA_SLC), FLAG(w, PCI_EXP_LNKSTA_DLLLA),
		 FLAG(w, PCI_EXP_LNKSTA_LBMS), FLAG(w, PCI_EXP_LNKSTA_LABS));
	return buf;
}

const char *lspci_sltcap(char *buf, size_t size, uint32_t t)
{
	char power[16];

	lspci_power_limit(power, sizeof(power), FIELD_GET(PCI_EXP_SLTCAP_SPLV, t),
			  FIELD_GET(PCI_EXP_SLTCAP_SPLS, t));
	snprintf(buf, size,
		 "SltCap:\tAttnBtn%c PwrCtrl%c MRL%c AttnInd%c PwrInd%c HotPlug%c Surprise%c\n"
		 "\tSlot #%u, PowerLimit %s; Interlock%c NoCompl%c",
		 FLAG(t, PCI_EXP_SLTCAP_ABP), FLAG(t, PCI_EXP_SLTCAP_PCP),
		 FLAG(t, PCI_EXP_SLTCAP_MRLSP), FLAG(t, PCI_EXP_SLTCAP_AIP),
		 FLAG(t, PCI_EXP_SLTCAP_PIP), FLAG(t, PCI_EXP_SLTCAP_HPC),
		 FLAG(t, PCI_EXP_SLTCAP_HPS),
		 (unsigned int)FIELD_GET(PCI_EXP_SLTCAP_PSN, t), power,
		 FLAG(t, PCI_EXP_SLTCAP_EIP), FLAG(t, PCI_EXP_SLTCAP_NCCS));
	return buf;
}

/* lspci's "Power+" is the Power Controller Control bit: '+' means power OFF. */
const char *lspci_sltctl(char *buf, size_t size, uint16_t w)
{
	snprintf(buf, size,
		 "SltCtl:\tEnable: AttnBtn%c PwrFlt%c MRL%c PresDet%c CmdCplt%c HPIrq%c LinkChg%c\n"
		 "\tControl: AttnInd %s, PwrInd %s, Power%c Interlock%c",
		 FLAG(w, PCI_EXP_SLTCTL_ABPE), FLAG(w, PCI_EXP_SLTCTL_PFDE),
		 FLAG(w, PCI_EXP_SLTCTL_MRLSCE), FLAG(w, PCI_EXP_SLTCTL_PDCE),
		 FLAG(w, PCI_EXP_SLTCTL_CCIE), FLAG(w, PCI_EXP_SLTCTL_HPIE),
		 FLAG(w, PCI_EXP_SLTCTL_DLLSCE),
		 lspci_indicator(FIELD_GET(PCI_EXP_SLTCTL_AIC, w)),
		 lspci_indicator(FIELD_GET(PCI_EXP_SLTCTL_PIC, w)),
		 FLAG(w, PCI_EXP_SLTCTL_PCC), FLAG(w, PCI_EXP_SLTCTL_EIC));
	return buf;
}

const char *lspci_sltsta(char *buf, size_t size, uint16_t w)
{
	snprintf(buf, size,
		 "SltSta:\tStatus: AttnBtn%c PowerFlt%c MRL%c CmdCplt%c PresDet%c Interlock%c\n"
		 "\tChanged: MRL%c PresDet%c LinkState%c",
		 FLAG(w, PCI_EXP_SLTSTA_ABP), FLAG(w, PCI_EXP_SLTSTA_PFD),
		 FLAG(w, PCI_EXP_SLTSTA_MRLSS), FLAG(w, PCI_EXP_SLTSTA_CC),
		 FLAG(w, PCI_EXP_SLTSTA_PDS), FLAG(w, PCI_EXP_SLTSTA_EIS),
		 FLAG(w, PCI_EXP_SLTSTA_MRLSC), FLAG(w, PCI_EXP_SLTSTA_PDC),
		 FLAG(w, PCI_EXP_SLTSTA_DLLSC));
	return buf;
}

void lspci_print(const char *indent, const char *text)
{
	char line[LSPCI_BUF];

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, text, len);
		line[len] = '\0';
		printf("%s%s\n", indent, line);
		text = nl ? nl + 1 : text + strlen(text);
	}
}
