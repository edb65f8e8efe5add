/*
 * fncount.h: the fncount plugin's internal header: its model, types,
 * shared state and the functions its files call across each other.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *   plugin.c     arguments, installation
 *   symbols.c    maps, function lists, the entry and self tables
 *   counting.c   guest state, levels, calls, the region
 *   events.c     the callbacks of executed instructions and discontinuities
 *   translate.c  instruction decoding, per-instruction instrumentation
 *   output.c     the TSV
 *
 * Everything here but qemu_plugin_install and qemu_plugin_version is
 * internal: scripts/qemu-plugin.sh builds with -fvisibility=hidden.
 *
 * Model. Every instruction increments a per-vCPU inline counter. Events,
 * handled by (conditional) callbacks only while the region is on, fold
 * that counter into the current "level" of the current task:
 *   task       the guest task running on the vCPU: a context switch is the
 *              load of %rsp in __switch_to_asm (prev task in %rdi, next in
 *              %rsi); the task running when the region starts is learnt at
 *              its first switch away
 *   level      what the task is executing: level 0 is the task itself (user
 *              and kernel mode, syscalls included); an interrupt or
 *              exception delivered to it pushes a level, its iretq pops it;
 *              handle_softirqs pushes one until it returns
 *   call       a counted function's first instruction starts a call at the
 *              current level, with the %rsp there (the return address
 *              slot); a ret at that level with %rsp at or above it, on the
 *              same stack, ends it (tail calls included: the ret of the
 *              tail-called function ends both)
 * A call's count is the number of instructions executed at its level, by
 * its task, from its first instruction to its ret included: callees are
 * included, other tasks (while it sleeps) and nested levels (interrupts,
 * exceptions, softirqs: column "excluded") are not. A function entered
 * again while it is active at the same level (recursion) counts once, in
 * its outermost call. A rep-prefixed string instruction, which TCG
 * re-executes per iteration, counts once; an instruction that faults and
 * is restarted counts once.
 */
#ifndef FNCOUNT_H
#define FNCOUNT_H

#include <glib.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

#define FNCOUNT_FORMAT      1
#define MARKER_MAGIC        0x464e4300u     /* see fncount-marker.h */
#define OP_ON               0x01
#define OP_OFF              0x02
#define USER_STACK_SPAN     (8u << 20)      /* a user frame is below this */

enum level_kind { L_TASK, L_IRQ, L_EXC, L_SOFTIRQ, L_KINDS };

/*
 * Per-vCPU scoreboard: region flag, instruction counter, address of the
 * last instruction started, self counters (one per counted function)
 */
enum { SB_ON, SB_COUNT, SB_LASTPC, SB_SELF };

typedef struct {
    uint64_t start, end;            /* [start, end): to the next symbol */
} Range;

typedef struct Func {
    char *name;
    int idx;                        /* index in the list, -1: internal */
    bool softirq;                   /* entry of a softirq level */
    GArray *ranges;                 /* Range: every symbol of that name */
    GArray *cold;                   /* Range: NAME.cold* (self only) */
} Func;

typedef struct {
    const Func *fn;
    uint64_t sp;                    /* %rsp at the first instruction */
    uint64_t start;                 /* level->insns at entry */
    uint64_t ctx_start;             /* ctx->insns at entry */
    unsigned int vcpu;              /* where the call started */
    bool outer;                     /* not a recursive entry */
} Call;

typedef struct {
    enum level_kind kind;
    uint64_t frame_sp;              /* irq/exc: %rsp after the CPU's push */
    uint64_t from_pc;               /* irq/exc: interrupted instruction */
    bool started;                   /* exc: from_pc was counted, then faulted */
    uint64_t softirq_sp;            /* softirq: %rsp at handle_softirqs */
    unsigned int vcpu;              /* where the level started */
    uint64_t insns;                 /* instructions at this level */
    uint64_t rep_pc, rep_end;       /* last rep insn and insns after it */
    GArray *calls;                  /* Call, innermost last */
} Level;

typedef struct {
    uint64_t task;                  /* task_struct address, 0: unknown */
    uint64_t insns;                 /* all levels */
    GPtrArray *levels;              /* Level *, [0] is the task level */
} Ctx;

typedef struct {
    Ctx *ctx;
    uint64_t mark;                  /* SB_COUNT at the last fold */
    bool exc_pending;               /* an EXCEPTION discon, delivery next */
    uint64_t kind_insns[L_KINDS];
    uint64_t interrupts, exceptions, switches, rep_skipped, restarts;
    uint64_t anomalies;             /* events that matched nothing */
} VCpu;

typedef struct {
    GArray *insns;                  /* uint64_t per completed call */
    uint64_t recursive, open, excluded, self;
} Stat;

typedef struct {
    uint64_t pc;
    int idx;                        /* counted function holding it, or -1 */
} RepInsn;

/* arguments (plugin.c) */
extern char *out_path;
extern GPtrArray *map_paths, *fn_names;
extern uint64_t stack_size;
extern char *softirq_name, *switch_name;
extern bool rep_each, sched_off;

/* symbols (symbols.c) */
extern GPtrArray *funcs;            /* Func *, counted ones first (idx) */
extern int nfn;                     /* counted functions */
extern GHashTable *entry_of;        /* start address -> Func * */
extern Range switch_range;
extern GPtrArray *absent;           /* char *: listed, in no map */

/* state (counting.c) */
extern GMutex lock;
extern struct qemu_plugin_scoreboard *sb;
extern GPtrArray *vcpus;            /* VCpu * */
extern struct qemu_plugin_register *reg_rsp, *reg_rdi, *reg_rsi;
extern bool region_on;
extern uint64_t regions, nested_on, unknown_reg_reads;
extern GHashTable *ctx_of;          /* task -> Ctx * (bound ones) */
extern GPtrArray *stats;            /* Stat *, [vcpu * nfn + idx] */

/* translation (translate.c) */
extern GHashTable *rep_insns;       /* pc -> RepInsn * */

/* the scoreboard slot of a SB_* index, for every vCPU */
static inline qemu_plugin_u64 sb_u64(size_t slot)
{
    return (qemu_plugin_u64) { sb, slot * sizeof(uint64_t) };
}

static inline unsigned int nvcpus(void)
{
    return vcpus->len;
}

static inline VCpu *vcpu_get(unsigned int i)
{
    return g_ptr_array_index(vcpus, i);
}

/* the level the task is executing now */
static inline Level *top(Ctx *c)
{
    return g_ptr_array_index(c->levels, c->levels->len - 1);
}

/* symbols.c */
bool load_fn_list(const char *path, GError **err);
int self_idx(uint64_t pc);
bool setup(GError **err);

/* counting.c */
Stat *stat_get(unsigned int vcpu, int idx);
uint64_t read_reg(struct qemu_plugin_register *reg);
bool read_u64(uint64_t addr, uint64_t *val);
Level *level_new(enum level_kind kind, unsigned int vcpu);
Ctx *ctx_new(uint64_t task, unsigned int vcpu);
void fold(unsigned int v);
void precount(unsigned int v);
bool same_stack(uint64_t sp, uint64_t rsp);
guint calls_end(Ctx *c, Level *l, uint64_t rsp, bool strict);
void levels_pop_to(VCpu *vc, Ctx *c, guint keep);
void undo_restarted(Ctx *c, Level *l, unsigned int v, uint64_t pc);
void vcpu_marker(unsigned int v, void *udata);
void vcpu_init(qemu_plugin_id_t id, unsigned int v);

/* events.c */
void vcpu_entry(unsigned int v, void *udata);
void vcpu_ret(unsigned int v, void *udata);
void vcpu_iret(unsigned int v, void *udata);
void vcpu_switch(unsigned int v, void *udata);
void vcpu_rep(unsigned int v, void *udata);
void vcpu_discon(qemu_plugin_id_t id, unsigned int v,
                 enum qemu_plugin_discon_type type,
                 uint64_t from_pc, uint64_t to_pc);

/* translate.c */
void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);

/* output.c */
void write_output(void);
void plugin_exit(qemu_plugin_id_t id, void *p);

#endif /* FNCOUNT_H */
