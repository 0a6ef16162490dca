/*
 * cfgattr.c - configuration space attribute tables and their judgement
 * (see cfgattr.h).
 *
 * Section numbers are the PCI Express Base Specification r5.0's, from its
 * table of contents as we know it: the search tool found no copy of the
 * specification text, so the attributes below are written from the
 * specification as read before, cross-checked against Linux's
 * include/uapi/linux/pci_regs.h (names, positions) and pciutils' lspci
 * decoding; ACS's section number (§7.7.8) is the one lib/pci/pci_regs.def
 * already cites. Fields named "REG bit N (what)" have no Linux macro.
 *
 * "Does not apply to PCI Express ... hardwired to 0" (§7.5.1) holds for
 * functions with a PCI Express capability (RC_PCIE); conventional PCI
 * functions (the Q35 host bridge, ICH9's LPC, SATA, SMBus) keep PCI 3.0's
 * rules there, which allow either, so those fields are not judged for them.
 */
#include "cfgattr.h"
#include "libc.h"
#include "pci_regs.h"
#include "printf.h"

#define BITS(name, m, attr) { name, m, attr, RC_ALWAYS, attr, 0, 0 }
/* @attr when @cond holds, else @els */
#define IF(name, m, attr, cond, els) { name, m, attr, cond, els, 0, 0 }
/* legacy PCI: hardwired 0 on a PCI Express function, not judged on a conventional one */
#define LEGACY(name, m) { name, m, RA_ZERO, RC_PCIE, RA_UNDEFINED, 0, 0 }

/* §7.5.1.1.3 Command (04h) */
static const struct regattr_field command[] = {
	BITS("PCI_COMMAND bit 0 (I/O Space Enable)", 0x0001, RA_RW_OR_ZERO),
	BITS("PCI_COMMAND bit 1 (Memory Space Enable)", 0x0002, RA_RW_OR_ZERO),
	BITS("PCI_COMMAND bit 2 (Bus Master Enable)", 0x0004, RA_RW),
	LEGACY("PCI_COMMAND bit 3 (Special Cycle Enable)", 0x0008),
	LEGACY("PCI_COMMAND bit 4 (Memory Write and Invalidate)", 0x0010),
	LEGACY("PCI_COMMAND bit 5 (VGA Palette Snoop)", 0x0020),
	/* PCI 3.0 §6.2.2: a conventional function that checks no parity hardwires it */
	IF("PCI_COMMAND bit 6 (Parity Error Response)", 0x0040, RA_RW, RC_PCIE, RA_RW_OR_ZERO),
	LEGACY("PCI_COMMAND bit 7 (IDSEL Stepping/Wait Cycle Control)", 0x0080),
	/* PCI 3.0 §6.2.2: a conventional function without SERR# hardwires it */
	IF("PCI_COMMAND bit 8 (SERR# Enable)", 0x0100, RA_RW, RC_PCIE, RA_RW_OR_ZERO),
	LEGACY("PCI_COMMAND bit 9 (Fast Back-to-Back Enable)", 0x0200),
	/* RW when the function can raise INTx; hardwired 0 when it cannot */
	BITS("PCI_COMMAND_INTX_DISABLE", PCI_COMMAND_INTX_DISABLE, RA_RW_OR_ZERO),
	BITS("PCI_COMMAND bits 15:11", 0xf800, RA_RSVDP),
};

/* §7.5.1.1.4 Status (06h): error bits RW1C; legacy timing bits hardwired 0 */
static const struct regattr_field status[] = {
	BITS("PCI_STATUS bit 0 (Immediate Readiness)", 0x0001, RA_RO),
	BITS("PCI_STATUS bits 2:1", 0x0006, RA_RSVDZ),
	BITS("PCI_STATUS bit 3 (Interrupt Status)", 0x0008, RA_RO),
	IF("PCI_STATUS_CAP_LIST", PCI_STATUS_CAP_LIST, RA_ONE, RC_PCIE, RA_RO),
	LEGACY("PCI_STATUS bit 5 (66 MHz Capable)", 0x0020),
	BITS("PCI_STATUS bit 6", 0x0040, RA_RSVDZ),
	LEGACY("PCI_STATUS bit 7 (Fast Back-to-Back Capable)", 0x0080),
	BITS("PCI_STATUS bit 8 (Master Data Parity Error)", 0x0100, RA_RW1C),
	LEGACY("PCI_STATUS bits 10:9 (DEVSEL Timing)", 0x0600),
	BITS("PCI_STATUS bit 11 (Signaled Target Abort)", 0x0800, RA_RW1C),
	BITS("PCI_STATUS bit 12 (Received Target Abort)", 0x1000, RA_RW1C),
	BITS("PCI_STATUS bit 13 (Received Master Abort)", 0x2000, RA_RW1C),
	BITS("PCI_STATUS bit 14 (Signaled System Error)", 0x4000, RA_RW1C),
	BITS("PCI_STATUS bit 15 (Detected Parity Error)", 0x8000, RA_RW1C),
};

/* §7.5.1.1.7: RW for compatibility, no effect on a PCI Express function */
static const struct regattr_field cache_line[] = {
	IF("PCI_CACHE_LINE_SIZE", 0xff, RA_RW, RC_PCIE, RA_UNDEFINED),
};
/* §7.5.1.1.8 Latency Timer, §7.5.1.3.4 Secondary Latency Timer: do not apply */
static const struct regattr_field latency[] = { LEGACY("PCI_LATENCY_TIMER", 0xff) };
static const struct regattr_field sec_latency[] = { LEGACY("PCI_SEC_LATENCY_TIMER", 0xff) };
static const struct regattr_field header_type[] = { BITS("PCI_HEADER_TYPE", 0xff, RA_RO) };
/* §7.5.1.1.10: hardwired 00h by a function without BIST (not written otherwise) */
static const struct regattr_field bist[] = {
	IF("PCI_BIST", 0xff, RA_UNDEFINED, RC_BIST, RA_ZERO),
};
static const struct regattr_field cap_ptr[] = { BITS("PCI_CAPABILITY_LIST", 0xff, RA_RO) };
static const struct regattr_field irq_line[] = { BITS("PCI_INTERRUPT_LINE", 0xff, RA_RW) };
static const struct regattr_field irq_pin[] = { BITS("PCI_INTERRUPT_PIN", 0xff, RA_RO) };
/* §7.5.1.2.5 Min_Gnt / Max_Lat: do not apply, hardwired 0 */
static const struct regattr_field min_gnt[] = { LEGACY("PCI_MIN_GNT", 0xff) };
static const struct regattr_field max_lat[] = { LEGACY("PCI_MAX_LAT", 0xff) };

/* §7.5.1.3.6 Secondary Status (1Eh): as Status, bit 14 is Received System Error */
static const struct regattr_field sec_status[] = {
	BITS("PCI_SEC_STATUS bits 4:0", 0x001f, RA_RSVDZ),
	LEGACY("PCI_SEC_STATUS bit 5 (66 MHz Capable)", 0x0020),
	BITS("PCI_SEC_STATUS bit 6", 0x0040, RA_RSVDZ),
	LEGACY("PCI_SEC_STATUS bit 7 (Fast Back-to-Back Capable)", 0x0080),
	BITS("PCI_SEC_STATUS bit 8 (Master Data Parity Error)", 0x0100, RA_RW1C),
	LEGACY("PCI_SEC_STATUS bits 10:9 (DEVSEL Timing)", 0x0600),
	BITS("PCI_SEC_STATUS bits 15:11 (aborts, System Error, Parity Error)", 0xf800, RA_RW1C),
};

/* §7.5.1.3.12 Bridge Control (3Eh); Secondary Bus Reset is cfgprobe's to protect */
static const struct regattr_field bridge_ctl[] = {
	BITS("PCI_BRIDGE_CONTROL bit 0 (Parity Error Response Enable)", 0x0001, RA_RW),
	BITS("PCI_BRIDGE_CONTROL bit 1 (SERR# Enable)", 0x0002, RA_RW),
	BITS("PCI_BRIDGE_CONTROL bit 2 (ISA Enable)", 0x0004, RA_RW_OR_ZERO),
	BITS("PCI_BRIDGE_CONTROL bit 3 (VGA Enable)", 0x0008, RA_RW_OR_ZERO),
	BITS("PCI_BRIDGE_CONTROL bit 4 (VGA 16-bit Decode)", 0x0010, RA_RW_OR_ZERO),
	LEGACY("PCI_BRIDGE_CONTROL bit 5 (Master Abort Mode)", 0x0020),
	BITS("PCI_BRIDGE_CTL_BUS_RESET", PCI_BRIDGE_CTL_BUS_RESET, RA_RW),
	LEGACY("PCI_BRIDGE_CONTROL bit 7 (Fast Back-to-Back Enable)", 0x0080),
	LEGACY("PCI_BRIDGE_CONTROL bits 11:8 (Discard Timers, Timer Status, Timer SERR#)",
	       0x0f00),
	BITS("PCI_BRIDGE_CONTROL bits 15:12", 0xf000, RA_RSVDP),
};

/* §7.5.3.2 PCI Express Capabilities, §7.5.3.3 Device Capabilities, §7.5.3.15 2: RO */
static const struct regattr_field ro8[] = { BITS("all bits", 0xff, RA_RO) };
static const struct regattr_field ro16[] = { BITS("all bits", 0xffff, RA_RO) };
static const struct regattr_field ro32[] = { BITS("all bits", 0xffffffff, RA_RO) };

/* §7.5.3.4 Device Control (08h); bit 15 (FLR / Bridge Config Retry) is cfgprobe's to protect */
static const struct regattr_field devctl[] = {
	BITS("PCI_EXP_DEVCTL bit 0 (Correctable Error Reporting Enable)", 0x0001, RA_RW),
	BITS("PCI_EXP_DEVCTL bit 1 (Non-Fatal Error Reporting Enable)", 0x0002, RA_RW),
	BITS("PCI_EXP_DEVCTL bit 2 (Fatal Error Reporting Enable)", 0x0004, RA_RW),
	BITS("PCI_EXP_DEVCTL bit 3 (Unsupported Request Reporting Enable)", 0x0008, RA_RW),
	BITS("PCI_EXP_DEVCTL bit 4 (Enable Relaxed Ordering)", 0x0010, RA_RW_OR_ZERO),
	/* "permitted to hardwire" to 000b when only 128 bytes are supported */
	BITS("PCI_EXP_DEVCTL bits 7:5 (Max_Payload_Size)", 0x00e0, RA_RW_OR_ZERO),
	BITS("PCI_EXP_DEVCTL bit 8 (Extended Tag Field Enable)", 0x0100, RA_RW_OR_ZERO),
	BITS("PCI_EXP_DEVCTL bit 9 (Phantom Functions Enable)", 0x0200, RA_RW_OR_ZERO),
	BITS("PCI_EXP_DEVCTL bit 10 (Aux Power PM Enable)", 0x0400, RA_RW_OR_ZERO),
	BITS("PCI_EXP_DEVCTL bit 11 (Enable No Snoop)", 0x0800, RA_RW_OR_ZERO),
	BITS("PCI_EXP_DEVCTL bits 14:12 (Max_Read_Request_Size)", 0x7000, RA_RW_OR_ZERO),
	BITS("PCI_EXP_DEVCTL_BCR_FLR", PCI_EXP_DEVCTL_BCR_FLR, RA_RW_OR_ZERO),
};

/* §7.5.3.5 Device Status (0Ah) */
static const struct regattr_field devsta[] = {
	BITS("PCI_EXP_DEVSTA bits 3:0 (error detected)", 0x000f, RA_RW1C),
	BITS("PCI_EXP_DEVSTA bit 4 (AUX Power Detected)", 0x0010, RA_RO),
	BITS("PCI_EXP_DEVSTA_TRPND", PCI_EXP_DEVSTA_TRPND, RA_RO),
	BITS("PCI_EXP_DEVSTA bit 6 (Emergency Power Reduction Detected)", 0x0040, RA_RW1C),
	BITS("PCI_EXP_DEVSTA bits 15:7", 0xff80, RA_RSVDZ),
};

/* §7.5.3.12 Root Control (1Ch) */
static const struct regattr_field rtctl[] = {
	BITS("PCI_EXP_RTCTL bits 2:0 (System Error on errors)", 0x0007, RA_RW),
	BITS("PCI_EXP_RTCTL bit 3 (PME Interrupt Enable)", 0x0008, RA_RW),
	IF("PCI_EXP_RTCTL bit 4 (CRS Software Visibility Enable)", 0x0010, RA_RW, RC_CRSSV,
	   RA_ZERO),
	BITS("PCI_EXP_RTCTL bits 15:5", 0xffe0, RA_RSVDP),
};
/* §7.5.3.13 Root Capabilities (1Eh) */
static const struct regattr_field rtcap[] = {
	BITS("PCI_EXP_RTCAP bit 0 (CRS Software Visibility)", 0x0001, RA_RO),
	BITS("PCI_EXP_RTCAP bits 15:1", 0xfffe, RA_RSVDP),
};
/* §7.5.3.14 Root Status (20h): PME Status RW1C */
static const struct regattr_field rtsta[] = {
	BITS("PCI_EXP_RTSTA bits 15:0 (PME Requester ID)", 0x0000ffff, RA_RO),
	BITS("PCI_EXP_RTSTA bit 16 (PME Status)", 0x00010000, RA_RW1C),
	BITS("PCI_EXP_RTSTA bit 17 (PME Pending)", 0x00020000, RA_RO),
	BITS("PCI_EXP_RTSTA bits 31:18", 0xfffc0000, RA_RSVDZ),
};

/* §7.5.3.16 Device Control 2 (28h): optional features, RW when supported */
static const struct regattr_field devctl2[] = {
	BITS("PCI_EXP_DEVCTL2 bits 3:0 (Completion Timeout Value)", 0x000f, RA_RW_OR_ZERO),
	BITS("PCI_EXP_DEVCTL2 bit 4 (Completion Timeout Disable)", 0x0010, RA_RW_OR_ZERO),
	IF("PCI_EXP_DEVCTL2 bit 5 (ARI Forwarding Enable)", 0x0020, RA_RW, RC_ARI_FWD, RA_ZERO),
	BITS("PCI_EXP_DEVCTL2 bit 6 (AtomicOp Requester Enable)", 0x0040, RA_RW_OR_ZERO),
	BITS("PCI_EXP_DEVCTL2 bit 7 (AtomicOp Egress Blocking)", 0x0080, RA_RW_OR_ZERO),
	BITS("PCI_EXP_DEVCTL2 bit 8 (IDO Request Enable)", 0x0100, RA_RW_OR_ZERO),
	BITS("PCI_EXP_DEVCTL2 bit 9 (IDO Completion Enable)", 0x0200, RA_RW_OR_ZERO),
	BITS("PCI_EXP_DEVCTL2 bit 10 (LTR Mechanism Enable)", 0x0400, RA_RW_OR_ZERO),
	BITS("PCI_EXP_DEVCTL2 bit 11 (Emergency Power Reduction Request)", 0x0800,
	     RA_RW_OR_ZERO),
	BITS("PCI_EXP_DEVCTL2 bit 12 (10-Bit Tag Requester Enable)", 0x1000, RA_RW_OR_ZERO),
	BITS("PCI_EXP_DEVCTL2 bits 14:13 (OBFF Enable)", 0x6000, RA_RW_OR_ZERO),
	BITS("PCI_EXP_DEVCTL2 bit 15 (End-End TLP Prefix Blocking)", 0x8000, RA_RW_OR_ZERO),
};
/* §7.5.3.17 Device Status 2 (2Ah): no fields */
static const struct regattr_field devsta2[] = { BITS("PCI_EXP_DEVSTA2 bits 15:0", 0xffff, RA_RSVDZ) };

/* §7.5.2.1 Power Management Capabilities: RO (PCI PM 1.2 §3.2.3) */
/* §7.5.2.2 PMCSR (04h): PowerState RW (protected), PME_En RWS, PME_Status RW1CS */
static const struct regattr_field pmcsr[] = {
	BITS("PCI_PM_CTRL bits 1:0 (PowerState)", PCI_PM_CTRL_STATE_MASK, RA_RW),
	BITS("PCI_PM_CTRL bit 2", 0x0004, RA_RSVDP),
	BITS("PCI_PM_CTRL bit 3 (No_Soft_Reset)", 0x0008, RA_RO),
	BITS("PCI_PM_CTRL bits 7:4", 0x00f0, RA_RSVDP),
	IF("PCI_PM_CTRL bit 8 (PME_En)", 0x0100, RA_RW, RC_PME, RA_ZERO),
	BITS("PCI_PM_CTRL bits 12:9 (Data_Select)", 0x1e00, RA_RW_OR_ZERO),
	BITS("PCI_PM_CTRL bits 14:13 (Data_Scale)", 0x6000, RA_RO),
	IF("PCI_PM_CTRL bit 15 (PME_Status)", 0x8000, RA_RW1C, RC_PME, RA_ZERO),
};

/* §7.7.1.2 MSI Message Control (02h) */
static const struct regattr_field msi_flags[] = {
	BITS("PCI_MSI_FLAGS_ENABLE", PCI_MSI_FLAGS_ENABLE, RA_RW),
	BITS("PCI_MSI_FLAGS_QMASK", PCI_MSI_FLAGS_QMASK, RA_RO),
	BITS("PCI_MSI_FLAGS_QSIZE", PCI_MSI_FLAGS_QSIZE, RA_RW),
	BITS("PCI_MSI_FLAGS_64BIT", PCI_MSI_FLAGS_64BIT, RA_RO),
	BITS("PCI_MSI_FLAGS_MASKBIT", PCI_MSI_FLAGS_MASKBIT, RA_RO),
	BITS("PCI_MSI_FLAGS bit 9 (Extended Message Data Capable)", 0x0200, RA_RO),
};
/* §7.7.1.3 Message Address: bits 1:0 read 0 (DWORD aligned); §7.7.1.4 Upper Address; §7.7.1.5 Data */
static const struct regattr_field msi_addr[] = {
	BITS("PCI_MSI_ADDRESS_LO bits 1:0", 0x00000003, RA_ZERO),
	BITS("PCI_MSI_ADDRESS_LO bits 31:2", 0xfffffffc, RA_RW),
};
static const struct regattr_field msi_addr_hi[] = {
	BITS("PCI_MSI_ADDRESS_HI", 0xffffffff, RA_RW),
};
static const struct regattr_field msi_data[] = { BITS("Message Data", 0xffff, RA_RW) };

/* §7.7.2.2 MSI-X Message Control (02h); §7.7.2.3/4 Table and PBA Offset/BIR: RO */
static const struct regattr_field msix_flags[] = {
	BITS("PCI_MSIX_FLAGS_QSIZE", PCI_MSIX_FLAGS_QSIZE, RA_RO),
	BITS("PCI_MSIX_FLAGS bits 13:11", 0x3800, RA_RSVDP),
	BITS("PCI_MSIX_FLAGS_MASKALL", PCI_MSIX_FLAGS_MASKALL, RA_RW),
	BITS("PCI_MSIX_FLAGS_ENABLE", PCI_MSIX_FLAGS_ENABLE, RA_RW),
};

/*
 * §7.8.4.2-4 Uncorrectable Error Status (RW1CS), Mask and Severity (RWS).
 * Data Link Protocol, Poisoned TLP, Completion Timeout, Unexpected
 * Completion, Malformed TLP and Unsupported Request are required of every
 * function with AER; the other errors are optional (hardwired 0 without).
 */
#define UNC_REQUIRED 0x00155010u	/* bits 4, 12, 14, 16, 18, 20 */
#define UNC_OPTIONAL 0x07eaa020u	/* bits 5, 13, 15, 17, 19, 21-26 */
#define UNC_RESERVED 0xf8000fceu	/* bits 3:1, 11:6 (not 5), 31:27 */
static const struct regattr_field uncor_status[] = {
	BITS("PCI_ERR_UNCOR_STATUS error bits", UNC_REQUIRED | UNC_OPTIONAL, RA_RW1C),
	BITS("PCI_ERR_UNCOR_STATUS reserved bits", UNC_RESERVED, RA_RSVDZ),
};
static const struct regattr_field uncor_mask[] = {
	BITS("PCI_ERR_UNCOR_MASK required errors", UNC_REQUIRED, RA_RW),
	BITS("PCI_ERR_UNCOR_MASK reserved bits", UNC_RESERVED, RA_RSVDP),
};
static const struct regattr_field uncor_sever[] = {
	BITS("PCI_ERR_UNCOR_SEVER required errors", UNC_REQUIRED, RA_RW),
	BITS("PCI_ERR_UNCOR_SEVER reserved bits", UNC_RESERVED, RA_RSVDP),
};
/* §7.8.4.5-6 Correctable Error Status (RW1CS) and Mask (RWS) */
#define COR_ERRORS 0x0000f1c1u		/* bits 0, 6-8, 12-15 */
#define COR_RESERVED 0xffff0e3eu
static const struct regattr_field cor_status[] = {
	BITS("PCI_ERR_COR_STATUS error bits", COR_ERRORS, RA_RW1C),
	BITS("PCI_ERR_COR_STATUS reserved bits", COR_RESERVED, RA_RSVDZ),
};
static const struct regattr_field cor_mask[] = {
	BITS("PCI_ERR_COR_MASK bits 0, 6-8, 12, 13 (required errors)", 0x000031c1, RA_RW),
	BITS("PCI_ERR_COR_MASK reserved bits", COR_RESERVED, RA_RSVDP),
};
/* §7.8.4.7 Advanced Error Capabilities and Control */
static const struct regattr_field aer_cap[] = {
	BITS("PCI_ERR_CAP bits 4:0 (First Error Pointer)", 0x0000001f, RA_RO),
	BITS("PCI_ERR_CAP bit 5 (ECRC Generation Capable)", 0x00000020, RA_RO),
	IF("PCI_ERR_CAP bit 6 (ECRC Generation Enable)", 0x00000040, RA_RW, RC_ECRC_GEN,
	   RA_ZERO),
	BITS("PCI_ERR_CAP bit 7 (ECRC Check Capable)", 0x00000080, RA_RO),
	IF("PCI_ERR_CAP bit 8 (ECRC Check Enable)", 0x00000100, RA_RW, RC_ECRC_CHK, RA_ZERO),
	BITS("PCI_ERR_CAP bits 31:13", 0xffffe000, RA_RSVDP),
};
/* §7.8.4.9 Root Error Command, §7.8.4.10 Root Error Status, §7.8.4.11 Error Source ID */
static const struct regattr_field root_cmd[] = {
	BITS("PCI_ERR_ROOT_COMMAND bits 2:0 (reporting enables)", 0x00000007, RA_RW),
	BITS("PCI_ERR_ROOT_COMMAND bits 31:3", 0xfffffff8, RA_RSVDP),
};
static const struct regattr_field root_status[] = {
	BITS("PCI_ERR_ROOT_STATUS bits 6:0 (messages received)", 0x0000007f, RA_RW1C),
	BITS("PCI_ERR_ROOT_STATUS bits 26:7", 0x07ffff80, RA_RSVDZ),
	BITS("PCI_ERR_ROOT_STATUS bits 31:27 (Interrupt Message Number)", 0xf8000000, RA_RO),
};

/* §7.7.8 ACS Control: each control RW when its capability bit is set, else hardwired 0 */
static const struct regattr_field acs_ctrl[] = {
	BITS("PCI_ACS_CTRL bits 6:0 (controls)", 0x007f, RA_UNDEFINED),	/* judged per bit below */
	BITS("PCI_ACS_CTRL bits 15:7", 0xff80, RA_RSVDP),
};

#define R(n, sp, cap, off, w, pres, f, s) { n, s, sp, cap, off, w, pres, f, (int)ARRAY_SIZE(f) }
#define HDR(n, w, f, s) R(#n, CA_HDR, 0, n, w, CA_ALWAYS, f, s)
#define EXP(n, w, pres, f, s) R(#n, CA_CAP, PCI_CAP_ID_EXP, n, w, pres, f, s)
#define AER(n, pres, f, s) R(#n, CA_EXT, PCI_EXT_CAP_ID_ERR, n, 4, pres, f, s)

const struct cfgattr_reg cfgattr_regs[] = {
	HDR(PCI_VENDOR_ID, 2, ro16, "PCIe r5.0 7.5.1.1.1"),
	HDR(PCI_DEVICE_ID, 2, ro16, "PCIe r5.0 7.5.1.1.2"),
	HDR(PCI_COMMAND, 2, command, "PCIe r5.0 7.5.1.1.3"),
	HDR(PCI_STATUS, 2, status, "PCIe r5.0 7.5.1.1.4"),
	HDR(PCI_REVISION_ID, 1, ro8, "PCIe r5.0 7.5.1.1.5"),
	HDR(PCI_CLASS_PROG, 1, ro8, "PCIe r5.0 7.5.1.1.6"),
	HDR(PCI_CLASS_DEVICE, 2, ro16, "PCIe r5.0 7.5.1.1.6"),
	HDR(PCI_CACHE_LINE_SIZE, 1, cache_line, "PCIe r5.0 7.5.1.1.7"),
	HDR(PCI_LATENCY_TIMER, 1, latency, "PCIe r5.0 7.5.1.1.8"),
	HDR(PCI_HEADER_TYPE, 1, header_type, "PCIe r5.0 7.5.1.1.9"),
	HDR(PCI_BIST, 1, bist, "PCIe r5.0 7.5.1.1.10"),
	HDR(PCI_CAPABILITY_LIST, 1, cap_ptr, "PCIe r5.0 7.5.1.1.11"),
	HDR(PCI_INTERRUPT_LINE, 1, irq_line, "PCIe r5.0 7.5.1.1.12"),
	HDR(PCI_INTERRUPT_PIN, 1, irq_pin, "PCIe r5.0 7.5.1.1.13"),
	R("PCI_MIN_GNT", CA_TYPE0, 0, PCI_MIN_GNT, 1, CA_ALWAYS, min_gnt, "PCIe r5.0 7.5.1.2.5"),
	R("PCI_MAX_LAT", CA_TYPE0, 0, PCI_MAX_LAT, 1, CA_ALWAYS, max_lat, "PCIe r5.0 7.5.1.2.5"),
	R("PCI_SEC_LATENCY_TIMER", CA_TYPE1, 0, PCI_SEC_LATENCY_TIMER, 1, CA_ALWAYS, sec_latency,
	  "PCIe r5.0 7.5.1.3.4"),
	R("PCI_SEC_STATUS", CA_TYPE1, 0, PCI_SEC_STATUS, 2, CA_ALWAYS, sec_status,
	  "PCIe r5.0 7.5.1.3.6"),
	R("PCI_BRIDGE_CONTROL", CA_TYPE1, 0, PCI_BRIDGE_CONTROL, 2, CA_ALWAYS, bridge_ctl,
	  "PCIe r5.0 7.5.1.3.12"),
	EXP(PCI_EXP_FLAGS, 2, CA_ALWAYS, ro16, "PCIe r5.0 7.5.3.2"),
	EXP(PCI_EXP_DEVCAP, 4, CA_ALWAYS, ro32, "PCIe r5.0 7.5.3.3"),
	EXP(PCI_EXP_DEVCTL, 2, CA_ALWAYS, devctl, "PCIe r5.0 7.5.3.4"),
	EXP(PCI_EXP_DEVSTA, 2, CA_ALWAYS, devsta, "PCIe r5.0 7.5.3.5"),
	EXP(PCI_EXP_RTCTL, 2, CA_ROOT, rtctl, "PCIe r5.0 7.5.3.12"),
	EXP(PCI_EXP_RTCAP, 2, CA_ROOT, rtcap, "PCIe r5.0 7.5.3.13"),
	EXP(PCI_EXP_RTSTA, 4, CA_ROOT, rtsta, "PCIe r5.0 7.5.3.14"),
	EXP(PCI_EXP_DEVCAP2, 4, CA_PCIE_V2, ro32, "PCIe r5.0 7.5.3.15"),
	EXP(PCI_EXP_DEVCTL2, 2, CA_PCIE_V2, devctl2, "PCIe r5.0 7.5.3.16"),
	EXP(PCI_EXP_DEVSTA2, 2, CA_PCIE_V2, devsta2, "PCIe r5.0 7.5.3.17"),
	R("PCI_PM_PMC", CA_CAP, PCI_CAP_ID_PM, PCI_PM_PMC, 2, CA_ALWAYS, ro16, "PCIe r5.0 7.5.2.1"),
	R("PCI_PM_CTRL", CA_CAP, PCI_CAP_ID_PM, PCI_PM_CTRL, 2, CA_ALWAYS, pmcsr,
	  "PCIe r5.0 7.5.2.2"),
	R("PCI_MSI_FLAGS", CA_CAP, PCI_CAP_ID_MSI, PCI_MSI_FLAGS, 2, CA_ALWAYS, msi_flags,
	  "PCIe r5.0 7.7.1.2"),
	R("PCI_MSI_ADDRESS_LO", CA_CAP, PCI_CAP_ID_MSI, PCI_MSI_ADDRESS_LO, 4, CA_ALWAYS,
	  msi_addr, "PCIe r5.0 7.7.1.3"),
	R("PCI_MSI_ADDRESS_HI", CA_CAP, PCI_CAP_ID_MSI, PCI_MSI_ADDRESS_HI, 4, CA_MSI64,
	  msi_addr_hi, "PCIe r5.0 7.7.1.4"),
	R("PCI_MSI_DATA_32", CA_CAP, PCI_CAP_ID_MSI, PCI_MSI_DATA_32, 2, CA_MSI32, msi_data,
	  "PCIe r5.0 7.7.1.5"),
	R("PCI_MSI_DATA_64", CA_CAP, PCI_CAP_ID_MSI, PCI_MSI_DATA_64, 2, CA_MSI64, msi_data,
	  "PCIe r5.0 7.7.1.5"),
	R("PCI_MSIX_FLAGS", CA_CAP, PCI_CAP_ID_MSIX, PCI_MSIX_FLAGS, 2, CA_ALWAYS, msix_flags,
	  "PCIe r5.0 7.7.2.2"),
	R("PCI_MSIX_TABLE", CA_CAP, PCI_CAP_ID_MSIX, PCI_MSIX_TABLE, 4, CA_ALWAYS, ro32,
	  "PCIe r5.0 7.7.2.3"),
	R("PCI_MSIX_PBA", CA_CAP, PCI_CAP_ID_MSIX, PCI_MSIX_PBA, 4, CA_ALWAYS, ro32,
	  "PCIe r5.0 7.7.2.4"),
	AER(PCI_ERR_UNCOR_STATUS, CA_ALWAYS, uncor_status, "PCIe r5.0 7.8.4.2"),
	AER(PCI_ERR_UNCOR_MASK, CA_ALWAYS, uncor_mask, "PCIe r5.0 7.8.4.3"),
	AER(PCI_ERR_UNCOR_SEVER, CA_ALWAYS, uncor_sever, "PCIe r5.0 7.8.4.4"),
	AER(PCI_ERR_COR_STATUS, CA_ALWAYS, cor_status, "PCIe r5.0 7.8.4.5"),
	AER(PCI_ERR_COR_MASK, CA_ALWAYS, cor_mask, "PCIe r5.0 7.8.4.6"),
	AER(PCI_ERR_CAP, CA_ALWAYS, aer_cap, "PCIe r5.0 7.8.4.7"),
	AER(PCI_ERR_ROOT_COMMAND, CA_ROOT, root_cmd, "PCIe r5.0 7.8.4.9"),
	AER(PCI_ERR_ROOT_STATUS, CA_ROOT, root_status, "PCIe r5.0 7.8.4.10"),
	AER(PCI_ERR_ROOT_ERR_SRC, CA_ROOT, ro32, "PCIe r5.0 7.8.4.11"),
	R("PCI_ACS_CAP", CA_EXT, PCI_EXT_CAP_ID_ACS, PCI_ACS_CAP, 2, CA_ALWAYS, ro16,
	  "PCIe r5.0 7.7.8.2"),
	R("PCI_ACS_CTRL", CA_EXT, PCI_EXT_CAP_ID_ACS, PCI_ACS_CTRL, 2, CA_ALWAYS, acs_ctrl,
	  "PCIe r5.0 7.7.8.3"),
};
const int cfgattr_nregs = (int)ARRAY_SIZE(cfgattr_regs);

/* The registers lib/pci/pci_regs.def lists: the harness knows keys on them only. */
#define PCI_REG(space, cap, macro, width) #macro,
#define PCI_SPAN(space, cap, label, offset, width)
#define PCI_REG_ALIAS(alias, macro)
static const char *const table_regs[] = {
#include "pci_regs.def"
};
#undef PCI_REG
#undef PCI_SPAN
#undef PCI_REG_ALIAS

static bool in_register_table(const char *reg)
{
	for (size_t i = 0; i < ARRAY_SIZE(table_regs); i++)
		if (!strcmp(table_regs[i], reg))
			return true;
	return false;
}

/* @v's key: the field as regattr_key_name() spells it, the attribute's condition word. */
static void set_key(struct cfgattr_verdict *v, const struct regattr_field *fd)
{
	v->key_cond = regattr_attr_cond(v->want);
	if (in_register_table(v->reg) && v->key_cond)
		regattr_key_name(v->key_field, sizeof(v->key_field), v->reg, fd);
}

static bool is_root(const struct pci_func *f)
{
	return f->exp_type == PCI_EXP_TYPE_ROOT_PORT || f->exp_type == PCI_EXP_TYPE_RC_EC;
}

static bool is_downstream_port(const struct pci_func *f)
{
	return f->exp_type == PCI_EXP_TYPE_ROOT_PORT || f->exp_type == PCI_EXP_TYPE_DOWNSTREAM;
}

/* Where @space starts in @f's space; -1 when @f does not have it. */
static int cap_base(const struct pci_func *f, uint8_t space, uint16_t cap)
{
	int pos;

	switch (space) {
	case CA_HDR:
		return 0;
	case CA_TYPE0:
	case CA_TYPE1:
		return f->header_type == (space == CA_TYPE0 ? PCI_HEADER_TYPE_NORMAL
							    : PCI_HEADER_TYPE_BRIDGE) ? 0 : -1;
	case CA_CAP:
		pos = cap == PCI_CAP_ID_EXP ? f->exp_cap : pci_find_cap(f->addr, (uint8_t)cap);
		return pos ? pos : -1;
	case CA_EXT:
		if (!f->exp_cap || !pci_cfg_has_extended())
			return -1;
		pos = pci_find_ext_cap(f->addr, cap);
		return pos ? pos : -1;
	}
	return -1;
}

static bool present(const struct pci_func *f, const struct cfgattr_reg *r, int base)
{
	uint16_t msi;

	switch (r->presence) {
	case CA_PCIE_V2:
		return f->exp_vers >= 2;
	case CA_ROOT:
		return is_root(f);
	case CA_MSI32:
	case CA_MSI64:
		msi = pci_cfg_read16(f->addr, (uint16_t)(base + PCI_MSI_FLAGS));
		return !!(msi & PCI_MSI_FLAGS_64BIT) == (r->presence == CA_MSI64);
	}
	return true;
}

int cfgattr_locate(const struct pci_func *f, const struct cfgattr_reg *r)
{
	int base = cap_base(f, r->space, r->cap);

	if (base < 0 || !present(f, r, base))
		return -1;
	return base + r->offset;
}

void cfgattr_ctx(const struct pci_func *f, struct regattr_ctx *c)
{
	uint8_t pm = pci_find_cap(f->addr, PCI_CAP_ID_PM);
	uint16_t aer = f->exp_cap && pci_cfg_has_extended()
			       ? pci_find_ext_cap(f->addr, PCI_EXT_CAP_ID_ERR) : 0;
	uint8_t e = f->exp_cap;

	memset(c, 0, sizeof(*c));
	c->pcie = e != 0;
	c->bist = pci_cfg_read8(f->addr, PCI_BIST);
	c->pmc = pm ? pci_cfg_read16(f->addr, pm + PCI_PM_PMC) : 0;
	c->aercap = aer ? pci_cfg_read32(f->addr, aer + PCI_ERR_CAP) : 0;
	if (!e)
		return;
	c->port_type = f->exp_type;
	c->flags = pci_cfg_read16(f->addr, e + PCI_EXP_FLAGS);
	c->devcap2 = f->exp_vers >= 2 ? pci_cfg_read32(f->addr, e + PCI_EXP_DEVCAP2) : 0;
	c->rtcap = is_root(f) ? pci_cfg_read16(f->addr, e + PCI_EXP_RTCAP) : 0;
	c->lnkcap = pci_cfg_read32(f->addr, e + PCI_EXP_LNKCAP);
	c->sltcap = f->slot_implemented ? pci_cfg_read32(f->addr, e + PCI_EXP_SLTCAP) : 0;
	if (f->exp_vers >= 2) {
		c->lnkcap2 = pci_cfg_read32(f->addr, e + PCI_EXP_LNKCAP2);
		c->sltcap2 = f->slot_implemented ? pci_cfg_read32(f->addr, e + PCI_EXP_SLTCAP2) : 0;
	}
}

/* One 32-bit view of the words under [off, off + 4): @pick chooses the member. */
static uint32_t gather(const struct cfgprobe_word *words, const struct cfgprobe_plan *p,
		       uint16_t off, int pick)
{
	uint32_t v = 0;

	for (int i = 1; i >= 0; i--) {
		unsigned int w = (off & ~1u) / 2 + (unsigned int)i;
		uint16_t x = 0;

		if (w < p->size / 2)
			x = pick == 0 ? words[w].before : pick == 1 ? words[w].writable
			  : pick == 2 ? words[w].rw1c : p->protect[w];
		v = v << 16 | x;
	}
	return v >> ((off & 1) * 8);
}

/* Why the first protected bit of @mask (register at @off) was not written. */
static uint8_t first_reason(const struct cfgprobe_plan *p, uint16_t off, uint32_t mask)
{
	uint32_t prot = gather(NULL, p, off, 3) & mask;
	unsigned int bit = 0;

	while (bit < 31 && !(prot & (1u << bit)))
		bit++;
	return p->reason[(off + bit / 8) / 2];
}

void cfgattr_seen(const struct cfgprobe_plan *p, const struct cfgprobe_word *words,
		  uint16_t off, uint8_t width, uint32_t mask, uint8_t want,
		  struct regattr_seen *out, uint8_t *reason)
{
	uint32_t keep = width == 4 ? 0xffffffffu : (1u << (width * 8)) - 1;
	uint32_t m = mask & keep;
	uint32_t before = gather(words, p, off, 0) & m, wr = gather(words, p, off, 1) & m;
	uint32_t rw1c = gather(words, p, off, 2) & m, prot = gather(words, p, off, 3) & m;

	out->value = before;
	*reason = CP_PROBED;
	if (prot) {
		out->kind = RS_NOT_PROBED;
		*reason = first_reason(p, off, m);
	} else if (wr == m) {
		out->kind = RS_RW;
	} else if (wr) {
		out->kind = RS_PARTIAL;
	} else if (rw1c) {
		out->kind = (before & ~rw1c) ? RS_NOT_CLEARED : RS_CLEARED;
	} else if (want == RA_RW1C && !before) {
		out->kind = RS_NOT_PROBED;	/* never set: RW1C and RO 0 look alike */
	} else {
		out->kind = RS_RO;
	}
}

/* ACS Control bit n is RW when ACS Capability bit n is set, else hardwired 0 (§7.7.8.3). */
static int judge_acs(const struct cfgattr_reg *r, uint16_t off, const struct cfgprobe_plan *p,
		     const struct cfgprobe_word *words, uint16_t acs_cap, cfgattr_verdict_fn fn,
		     void *arg)
{
	static const char *const names[] = {
		"PCI_ACS_CTRL bit 0 (Source Validation)", "PCI_ACS_CTRL bit 1 (Translation Blocking)",
		"PCI_ACS_CTRL bit 2 (P2P Request Redirect)", "PCI_ACS_CTRL bit 3 (P2P Completion Redirect)",
		"PCI_ACS_CTRL bit 4 (Upstream Forwarding)", "PCI_ACS_CTRL bit 5 (P2P Egress Control)",
		"PCI_ACS_CTRL bit 6 (Direct Translated P2P)",
	};
	int bad = 0;

	for (int bit = 0; bit < 7; bit++) {
		struct cfgattr_verdict v = { .reg = r->name, .field = names[bit], .spec = r->spec,
					     .mask = 1u << bit, .off = off };
		struct regattr_field fd = BITS(names[bit], 1u << bit, RA_RW);

		v.want = acs_cap & (1u << bit) ? RA_RW : RA_ZERO;
		set_key(&v, &fd);
		snprintf(v.cond, sizeof(v.cond), "ACSCap bit %d%c", bit,
			 acs_cap & (1u << bit) ? '+' : '-');
		cfgattr_seen(p, words, off, 2, 1u << bit, v.want, &v.seen, &v.reason);
		v.conforms = regattr_conforms(v.want, &v.seen);
		bad += !v.conforms;
		fn(&v, arg);
	}
	return bad;
}

static int judge_fields(const char *reg, const char *spec, const struct regattr_field *fields,
			int n, uint16_t off, uint8_t width, const struct regattr_ctx *c,
			const struct cfgprobe_plan *p, const struct cfgprobe_word *words,
			cfgattr_verdict_fn fn, void *arg)
{
	int bad = 0;

	for (int i = 0; i < n; i++) {
		const struct regattr_field *fd = &fields[i];
		struct cfgattr_verdict v = { .reg = reg, .field = fd->name, .spec = spec,
					     .mask = fd->mask, .off = off };

		v.want = regattr_expected(fd, c);
		if (v.want == RA_UNDEFINED)
			continue;
		set_key(&v, fd);
		regattr_cond_str(v.cond, sizeof(v.cond),
				 fd->zero_if && regattr_cond_holds(fd->zero_if, c) ? fd->zero_if
										   : fd->cond, c);
		cfgattr_seen(p, words, off, width, fd->mask, v.want, &v.seen, &v.reason);
		if (fd->flags & RA_F_OWN_CHECK)
			v.seen.kind = RS_NOT_PROBED;
		v.conforms = regattr_conforms(v.want, &v.seen);
		bad += !v.conforms;
		fn(&v, arg);
	}
	return bad;
}

/* regattr.c's Link and Slot tables, for a Downstream Port with a slot. */
static int judge_link_slot(const struct pci_func *f, const struct regattr_ctx *c,
			   const struct cfgprobe_plan *p, const struct cfgprobe_word *words,
			   cfgattr_verdict_fn fn, void *arg)
{
	int bad = 0;

	if (!is_downstream_port(f) || !f->slot_implemented)
		return 0;
	for (int i = 0; i < regattr_nregs; i++) {
		const struct regattr_reg *r = &regattr_regs[i];

		if (f->exp_vers < r->min_version)
			continue;
		bad += judge_fields(r->name, r->spec, r->fields, r->nfields,
				    (uint16_t)(f->exp_cap + r->offset), r->width, c, p, words, fn,
				    arg);
	}
	return bad;
}

int cfgattr_judge_func(const struct pci_func *f, const struct cfgprobe_plan *p,
		       const struct cfgprobe_word *words, cfgattr_verdict_fn fn, void *arg)
{
	struct regattr_ctx c;
	int bad = 0;

	cfgattr_ctx(f, &c);
	for (int i = 0; i < cfgattr_nregs; i++) {
		const struct cfgattr_reg *r = &cfgattr_regs[i];
		int at = cfgattr_locate(f, r);
		uint16_t off = (uint16_t)at;

		if (at < 0)
			continue;
		if (r->fields == acs_ctrl)
			bad += judge_acs(r, off, p, words, pci_cfg_read16(f->addr, off - 2), fn, arg);
		bad += judge_fields(r->name, r->spec, r->fields, r->nfields, off, r->width, &c, p,
				    words, fn, arg);
	}
	return bad + judge_link_slot(f, &c, p, words, fn, arg);
}

int cfgattr_probe_func(const struct pci_func *f, const struct cfgprobe_plan *p,
		       struct pcie_slot *slot, struct cfgprobe_word *words)
{
	int not_restored = 0;

	for (uint16_t off = 0; off < p->size; off += 2) {
		if (p->reason[off / 2] == CP_OUTSIDE) {
			memset(&words[off / 2], 0, sizeof(words[0]));
			words[off / 2].before = pci_cfg_read16(f->addr, off);
			continue;
		}
		cfgprobe_word(f->addr, off, p, slot, &words[off / 2]);
		not_restored += !words[off / 2].restored;
	}
	return not_restored;
}
