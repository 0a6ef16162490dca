/*
 * pci.c - configuration access (ECAM, or port I/O), addresses, capability
 * walks, enumeration and the listing (see pci.h).
 */
#include "hw.h"
#include "libc.h"
#include "pci.h"
#include "pci_regs.h"
#include "printf.h"

/* ---- configuration access ---- */

enum cfg_method { CFG_NONE, CFG_ECAM, CFG_PORTIO };

static enum cfg_method method;
static struct ecam_window windows[PCI_MAX_ECAM_WINDOWS];
static int nwindows;

/* Port I/O reaches segment 0, every bus, the first 256 bytes. */
static const struct ecam_window portio_window = { 0, 0, 0x00, 0xff };

/* Config mechanism #1 (PCI Local Bus 3.0 §3.2.2.3.2). */
#define PCI_CONF1_ADDRESS	0xcf8
#define PCI_CONF1_DATA		0xcfc
#define PCI_CONF1_ENABLE	0x80000000u

void pci_cfg_use_ecam(const struct ecam_window *w, int count)
{
	if (count > PCI_MAX_ECAM_WINDOWS)
		count = PCI_MAX_ECAM_WINDOWS;
	if (count < 0)
		count = 0;
	memcpy(windows, w, count * sizeof(*w));
	nwindows = count;
	method = CFG_ECAM;
}

void pci_cfg_use_portio(void)
{
	nwindows = 0;
	method = CFG_PORTIO;
}

bool pci_cfg_has_extended(void)
{
	return method == CFG_ECAM;
}

int pci_cfg_windows(const struct ecam_window **w)
{
	if (method == CFG_PORTIO) {
		*w = &portio_window;
		return 1;
	}
	*w = windows;
	return method == CFG_ECAM ? nwindows : 0;
}

static const struct ecam_window *ecam_window_for(struct pci_bdf d)
{
	for (int i = 0; i < nwindows; i++)
		if (windows[i].seg == d.seg && d.bus >= windows[i].bus_start &&
		    d.bus <= windows[i].bus_end)
			return &windows[i];
	return NULL;
}

/* Natural alignment, and the whole access inside the function's space. */
static bool offset_ok(uint16_t off, int size, unsigned int space)
{
	return (off & (size - 1)) == 0 && (unsigned int)off + size <= space;
}

/* PCIe r5.0 §7.2.2: ECAM address = base + (bus << 20 | device << 15 | function << 12 | offset). */
static bool ecam_address(struct pci_bdf d, uint16_t off, int size, uint64_t *addr)
{
	const struct ecam_window *w = ecam_window_for(d);

	if (!w || !offset_ok(off, size, PCI_CFG_SPACE_EXP_SIZE))
		return false;
	*addr = w->base + ((uint64_t)d.bus << 20 | (uint64_t)d.devfn << 12 | off);
	return true;
}

/* Selects the dword in 0xCF8; returns the data port for the bytes wanted. */
static bool portio_select(struct pci_bdf d, uint16_t off, int size, uint16_t *port)
{
	if (d.seg != 0 || !offset_ok(off, size, PCI_CFG_SPACE_SIZE))
		return false;
	outl(PCI_CONF1_ADDRESS, PCI_CONF1_ENABLE | (uint32_t)d.bus << 16 |
	     (uint32_t)d.devfn << 8 | (off & 0xfc));
	*port = PCI_CONF1_DATA + (off & 3);
	return true;
}

static uint32_t all_ones(int size)
{
	return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

static uint32_t cfg_read(struct pci_bdf d, uint16_t off, int size)
{
	uint64_t addr;
	uint16_t port;

	if (method == CFG_ECAM && ecam_address(d, off, size, &addr)) {
		switch (size) {
		case 1: return mmio_read8(addr);
		case 2: return mmio_read16(addr);
		default: return mmio_read32(addr);
		}
	}
	if (method == CFG_PORTIO && portio_select(d, off, size, &port)) {
		switch (size) {
		case 1: return inb(port);
		case 2: return inw(port);
		default: return inl(port);
		}
	}
	return all_ones(size);
}

static void cfg_write(struct pci_bdf d, uint16_t off, int size, uint32_t val)
{
	uint64_t addr;
	uint16_t port;

	if (method == CFG_ECAM && ecam_address(d, off, size, &addr)) {
		switch (size) {
		case 1: mmio_write8(addr, val); break;
		case 2: mmio_write16(addr, val); break;
		default: mmio_write32(addr, val); break;
		}
	} else if (method == CFG_PORTIO && portio_select(d, off, size, &port)) {
		switch (size) {
		case 1: outb(port, val); break;
		case 2: outw(port, val); break;
		default: outl(port, val); break;
		}
	}
}

uint8_t pci_cfg_read8(struct pci_bdf d, uint16_t off) { return cfg_read(d, off, 1); }
uint16_t pci_cfg_read16(struct pci_bdf d, uint16_t off) { return cfg_read(d, off, 2); }
uint32_t pci_cfg_read32(struct pci_bdf d, uint16_t off) { return cfg_read(d, off, 4); }
void pci_cfg_write8(struct pci_bdf d, uint16_t off, uint8_t val) { cfg_write(d, off, 1, val); }
void pci_cfg_write16(struct pci_bdf d, uint16_t off, uint16_t val) { cfg_write(d, off, 2, val); }
void pci_cfg_write32(struct pci_bdf d, uint16_t off, uint32_t val) { cfg_write(d, off, 4, val); }

uint16_t pci_vendor(struct pci_bdf d)
{
	return pci_cfg_read16(d, PCI_VENDOR_ID);
}

bool pci_func_present(struct pci_bdf d)
{
	uint16_t v = pci_vendor(d);

	return v != 0xffff && v != 0x0000;
}

/* ---- addresses ---- */

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 1 to @max_digits hex digits at *s; advances *s. */
static bool parse_hex(const char **s, int max_digits, unsigned int *out)
{
	int n = 0;

	*out = 0;
	while (n < max_digits && hex_digit(**s) >= 0) {
		*out = *out << 4 | hex_digit(**s);
		(*s)++;
		n++;
	}
	return n > 0;
}

static bool expect(const char **s, char c)
{
	if (**s != c)
		return false;
	(*s)++;
	return true;
}

int pci_bdf_parse(const char *s, struct pci_bdf *out)
{
	unsigned int f[3], fn, seg = 0, bus, dev;

	if (!parse_hex(&s, 4, &f[0]) || !expect(&s, ':') || !parse_hex(&s, 4, &f[1]))
		return -1;
	if (expect(&s, ':')) {
		if (!parse_hex(&s, 2, &f[2]))
			return -1;
		seg = f[0];
		bus = f[1];
		dev = f[2];
	} else {
		bus = f[0];
		dev = f[1];
	}
	if (!expect(&s, '.') || !parse_hex(&s, 1, &fn) || *s != '\0')
		return -1;
	if (seg > 0xffff || bus > 0xff || dev > 0x1f || fn > 7)
		return -1;
	*out = pci_bdf(seg, bus, dev, fn);
	return 0;
}

const char *pci_bdf_str(struct pci_bdf d, char *buf)
{
	if (d.seg)
		snprintf(buf, 16, "%04x:%02x:%02x.%x", d.seg, d.bus, PCI_SLOT(d.devfn),
			 PCI_FUNC(d.devfn));
	else
		snprintf(buf, 16, "%02x:%02x.%x", d.bus, PCI_SLOT(d.devfn), PCI_FUNC(d.devfn));
	return buf;
}

/* ---- capability lists ---- */

/* A standard list holds at most 48 capabilities ((256 - 64) / 4). */
#define PCI_CAP_MAX_HOPS	48
/* Linux's bound for the extended list: (4096 - 256) / 8. */
#define PCI_EXT_CAP_MAX_HOPS	((PCI_CFG_SPACE_EXP_SIZE - PCI_CFG_SPACE_SIZE) / 8)
#define PCI_STD_HEADER_SIZE	0x40

static bool cap_ptr_ok(const struct pci_cap_iter *it, uint16_t ptr)
{
	if (it->extended)
		return ptr >= PCI_CFG_SPACE_SIZE && ptr < PCI_CFG_SPACE_EXP_SIZE;
	return ptr >= PCI_STD_HEADER_SIZE && ptr < PCI_CFG_SPACE_SIZE;
}

static bool stop_walk(struct pci_cap_iter *it, enum pci_cap_stop why, uint16_t at)
{
	it->fault.stop = why;
	it->fault.from = it->pos;
	it->fault.at = at;
	it->next = 0;
	return false;
}

void pci_cap_iter_init(struct pci_cap_iter *it, struct pci_bdf d, bool extended)
{
	uint16_t status;

	memset(it, 0, sizeof(*it));
	it->dev = d;
	it->extended = extended;
	it->fault.extended = extended;
	if (extended) {
		uint32_t header;

		if (!pci_cfg_has_extended())
			return;
		/* PCIe r5.0 §7.6.3: a header of 0 at 0x100 means no extended caps. */
		header = pci_cfg_read32(d, PCI_CFG_SPACE_SIZE);
		if (header != 0 && header != 0xffffffff)
			it->next = PCI_CFG_SPACE_SIZE;
		return;
	}
	status = pci_cfg_read16(d, PCI_STATUS);
	if (status == 0xffff || !(status & PCI_STATUS_CAP_LIST))
		return;
	/* PCI 3.0 §6.7: the bottom two bits of every pointer are reserved. */
	it->next = pci_cfg_read8(d, PCI_CAPABILITY_LIST) & ~3;
	if (it->next && !cap_ptr_ok(it, it->next))
		stop_walk(it, PCI_CAP_STOP_BAD_PTR, it->next);
}

static bool seen_before(struct pci_cap_iter *it, uint16_t pos)
{
	unsigned int bit = pos / 4;
	bool seen = it->seen[bit / 8] & (1u << (bit % 8));

	it->seen[bit / 8] |= 1u << (bit % 8);
	return seen;
}

bool pci_cap_iter_next(struct pci_cap_iter *it)
{
	uint16_t pos = it->next, next;
	int max_hops = it->extended ? PCI_EXT_CAP_MAX_HOPS : PCI_CAP_MAX_HOPS;

	if (!pos)
		return false;
	if (seen_before(it, pos))
		return stop_walk(it, PCI_CAP_STOP_LOOP, pos);
	if (++it->hops > max_hops)
		return stop_walk(it, PCI_CAP_STOP_TOO_LONG, pos);
	if (it->extended) {
		uint32_t header = pci_cfg_read32(it->dev, pos);

		if (header == 0xffffffff)
			return stop_walk(it, PCI_CAP_STOP_ALL_ONES, pos);
		it->id = PCI_EXT_CAP_ID(header);
		it->version = PCI_EXT_CAP_VER(header);
		next = PCI_EXT_CAP_NEXT(header);
	} else {
		uint16_t header = pci_cfg_read16(it->dev, pos);

		if ((header & 0xff) == 0xff)
			return stop_walk(it, PCI_CAP_STOP_ALL_ONES, pos);
		it->id = header & 0xff;
		it->version = 0;
		next = (header >> 8) & ~3;
	}
	it->pos = pos;
	it->next = next;
	if (next && !cap_ptr_ok(it, next))
		stop_walk(it, PCI_CAP_STOP_BAD_PTR, next);
	return true;	/* this capability is good even if its pointer is not */
}

uint8_t pci_find_cap(struct pci_bdf d, uint8_t cap_id)
{
	struct pci_cap_iter it;

	pci_cap_iter_init(&it, d, false);
	while (pci_cap_iter_next(&it))
		if (it.id == cap_id)
			return it.pos;
	return 0;
}

uint16_t pci_find_ext_cap(struct pci_bdf d, uint16_t cap_id)
{
	struct pci_cap_iter it;

	pci_cap_iter_init(&it, d, true);
	while (pci_cap_iter_next(&it))
		if (it.id == cap_id)
			return it.pos;
	return 0;
}

const char *pci_cap_fault_str(const struct pci_cap_fault *f, char *buf, size_t len)
{
	const char *list = f->extended ? "extended capability" : "capability";

	switch (f->stop) {
	case PCI_CAP_STOP_LOOP:
		snprintf(buf, len, "%s list loops at 0x%x", list, f->at);
		break;
	case PCI_CAP_STOP_BAD_PTR:
		if (f->from)
			snprintf(buf, len, "%s at 0x%x points to 0x%x, outside 0x%x..0x%x",
				 list, f->from, f->at, f->extended ? 0x100 : 0x40,
				 f->extended ? 0xfff : 0xff);
		else
			snprintf(buf, len, "%s pointer 0x%x inside the header", list, f->at);
		break;
	case PCI_CAP_STOP_ALL_ONES:
		snprintf(buf, len, "%s at 0x%x reads all ones", list, f->at);
		break;
	case PCI_CAP_STOP_TOO_LONG:
		snprintf(buf, len, "%s list longer than the space can hold (at 0x%x)",
			 list, f->at);
		break;
	default:
		return NULL;
	}
	return buf;
}

/* ---- enumeration ---- */

struct enum_state {
	struct pci_topology *t;
	uint8_t scanned[256 / 8];	/* buses of the current segment already scanned */
};

static bool bus_scanned(struct enum_state *s, uint8_t bus)
{
	return s->scanned[bus / 8] & (1u << (bus % 8));
}

static void mark_bus_scanned(struct enum_state *s, uint8_t bus)
{
	s->scanned[bus / 8] |= 1u << (bus % 8);
}

/* Walks both lists: finds the PCI Express capability, records faults. */
static void read_caps(struct pci_func *f)
{
	struct pci_cap_iter it;

	pci_cap_iter_init(&it, f->addr, false);
	while (pci_cap_iter_next(&it))
		if (it.id == PCI_CAP_ID_EXP && !f->exp_cap)
			f->exp_cap = it.pos;
	f->cap_fault = it.fault;

	pci_cap_iter_init(&it, f->addr, true);
	while (pci_cap_iter_next(&it))
		;
	f->ext_cap_fault = it.fault;
}

/* PCIe r5.0 §7.5.3.2: PCI Express Capabilities Register. */
static void read_exp_flags(struct pci_func *f)
{
	uint16_t flags;

	if (!f->exp_cap)
		return;
	flags = pci_cfg_read16(f->addr, f->exp_cap + PCI_EXP_FLAGS);
	f->exp_vers = flags & PCI_EXP_FLAGS_VERS;
	f->exp_type = (flags & PCI_EXP_FLAGS_TYPE) >> 4;
	f->slot_implemented = flags & PCI_EXP_FLAGS_SLOT;
}

static void read_func(struct pci_func *f, struct pci_bdf d, int parent)
{
	uint32_t id = pci_cfg_read32(d, PCI_VENDOR_ID);
	uint8_t header_type = pci_cfg_read8(d, PCI_HEADER_TYPE);

	memset(f, 0, sizeof(*f));
	f->addr = d;
	f->vendor = id & 0xffff;
	f->device = id >> 16;
	f->class_rev = pci_cfg_read32(d, PCI_CLASS_REVISION);
	f->header_type = header_type & PCI_HEADER_TYPE_MASK;
	f->multifunction = header_type & PCI_HEADER_TYPE_MFD;
	f->parent = parent;
	if (f->header_type == PCI_HEADER_TYPE_BRIDGE) {
		f->sec_bus = pci_cfg_read8(d, PCI_SECONDARY_BUS);
		f->sub_bus = pci_cfg_read8(d, PCI_SUBORDINATE_BUS);
	}
	read_caps(f);
	read_exp_flags(f);
}

bool pci_func_is_bridge(const struct pci_func *f)
{
	return f->header_type == PCI_HEADER_TYPE_BRIDGE;
}

/*
 * Whether a bridge's secondary bus can be scanned: the bus numbers must
 * describe a bus below the bridge, inside the range its parent forwards
 * (up to @hi: PCI-PCI Bridge 1.2 §3.2.5.3-5), not a bus scanned already.
 */
static uint8_t bridge_check(struct enum_state *s, const struct pci_func *f, uint8_t hi)
{
	if (f->sec_bus == 0)
		return PCI_BRIDGE_SEC_ZERO;
	if (f->sec_bus <= f->addr.bus)
		return PCI_BRIDGE_SEC_NOT_ABOVE;
	if (f->sec_bus > hi)
		return PCI_BRIDGE_SEC_OUTSIDE;
	if (f->sub_bus < f->sec_bus)
		return PCI_BRIDGE_SUB_BELOW_SEC;
	if (bus_scanned(s, f->sec_bus))
		return PCI_BRIDGE_BUS_SEEN;
	return PCI_BRIDGE_OK;
}

static void scan_bus(struct enum_state *s, uint16_t seg, uint8_t bus, int parent,
		     uint8_t hi);

/* Records one function; follows it if it is a bridge. */
static void add_func(struct enum_state *s, struct pci_bdf d, int parent, uint8_t hi)
{
	struct pci_topology *t = s->t;
	struct pci_func *f;
	int index;

	if (t->count == PCI_MAX_FUNCS) {
		t->truncated = true;
		return;
	}
	index = t->count++;
	f = &t->funcs[index];
	read_func(f, d, parent);
	if (!pci_func_is_bridge(f))
		return;
	f->bridge_problem = bridge_check(s, f, hi);
	if (f->bridge_problem == PCI_BRIDGE_OK)
		scan_bus(s, d.seg, f->sec_bus, index, f->sub_bus < hi ? f->sub_bus : hi);
}

/*
 * Device 0..31, function 0, then 1..7 only when function 0 says it is
 * multifunction (PCI 3.0 §6.2.1). Child bridges' secondary buses must lie
 * in (bus, hi]: the range the bridge above this bus forwards.
 */
static void scan_bus(struct enum_state *s, uint16_t seg, uint8_t bus, int parent,
		     uint8_t hi)
{
	mark_bus_scanned(s, bus);
	for (int dev = 0; dev < 32; dev++) {
		struct pci_bdf d0 = pci_bdf(seg, bus, dev, 0);
		bool multi;

		if (!pci_func_present(d0))
			continue;
		multi = pci_cfg_read8(d0, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MFD;
		add_func(s, d0, parent, hi);
		for (int fn = 1; multi && fn < 8; fn++) {
			struct pci_bdf d = pci_bdf(seg, bus, dev, fn);

			if (pci_func_present(d))
				add_func(s, d, parent, hi);
		}
	}
}

int pci_enumerate(struct pci_topology *t)
{
	const struct ecam_window *w;
	int n = pci_cfg_windows(&w);
	struct enum_state s = { .t = t };

	t->count = 0;
	t->truncated = false;
	/*
	 * Enumeration never leaves a window (child buses stay within the
	 * parent's range), and MCFG windows do not overlap, so each window
	 * starts with a clean record of scanned buses.
	 */
	for (int i = 0; i < n; i++) {
		memset(s.scanned, 0, sizeof(s.scanned));
		scan_bus(&s, w[i].seg, w[i].bus_start, -1, w[i].bus_end);
	}
	return t->count;
}

static bool same_bdf(struct pci_bdf a, struct pci_bdf b)
{
	return a.seg == b.seg && a.bus == b.bus && a.devfn == b.devfn;
}

const struct pci_func *pci_topology_find(const struct pci_topology *t, struct pci_bdf d)
{
	for (int i = 0; i < t->count; i++)
		if (same_bdf(t->funcs[i].addr, d))
			return &t->funcs[i];
	return NULL;
}

/* ---- names and the listing ---- */

const char *pci_exp_type_name(uint8_t type)
{
	/* PCIe r5.0 §7.5.3.2, Device/Port Type; words as lspci prints them. */
	switch (type) {
	case PCI_EXP_TYPE_ENDPOINT:	return "PCIe Endpoint";
	case PCI_EXP_TYPE_LEG_END:	return "Legacy Endpoint";
	case PCI_EXP_TYPE_ROOT_PORT:	return "PCIe Root Port";
	case PCI_EXP_TYPE_UPSTREAM:	return "Upstream Port";
	case PCI_EXP_TYPE_DOWNSTREAM:	return "Downstream Port";
	case PCI_EXP_TYPE_PCI_BRIDGE:	return "PCIe to PCI/PCI-X Bridge";
	case PCI_EXP_TYPE_PCIE_BRIDGE:	return "PCI/PCI-X to PCIe Bridge";
	case PCI_EXP_TYPE_RC_END:	return "Root Complex Integrated Endpoint";
	case PCI_EXP_TYPE_RC_EC:	return "Root Complex Event Collector";
	default:			return "unknown PCIe type";
	}
}

const char *pci_bridge_problem_str(uint8_t problem)
{
	switch (problem) {
	case PCI_BRIDGE_OK:		return "ok";
	case PCI_BRIDGE_SEC_ZERO:	return "secondary bus 0 (not configured)";
	case PCI_BRIDGE_SEC_NOT_ABOVE:	return "secondary bus not above its own bus";
	case PCI_BRIDGE_SEC_OUTSIDE:	return "secondary bus outside the range forwarded to it";
	case PCI_BRIDGE_SUB_BELOW_SEC:	return "subordinate bus below secondary bus";
	case PCI_BRIDGE_BUS_SEEN:	return "secondary bus already scanned";
	default:			return "unknown problem";
	}
}

const char *pci_func_describe(const struct pci_func *f, char *buf, size_t len)
{
	char bdf[16];

	if (f->exp_cap)
		snprintf(buf, len, "%s [%04x:%04x] class %04x %s%s", pci_bdf_str(f->addr, bdf),
			 f->vendor, f->device, f->class_rev >> 16,
			 pci_exp_type_name(f->exp_type), f->slot_implemented ? ", slot" : "");
	else
		snprintf(buf, len, "%s [%04x:%04x] class %04x conventional PCI",
			 pci_bdf_str(f->addr, bdf), f->vendor, f->device, f->class_rev >> 16);
	return buf;
}

static bool same_root_bus(const struct pci_func *a, const struct pci_func *b)
{
	return a->addr.seg == b->addr.seg && a->addr.bus == b->addr.bus;
}

/* Is @i the last function listed under its parent (or on its root bus)? */
static bool last_sibling(const struct pci_topology *t, int i)
{
	for (int j = i + 1; j < t->count; j++) {
		if (t->funcs[j].parent != t->funcs[i].parent)
			continue;
		if (t->funcs[i].parent >= 0 || same_root_bus(&t->funcs[i], &t->funcs[j]))
			return false;
	}
	return true;
}

/* The tree's left margin for @i: "| " or "  " per ancestor, outermost first. */
static void tree_margin(const struct pci_topology *t, int i, char *buf, size_t len)
{
	int chain[256], depth = 0;
	size_t pos = 0;

	for (int p = t->funcs[i].parent; p >= 0 && depth < 256; p = t->funcs[p].parent)
		chain[depth++] = p;
	while (depth-- > 0 && pos + 3 < len) {
		memcpy(buf + pos, last_sibling(t, chain[depth]) ? "  " : "| ", 2);
		pos += 2;
	}
	buf[pos] = '\0';
}

/* A root bus gets a "[seg:bus]" line before its first function. */
static bool first_on_root_bus(const struct pci_topology *t, int i)
{
	if (t->funcs[i].parent >= 0)
		return false;
	for (int j = 0; j < i; j++)
		if (t->funcs[j].parent < 0 && same_root_bus(&t->funcs[j], &t->funcs[i]))
			return false;
	return true;
}

static void print_tree_line(const struct pci_topology *t, int i)
{
	const struct pci_func *f = &t->funcs[i];
	char margin[80];

	if (first_on_root_bus(t, i))
		printf("[%04x:%02x]\n", f->addr.seg, f->addr.bus);
	tree_margin(t, i, margin, sizeof(margin));
	printf("%s%s%02x.%x [%04x:%04x]", margin, last_sibling(t, i) ? "\\-" : "+-",
	       PCI_SLOT(f->addr.devfn), PCI_FUNC(f->addr.devfn), f->vendor, f->device);
	if (pci_func_is_bridge(f))
		printf(" -[%02x-%02x]%s", f->sec_bus, f->sub_bus,
		       f->bridge_problem ? " (not followed)" : "");
	printf("\n");
}

static void print_faults(const struct pci_func *f)
{
	char bdf[16], msg[96];

	pci_bdf_str(f->addr, bdf);
	if (pci_func_is_bridge(f) && f->bridge_problem)
		printf("  %s: bridge to buses %02x-%02x not followed: %s\n", bdf,
		       f->sec_bus, f->sub_bus, pci_bridge_problem_str(f->bridge_problem));
	if (pci_cap_fault_str(&f->cap_fault, msg, sizeof(msg)))
		printf("  %s: %s\n", bdf, msg);
	if (pci_cap_fault_str(&f->ext_cap_fault, msg, sizeof(msg)))
		printf("  %s: %s\n", bdf, msg);
}

void pci_print_topology(const struct pci_topology *t)
{
	char line[128];

	for (int i = 0; i < t->count; i++)
		print_tree_line(t, i);
	for (int i = 0; i < t->count; i++) {
		printf("%s\n", pci_func_describe(&t->funcs[i], line, sizeof(line)));
		print_faults(&t->funcs[i]);
	}
	if (t->truncated)
		printf("  (listing truncated at %d functions)\n", PCI_MAX_FUNCS);
}
