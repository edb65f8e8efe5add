/*
 * fncount counting: the guest state the callbacks fold the instruction
 * counter into (tasks, levels, calls), the per-function statistics, the
 * region the guest's markers turn on and off, and the vCPUs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fncount.h"

GMutex lock;
struct qemu_plugin_scoreboard *sb;
GPtrArray *vcpus;                   /* VCpu * */
struct qemu_plugin_register *reg_rsp, *reg_rdi, *reg_rsi;
bool region_on;
uint64_t regions, nested_on, unknown_reg_reads;
GHashTable *ctx_of;                 /* task -> Ctx * (bound ones) */
static GPtrArray *all_ctx;          /* every Ctx of this region */
GPtrArray *stats;                   /* Stat *, [vcpu * nfn + idx] */
static uint64_t *self_snap;         /* [vcpu * nfn + idx] at region on */
static gint64 last_write;           /* host time of the last output */

Stat *stat_get(unsigned int vcpu, int idx)
{
    guint i = vcpu * nfn + idx;

    while (stats->len <= i) {
        Stat *s = g_new0(Stat, 1);
        s->insns = g_array_new(false, false, sizeof(uint64_t));
        g_ptr_array_add(stats, s);
    }
    return g_ptr_array_index(stats, i);
}

/* ---- guest state ---- */

uint64_t read_reg(struct qemu_plugin_register *reg)
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

bool read_u64(uint64_t addr, uint64_t *val)
{
    g_autoptr(GByteArray) buf = g_byte_array_new();

    if (!qemu_plugin_read_memory_vaddr(addr, buf, 8) || buf->len < 8) {
        return false;
    }
    memcpy(val, buf->data, 8);
    *val = GUINT64_FROM_LE(*val);
    return true;
}

Level *level_new(enum level_kind kind, unsigned int vcpu)
{
    Level *l = g_new0(Level, 1);

    l->kind = kind;
    l->vcpu = vcpu;
    l->rep_pc = ~0ull;
    l->calls = g_array_new(false, false, sizeof(Call));
    return l;
}

Ctx *ctx_new(uint64_t task, unsigned int vcpu)
{
    Ctx *c = g_new0(Ctx, 1);

    c->task = task;
    c->levels = g_ptr_array_new();
    g_ptr_array_add(c->levels, level_new(L_TASK, vcpu));
    g_ptr_array_add(all_ctx, c);
    return c;
}

/* attribute the instructions since the last event to the current level */
void fold(unsigned int v)
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
void precount(unsigned int v)
{
    VCpu *vc = vcpu_get(v);
    Level *l = top(vc->ctx);

    l->insns++;
    vc->ctx->insns++;
    vc->kind_insns[l->kind]++;
    vc->mark++;                     /* its inline increment is absorbed */
}

/* a ret with %rsp at rsp can end a call entered with %rsp at sp */
bool same_stack(uint64_t sp, uint64_t rsp)
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
guint calls_end(Ctx *c, Level *l, uint64_t rsp, bool strict)
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
void levels_pop_to(VCpu *vc, Ctx *c, guint keep)
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
void undo_restarted(Ctx *c, Level *l, unsigned int v, uint64_t pc)
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

/* ---- the region ---- */

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

void vcpu_marker(unsigned int v, void *udata)
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

/* ---- vCPUs ---- */

void vcpu_init(qemu_plugin_id_t id, unsigned int v)
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
