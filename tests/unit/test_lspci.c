/*
 * test_lspci.c - Link and Slot registers in lspci -vv words (pciutils 3.9.0),
 * for the values QEMU 7.2's pcie-root-port shows and a few real-hardware ones.
 */
#include "console.h"
#include "lspci.h"
#include "pci_regs.h"
#include "sim.h"
#include "unit.h"

static char buf[LSPCI_BUF];

UNIT_TEST(lspci_sltcap_qemu_root_port)
{
	CHECK_STR(lspci_sltcap(buf, sizeof(buf), 0x0002007b),
		  "SltCap:\tAttnBtn+ PwrCtrl+ MRL- AttnInd+ PwrInd+ HotPlug+ Surprise+\n"
		  "\tSlot #0, PowerLimit 0W; Interlock+ NoCompl-");
	/* Slot 5 (chassis/slot property), 25 W, No Command Completed Support. */
	CHECK_STR(lspci_sltcap(buf, sizeof(buf),
			       5u << 19 | PCI_EXP_SLTCAP_NCCS | 25u << 7 | PCI_EXP_SLTCAP_MRLSP),
		  "SltCap:\tAttnBtn- PwrCtrl- MRL+ AttnInd- PwrInd- HotPlug- Surprise-\n"
		  "\tSlot #5, PowerLimit 25W; Interlock- NoCompl+");
	CHECK_STR(lspci_sltcap(buf, sizeof(buf), 0xfff80000u | 0x7f80 | 0x18000),
		  "SltCap:\tAttnBtn- PwrCtrl- MRL- AttnInd- PwrInd- HotPlug- Surprise-\n"
		  "\tSlot #8191, PowerLimit 0.255W; Interlock- NoCompl-");
}

UNIT_TEST(lspci_power_limit_like_printf_g)
{
	char p[16];

	CHECK_STR(lspci_power_limit(p, sizeof(p), 0, 0), "0W");
	CHECK_STR(lspci_power_limit(p, sizeof(p), 75, 0), "75W");
	CHECK_STR(lspci_power_limit(p, sizeof(p), 25, 1), "2.5W");
	CHECK_STR(lspci_power_limit(p, sizeof(p), 250, 1), "25W");
	CHECK_STR(lspci_power_limit(p, sizeof(p), 10, 2), "0.1W");
	CHECK_STR(lspci_power_limit(p, sizeof(p), 250, 3), "0.25W");
	CHECK_STR(lspci_power_limit(p, sizeof(p), 123, 3), "0.123W");
	CHECK_STR(lspci_power_limit(p, sizeof(p), 7, 3), "0.007W");
	/* r5.0 §7.5.3.9: F0h-FEh at scale 1.0x are 250 W..600 W; FFh is "above 600 W". */
	CHECK_STR(lspci_power_limit(p, sizeof(p), 0xf0, 0), "250W");
	CHECK_STR(lspci_power_limit(p, sizeof(p), 0xfe, 0), "600W");
	CHECK_STR(lspci_power_limit(p, sizeof(p), 0xff, 0), ">600W");
	CHECK_STR(lspci_power_limit(p, sizeof(p), 0xf0, 1), "24W");
}

UNIT_TEST(lspci_sltctl_words)
{
	/* QEMU's reset value for a populated slot. */
	CHECK_STR(lspci_sltctl(buf, sizeof(buf), 0x01c0),
		  "SltCtl:\tEnable: AttnBtn- PwrFlt- MRL- PresDet- CmdCplt- HPIrq- LinkChg-\n"
		  "\tControl: AttnInd Off, PwrInd On, Power- Interlock-");
	/* Powered off ("Power+" is PCC set) with pciehp's enables. */
	CHECK_STR(lspci_sltctl(buf, sizeof(buf), 0x17f9),
		  "SltCtl:\tEnable: AttnBtn+ PwrFlt- MRL- PresDet+ CmdCplt+ HPIrq+ LinkChg+\n"
		  "\tControl: AttnInd Off, PwrInd Off, Power+ Interlock-");
	CHECK_STR(lspci_sltctl(buf, sizeof(buf), 0x0a86),
		  "SltCtl:\tEnable: AttnBtn- PwrFlt+ MRL+ PresDet- CmdCplt- HPIrq- LinkChg-\n"
		  "\tControl: AttnInd Blink, PwrInd Blink, Power- Interlock+");
	CHECK_STR(lspci_sltctl(buf, sizeof(buf), 0x0000),
		  "SltCtl:\tEnable: AttnBtn- PwrFlt- MRL- PresDet- CmdCplt- HPIrq- LinkChg-\n"
		  "\tControl: AttnInd Unknown, PwrInd Unknown, Power- Interlock-");
}

UNIT_TEST(lspci_sltsta_qemu_values)
{
	/* At boot: a device in the slot. */
	CHECK_STR(lspci_sltsta(buf, sizeof(buf), 0x0040),
		  "SltSta:\tStatus: AttnBtn- PowerFlt- MRL- CmdCplt- PresDet+ Interlock-\n"
		  "\tChanged: MRL- PresDet- LinkState-");
	/* After the single-write power-off: Command Completed, Presence Detect Changed. */
	CHECK_STR(lspci_sltsta(buf, sizeof(buf), 0x0018),
		  "SltSta:\tStatus: AttnBtn- PowerFlt- MRL- CmdCplt+ PresDet- Interlock-\n"
		  "\tChanged: MRL- PresDet+ LinkState-");
	CHECK_STR(lspci_sltsta(buf, sizeof(buf), 0x01e7),
		  "SltSta:\tStatus: AttnBtn+ PowerFlt+ MRL+ CmdCplt- PresDet+ Interlock+\n"
		  "\tChanged: MRL+ PresDet- LinkState+");
}

UNIT_TEST(lspci_lnkcap_words)
{
	CHECK_STR(lspci_lnkcap(buf, sizeof(buf), 0x00300604),
		  "LnkCap:\tPort #0, Speed 16GT/s, Width x32, ASPM L0s, Exit Latency L0s <64ns\n"
		  "\tClockPM- Surprise- LLActRep+ BwNot+ ASPMOptComp-");
	CHECK_STR(lspci_lnkcap(buf, sizeof(buf), 0x10458843),
		  "LnkCap:\tPort #16, Speed 8GT/s, Width x4, ASPM L1, Exit Latency L1 <8us\n"
		  "\tClockPM+ Surprise- LLActRep- BwNot- ASPMOptComp+");
	CHECK_STR(lspci_lnkcap(buf, sizeof(buf), 0x0008cc12 | 0x4000 | 0x38000),
		  "LnkCap:\tPort #0, Speed 5GT/s, Width x1, ASPM L0s L1, Exit Latency L0s <1us, L1 unlimited\n"
		  "\tClockPM- Surprise+ LLActRep- BwNot- ASPMOptComp-");
	CHECK_STR(lspci_lnkcap(buf, sizeof(buf), 0x00000011),
		  "LnkCap:\tPort #0, Speed 2.5GT/s, Width x1, ASPM not supported\n"
		  "\tClockPM- Surprise- LLActRep- BwNot- ASPMOptComp-");
}

UNIT_TEST(lspci_lnkctl_rcb_only_where_defined)
{
	CHECK_STR(lspci_lnkctl(buf, sizeof(buf), 0x0000, PCI_EXP_TYPE_ROOT_PORT),
		  "LnkCtl:\tASPM Disabled; RCB 64 bytes, Disabled- CommClk-\n"
		  "\tExtSynch- ClockPM- AutWidDis- BWInt- AutBWInt-");
	CHECK_STR(lspci_lnkctl(buf, sizeof(buf), 0x0fdb, PCI_EXP_TYPE_DOWNSTREAM),
		  "LnkCtl:\tASPM L0s L1 Enabled; Disabled+ CommClk+\n"
		  "\tExtSynch+ ClockPM+ AutWidDis+ BWInt+ AutBWInt+");
	CHECK_STR(lspci_lnkctl(buf, sizeof(buf), 0x0042, PCI_EXP_TYPE_ENDPOINT),
		  "LnkCtl:\tASPM L1 Enabled; RCB 64 bytes, Disabled- CommClk+\n"
		  "\tExtSynch- ClockPM- AutWidDis- BWInt- AutBWInt-");
	CHECK_STR(lspci_lnkctl(buf, sizeof(buf), 0x0009, PCI_EXP_TYPE_LEG_END),
		  "LnkCtl:\tASPM L0s Enabled; RCB 128 bytes, Disabled- CommClk-\n"
		  "\tExtSynch- ClockPM- AutWidDis- BWInt- AutBWInt-");
}

UNIT_TEST(lspci_lnksta_compares_with_lnkcap)
{
	/* A port facing a slot is never "downgraded" by its narrower partner. */
	CHECK_STR(lspci_lnksta(buf, sizeof(buf), 0x2011, 0x00300604, PCI_EXP_TYPE_ROOT_PORT),
		  "LnkSta:\tSpeed 2.5GT/s, Width x1\n"
		  "\tTrErr- Train- SlotClk- DLActive+ BWMgmt- ABWMgmt-");
	CHECK_STR(lspci_lnksta(buf, sizeof(buf), 0x0011, 0x00300604, PCI_EXP_TYPE_ROOT_PORT),
		  "LnkSta:\tSpeed 2.5GT/s, Width x1\n"
		  "\tTrErr- Train- SlotClk- DLActive- BWMgmt- ABWMgmt-");
	CHECK_STR(lspci_lnksta(buf, sizeof(buf), 0x1011, 0x00000443, PCI_EXP_TYPE_ENDPOINT),
		  "LnkSta:\tSpeed 2.5GT/s (downgraded), Width x1 (downgraded)\n"
		  "\tTrErr- Train- SlotClk+ DLActive- BWMgmt- ABWMgmt-");
	CHECK_STR(lspci_lnksta(buf, sizeof(buf), 0xcc42, 0x00000411, PCI_EXP_TYPE_DOWNSTREAM),
		  "LnkSta:\tSpeed 5GT/s (overdriven), Width x4 (overdriven)\n"
		  "\tTrErr+ Train+ SlotClk- DLActive- BWMgmt+ ABWMgmt+");
}

UNIT_TEST(lspci_single_words)
{
	CHECK_STR(lspci_link_speed(0), "unknown");
	CHECK_STR(lspci_link_speed(5), "32GT/s");
	CHECK_STR(lspci_link_speed(6), "64GT/s");
	CHECK_STR(lspci_link_speed(7), "unknown");
	CHECK_STR(lspci_link_speed(15), "unknown");
	CHECK_STR(lspci_indicator(2), "Blink");
}

UNIT_TEST(lspci_print_indents_every_line)
{
	lspci_print("\t\t", lspci_sltsta(buf, sizeof(buf), 0x0040));
	CHECK_STR(sim_uart_output(COM1_PORT),
		  "\t\tSltSta:\tStatus: AttnBtn- PowerFlt- MRL- CmdCplt- PresDet+ Interlock-\r\n"
		  "\t\t\tChanged: MRL- PresDet- LinkState-\r\n");
}

UNIT_TEST(lspci_small_buffers_are_safe)
{
	char small[12];

	CHECK_STR(lspci_sltsta(small, sizeof(small), 0x0040), "SltSta:\tSta");
	CHECK_STR(lspci_power_limit(small, 3, 0xff, 0), ">6");
}
