/*
 * fncount: exact guest instruction counts per function, inclusive of
 * callees, per vCPU, inside a region the guest turns on and off.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * x86-64 system emulation (TCG) only. Arguments:
 *   out=FILE       the TSV, written at exit and after a region ends (at
 *                  most once a second)
 *   map=FILE       System.map or `nm -n` output (repeatable): ADDR TYPE NAME
 *   fns=FILE       functions to count, one name per line (first word; '#'
 *                  starts a comment); fn=NAME adds one (repeatable)
 *   stack=BYTES    kernel stack size (THREAD_SIZE, default 16384)
 *   softirq=NAME   entry of softirq processing (default handle_softirqs)
 *   switch=NAME    the function switching kernel stacks (__switch_to_asm)
 *   rep=once|each  rep-prefixed string instructions: count once per
 *                  execution (default) or once per iteration (diagnostic)
 *   sched=on|off   follow context switches (default); off is diagnostic
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
#include <glib.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define FNCOUNT_FORMAT      1
#define MARKER_MAGIC        0x464e4300u     /* see fncount-marker.h */
#define OP_ON               0x01
#define OP_OFF              0x02
#define USER_STACK_SPAN     (8u << 20)      /* a user frame is below this */

enum level_kind { L_TASK, L_IRQ, L_EXC, L_SOFTIRQ, L_KINDS };
static const char *const kind_name[L_KINDS] = {
    "task", "irq", "exception", "softirq"
};

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

/* arguments */
static char *out_path;
static GPtrArray *map_paths, *fn_names;
static uint64_t stack_size = 16384;
static char *softirq_name, *switch_name;
static bool rep_each, sched_off;

/* symbols */
static GPtrArray *funcs;            /* Func *, counted ones first (idx) */
static int nfn;                     /* counted functions */
static GHashTable *entry_of;        /* start address -> Func * */
static GArray *self_ranges;         /* SelfRange, sorted */
static Range switch_range;
static GPtrArray *absent;           /* char *: listed, in no map */

typedef struct {
    uint64_t start, end;
    int idx;
} SelfRange;

/* state */
static GMutex lock;
static struct qemu_plugin_scoreboard *sb;
static GPtrArray *vcpus;            /* VCpu * */
static struct qemu_plugin_register *reg_rsp, *reg_rdi, *reg_rsi;
static bool region_on;
static uint64_t regions, nested_on, unknown_reg_reads;
static GHashTable *ctx_of;          /* task -> Ctx * (bound ones) */
static GPtrArray *all_ctx;          /* every Ctx of this region */
static GPtrArray *stats;            /* Stat *, [vcpu * nfn + idx] */
static uint64_t *self_snap;         /* [vcpu * nfn + idx] at region on */
static gint64 last_write;           /* host time of the last output */

static qemu_plugin_u64 sb_u64(size_t slot)
{
    return (qemu_plugin_u64) { sb, slot * sizeof(uint64_t) };
}

static unsigned int nvcpus(void)
{
    return vcpus->len;
}

static VCpu *vcpu_get(unsigned int i)
{
    return g_ptr_array_index(vcpus, i);
}

static Stat *stat_get(unsigned int vcpu, int idx)
{
    guint i = vcpu * nfn + idx;

    while (stats->len <= i) {
        Stat *s = g_new0(Stat, 1);
        s->insns = g_array_new(false, false, sizeof(uint64_t));
        g_ptr_array_add(stats, s);
    }
    return g_ptr_array_index(stats, i);
}

/* ---- symbols ---- */

typedef struct {
    uint64_t addr;
    char *name;
} Sym;

static gint sym_cmp(gconstpointer a, gconstpointer b)
{
    const Sym *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static gint self_range_cmp(gconstpointer a, gconstpointer b)
{
    const SelfRange *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static Func *func_new(const char *name, int idx)
{
    Func *f = g_new0(Func, 1);

    f->name = g_strdup(name);
    f->idx = idx;
    f->ranges = g_array_new(false, false, sizeof(Range));
    f->cold = g_array_new(false, false, sizeof(Range));
    g_ptr_array_add(funcs, f);
    return f;
}

static Func *func_find(const char *name)
{
    for (guint i = 0; i < funcs->len; i++) {
        Func *f = g_ptr_array_index(funcs, i);
        if (!strcmp(f->name, name)) {
            return f;
        }
    }
    return NULL;
}

/* "NAME.cold" or "NAME.cold.N": a part of NAME that gcc moved away */
static Func *cold_owner(const char *sym)
{
    const char *c = strstr(sym, ".cold");
    g_autofree char *base = NULL;

    if (!c || (c[5] != '\0' && c[5] != '.')) {
        return NULL;
    }
    base = g_strndup(sym, c - sym);
    return func_find(base);
}

static bool load_map(const char *path, GError **err)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GArray) syms = g_array_new(false, false, sizeof(Sym));

    if (!g_file_get_contents(path, &text, NULL, err)) {
        return false;
    }
    lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        char name[512], type;
        uint64_t addr;
        Sym s;

        if (sscanf(lines[i], "%" SCNx64 " %c %511s", &addr, &type, name) != 3) {
            continue;
        }
        s.addr = addr;
        s.name = (type == 't' || type == 'T' || type == 'w' || type == 'W') ?
                 g_strdup(name) : NULL;
        g_array_append_val(syms, s);
    }
    g_array_sort(syms, sym_cmp);
    for (guint i = 0; i < syms->len; i++) {
        Sym *s = &g_array_index(syms, Sym, i);
        Range r = { s->addr, s->addr };
        Func *f;

        if (!s->name) {
            continue;
        }
        for (guint j = i + 1; j < syms->len; j++) {
            if (g_array_index(syms, Sym, j).addr > s->addr) {
                r.end = g_array_index(syms, Sym, j).addr;
                break;
            }
        }
        if (r.end == r.start) {
            r.end = r.start + 1;    /* last symbol: its entry only */
        }
        f = func_find(s->name);
        if (f) {
            g_array_append_val(f->ranges, r);
        } else if ((f = cold_owner(s->name))) {
            g_array_append_val(f->cold, r);
        }
        g_free(s->name);
    }
    return true;
}

static bool load_fn_list(const char *path, GError **err)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(path, &text, NULL, err)) {
        return false;
    }
    lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        char *l = g_strstrip(lines[i]);
        g_auto(GStrv) words = NULL;

        if (!*l || *l == '#') {
            continue;
        }
        words = g_strsplit_set(l, " \t", 2);
        g_ptr_array_add(fn_names, g_strdup(words[0]));
    }
    return true;
}

static void add_self_ranges(const Func *f, GArray *ranges)
{
    for (guint i = 0; i < ranges->len; i++) {
        Range *r = &g_array_index(ranges, Range, i);
        SelfRange s = { r->start, r->end, f->idx };
        g_array_append_val(self_ranges, s);
    }
}

/* counted function whose code holds pc, or -1 */
static int self_idx(uint64_t pc)
{
    guint lo = 0, hi = self_ranges->len;

    while (lo < hi) {
        guint mid = (lo + hi) / 2;
        SelfRange *s = &g_array_index(self_ranges, SelfRange, mid);
        if (pc < s->start) {
            hi = mid;
        } else if (pc >= s->end) {
            lo = mid + 1;
        } else {
            return s->idx;
        }
    }
    return -1;
}

/* ---- guest state ---- */

static uint64_t read_reg(struct qemu_plugin_register *reg)
{
    g_autoptr(GByteArray) buf = g_byte_array_new();
    uint64_t v = 0;

    if (!reg || qemu_plugin_read_register(reg, buf) < 8) {
        unknown_reg_reads++;
        return 0;
    }
    memcpy(&v, buf->data, 8);
    return GUINT64_FROM_LE(v);
}

static bool read_u64(uint64_t addr, uint64_t *val)
{
    g_autoptr(GByteArray) buf = g_byte_array_new();

    if (!qemu_plugin_read_memory_vaddr(addr, buf, 8) || buf->len < 8) {
        return false;
    }
    memcpy(val, buf->data, 8);
    *val = GUINT64_FROM_LE(*val);
    return true;
}

static Level *level_new(enum level_kind kind, unsigned int vcpu)
{
    Level *l = g_new0(Level, 1);

    l->kind = kind;
    l->vcpu = vcpu;
    l->rep_pc = ~0ull;
    l->calls = g_array_new(false, false, sizeof(Call));
    return l;
}

static Ctx *ctx_new(uint64_t task, unsigned int vcpu)
{
    Ctx *c = g_new0(Ctx, 1);

    c->task = task;
    c->levels = g_ptr_array_new();
    g_ptr_array_add(c->levels, level_new(L_TASK, vcpu));
    g_ptr_array_add(all_ctx, c);
    return c;
}

static Level *top(Ctx *c)
{
    return g_ptr_array_index(c->levels, c->levels->len - 1);
}

/* attribute the instructions since the last event to the current level */
static void fold(unsigned int v)
{
    VCpu *vc = vcpu_get(v);
    uint64_t now = qemu_plugin_u64_get(sb_u64(SB_COUNT), v);
    uint64_t d = now - vc->mark;
    Level *l = top(vc->ctx);

    vc->mark = now;
    l->insns += d;
    vc->ctx->insns += d;
    vc->kind_insns[l->kind] += d;
}

/* count the instruction about to execute now, in the current level */
static void precount(unsigned int v)
{
    VCpu *vc = vcpu_get(v);
    Level *l = top(vc->ctx);

    l->insns++;
    vc->ctx->insns++;
    vc->kind_insns[l->kind]++;
    vc->mark++;                     /* its inline increment is absorbed */
}

/* a ret with %rsp at rsp can end a call entered with %rsp at sp */
static bool same_stack(uint64_t sp, uint64_t rsp)
{
    if ((sp ^ rsp) >> 63) {
        return false;
    }
    if (sp >> 63) {
        return (sp & ~(stack_size - 1)) == (rsp & ~(stack_size - 1));
    }
    return rsp - sp < USER_STACK_SPAN;
}

static void call_end(Ctx *c, Level *l, const Call *k)
{
    uint64_t incl = l->insns - k->start;
    Stat *s;

    if (!k->outer || k->fn->idx < 0) {
        return;
    }
    s = stat_get(k->vcpu, k->fn->idx);
    g_array_append_val(s->insns, incl);
    s->excluded += c->insns - k->ctx_start - incl;
}

/*
 * End the calls of level l that a ret (strict: false) or a new entry
 * (strict: true) at %rsp rsp shows finished; returns how many.
 */
static guint calls_end(Ctx *c, Level *l, uint64_t rsp, bool strict)
{
    guint n = 0;

    for (guint i = l->calls->len; i-- > 0;) {
        Call *k = &g_array_index(l->calls, Call, i);
        if ((strict ? k->sp < rsp : k->sp <= rsp) && same_stack(k->sp, rsp)) {
            if (strict) {
                k->outer = false;   /* missed its ret: not a complete call */
            }
            call_end(c, l, k);
            g_array_remove_index(l->calls, i);
            n++;
        }
    }
    return n;
}

static void level_free(Level *l, bool count_open)
{
    for (guint i = 0; count_open && i < l->calls->len; i++) {
        Call *k = &g_array_index(l->calls, Call, i);
        if (k->outer && k->fn->idx >= 0) {
            stat_get(k->vcpu, k->fn->idx)->open++;
        }
    }
    g_array_free(l->calls, true);
    g_free(l);
}

/* pop levels above index keep; calls still open there are lost */
static void levels_pop_to(VCpu *vc, Ctx *c, guint keep)
{
    while (c->levels->len > keep) {
        Level *l = g_ptr_array_steal_index(c->levels, c->levels->len - 1);
        if (l->calls->len) {
            vc->anomalies++;
        }
        level_free(l, false);
    }
}

/*
 * The instruction at pc, counted at level l on vCPU v, faulted and is
 * restarted: count it once.
 */
static void undo_restarted(Ctx *c, Level *l, unsigned int v, uint64_t pc)
{
    VCpu *vo = vcpu_get(v);
    int idx = self_idx(pc);

    l->insns--;
    c->insns--;
    vo->kind_insns[l->kind]--;
    vo->restarts++;
    if (idx >= 0) {
        stat_get(v, idx)->self--;
    }
}

/* ---- callbacks ---- */

static void region_start(unsigned int v)
{
    region_on = true;
    regions++;
    ctx_of = g_hash_table_new(g_direct_hash, g_direct_equal);
    all_ctx = g_ptr_array_new();
    for (unsigned int i = 0; i < nvcpus(); i++) {
        VCpu *vc = vcpu_get(i);

        /* neither marker instruction is counted */
        vc->mark = qemu_plugin_u64_get(sb_u64(SB_COUNT), i) + (i == v);
        vc->ctx = ctx_new(0, i);
        vc->exc_pending = false;
        for (int f = 0; f < nfn; f++) {
            self_snap[i * nfn + f] = qemu_plugin_u64_get(sb_u64(SB_SELF + f), i);
        }
        qemu_plugin_u64_set(sb_u64(SB_ON), i, 1);
    }
}

static void write_output(void);

static void region_stop(void)
{
    for (unsigned int i = 0; i < nvcpus(); i++) {
        fold(i);
        for (int f = 0; f < nfn; f++) {
            stat_get(i, f)->self +=
                qemu_plugin_u64_get(sb_u64(SB_SELF + f), i) -
                self_snap[i * nfn + f];
        }
        qemu_plugin_u64_set(sb_u64(SB_ON), i, 0);
        vcpu_get(i)->ctx = NULL;
    }
    for (guint i = 0; i < all_ctx->len; i++) {
        Ctx *c = g_ptr_array_index(all_ctx, i);
        for (guint j = 0; j < c->levels->len; j++) {
            level_free(g_ptr_array_index(c->levels, j), true);
        }
        g_ptr_array_free(c->levels, true);
        g_free(c);
    }
    g_ptr_array_free(all_ctx, true);
    g_hash_table_destroy(ctx_of);
    all_ctx = NULL;
    ctx_of = NULL;
    region_on = false;
}

static void vcpu_marker(unsigned int v, void *udata)
{
    uintptr_t op = (uintptr_t)udata;

    g_mutex_lock(&lock);
    if (op == OP_ON && region_on) {
        nested_on++;
    } else if (op == OP_ON) {
        region_start(v);
    } else if (op == OP_OFF && region_on) {
        region_stop();
        /* at most once a second (many short regions); always at exit */
        if (g_get_monotonic_time() - last_write > G_USEC_PER_SEC) {
            write_output();
            last_write = g_get_monotonic_time();
        }
    }
    g_mutex_unlock(&lock);
}

static void vcpu_entry(unsigned int v, void *udata)
{
    const Func *f = udata;
    VCpu *vc;
    Level *l;
    Call k;
    uint64_t rsp;

    g_mutex_lock(&lock);
    if (!region_on) {
        goto out;
    }
    vc = vcpu_get(v);
    rsp = read_reg(reg_rsp);
    fold(v);
    l = top(vc->ctx);
    /* a softirq level whose handle_softirqs returned unseen */
    while (l->kind == L_SOFTIRQ && l->softirq_sp < rsp &&
           same_stack(l->softirq_sp, rsp)) {
        levels_pop_to(vc, vc->ctx, vc->ctx->levels->len - 1);
        vc->anomalies++;
        l = top(vc->ctx);
    }
    vc->anomalies += calls_end(vc->ctx, l, rsp, true);
    if (f->softirq) {
        l = level_new(L_SOFTIRQ, v);
        l->softirq_sp = rsp;
        g_ptr_array_add(vc->ctx->levels, l);
    }
    if (f->idx < 0) {
        goto out;
    }
    k = (Call) {
        .fn = f, .sp = rsp, .start = l->insns, .ctx_start = vc->ctx->insns,
        .vcpu = v, .outer = true,
    };
    for (guint i = 0; i < l->calls->len; i++) {
        Call *o = &g_array_index(l->calls, Call, i);
        if (o->fn == f) {
            if (o->sp == rsp) {
                /*
                 * Same frame: a jump back to the first instruction (a
                 * loop, a tail call to itself) or its restart after a
                 * fault; not a new call
                 */
                goto out;
            }
            k.outer = false;
        }
    }
    if (!k.outer) {
        stat_get(v, f->idx)->recursive++;
    }
    g_array_append_val(l->calls, k);
out:
    g_mutex_unlock(&lock);
}

static void vcpu_ret(unsigned int v, void *udata)
{
    VCpu *vc;
    Level *l;
    uint64_t rsp;

    g_mutex_lock(&lock);
    if (!region_on) {
        goto out;
    }
    vc = vcpu_get(v);
    rsp = read_reg(reg_rsp);
    fold(v);
    precount(v);                    /* the ret belongs to what it ends */
    l = top(vc->ctx);
    calls_end(vc->ctx, l, rsp, false);
    if (l->kind == L_SOFTIRQ && l->softirq_sp <= rsp &&
        same_stack(l->softirq_sp, rsp)) {
        levels_pop_to(vc, vc->ctx, vc->ctx->levels->len - 1);
    }
out:
    g_mutex_unlock(&lock);
}

static void vcpu_iret(unsigned int v, void *udata)
{
    VCpu *vc;
    Ctx *c;
    uint64_t rsp, rip = 0, cs = 0;
    guint k;

    g_mutex_lock(&lock);
    if (!region_on) {
        goto out;
    }
    vc = vcpu_get(v);
    c = vc->ctx;
    rsp = read_reg(reg_rsp);
    if (!read_u64(rsp, &rip) || !read_u64(rsp + 8, &cs)) {
        vc->anomalies++;
        goto out;
    }
    fold(v);
    precount(v);                    /* the iretq belongs to the handler */
    if ((cs & 3) == 3) {
        /* back to user mode: every level above the task's is done */
        for (k = 1; k < c->levels->len; k++) {
            Level *l = g_ptr_array_index(c->levels, k);
            if (l->kind == L_IRQ || l->kind == L_EXC) {
                break;
            }
        }
    } else {
        /* the frame this iretq pops: %rsp at its RIP slot */
        for (k = c->levels->len; k-- > 1;) {
            Level *l = g_ptr_array_index(c->levels, k);
            if ((l->kind == L_IRQ || l->kind == L_EXC) &&
                (l->frame_sp == rsp || l->frame_sp + 8 == rsp)) {
                break;
            }
        }
        if (k == 0) {
            goto out;               /* not an interrupt return (sync_core) */
        }
    }
    if (k < c->levels->len) {
        Level *l = g_ptr_array_index(c->levels, k);
        bool restart = l->kind == L_EXC && l->started && rip == l->from_pc;
        uint64_t pc = l->from_pc;
        unsigned int fv = l->vcpu;

        if (k + 1 < c->levels->len) {
            vc->anomalies++;        /* levels above it ended unseen */
        }
        levels_pop_to(vc, c, k);
        if (restart) {
            undo_restarted(c, top(c), fv, pc);
        }
    }
out:
    g_mutex_unlock(&lock);
}

static void vcpu_switch(unsigned int v, void *udata)
{
    VCpu *vc;
    uint64_t prev, next;
    Ctx *c;

    g_mutex_lock(&lock);
    if (!region_on || sched_off) {
        goto out;
    }
    vc = vcpu_get(v);
    prev = read_reg(reg_rdi);
    next = read_reg(reg_rsi);
    fold(v);                        /* up to the %rsp load: prev's */
    if (vc->ctx->task == 0) {
        if (g_hash_table_contains(ctx_of, GSIZE_TO_POINTER(prev))) {
            vc->anomalies++;
        }
        vc->ctx->task = prev;
        g_hash_table_insert(ctx_of, GSIZE_TO_POINTER(prev), vc->ctx);
    } else if (vc->ctx->task != prev) {
        vc->anomalies++;
    }
    c = g_hash_table_lookup(ctx_of, GSIZE_TO_POINTER(next));
    if (!c) {
        c = ctx_new(next, v);
        g_hash_table_insert(ctx_of, GSIZE_TO_POINTER(next), c);
    }
    vc->ctx = c;
    vc->switches++;
out:
    g_mutex_unlock(&lock);
}

typedef struct {
    uint64_t pc;
    int idx;                        /* counted function holding it, or -1 */
} RepInsn;

static void vcpu_rep(unsigned int v, void *udata)
{
    const RepInsn *ri = udata;
    VCpu *vc;
    Level *l;

    g_mutex_lock(&lock);
    if (!region_on) {
        goto out;
    }
    vc = vcpu_get(v);
    fold(v);
    l = top(vc->ctx);
    if (!rep_each && l->rep_pc == ri->pc && l->insns == l->rep_end) {
        /* a further iteration of the rep instruction counted just now */
        vc->mark++;
        vc->rep_skipped++;
    } else {
        l->rep_end = l->insns + 1;
        if (ri->idx >= 0) {
            stat_get(v, ri->idx)->self++;
        }
    }
    l->rep_pc = ri->pc;
out:
    g_mutex_unlock(&lock);
}

static void vcpu_discon(qemu_plugin_id_t id, unsigned int v,
                        enum qemu_plugin_discon_type type,
                        uint64_t from_pc, uint64_t to_pc)
{
    VCpu *vc;
    Level *l;

    g_mutex_lock(&lock);
    if (!region_on || v >= nvcpus()) {
        goto out;
    }
    vc = vcpu_get(v);
    if (type == QEMU_PLUGIN_DISCON_EXCEPTION) {
        /* x86: raised now, delivered (an INTERRUPT discon) next */
        vc->exc_pending = true;
        goto out;
    }
    fold(v);
    l = level_new(vc->exc_pending ? L_EXC : L_IRQ, v);
    l->frame_sp = read_reg(reg_rsp);
    l->from_pc = from_pc;
    /*
     * A fault on a data access comes after the instruction's increment;
     * one on its fetch (translation) comes before it
     */
    l->started = vc->exc_pending &&
                 qemu_plugin_u64_get(sb_u64(SB_LASTPC), v) == from_pc;
    g_ptr_array_add(vc->ctx->levels, l);
    if (vc->exc_pending) {
        vc->exceptions++;
    } else {
        vc->interrupts++;
    }
    vc->exc_pending = false;
out:
    g_mutex_unlock(&lock);
}

/* ---- translation ---- */

enum {
    PFX_REP = 1,
    PFX_REX_W = 2,
    PFX_REX_R = 4,
};

/* the opcode index after legacy and REX prefixes */
static size_t opcode_at(const uint8_t *b, size_t n, unsigned int *pfx)
{
    size_t i = 0;

    *pfx = 0;
    for (; i < n; i++) {
        switch (b[i]) {
        case 0xf2: case 0xf3:
            *pfx |= PFX_REP;
            continue;
        case 0x66: case 0x67: case 0x26: case 0x2e: case 0x36: case 0x3e:
        case 0x64: case 0x65: case 0xf0:
            continue;
        }
        break;
    }
    if (i < n && (b[i] & 0xf0) == 0x40) {
        *pfx |= (b[i] & 8) ? PFX_REX_W : 0;
        *pfx |= (b[i] & 4) ? PFX_REX_R : 0;
        i++;
    }
    return i;
}

static uint32_t le32(const uint8_t *b)
{
    return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static bool is_string_op(uint8_t op)
{
    return (op >= 0x6c && op <= 0x6f) || (op >= 0xa4 && op <= 0xa7) ||
           (op >= 0xaa && op <= 0xaf);
}

static GHashTable *rep_insns;       /* pc -> RepInsn * */

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    qemu_plugin_u64 on = sb_u64(SB_ON);

    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t pc = qemu_plugin_insn_vaddr(insn);
        uint8_t b[16];
        size_t len = qemu_plugin_insn_data(insn, b, sizeof(b));
        unsigned int pfx;
        size_t o = opcode_at(b, len, &pfx);
        uint8_t op = o < len ? b[o] : 0;
        Func *f;
        int idx;

        if (len == 8 && b[0] == 0x0f && b[1] == 0x1f && b[2] == 0x84 &&
            b[3] == 0x00 && (le32(b + 4) & 0xffffff00u) == MARKER_MAGIC) {
            qemu_plugin_register_vcpu_insn_exec_cb(
                insn, vcpu_marker, QEMU_PLUGIN_CB_NO_REGS,
                (void *)(uintptr_t)b[4]);
            /* not counted: no increment */
            continue;
        }
        f = g_hash_table_lookup(entry_of, GSIZE_TO_POINTER(pc));
        if (f) {
            qemu_plugin_register_vcpu_insn_exec_cond_cb(
                insn, vcpu_entry, QEMU_PLUGIN_CB_R_REGS,
                QEMU_PLUGIN_COND_EQ, on, 1, f);
        }
        if (pc >= switch_range.start && pc < switch_range.end &&
            op == 0x8b && (pfx & PFX_REX_W) && !(pfx & PFX_REX_R) &&
            o + 1 < len && ((b[o + 1] >> 3) & 7) == 4 && (b[o + 1] >> 6) != 3) {
            /* mov mem, %rsp: the kernel stack switch */
            qemu_plugin_register_vcpu_insn_exec_cond_cb(
                insn, vcpu_switch, QEMU_PLUGIN_CB_R_REGS,
                QEMU_PLUGIN_COND_EQ, on, 1, NULL);
        }
        idx = self_idx(pc);
        if (op == 0xc3 || op == 0xc2) {
            qemu_plugin_register_vcpu_insn_exec_cond_cb(
                insn, vcpu_ret, QEMU_PLUGIN_CB_R_REGS,
                QEMU_PLUGIN_COND_EQ, on, 1, NULL);
        } else if (op == 0xcf && (pfx & PFX_REX_W)) {
            qemu_plugin_register_vcpu_insn_exec_cond_cb(
                insn, vcpu_iret, QEMU_PLUGIN_CB_R_REGS,
                QEMU_PLUGIN_COND_EQ, on, 1, NULL);
        } else if ((pfx & PFX_REP) && is_string_op(op)) {
            RepInsn *ri;

            g_mutex_lock(&lock);
            ri = g_hash_table_lookup(rep_insns, GSIZE_TO_POINTER(pc));
            if (!ri) {
                ri = g_new(RepInsn, 1);
                ri->pc = pc;
                ri->idx = idx;
                g_hash_table_insert(rep_insns, GSIZE_TO_POINTER(pc), ri);
            }
            g_mutex_unlock(&lock);
            qemu_plugin_register_vcpu_insn_exec_cond_cb(
                insn, vcpu_rep, QEMU_PLUGIN_CB_NO_REGS,
                QEMU_PLUGIN_COND_EQ, on, 1, ri);
            idx = -1;               /* self: counted by vcpu_rep */
        }
        /* after the callbacks: they see the count before this insn */
        qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
            insn, QEMU_PLUGIN_INLINE_ADD_U64, sb_u64(SB_COUNT), 1);
        qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
            insn, QEMU_PLUGIN_INLINE_STORE_U64, sb_u64(SB_LASTPC), pc);
        if (idx >= 0) {
            qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
                insn, QEMU_PLUGIN_INLINE_ADD_U64, sb_u64(SB_SELF + idx), 1);
        }
    }
}

static void vcpu_init(qemu_plugin_id_t id, unsigned int v)
{
    g_mutex_lock(&lock);
    if (!reg_rsp) {
        g_autoptr(GArray) regs = qemu_plugin_get_registers();

        for (guint i = 0; regs && i < regs->len; i++) {
            qemu_plugin_reg_descriptor *r =
                &g_array_index(regs, qemu_plugin_reg_descriptor, i);
            if (!strcmp(r->name, "rsp")) {
                reg_rsp = r->handle;
            } else if (!strcmp(r->name, "rdi")) {
                reg_rdi = r->handle;
            } else if (!strcmp(r->name, "rsi")) {
                reg_rsi = r->handle;
            }
        }
    }
    while (vcpus->len <= v) {
        g_ptr_array_add(vcpus, g_new0(VCpu, 1));
    }
    self_snap = g_renew(uint64_t, self_snap, vcpus->len * (nfn ? nfn : 1));
    g_mutex_unlock(&lock);
}

/* ---- output ---- */

static gint u64_cmp(gconstpointer a, gconstpointer b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void write_stat(FILE *o, const char *vcpu, const Func *f,
                       GArray *calls, const Stat *s)
{
    g_autoptr(GArray) v = g_array_copy(calls);
    uint64_t total = 0, min = 0, med = 0, max = 0;

    g_array_sort(v, u64_cmp);
    for (guint i = 0; i < v->len; i++) {
        total += g_array_index(v, uint64_t, i);
    }
    if (v->len) {
        min = g_array_index(v, uint64_t, 0);
        med = g_array_index(v, uint64_t, (v->len - 1) / 2);
        max = g_array_index(v, uint64_t, v->len - 1);
    }
    fprintf(o, "function\t%s\t%s\t%u\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
            "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
            "\t%" PRIu64 "\n", vcpu, f->name, v->len, s->recursive, s->open,
            total, min, med, max, s->excluded, s->self);
}

static void write_output(void)
{
    g_autofree char *tmp = g_strdup_printf("%s.tmp", out_path);
    FILE *o = fopen(tmp, "w");
    uint64_t anomalies = 0;

    if (!o) {
        fprintf(stderr, "fncount: cannot write %s\n", tmp);
        return;
    }
    for (unsigned int i = 0; i < nvcpus(); i++) {
        anomalies += vcpu_get(i)->anomalies;
    }
    fprintf(o, "# fncount %d: guest instructions per function, inclusive of "
            "callees, per vCPU, between the guest's region markers\n",
            FNCOUNT_FORMAT);
    fprintf(o, "# rep: %s\n", rep_each ?
            "DIAGNOSTIC rep=each: a rep-prefixed string instruction counts "
            "once per iteration" :
            "a rep-prefixed string instruction counts once per execution, "
            "as hardware counts it (TCG re-executes it per iteration)");
    fprintf(o, "# restarts: an instruction that faults and is restarted "
            "counts once\n");
    fprintf(o, "# insns: of the calling task only, from the function's first "
            "instruction to the ret that leaves it (a tail-called function's "
            "included); recursive entries count in the outermost call\n");
    fprintf(o, "# excluded: interrupts, exceptions and softirqs "
            "(%s) that ran in the task during its calls; not in insns\n",
            softirq_name);
    fprintf(o, "# self: instructions in the function's own code "
            "(System.map: to the next symbol, and NAME.cold*), callees "
            "excluded\n");
    fprintf(o, "# sched: %s\n", sched_off ?
            "DIAGNOSTIC sched=off: context switches ignored" :
            "context switches followed (the %rsp load in the switch "
            "function)");
    fprintf(o, "# regions %" PRIu64 ", nested_on %" PRIu64 ", anomalies %"
            PRIu64 "%s\n", regions, nested_on, anomalies + unknown_reg_reads,
            region_on ? ", REGION STILL ON AT EXIT (not counted)" : "");
    for (guint i = 0; i < map_paths->len; i++) {
        fprintf(o, "# map %s\n", (char *)g_ptr_array_index(map_paths, i));
    }
    for (guint i = 0; i < absent->len; i++) {
        fprintf(o, "absent\t%s\n", (char *)g_ptr_array_index(absent, i));
    }
    fprintf(o, "#region\tvcpu\tinsns");
    for (int k = 0; k < L_KINDS; k++) {
        fprintf(o, "\t%s", kind_name[k]);
    }
    fprintf(o, "\tinterrupts\texceptions\tswitches\trep_skipped\trestarts"
            "\tanomalies\n");
    for (unsigned int i = 0; i < nvcpus(); i++) {
        VCpu *vc = vcpu_get(i);
        uint64_t all = 0;

        for (int k = 0; k < L_KINDS; k++) {
            all += vc->kind_insns[k];
        }
        fprintf(o, "region\t%u\t%" PRIu64, i, all);
        for (int k = 0; k < L_KINDS; k++) {
            fprintf(o, "\t%" PRIu64, vc->kind_insns[k]);
        }
        fprintf(o, "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
                "\t%" PRIu64 "\t%" PRIu64 "\n", vc->interrupts,
                vc->exceptions, vc->switches, vc->rep_skipped, vc->restarts,
                vc->anomalies);
    }
    fprintf(o, "#function\tvcpu\tname\tcalls\trecursive\topen\tinsns\tmin"
            "\tmedian\tmax\texcluded\tself\n");
    for (int f = 0; f < nfn; f++) {
        Func *fn = g_ptr_array_index(funcs, f);
        g_autoptr(GArray) all = g_array_new(false, false, sizeof(uint64_t));
        Stat sum = { 0 };

        if (!fn->ranges->len) {
            continue;
        }
        for (unsigned int i = 0; i < nvcpus(); i++) {
            Stat *s = stat_get(i, f);
            g_autofree char *name = g_strdup_printf("%u", i);

            write_stat(o, name, fn, s->insns, s);
            g_array_append_vals(all, s->insns->data, s->insns->len);
            sum.recursive += s->recursive;
            sum.open += s->open;
            sum.excluded += s->excluded;
            sum.self += s->self;
        }
        write_stat(o, "all", fn, all, &sum);
    }
    fclose(o);
    if (rename(tmp, out_path)) {
        fprintf(stderr, "fncount: cannot rename %s to %s\n", tmp, out_path);
    }
}

static void plugin_exit(qemu_plugin_id_t id, void *p)
{
    g_mutex_lock(&lock);
    write_output();
    g_mutex_unlock(&lock);
}

/* ---- install ---- */

static bool setup(GError **err)
{
    Func *f;

    funcs = g_ptr_array_new();
    for (guint i = 0; i < fn_names->len; i++) {
        const char *name = g_ptr_array_index(fn_names, i);
        if (!func_find(name)) {
            func_new(name, funcs->len);
        }
    }
    nfn = funcs->len;
    /* internal entries: not in the output unless also listed */
    f = func_find(softirq_name);
    if (!f) {
        f = func_new(softirq_name, -1);
    }
    f->softirq = true;
    if (!func_find(switch_name)) {
        func_new(switch_name, -1);
    }
    for (guint i = 0; i < map_paths->len; i++) {
        if (!load_map(g_ptr_array_index(map_paths, i), err)) {
            return false;
        }
    }
    entry_of = g_hash_table_new(g_direct_hash, g_direct_equal);
    self_ranges = g_array_new(false, false, sizeof(SelfRange));
    absent = g_ptr_array_new();
    for (guint i = 0; i < funcs->len; i++) {
        f = g_ptr_array_index(funcs, i);
        for (guint j = 0; j < f->ranges->len; j++) {
            g_hash_table_insert(entry_of, GSIZE_TO_POINTER(
                g_array_index(f->ranges, Range, j).start), f);
        }
        if (f->idx >= 0) {
            add_self_ranges(f, f->ranges);
            add_self_ranges(f, f->cold);
            if (!f->ranges->len) {
                g_ptr_array_add(absent, f->name);
            }
        }
    }
    g_array_sort(self_ranges, self_range_cmp);
    f = func_find(switch_name);
    if (!f->ranges->len) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "switch function %s is in no map: give the kernel's "
                    "System.map with map=", switch_name);
        return false;
    }
    switch_range = g_array_index(f->ranges, Range, 0);
    if (!func_find(softirq_name)->ranges->len) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "softirq function %s is in no map (softirq=NAME)",
                    softirq_name);
        return false;
    }
    return true;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    g_autoptr(GError) err = NULL;

    if (info->system_emulation == false ||
        strcmp(info->target_name, "x86_64")) {
        fprintf(stderr, "fncount: x86_64 system emulation only (got %s)\n",
                info->target_name);
        return -1;
    }
    map_paths = g_ptr_array_new();
    fn_names = g_ptr_array_new();
    softirq_name = g_strdup("handle_softirqs");
    switch_name = g_strdup("__switch_to_asm");
    for (int i = 0; i < argc; i++) {
        char *opt = argv[i];
        g_auto(GStrv) kv = g_strsplit(opt, "=", 2);

        if (!kv[0] || !kv[1]) {
            fprintf(stderr, "fncount: option without value: %s\n", opt);
            return -1;
        }
        if (!strcmp(kv[0], "out")) {
            out_path = g_strdup(kv[1]);
        } else if (!strcmp(kv[0], "map")) {
            g_ptr_array_add(map_paths, g_strdup(kv[1]));
        } else if (!strcmp(kv[0], "fns")) {
            if (!load_fn_list(kv[1], &err)) {
                fprintf(stderr, "fncount: fns=%s: %s\n", kv[1], err->message);
                return -1;
            }
        } else if (!strcmp(kv[0], "fn")) {
            g_ptr_array_add(fn_names, g_strdup(kv[1]));
        } else if (!strcmp(kv[0], "stack")) {
            stack_size = g_ascii_strtoull(kv[1], NULL, 0);
            if (!stack_size || (stack_size & (stack_size - 1))) {
                fprintf(stderr, "fncount: stack=%s: not a power of 2\n", kv[1]);
                return -1;
            }
        } else if (!strcmp(kv[0], "softirq")) {
            g_free(softirq_name);
            softirq_name = g_strdup(kv[1]);
        } else if (!strcmp(kv[0], "switch")) {
            g_free(switch_name);
            switch_name = g_strdup(kv[1]);
        } else if (!strcmp(kv[0], "rep")) {
            if (strcmp(kv[1], "once") && strcmp(kv[1], "each")) {
                fprintf(stderr, "fncount: rep=once|each, not %s\n", kv[1]);
                return -1;
            }
            rep_each = !strcmp(kv[1], "each");
        } else if (!strcmp(kv[0], "sched")) {
            bool on;
            if (!qemu_plugin_bool_parse(kv[0], kv[1], &on)) {
                fprintf(stderr, "fncount: sched=on|off, not %s\n", kv[1]);
                return -1;
            }
            sched_off = !on;
        } else {
            fprintf(stderr, "fncount: unknown option %s (out= map= fns= fn= "
                    "stack= softirq= switch= rep= sched=)\n", opt);
            return -1;
        }
    }
    if (!out_path || !map_paths->len) {
        fprintf(stderr, "fncount: out=FILE and map=FILE are required\n");
        return -1;
    }
    if (!setup(&err)) {
        fprintf(stderr, "fncount: %s\n", err->message);
        return -1;
    }
    vcpus = g_ptr_array_new();
    stats = g_ptr_array_new();
    rep_insns = g_hash_table_new(g_direct_hash, g_direct_equal);
    sb = qemu_plugin_scoreboard_new(sizeof(uint64_t) * (SB_SELF + nfn));

    qemu_plugin_register_vcpu_init_cb(id, vcpu_init);
    qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
    qemu_plugin_register_vcpu_discon_cb(id, QEMU_PLUGIN_DISCON_INTERRUPT |
                                        QEMU_PLUGIN_DISCON_EXCEPTION,
                                        vcpu_discon);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
