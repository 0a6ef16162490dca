/*
 * args.h - the run's parameters: "<test> key=value ...", from fw_cfg or the
 * UEFI load options (lib/runtime/runtime.c chooses). Tests read them by key.
 */
#ifndef LIB_ARGS_H
#define LIB_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#define ARGS_MAX 32

/* Returns 0, or -1 with a one-line reason in @err. */
int args_parse(const char *line, char *err, int errlen);
const char *args_test(void);

const char *arg_str(const char *key, const char *def);
/* Decimal or 0x-hex; a malformed value ends the run as a set-up error. */
uint64_t arg_u64(const char *key, uint64_t def);
/* on/off, yes/no, 1/0, true/false. */
bool arg_bool(const char *key, bool def);
bool arg_present(const char *key);

/*
 * Checks every given key is in @known (space separated) or one of the
 * common keys; returns the first unknown one, or NULL.
 */
const char *args_unknown_key(const char *known);

/* The whole line as given, for the console and the host link. */
const char *args_line(void);

#endif
