/*
 * host_names.h - force-included when lib/ is built for the host unit tests.
 * The firmware's own printf family keeps its standard names in the EFI image;
 * on the host they are renamed so they never shadow the C library's.
 */
#define printf fw_printf
#define vprintf fw_vprintf
#define snprintf fw_snprintf
#define vsnprintf fw_vsnprintf
