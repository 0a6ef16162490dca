/*
 * pci_regs.h - PCI / PCI Express configuration space registers.
 *
 * Names follow Linux include/uapi/linux/pci_regs.h letter for letter, so a
 * reader can grep for PCI_EXP_SLTSTA_PDS here, in Linux and in QEMU alike.
 * Values are from the PCI Local Bus 3.0 and PCI Express Base 5.0 specifications.
 * Only what slotprobe uses is defined. Checked against Linux
 * include/uapi/linux/pci_regs.h (gregkh/linux 8f9b4933af54).
 *
 * This file and lib/pci/pci_regs.def are slotprobe's one register vocabulary:
 * pci_regs.def lists the registers (which space, how wide) by these macros,
 * C builds its name tables from it and the harness parses both files
 * (scripts/slotprobelib/pci_regs.py). Layout, as in Linux: a register at
 * "#define NAME", its fields at "#define  NAME" (two spaces), a field's
 * encoded values at "#define   NAME" (three spaces).
 *
 * Names Linux does not define are ours: they start with SLOTPROBE_ and sit
 * under their register like the rest (pciutils' names for two of them in
 * the comments); every other name here is Linux's.
 */
#ifndef LIB_PCI_REGS_H
#define LIB_PCI_REGS_H

/* Type 0/1 common header */
#define PCI_STD_HEADER_SIZEOF	64
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define  PCI_COMMAND_IO		0x1
#define  PCI_COMMAND_MEMORY	0x2
#define  PCI_COMMAND_MASTER	0x4
#define  PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS		0x06
#define  PCI_STATUS_CAP_LIST	0x10
#define PCI_CLASS_REVISION	0x08
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CLASS_DEVICE	0x0a
#define PCI_CACHE_LINE_SIZE	0x0c
#define PCI_LATENCY_TIMER	0x0d
#define PCI_HEADER_TYPE		0x0e
#define  PCI_HEADER_TYPE_MASK	0x7f
#define  PCI_HEADER_TYPE_NORMAL	0
#define  PCI_HEADER_TYPE_BRIDGE	1
#define  PCI_HEADER_TYPE_CARDBUS 2
#define  PCI_HEADER_TYPE_MFD	0x80
#define PCI_BIST		0x0f
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d

/* Type 0 (normal) header */
#define PCI_CARDBUS_CIS		0x28
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_ROM_ADDRESS		0x30
#define PCI_MIN_GNT		0x3e
#define PCI_MAX_LAT		0x3f

/* Type 1 (bridge) header */
#define PCI_PRIMARY_BUS		0x18
#define PCI_SECONDARY_BUS	0x19
#define PCI_SUBORDINATE_BUS	0x1a
#define PCI_SEC_LATENCY_TIMER	0x1b
#define PCI_IO_BASE		0x1c
#define PCI_IO_LIMIT		0x1d
#define PCI_SEC_STATUS		0x1e
#define PCI_MEMORY_BASE		0x20
#define PCI_MEMORY_LIMIT	0x22
#define PCI_PREF_MEMORY_BASE	0x24
#define PCI_PREF_MEMORY_LIMIT	0x26
#define PCI_PREF_BASE_UPPER32	0x28
#define PCI_PREF_LIMIT_UPPER32	0x2c
#define PCI_IO_BASE_UPPER16	0x30
#define PCI_IO_LIMIT_UPPER16	0x32
#define PCI_ROM_ADDRESS1	0x38
#define PCI_BRIDGE_CONTROL	0x3e
#define  PCI_BRIDGE_CTL_BUS_RESET 0x40	/* Secondary bus reset */

#define PCI_CLASS_BRIDGE_PCI	0x0604

/* Capability list entries */
#define PCI_CAP_LIST_ID		0
#define PCI_CAP_LIST_NEXT	1
#define PCI_CAP_ID_PM		0x01
#define PCI_CAP_ID_MSI		0x05
#define PCI_CAP_ID_VNDR		0x09
#define PCI_CAP_ID_SSVID	0x0d
#define PCI_CAP_ID_EXP		0x10
#define PCI_CAP_ID_MSIX		0x11

/* Power Management */
#define PCI_PM_PMC		2
#define PCI_PM_CTRL		4
#define  PCI_PM_CTRL_STATE_MASK	0x0003	/* Current power state (D0 to D3) */

/* MSI */
#define PCI_MSI_FLAGS		0x02
#define  PCI_MSI_FLAGS_ENABLE	0x0001
#define  PCI_MSI_FLAGS_64BIT	0x0080
#define  PCI_MSI_FLAGS_MASKBIT	0x0100
#define PCI_MSI_ADDRESS_LO	0x04
#define PCI_MSI_ADDRESS_HI	0x08
#define PCI_MSI_DATA_32		0x08
#define PCI_MSI_DATA_64		0x0c
#define PCI_MSI_MASK_32		0x0c
#define PCI_MSI_MASK_64		0x10
#define  PCI_MSI_FLAGS_QMASK	0x000e	/* Multiple Message Capable */
#define  PCI_MSI_FLAGS_QSIZE	0x0070	/* Multiple Message Enable */

/* MSI-X (PCI 3.0 §6.8.2) */
#define PCI_MSIX_FLAGS		0x02
#define  PCI_MSIX_FLAGS_QSIZE	0x07ff	/* Table Size - 1 */
#define  PCI_MSIX_FLAGS_MASKALL	0x4000
#define  PCI_MSIX_FLAGS_ENABLE	0x8000
#define PCI_MSIX_TABLE		0x04
#define  PCI_MSIX_TABLE_BIR	0x00000007
#define  PCI_MSIX_TABLE_OFFSET	0xfffffff8
#define PCI_MSIX_PBA		0x08
#define  PCI_MSIX_PBA_BIR	0x00000007
#define  PCI_MSIX_PBA_OFFSET	0xfffffff8
#define PCI_MSIX_ENTRY_SIZE		16
#define PCI_MSIX_ENTRY_LOWER_ADDR	0x0
#define PCI_MSIX_ENTRY_UPPER_ADDR	0x4
#define PCI_MSIX_ENTRY_DATA		0x8
#define PCI_MSIX_ENTRY_VECTOR_CTRL	0xc
#define  PCI_MSIX_ENTRY_CTRL_MASKBIT	0x1

/* Base Address Registers (0-1 in both header types, 2-5 in type 0) */
#define PCI_BASE_ADDRESS_0	0x10
#define PCI_BASE_ADDRESS_1	0x14
#define PCI_BASE_ADDRESS_2	0x18
#define PCI_BASE_ADDRESS_3	0x1c
#define PCI_BASE_ADDRESS_4	0x20
#define PCI_BASE_ADDRESS_5	0x24
#define  PCI_BASE_ADDRESS_SPACE_IO	0x01
#define  PCI_BASE_ADDRESS_MEM_TYPE_MASK	0x06
#define  PCI_BASE_ADDRESS_MEM_TYPE_64	0x04
#define  PCI_BASE_ADDRESS_MEM_MASK	(~0x0fULL)

/* PCI Express capability (PCIe r5.0 §7.5.3) */
#define PCI_EXP_FLAGS		0x02
#define  PCI_EXP_FLAGS_VERS	0x000f
#define  PCI_EXP_FLAGS_TYPE	0x00f0
#define   PCI_EXP_TYPE_ENDPOINT	   0x0
#define   PCI_EXP_TYPE_LEG_END	   0x1
#define   PCI_EXP_TYPE_ROOT_PORT   0x4
#define   PCI_EXP_TYPE_UPSTREAM	   0x5
#define   PCI_EXP_TYPE_DOWNSTREAM  0x6
#define   PCI_EXP_TYPE_PCI_BRIDGE  0x7
#define   PCI_EXP_TYPE_PCIE_BRIDGE 0x8
#define   PCI_EXP_TYPE_RC_END	   0x9
#define   PCI_EXP_TYPE_RC_EC	   0xa
#define  PCI_EXP_FLAGS_SLOT	0x0100
#define  PCI_EXP_FLAGS_IRQ	0x3e00
#define  PCI_EXP_FLAGS_FLIT	0x8000	/* Flit Mode Supported (r6.0) */
#define PCI_EXP_DEVCAP		0x04
#define PCI_EXP_DEVCTL		0x08
#define  PCI_EXP_DEVCTL_BCR_FLR	0x8000	/* Bridge Configuration Retry / FLR */
#define PCI_EXP_DEVSTA		0x0a
#define  PCI_EXP_DEVSTA_TRPND	0x0020
#define PCI_EXP_LNKCAP		0x0c
#define  PCI_EXP_LNKCAP_SLS	0x0000000f
#define  PCI_EXP_LNKCAP_MLW	0x000003f0
#define  PCI_EXP_LNKCAP_ASPMS	0x00000c00
#define  PCI_EXP_LNKCAP_L0SEL	0x00007000
#define  PCI_EXP_LNKCAP_L1EL	0x00038000
#define  PCI_EXP_LNKCAP_CLKPM	0x00040000
#define  PCI_EXP_LNKCAP_SDERC	0x00080000
#define  PCI_EXP_LNKCAP_DLLLARC	0x00100000
#define  PCI_EXP_LNKCAP_LBNC	0x00200000
#define  SLOTPROBE_EXP_LNKCAP_AOC 0x00400000	/* ours: ASPM Optionality Compliance (pciutils PCI_EXP_LNKCAP_AOC) */
#define  PCI_EXP_LNKCAP_PN	0xff000000
#define PCI_EXP_LNKCTL		0x10
#define  PCI_EXP_LNKCTL_ASPMC	0x0003
#define  PCI_EXP_LNKCTL_RCB	0x0008
#define  PCI_EXP_LNKCTL_LD	0x0010
#define  PCI_EXP_LNKCTL_RL	0x0020
#define  PCI_EXP_LNKCTL_CCC	0x0040
#define  PCI_EXP_LNKCTL_ES	0x0080
#define  PCI_EXP_LNKCTL_CLKREQ_EN 0x0100
#define  PCI_EXP_LNKCTL_HAWD	0x0200
#define  PCI_EXP_LNKCTL_LBMIE	0x0400
#define  PCI_EXP_LNKCTL_LABIE	0x0800
#define  SLOTPROBE_EXP_LNKCTL_FLIT_DIS 0x2000	/* ours: Flit Mode Disable (r6.0 §7.5.3.7) */
#define PCI_EXP_LNKSTA		0x12
#define  PCI_EXP_LNKSTA_CLS	0x000f
#define  PCI_EXP_LNKSTA_NLW	0x03f0
#define  PCI_EXP_LNKSTA_NLW_SHIFT 4
#define  SLOTPROBE_EXP_LNKSTA_TRERR 0x0400	/* ours: Link Training Error, undefined since r2.0 (pciutils PCI_EXP_LNKSTA_TR_ERR) */
#define  PCI_EXP_LNKSTA_LT	0x0800
#define  PCI_EXP_LNKSTA_SLC	0x1000
#define  PCI_EXP_LNKSTA_DLLLA	0x2000
#define  PCI_EXP_LNKSTA_LBMS	0x4000
#define  PCI_EXP_LNKSTA_LABS	0x8000
#define PCI_EXP_SLTCAP		0x14
#define  PCI_EXP_SLTCAP_ABP	0x00000001
#define  PCI_EXP_SLTCAP_PCP	0x00000002
#define  PCI_EXP_SLTCAP_MRLSP	0x00000004
#define  PCI_EXP_SLTCAP_AIP	0x00000008
#define  PCI_EXP_SLTCAP_PIP	0x00000010
#define  PCI_EXP_SLTCAP_HPS	0x00000020
#define  PCI_EXP_SLTCAP_HPC	0x00000040
#define  PCI_EXP_SLTCAP_SPLV	0x00007f80
#define  PCI_EXP_SLTCAP_SPLS	0x00018000
#define  PCI_EXP_SLTCAP_EIP	0x00020000
#define  PCI_EXP_SLTCAP_NCCS	0x00040000
#define  PCI_EXP_SLTCAP_PSN	0xfff80000
#define PCI_EXP_SLTCTL		0x18
#define  PCI_EXP_SLTCTL_ABPE	0x0001
#define  PCI_EXP_SLTCTL_PFDE	0x0002
#define  PCI_EXP_SLTCTL_MRLSCE	0x0004
#define  PCI_EXP_SLTCTL_PDCE	0x0008
#define  PCI_EXP_SLTCTL_CCIE	0x0010
#define  PCI_EXP_SLTCTL_HPIE	0x0020
#define  PCI_EXP_SLTCTL_AIC	0x00c0
#define  PCI_EXP_SLTCTL_ATTN_IND_SHIFT 6
#define  PCI_EXP_SLTCTL_ATTN_IND_ON    0x0040
#define  PCI_EXP_SLTCTL_ATTN_IND_BLINK 0x0080
#define  PCI_EXP_SLTCTL_ATTN_IND_OFF   0x00c0
#define  PCI_EXP_SLTCTL_PIC	0x0300
#define  PCI_EXP_SLTCTL_PWR_IND_ON     0x0100
#define  PCI_EXP_SLTCTL_PWR_IND_BLINK  0x0200
#define  PCI_EXP_SLTCTL_PWR_IND_OFF    0x0300
#define  PCI_EXP_SLTCTL_PCC	0x0400
#define  PCI_EXP_SLTCTL_PWR_ON         0x0000
#define  PCI_EXP_SLTCTL_PWR_OFF        0x0400
#define  PCI_EXP_SLTCTL_EIC	0x0800
#define  PCI_EXP_SLTCTL_DLLSCE	0x1000
#define  PCI_EXP_SLTCTL_ASPL_DISABLE	0x2000
#define  PCI_EXP_SLTCTL_IBPD_DISABLE	0x4000
#define PCI_EXP_SLTSTA		0x1a
#define  PCI_EXP_SLTSTA_ABP	0x0001
#define  PCI_EXP_SLTSTA_PFD	0x0002
#define  PCI_EXP_SLTSTA_MRLSC	0x0004
#define  PCI_EXP_SLTSTA_PDC	0x0008
#define  PCI_EXP_SLTSTA_CC	0x0010
#define  PCI_EXP_SLTSTA_MRLSS	0x0020
#define  PCI_EXP_SLTSTA_PDS	0x0040
#define  PCI_EXP_SLTSTA_EIS	0x0080
#define  PCI_EXP_SLTSTA_DLLSC	0x0100
#define PCI_EXP_RTCTL		0x1c
#define PCI_EXP_RTCAP		0x1e
#define PCI_EXP_RTSTA		0x20
#define PCI_EXP_DEVCAP2		0x24
#define PCI_EXP_DEVCTL2		0x28
#define PCI_EXP_DEVSTA2		0x2a
#define PCI_EXP_LNKCAP2		0x2c
#define  PCI_EXP_LNKCAP2_SLS	0x000000fe
#define  PCI_EXP_LNKCAP2_CROSSLINK 0x00000100
#define  SLOTPROBE_EXP_LNKCAP2_DRS 0x80000000	/* ours: DRS Supported (r5.0 §7.5.3.18) */
#define PCI_EXP_LNKCTL2		0x30
#define  PCI_EXP_LNKCTL2_TLS	0x000f
#define  PCI_EXP_LNKCTL2_ENTER_COMP 0x0010
#define  PCI_EXP_LNKCTL2_HASD	0x0020
#define  PCI_EXP_LNKCTL2_TX_MARGIN 0x0380
#define  SLOTPROBE_EXP_LNKCTL2_EMC 0x0400	/* ours: Enter Modified Compliance (r5.0 §7.5.3.19) */
#define PCI_EXP_LNKSTA2		0x32
#define  PCI_EXP_LNKSTA2_FLIT	0x0400	/* Flit Mode Status (r6.0) */
#define  SLOTPROBE_EXP_LNKSTA2_EQC  0x0002	/* ours: Equalization 8.0 GT/s Complete (r5.0 §7.5.3.20) */
#define  SLOTPROBE_EXP_LNKSTA2_EQC1 0x0004	/* ours: ... Phase 1 Successful */
#define  SLOTPROBE_EXP_LNKSTA2_EQC2 0x0008	/* ours: ... Phase 2 Successful */
#define  SLOTPROBE_EXP_LNKSTA2_EQC3 0x0010	/* ours: ... Phase 3 Successful */
#define  SLOTPROBE_EXP_LNKSTA2_LER  0x0020	/* ours: Link Equalization Request 8.0 GT/s */
#define PCI_EXP_SLTCAP2		0x34
#define  PCI_EXP_SLTCAP2_IBPD	0x00000001
#define PCI_EXP_SLTCTL2		0x38
#define PCI_EXP_SLTSTA2		0x3a

/* Extended capabilities (PCIe r5.0 §7.6.3), from offset 0x100 */
#define PCI_CFG_SPACE_SIZE	256
#define PCI_CFG_SPACE_EXP_SIZE	4096
#define PCI_EXT_CAP_ID(header)	((header) & 0x0000ffff)
#define PCI_EXT_CAP_VER(header)	(((header) >> 16) & 0xf)
#define PCI_EXT_CAP_NEXT(header) (((header) >> 20) & 0xffc)
#define PCI_EXT_CAP_ID_ERR	0x01
#define PCI_EXT_CAP_ID_VC	0x02
#define PCI_EXT_CAP_ID_DSN	0x03
#define PCI_EXT_CAP_ID_ACS	0x0d
#define PCI_EXT_CAP_ID_ARI	0x0e

/* Advanced Error Reporting */
#define PCI_ERR_UNCOR_STATUS	0x04
#define PCI_ERR_UNCOR_MASK	0x08
#define PCI_ERR_UNCOR_SEVER	0x0c
#define PCI_ERR_COR_STATUS	0x10
#define PCI_ERR_COR_MASK	0x14
#define PCI_ERR_CAP		0x18
#define PCI_ERR_ROOT_COMMAND	0x2c
#define PCI_ERR_ROOT_STATUS	0x30
#define PCI_ERR_ROOT_ERR_SRC	0x34

/* Access Control Services */
#define PCI_ACS_CAP		0x04
#define PCI_ACS_CTRL		0x06

#endif
