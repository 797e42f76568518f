// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * icount.so: a QEMU TCG plugin for `make bench`. It counts the instructions
 * the emulated machine executes, all of it (Xen, Dom0 and its backend, the
 * guest, every vCPU), and writes the running total to a file each time a
 * guest program executes the marker, an 8-byte NOP that no compiler emits:
 * nopl 0x46445845(%rax,%rax,1), bytes 0f 1f 84 00 45 58 44 46 (padding
 * NOPs have a displacement of 0). A time depends on whatever else the host
 * runs; a count of instructions does not, so the instructions between two
 * marks, per flip, compare the drivers on a busy host too.
 *
 * Usage: qemu-system-x86_64 -plugin icount.so,out=FILE[,prof=PROF] ...
 * FILE gets a line "N TOTAL" at each mark, N counting from 1. PROF, the
 * profile, gets at each mark a line "N VADDR COUNT" for each block that
 * ran since the mark before: the instructions it executed, by the virtual
 * address it starts at (scripts/bench-profile.py names the functions).
 *
 * Each translated block adds to its own execution counter (an inline add,
 * no call), and a mark sums counter times instructions over every block
 * translated so far: one counter for all would be a cache line the vCPU
 * threads fight over, and lose counts in their races. Two vCPUs running
 * the same block at the same time may still lose one now and then. A
 * block is counted whole when it starts.
 *
 * QEMU 7.2 (Debian 12) has the plugin API, version 1, but Debian ships no
 * qemu-plugin.h: the declarations below are those of the calls used.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;
struct qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags {
	QEMU_PLUGIN_CB_NO_REGS,
	QEMU_PLUGIN_CB_R_REGS,
	QEMU_PLUGIN_CB_RW_REGS,
};
enum qemu_plugin_op {
	QEMU_PLUGIN_INLINE_ADD_U64,
};
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
					       struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index,
					    void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
						 size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags,
					    void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
				    qemu_plugin_udata_cb_t cb, void *userdata);

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

static const unsigned char marker[8] = {
	0x0f, 0x1f, 0x84, 0x00, 0x45, 0x58, 0x44, 0x46,
};

/*
 * A translated block: how often it started, its instructions, where it
 * starts, and how often it had started at the last mark (for the profile).
 */
struct block {
	uint64_t execs;
	uint64_t insns;
	uint64_t vaddr;
	uint64_t last;
};

/* Blocks are never freed: a block flushed from QEMU's cache keeps its count. */
#define CHUNK_BLOCKS 4096
struct chunk {
	struct chunk *next;
	size_t used;
	struct block b[CHUNK_BLOCKS];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct chunk *chunks;
static FILE *out, *prof;
static unsigned long marks;

/*
 * A block left uncounted would make every total after it too low, with
 * nothing to tell: out of memory, the run stops instead.
 */
static struct block *block_new(uint64_t insns, uint64_t vaddr)
{
	struct block *b;

	pthread_mutex_lock(&lock);
	if (!chunks || chunks->used == CHUNK_BLOCKS) {
		struct chunk *c = calloc(1, sizeof(*c));

		if (!c) {
			fprintf(stderr, "icount: out of memory for block counters\n");
			abort();
		}
		c->next = chunks;
		chunks = c;
	}
	b = &chunks->b[chunks->used++];
	b->insns = insns;
	b->vaddr = vaddr;
	pthread_mutex_unlock(&lock);
	return b;
}

static void mark(unsigned int vcpu_index, void *userdata)
{
	uint64_t total = 0;
	struct chunk *c;
	size_t i;

	(void)vcpu_index;
	(void)userdata;
	pthread_mutex_lock(&lock);
	marks++;
	for (c = chunks; c; c = c->next) {
		for (i = 0; i < c->used; i++) {
			struct block *b = &c->b[i];
			uint64_t execs = __atomic_load_n(&b->execs, __ATOMIC_RELAXED);

			total += execs * b->insns;
			if (prof && execs != b->last)
				fprintf(prof, "%lu %" PRIx64 " %" PRIu64 "\n", marks,
					b->vaddr, (execs - b->last) * b->insns);
			b->last = execs;
		}
	}
	fprintf(out, "%lu %" PRIu64 "\n", marks, total);
	fflush(out);
	if (prof)
		fflush(prof);
	pthread_mutex_unlock(&lock);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i;
	struct block *b = block_new(n, qemu_plugin_tb_vaddr(tb));

	(void)id;
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &b->execs, 1);
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (qemu_plugin_insn_size(insn) == sizeof(marker) &&
		    !memcmp(qemu_plugin_insn_data(insn), marker, sizeof(marker)))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, mark,
							       QEMU_PLUGIN_CB_NO_REGS,
							       NULL);
	}
}

static void at_exit(qemu_plugin_id_t id, void *userdata)
{
	(void)id;
	(void)userdata;
	fclose(out);
	if (prof)
		fclose(prof);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const struct qemu_info_t *info,
					   int argc, char **argv)
{
	const char *path = NULL, *prof_path = NULL;
	int i;

	(void)info;
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
		else if (!strncmp(argv[i], "prof=", 5))
			prof_path = argv[i] + 5;
	}
	if (!path) {
		fprintf(stderr, "icount: no out=FILE argument\n");
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		perror(path);
		return -1;
	}
	if (prof_path) {
		prof = fopen(prof_path, "w");
		if (!prof) {
			perror(prof_path);
			fclose(out);
			return -1;
		}
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
