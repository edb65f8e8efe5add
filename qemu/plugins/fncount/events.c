/*
 * fncount events: the callbacks of the instructions that start and end
 * calls and levels (a counted function's entry, ret, iretq, the stack
 * switch, rep-prefixed string instructions) and of QEMU's
 * discontinuities (interrupts, exceptions). They run only while the
 * region is on.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fncount.h"

void vcpu_entry(unsigned int v, void *udata)
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

void vcpu_ret(unsigned int v, void *udata)
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

void vcpu_iret(unsigned int v, void *udata)
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

void vcpu_switch(unsigned int v, void *udata)
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

void vcpu_rep(unsigned int v, void *udata)
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

void vcpu_discon(qemu_plugin_id_t id, unsigned int v,
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
