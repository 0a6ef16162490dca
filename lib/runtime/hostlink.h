/*
 * hostlink.h - the guest side of the host link (protocol SP1, README.md
 * "Host link"): machine-readable lines to the harness on COM2, each with a
 * sequence number; at a checkpoint the guest waits for the harness's
 * go-ahead, which also says how many migrations happened and on which side
 * the guest now runs.
 */
#ifndef LIB_HOSTLINK_H
#define LIB_HOSTLINK_H

#include <stdbool.h>
#include <stdint.h>
#include "contract.h"

#define HOSTLINK_PROTO CONTRACT_HOSTLINK_PROTO
#define HOSTLINK_LINE_MAX CONTRACT_HOSTLINK_LINE_MAX
/* "SP1": every line starts with it (the protocol number as text). */
#define HOSTLINK_STR_(x) #x
#define HOSTLINK_STR(x) HOSTLINK_STR_(x)
#define HOSTLINK_TAG "SP" HOSTLINK_STR(CONTRACT_HOSTLINK_PROTO)
/* Where a warm-start state is saved: set up, test selection not read yet. */
#define HOSTLINK_WARM_CHECKPOINT CONTRACT_WARM_CHECKPOINT

void hostlink_init(bool enabled, uint64_t go_timeout_ms);
bool hostlink_enabled(void);
void hostlink_set_go_timeout_ms(uint64_t ms);

/* "SP1 <seq> <verb> <formatted args>"; non-printable characters become '?'. */
void hostlink_send(const char *verb, const char *fmt, ...)
	__attribute__((format(__printf__, 2, 3)));

struct hostlink_go {
	unsigned int migrations;	/* successful migrations so far */
	bool on_destination;		/* side=dst */
	int qmp;			/* this checkpoint's QMP commands: -1 none ran,
					   0 one refused, 1 all accepted */
	unsigned int deleted;		/* DEVICE_DELETED events (with a device id) so far */
};

/*
 * Announce checkpoint @name and wait for the harness's go-ahead (deadline:
 * go_timeout_ms). Returns false on timeout. With the link off it returns
 * true at once, migrations unchanged.
 */
bool hostlink_checkpoint(const char *name, struct hostlink_go *go);

/* Sequence number of the last line sent (0 before any). */
unsigned int hostlink_seq(void);

/* What the last go-ahead said (0 / false before any). */
unsigned int hostlink_migrations(void);
bool hostlink_on_destination(void);
unsigned int hostlink_deleted(void);	/* DEVICE_DELETED events the host counted */

/* Parses one line from the harness; exposed for the host unit tests. */
bool hostlink_parse_go(const char *line, unsigned int expect_seq,
		       struct hostlink_go *go);

#endif
